import type Stripe from 'stripe';
import type { EventHandler } from '../handler';
import { syncSubscription } from '../reconcile/subscription';

/** customer.subscription.created, .updated, .deleted, .paused, .resumed: mirror the subscription the event carries, unless newer state is kept. */
export const handleCustomerSubscription: EventHandler = async (h) => syncSubscription(h, { carried: h.event.data.object as Stripe.Subscription });

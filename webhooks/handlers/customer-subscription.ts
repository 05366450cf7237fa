import type Stripe from 'stripe';
import type { EventHandler } from '../handler';
import { syncSubscription } from '../reconcile/subscription';

/** customer.subscription.created, .updated, .deleted, .paused, .resumed: mirror the subscription as Stripe has it now. */
export const handleCustomerSubscription: EventHandler = async (h) => syncSubscription(h, (h.event.data.object as Stripe.Subscription).id);

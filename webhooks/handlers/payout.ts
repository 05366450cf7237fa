import type Stripe from 'stripe';
import type { EventHandler } from '../handler';
import { syncPayout } from '../reconcile/payout';

/** payout.paid and payout.failed: the bank deposit (or its return), from the payout the event carries. */
export const handlePayout: EventHandler = async (h) => syncPayout(h, h.event.data.object as Stripe.Payout);

import type Stripe from 'stripe';
import type { EventHandler } from '../handler';
import { syncDispute } from '../reconcile/dispute';

/** charge.dispute.created, .funds_withdrawn, .funds_reinstated, .closed: the dispute and its money, from the event's copy. */
export const handleChargeDispute: EventHandler = async (h) => syncDispute(h, h.event.data.object as Stripe.Dispute);

import type Stripe from 'stripe';
import type { EventHandler } from '../handler';
import { idOf, linkToMember } from '../linking';
import { postRefunds, retrieveCharge } from '../reconcile/charge';

/** charge.refunded (full or partial): every refund of the charge, posted once each. */
export const handleChargeRefunded: EventHandler = async (h) => {
  const charge = await retrieveCharge(h, (h.event.data.object as Stripe.Charge).id);
  const { organization, member, planId } = await linkToMember(h.trx, h.stripe, h.event, { metadata: charge.metadata, customerId: idOf(charge.customer) }, h.now);
  await postRefunds(h, charge, { organization, member, planId, invoice: undefined });
  return { organizationId: organization.id, outcome: `charge ${charge.id} refunded ${charge.amount_refunded} of ${charge.amount}` };
};

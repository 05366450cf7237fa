import type Stripe from 'stripe';
import { requestOptions } from '../../src/stripe/client';
import type { EventHandler } from '../handler';
import { idOf, linkToMember } from '../linking';
import { postCharge } from '../reconcile/charge';
import { queuePaymentStarted } from '../../src/members/payment-emails';

/**
 * payment_intent.processing and .payment_failed (bank debits): nothing is posted while a
 * debit processes (the event's own copy links it, with no Stripe read), and the member is
 * told it started unless their receipt is already on its way; a debit that
 * fails after it had succeeded posts the payment (if not yet posted) and its reversal,
 * from the charge as Stripe has it now, so the books end the same whichever event came first.
 */
export const handlePaymentIntent: EventHandler = async (h) => {
  const carried = h.event.data.object as Stripe.PaymentIntent;
  if (h.event.type === 'payment_intent.processing') {
    const { organization, member } = await linkToMember(h.trx, h.stripe, h.event, { metadata: carried.metadata, customerId: idOf(carried.customer) }, h.now);
    const told = await queuePaymentStarted(
      h.trx,
      { organization, member, paymentIntentId: carried.id, chargeId: idOf(carried.latest_charge), amountCents: carried.amount, currency: carried.currency },
      { now: h.now, publicUrl: h.publicUrl },
    );
    return { organizationId: organization.id, outcome: `payment ${carried.id} of ${member.name} is processing${told ? '; the member is told it started' : ''}` };
  }
  const intent = await h.stripe.paymentIntents.retrieve(carried.id, { expand: ['latest_charge.balance_transaction', 'latest_charge.failure_balance_transaction'] }, requestOptions({ stripe_account_id: h.event.account ?? null }));
  const { organization, member, planId } = await linkToMember(h.trx, h.stripe, h.event, { metadata: intent.metadata, customerId: idOf(intent.customer) }, h.now);
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  if (!charge) return { organizationId: organization.id, outcome: `payment ${intent.id} of ${member.name} is ${intent.status}` };
  await postCharge(h, charge, { organization, member, planId, invoice: undefined });
  return { organizationId: organization.id, outcome: `payment ${intent.id} of ${member.name} failed (${charge.failure_message ?? charge.status})` };
};

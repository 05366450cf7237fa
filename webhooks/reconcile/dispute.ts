import type Stripe from 'stripe';
import { postingsForDisputeFundsReinstated, postingsForDisputeFundsWithdrawn, type LedgerTransactionDraft } from '../../src/ledger/postings';
import { requestOptions } from '../../src/stripe/client';
import type { HandlerContext, HandlerOutcome } from '../handler';
import { idOf, linkToMember, memberOfPostedCharge } from '../linking';

async function disputedChargeHints(h: HandlerContext, chargeId: string): Promise<Parameters<typeof linkToMember>[3]> {
  const posted = memberOfPostedCharge(h.trx, chargeId);
  if (posted) return { ids: posted, customerId: undefined };
  const charge = await h.stripe.charges.retrieve(chargeId, {}, requestOptions({ stripe_account_id: h.event.account ?? null }));
  return { metadata: charge.metadata, customerId: idOf(charge.customer) };
}

/**
 * Mirrors a dispute and posts the money it moved, from the copy its event carries: a
 * withdrawal (the amount and the dispute fee) and, for a dispute won, the reinstatement.
 * Balance transactions are facts that stay true, and a later event's copy holds every
 * earlier one's, so each posts once whichever event brings it first; the mirror's status
 * only moves forward, so an old event processed late changes nothing. The member is the
 * one the disputed charge was posted to, or, before it is posted, its customer's (the
 * charge is read from Stripe).
 */
export async function syncDispute(h: HandlerContext, dispute: Stripe.Dispute): Promise<HandlerOutcome> {
  const chargeId = idOf(dispute.charge)!;
  const { organization, member, planId } = await linkToMember(h.trx, h.stripe, h.event, await disputedChargeHints(h, chargeId), h.now);

  h.mirror.dispute({ organization_id: organization.id, id: dispute.id, charge_id: chargeId, member_id: member.id, status: dispute.status, reason: dispute.reason, amount_cents: dispute.amount, currency: dispute.currency, updated_at: h.now });

  const common = { disputeId: dispute.id, chargeId, currency: dispute.currency, memberId: member.id, planId: planId ?? null, stripeEventId: h.event.id };
  const drafts: LedgerTransactionDraft[] = [];
  for (const balance of dispute.balance_transactions) {
    const occurredAt = new Date(balance.created * 1000);
    if (balance.amount < 0) {
      drafts.push(...postingsForDisputeFundsWithdrawn({ ...common, amountCents: -balance.amount, disputeFeeCents: balance.fee, occurredAt }));
    } else if (balance.amount > 0) {
      drafts.push(...postingsForDisputeFundsReinstated({ ...common, amountCents: balance.amount, disputeFeeReturnedCents: Math.max(0, -balance.fee), occurredAt }));
    }
  }
  h.post(organization.id, drafts);
  return { organizationId: organization.id, outcome: `dispute ${dispute.id} is ${dispute.status}` };
}

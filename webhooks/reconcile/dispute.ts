import type Stripe from 'stripe';
import { postingsForDisputeFundsReinstated, postingsForDisputeFundsWithdrawn, type LedgerTransactionDraft } from '../../src/ledger/postings';
import { requestOptions } from '../../src/stripe/client';
import type { HandlerContext, HandlerOutcome } from '../handler';
import { idOf, legacyDisputeKeyPosted, linkToMember, memberOfPostedCharge } from '../linking';

async function disputedChargeHints(h: HandlerContext, chargeId: string): Promise<Parameters<typeof linkToMember>[3]> {
  const posted = memberOfPostedCharge(h.trx, chargeId);
  if (posted) return { ids: posted, customerId: undefined };
  const charge = await h.stripe.charges.retrieve(chargeId, {}, requestOptions({ stripe_account_id: h.event.account ?? null }));
  return { metadata: charge.metadata, customerId: idOf(charge.customer) };
}

/** The fee a balance transaction reports, checked against its itemised fee_details. */
function feeOf(balance: Stripe.BalanceTransaction): number {
  const itemised = balance.fee_details.reduce((sum, detail) => sum + detail.amount, 0);
  if (balance.fee_details.length > 0 && itemised !== balance.fee) throw new Error(`balance transaction ${balance.id}: fee ${balance.fee} but fee_details add up to ${itemised}`);
  return balance.fee;
}

/**
 * Mirrors a dispute and posts the money it moved, from the copy its event carries: each of
 * its balance transactions once, keyed by the transaction (`txn:<id>`): a withdrawal (the
 * amount, and the dispute fee Stripe took with it) or a reinstatement (the amount, and any
 * fee returned), however many of each the dispute has. Balance transactions are facts that
 * stay true, and a later event's copy holds every earlier one's, so each posts once
 * whichever event brings it first; the mirror's status only moves forward, so an old event
 * processed late changes nothing. The member is the one the disputed charge was posted to,
 * or, before it is posted, its customer's (the charge is read from Stripe).
 */
export async function syncDispute(h: HandlerContext, dispute: Stripe.Dispute): Promise<HandlerOutcome> {
  const chargeId = idOf(dispute.charge)!;
  const { organization, member, planId } = await linkToMember(h.trx, h.stripe, h.event, await disputedChargeHints(h, chargeId), h.now);

  h.mirror.dispute({ organization_id: organization.id, id: dispute.id, charge_id: chargeId, member_id: member.id, status: dispute.status, reason: dispute.reason, amount_cents: dispute.amount, currency: dispute.currency, updated_at: h.now });

  const common = { disputeId: dispute.id, chargeId, currency: dispute.currency, memberId: member.id, planId: planId ?? null, stripeEventId: h.event.id };
  const drafts: LedgerTransactionDraft[] = [];
  let withdrawals = 0;
  let reinstatements = 0;
  for (const balance of dispute.balance_transactions) {
    const at = { balanceTransactionId: balance.id, occurredAt: new Date(balance.created * 1000) };
    const fee = feeOf(balance);
    if (balance.amount < 0) {
      withdrawals += 1;
      // Postings from before they were keyed by balance transaction posted the first withdrawal under the dispute's key.
      if (withdrawals === 1 && legacyDisputeKeyPosted(h.trx, `dispute:${dispute.id}:withdrawn`)) continue;
      drafts.push(...postingsForDisputeFundsWithdrawn({ ...common, ...at, amountCents: -balance.amount, disputeFeeCents: fee }));
    } else if (balance.amount > 0) {
      reinstatements += 1;
      if (reinstatements === 1 && legacyDisputeKeyPosted(h.trx, `dispute:${dispute.id}:reinstated`)) continue;
      drafts.push(...postingsForDisputeFundsReinstated({ ...common, ...at, amountCents: balance.amount, disputeFeeReturnedCents: Math.max(0, -fee) }));
    }
  }
  h.post(organization.id, drafts);
  return { organizationId: organization.id, outcome: `dispute ${dispute.id} is ${dispute.status}` };
}

import type Stripe from 'stripe';
import type { Standing } from '../../db/database';
import { changeStanding } from '../../src/members/standing';
import { KEPT_ON_PAYMENT, standingAfterPayment } from '../../src/members/members';
import { requestOptions } from '../../src/stripe/client';
import type { HandlerContext } from '../handler';
import { coverPeriod, forgetLinkedMember, idOf, linkToMember, type Linked } from '../linking';
import { coveredPeriod, postCharge } from './charge';

export interface InvoiceState extends Linked {
  invoice: Stripe.Invoice;
  planId: string | undefined;
  period: { start: string; end: string } | undefined;
}

/** Re-reads an invoice (with its payments), links it to our member and mirrors it. */
export async function syncInvoice(h: HandlerContext, invoiceId: string): Promise<InvoiceState> {
  const options = requestOptions({ stripe_account_id: h.event.account ?? null });
  const invoice = await h.stripe.invoices.retrieve(invoiceId, { expand: ['payments'] }, options);
  const linked = await linkToMember(h.trx, h.stripe, h.event, {
    metadata: invoice.parent?.subscription_details?.metadata ?? invoice.metadata,
    customerId: idOf(invoice.customer),
  }, h.now);
  const period = coveredPeriod(invoice, linked.organization.time_zone);
  h.mirror.invoice({
    organization_id: linked.organization.id,
    id: invoice.id,
    member_id: linked.member.id,
    subscription_id: idOf(invoice.parent?.subscription_details?.subscription) ?? null,
    status: invoice.status ?? 'draft',
    currency: invoice.currency,
    amount_due: invoice.amount_due,
    amount_paid: invoice.amount_paid,
    period_start: period?.start ?? null,
    period_end: period?.end ?? null,
    attempt_count: invoice.attempt_count,
    paid_at: invoice.status_transitions.paid_at ? new Date(invoice.status_transitions.paid_at * 1000) : null,
    updated_at: h.now,
  });
  return { ...linked, invoice, period };
}

/** Changes a linked member's standing, caused by this event. */
async function changeStandingOf(h: HandlerContext, { organization, member }: Linked, to: Standing): Promise<void> {
  const { changed } = await changeStanding(h.trx, { organizationId: organization.id, memberId: member.id, to, cause: 'stripe_event', causeReference: h.event.id, lockedCurrent: member.standing, at: h.now });
  if (changed) await forgetLinkedMember(h.trx, member.id);
}

/**
 * A paid invoice: the member is paid through the end of the period it covers (never moved
 * back) and in good standing unless an officer's decision stands; the payment and its fee
 * are posted from each charge that paid it.
 */
export async function applyPaidInvoice(h: HandlerContext, state: InvoiceState): Promise<string> {
  const { organization, member, invoice, period } = state;
  // Never moved back, so the result is the same in any order of invoices.
  if (period) coverPeriod(h.trx, member, period, h.now);
  await changeStandingOf(h, state, standingAfterPayment(member.standing));

  for (const payment of invoice.payments?.data ?? []) {
    if (payment.status !== 'paid') continue;
    const paymentIntentId = idOf(payment.payment.payment_intent);
    if (!paymentIntentId) continue;
    const intent = await h.stripe.paymentIntents.retrieve(paymentIntentId, { expand: ['latest_charge.balance_transaction', 'latest_charge.failure_balance_transaction'] }, requestOptions({ stripe_account_id: h.event.account ?? null }));
    const charge = intent.latest_charge;
    if (!charge || typeof charge === 'string') continue;
    await postCharge(h, charge, { organization, member, planId: state.planId, invoice });
  }
  return `invoice ${invoice.id} paid; ${member.name} covered to ${period?.end ?? '(no dues period)'}`;
}

/**
 * A failed payment puts the member past due, unless Stripe already has the invoice paid
 * (a retry that succeeded, whose event was processed first) or the period is covered
 * anyway, or an officer's decision stands.
 */
export async function applyFailedPayment(h: HandlerContext, state: InvoiceState): Promise<string> {
  const { member, invoice, period } = state;
  if (invoice.status === 'paid' || invoice.status === 'void') return `invoice ${invoice.id} is ${invoice.status} now; the failure no longer matters`;
  if (period && member.paid_through !== null && member.paid_through >= period.end) return `invoice ${invoice.id} failed but ${member.name} is paid through ${member.paid_through}`;
  if (KEPT_ON_PAYMENT.includes(member.standing)) return `invoice ${invoice.id} failed; standing ${member.standing} kept`;
  await changeStandingOf(h, state, 'past_due');
  return `invoice ${invoice.id} payment failed (attempt ${invoice.attempt_count}); ${member.name} is past due`;
}

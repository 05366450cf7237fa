import type Stripe from 'stripe';
import { requestOptions } from '../../src/stripe/client';
import type { HandlerContext } from '../handler';
import { idOf, linkToMember, type Linked } from '../linking';
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

/**
 * A paid invoice: the payment and its fee are posted from each charge that paid it. What
 * it does to the member's paid-through date and standing is worked out from all their
 * facts when the batch ends (deriveStanding), not from this event alone.
 */
export async function applyPaidInvoice(h: HandlerContext, state: InvoiceState): Promise<string> {
  const { organization, member, invoice, period } = state;
  for (const payment of invoice.payments?.data ?? []) {
    if (payment.status !== 'paid') continue;
    const paymentIntentId = idOf(payment.payment.payment_intent);
    if (!paymentIntentId) continue;
    const intent = await h.stripe.paymentIntents.retrieve(paymentIntentId, { expand: ['latest_charge.balance_transaction', 'latest_charge.failure_balance_transaction'] }, requestOptions({ stripe_account_id: h.event.account ?? null }));
    const charge = intent.latest_charge;
    if (!charge || typeof charge === 'string') continue;
    await postCharge(h, charge, { organization, member, planId: state.planId, invoice });
  }
  return `invoice ${invoice.id} paid${period ? ` for ${period.start} to ${period.end}` : ''} by ${member.name}`;
}

/** A failed payment: mirrored with its attempt count (the invoice open and attempted is the fact a standing is derived from). */
export function describeFailedPayment(state: InvoiceState): string {
  const { invoice } = state;
  if (invoice.status === 'paid' || invoice.status === 'void') return `invoice ${invoice.id} is ${invoice.status} now; the failure no longer matters`;
  return `invoice ${invoice.id} payment failed (attempt ${invoice.attempt_count})`;
}

import type Stripe from 'stripe';
import type { Member, Organization } from '../../db/database';
import { postingsForChargeSucceeded, postingsForPaymentReversal, postingsForRefund, type LedgerTransactionDraft } from '../../src/ledger/postings';
import { requestOptions } from '../../src/stripe/client';
import type { HandlerContext } from '../handler';
import { idOf } from '../linking';
import { lastDayCovered, localDay } from './dates';

export interface ChargeContext {
  organization: Organization;
  member: Member;
  planId: string | undefined;
  invoice: Stripe.Invoice | undefined;
}

const SUBSCRIPTION_LINE = 'subscription_item_details';

/** The period an invoice's dues line covers, as the organization's calendar days. */
export function coveredPeriod(invoice: Stripe.Invoice, timeZone: string): { start: string; end: string } | undefined {
  const line = invoice.lines.data.find((l) => l.parent?.type === SUBSCRIPTION_LINE);
  if (!line) return undefined;
  return { start: localDay(line.period.start, timeZone), end: lastDayCovered(line.period.end, timeZone) };
}

/** One-time lines on a dues invoice are the initiation fee charged with the first payment. */
function initiationFeeCents(invoice: Stripe.Invoice | undefined): number {
  if (!invoice) return 0;
  return invoice.lines.data.filter((l) => l.parent?.type !== SUBSCRIPTION_LINE).reduce((sum, l) => sum + l.amount, 0);
}

/** A filtered Stripe list answered with something other than what was asked for: the event fails (retried, and visible) rather than post against it. */
export class StripeListMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StripeListMismatch';
  }
}

/**
 * The invoice a charge paid, if any. Every path that posts a charge resolves it the same
 * way, so the postings read the same whichever event posted them first. The invoice
 * payment listed must be the charge's own payment intent's.
 */
export async function invoiceOfCharge(h: HandlerContext, charge: Stripe.Charge): Promise<Stripe.Invoice | undefined> {
  const paymentIntentId = idOf(charge.payment_intent);
  if (!paymentIntentId) return undefined;
  const options = requestOptions({ stripe_account_id: h.event.account ?? null });
  const payments = await h.stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: paymentIntentId }, limit: 1 }, options);
  const found = payments.data[0];
  if (!found) return undefined;
  const listed = found.payment.type === 'payment_intent' ? idOf(found.payment.payment_intent as string | { id: string } | null | undefined) : undefined;
  if (listed !== paymentIntentId) throw new StripeListMismatch(`invoice payments listed for payment intent ${paymentIntentId} came back for ${listed ?? found.payment.type}`);
  const invoiceId = idOf(found.invoice as string | { id: string } | undefined);
  return invoiceId ? h.stripe.invoices.retrieve(invoiceId, {}, options) : undefined;
}

export async function retrieveCharge(h: HandlerContext, chargeId: string): Promise<Stripe.Charge> {
  return h.stripe.charges.retrieve(chargeId, { expand: ['balance_transaction', 'failure_balance_transaction'] }, requestOptions({ stripe_account_id: h.event.account ?? null }));
}

/**
 * Posts what a charge did to the books, from the charge as Stripe has it now: the payment
 * and its fee once money moved (a balance transaction exists: an ACH debit still
 * processing posts nothing), and a reversal if it failed after that. Keyed postings make
 * any number of calls, in any order, post each fact once.
 */
export async function postCharge(h: HandlerContext, charge: Stripe.Charge, link: ChargeContext): Promise<void> {
  const balance = charge.balance_transaction;
  if (!balance || typeof balance === 'string') return;
  const invoice = link.invoice ?? (await invoiceOfCharge(h, charge));
  const period = invoice ? coveredPeriod(invoice, link.organization.time_zone) : undefined;
  const paymentMethod = charge.payment_method_details?.type === 'us_bank_account' ? 'us_bank_account' : 'card';
  const common = {
    chargeId: charge.id,
    invoiceId: invoice?.id ?? null,
    currency: balance.currency,
    memberId: link.member.id,
    planId: link.planId ?? null,
    periodStart: period?.start ?? null,
    periodEnd: period?.end ?? null,
    paymentMethod,
    balanceTransactionId: balance.id,
    stripeEventId: h.event.id,
  } as const;
  const succeeded = {
    ...common,
    grossCents: balance.amount,
    feeCents: balance.fee,
    initiationFeeCents: Math.min(initiationFeeCents(invoice), balance.amount),
    occurredAt: new Date(balance.created * 1000),
  };
  const drafts: LedgerTransactionDraft[] = postingsForChargeSucceeded(succeeded);
  if (charge.status === 'failed') {
    // Dates come from Stripe's own records, never from when we happen to process, so
    // replays and reorderings post identical books.
    const failure = typeof charge.failure_balance_transaction === 'object' ? charge.failure_balance_transaction : null;
    drafts.push(
      ...postingsForPaymentReversal({
        ...succeeded,
        balanceTransactionId: failure?.id ?? (typeof charge.failure_balance_transaction === 'string' ? charge.failure_balance_transaction : null),
        feeReturnedCents: failure ? Math.min(balance.fee, Math.max(0, -failure.fee)) : 0,
        occurredAt: new Date((failure?.created ?? balance.created) * 1000),
      }),
    );
  }
  h.post(link.organization.id, drafts);
}

/** Posts every refund of a charge (full or partial), each once. */
export async function postRefunds(h: HandlerContext, charge: Stripe.Charge, link: ChargeContext): Promise<void> {
  const invoice = link.invoice ?? (await invoiceOfCharge(h, charge));
  const refunds = await h.stripe.refunds.list({ charge: charge.id, limit: 100 }, requestOptions({ stripe_account_id: h.event.account ?? null }));
  const stranger = refunds.data.find((refund) => idOf(refund.charge) !== charge.id);
  if (stranger) throw new StripeListMismatch(`refunds listed for charge ${charge.id} include ${stranger.id} of ${idOf(stranger.charge) ?? 'no charge'}`);
  const drafts = refunds.data
    .filter((refund) => refund.status === 'succeeded')
    .flatMap((refund) =>
      postingsForRefund({
        refundId: refund.id,
        chargeId: charge.id,
        currency: refund.currency,
        amountCents: refund.amount,
        occurredAt: new Date(refund.created * 1000),
        memberId: link.member.id,
        planId: link.planId ?? null,
        paymentMethod: charge.payment_method_details?.type === 'us_bank_account' ? 'us_bank_account' : 'card',
        invoiceId: invoice?.id ?? null,
        balanceTransactionId: idOf(refund.balance_transaction),
        stripeEventId: h.event.id,
      }),
    );
  h.post(link.organization.id, drafts);
}

export const chargeIdOf = (value: string | Stripe.Charge | null | undefined) => idOf(value);

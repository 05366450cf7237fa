import type Stripe from 'stripe';
import type { CheckoutFact, InvoiceFact, PaymentFact, StandingFacts } from '../../src/members/derive';
import type { StripeClient } from '../../src/stripe/client';
import { coveredPeriod } from '../../webhooks/reconcile/charge';
import { todayIn } from '../../src/organizations/calendar';

const idOf = (value: string | { id: string } | null | undefined) => (typeof value === 'string' ? value : value?.id);

/**
 * A member's standing facts read straight from Stripe, not from our mirrors: what the
 * standing function must give for each member once every event has been processed,
 * however they arrived. Stripe's objects map to facts as the processor learns them: an
 * invoice counts once it has been paid or a payment of it has failed (one open and not
 * attempted, or with a bank debit still processing, has not been reported yet); a payment
 * is a charge that moved money, with its refunds, dispute and failure after success.
 */
export async function standingFactsFromStripe(stripe: StripeClient, customerId: string, sessionId: string | undefined, timeZone: string): Promise<StandingFacts> {
  const invoices = (await stripe.invoices.list({ customer: customerId, limit: 100, expand: ['data.payments'] })).data;
  const processing = new Set<string>();
  for (const invoice of invoices) {
    for (const payment of invoice.payments?.data ?? []) {
      const intentId = idOf(payment.payment.payment_intent as string | { id: string } | null);
      if (!intentId) continue;
      const intent = await stripe.paymentIntents.retrieve(intentId);
      if (intent.status === 'processing') processing.add(invoice.id);
    }
  }
  const invoiceFacts: InvoiceFact[] = invoices
    .filter((invoice) => invoice.status === 'paid' || invoice.status === 'void' || invoice.status === 'uncollectible' || (invoice.status === 'open' && invoice.attempt_count > 0 && !processing.has(invoice.id)))
    .map((invoice) => {
      const period = coveredPeriod(invoice, timeZone);
      return { id: invoice.id, status: invoice.status!, periodStart: period?.start ?? null, periodEnd: period?.end ?? null, attemptCount: invoice.attempt_count };
    });

  const payments: PaymentFact[] = [];
  for (const charge of (await stripe.charges.list({ customer: customerId, limit: 100 })).data) {
    if (!charge.balance_transaction) continue;
    const invoicePayments = idOf(charge.payment_intent as string | null) ? await stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: idOf(charge.payment_intent as string)! }, limit: 1 }) : undefined;
    const disputes = (await stripe.disputes.list({ charge: charge.id })).data;
    const outcome = (dispute: Stripe.Dispute | undefined): PaymentFact['dispute'] => (!dispute ? 'none' : dispute.status === 'lost' ? 'lost' : dispute.status === 'won' ? 'won' : 'open');
    payments.push({
      chargeId: charge.id,
      invoiceId: idOf(invoicePayments?.data[0]?.invoice as string | { id: string } | undefined) ?? null,
      amountCents: charge.amount,
      refundedCents: charge.amount_refunded,
      failedAfterSuccess: charge.status === 'failed',
      dispute: outcome(disputes.find((d) => d.status === 'lost') ?? disputes.find((d) => d.status === 'won') ?? disputes[0]),
    });
  }

  const subscriptions = (await stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 100 })).data;
  let checkout: CheckoutFact | null = null;
  if (sessionId) {
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    if (session.status === 'complete') {
      const first = invoices.find((invoice) => invoice.id === idOf(session.invoice as string | null));
      const intentId = idOf(first?.payments?.data[0]?.payment.payment_intent as string | null | undefined);
      const intent = intentId ? await stripe.paymentIntents.retrieve(intentId) : undefined;
      // A bank debit's outcome, which Stripe reports with the checkout's async events.
      const asyncResult = session.payment_status !== 'unpaid' || intent === undefined || intent.status === 'processing' ? null : intent.status === 'succeeded' ? 'succeeded' : 'failed';
      checkout = { startedOn: null, completedOn: todayIn(timeZone, new Date(session.created * 1000)), paymentStatus: session.payment_status, asyncResult };
    }
  }
  return {
    current: 'pending',
    decision: null,
    recordedPaidThrough: null,
    exemptions: [],
    invoices: invoiceFacts,
    payments,
    manualPeriods: [],
    subscriptionStatuses: subscriptions.map((s) => s.status),
    checkout,
  };
}

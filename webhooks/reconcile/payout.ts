import type Stripe from 'stripe';
import { postLedgerTransactions } from '../../src/ledger/queries';
import { postingsForPayoutFailed, postingsForPayoutPaid } from '../../src/ledger/postings';
import { requestOptions } from '../../src/stripe/client';
import type { HandlerContext, HandlerOutcome } from '../handler';
import { organizationForBalance } from '../linking';
import { localDay } from './dates';

/**
 * Mirrors a payout and posts it from its state at Stripe now: paid moves the money from
 * the Stripe balance to the bank; failed moves it back.
 */
export async function syncPayout(h: HandlerContext, payoutId: string): Promise<HandlerOutcome> {
  const organization = await organizationForBalance(h.trx, h.event);
  const payout: Stripe.Payout = await h.stripe.payouts.retrieve(payoutId, {}, requestOptions(organization));
  // Stripe gives a payout's arrival as midnight UTC of the bank's deposit date.
  const arrivalDate = localDay(payout.arrival_date, 'UTC');
  const values = { status: payout.status, amount_cents: payout.amount, currency: payout.currency, arrival_date: arrivalDate, failure_message: payout.failure_message, updated_at: h.now };
  await h.trx
    .insertInto('stripe_payouts')
    .values({ organization_id: organization.id, id: payout.id, ...values })
    .onConflict((oc) => oc.columns(['organization_id', 'id']).doUpdateSet(values))
    .execute();

  const common = { payoutId: payout.id, currency: payout.currency, amountCents: payout.amount, arrivalDate, stripeEventId: h.event.id };
  // A failed payout posts the payout and its return together (as Stripe's own balance
  // records it), so the books are the same whether or not its paid event came first.
  const drafts =
    payout.status === 'paid'
      ? postingsForPayoutPaid({ ...common, occurredAt: new Date(payout.arrival_date * 1000) })
      : payout.status === 'failed'
        ? postingsForPayoutFailed({ ...common, occurredAt: new Date(payout.arrival_date * 1000) })
        : [];
  const { posted } = await postLedgerTransactions(h.trx, organization.id, drafts);
  return { organizationId: organization.id, outcome: `payout ${payout.id} is ${payout.status}; ${posted} ledger transaction(s) posted` };
}

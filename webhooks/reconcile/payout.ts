import type Stripe from 'stripe';
import { postingsForPayoutFailed, postingsForPayoutPaid } from '../../src/ledger/postings';
import type { HandlerContext, HandlerOutcome } from '../handler';
import { idOf, organizationForBalance } from '../linking';
import { localDay } from './dates';

/**
 * Mirrors a payout and posts it from the event's own copy, with no Stripe call: paid and
 * failed are facts that stay true. Paid moves the money from the Stripe balance to the
 * bank; failed posts the payout and its return. Keyed postings make the books the same in
 * any order of the two events, and the mirror only moves forward.
 */
export async function syncPayout(h: HandlerContext, payout: Stripe.Payout): Promise<HandlerOutcome> {
  const organization = await organizationForBalance(h.trx, h.event);
  // Stripe gives a payout's arrival as midnight UTC of the bank's deposit date.
  const arrivalDate = localDay(payout.arrival_date, 'UTC');
  h.mirror.payout({ organization_id: organization.id, id: payout.id, status: payout.status, amount_cents: payout.amount, currency: payout.currency, arrival_date: arrivalDate, failure_message: payout.failure_message, updated_at: h.now });

  const common = {
    payoutId: payout.id,
    currency: payout.currency,
    amountCents: payout.amount,
    arrivalDate,
    balanceTransactionId: idOf(payout.balance_transaction),
    failureBalanceTransactionId: idOf(payout.failure_balance_transaction),
    stripeEventId: h.event.id,
  };
  // A failed payout posts the payout and its return together (as Stripe's own balance
  // records it), so the books are the same whether or not its paid event came first.
  const drafts =
    payout.status === 'paid'
      ? postingsForPayoutPaid({ ...common, occurredAt: new Date(payout.arrival_date * 1000) })
      : payout.status === 'failed'
        ? postingsForPayoutFailed({ ...common, occurredAt: new Date(payout.arrival_date * 1000) })
        : [];
  h.post(organization.id, drafts);
  return { organizationId: organization.id, outcome: `payout ${payout.id} is ${payout.status}` };
}

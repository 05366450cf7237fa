import type Stripe from 'stripe';
import type { Organization } from '../../db/database';
import { ApiError } from '../http/errors';
import { requestOptions, type StripeClient } from '../stripe/client';
import type { PayoutContents } from './queries';
import type { PayoutBalanceLine } from './reports/payouts';

const sourceId = (source: Stripe.BalanceTransaction['source']): string | null => (source === null ? null : typeof source === 'string' ? source : source.id);

/**
 * Stripe's own list of what a payout swept from the balance (its balance transactions):
 * the ledger keeps no such link, and Stripe's list is the authority on it.
 */
export async function payoutBalanceLines(stripe: StripeClient, organization: Organization, payoutId: string): Promise<PayoutBalanceLine[]> {
  const lines: PayoutBalanceLine[] = [];
  try {
    for await (const txn of stripe.balanceTransactions.list({ payout: payoutId, limit: 100 }, requestOptions(organization))) {
      lines.push({ id: txn.id, type: txn.type, reportingCategory: txn.reporting_category, sourceId: sourceId(txn.source), netCents: txn.net });
    }
  } catch (error) {
    throw new ApiError('unavailable', `Stripe could not list the transactions of payout ${payoutId}; try again shortly`, { cause: (error as Error).message });
  }
  return lines;
}

/** The Stripe ids a payout's lines carry, sorted by the ledger posting each points at. */
export function payoutContents(payoutId: string, lines: readonly PayoutBalanceLine[]): PayoutContents {
  const contents: PayoutContents = { payoutId, balanceTransactionIds: lines.map((line) => line.id), chargeIds: [], reversedChargeIds: [], refundIds: [], withdrawnDisputeIds: [], reinstatedDisputeIds: [] };
  for (const line of lines) {
    if (line.sourceId === null) continue;
    if (line.type === 'charge' || line.type === 'payment') contents.chargeIds.push(line.sourceId);
    else if (line.type === 'payment_failure_refund') contents.reversedChargeIds.push(line.sourceId);
    else if (line.type === 'refund' || line.reportingCategory === 'refund') contents.refundIds.push(line.sourceId);
    else if (line.reportingCategory === 'dispute') contents.withdrawnDisputeIds.push(line.sourceId);
    else if (line.reportingCategory === 'dispute_reversal') contents.reinstatedDisputeIds.push(line.sourceId);
  }
  return contents;
}

import type { Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import type { StripeClient } from '../stripe/client';
import { payoutBalanceLines, payoutContents } from '../treasurer/payout-lines';
import { payoutLedgerLines } from '../treasurer/queries';
import { ledgerLinesFor } from '../treasurer/reports/payouts';

export interface PayoutCarries {
  payments: number;
  fees: number;
  refunds: number;
  disputes: number;
}

/**
 * What a payout carries, counted from the ledger postings of the balance transactions
 * Stripe swept into it (Stripe's list is the authority on which ones). Undefined when
 * Stripe cannot be asked.
 */
export async function payoutCarries(db: Kysely<Database>, stripe: StripeClient, organization: Organization, payoutId: string): Promise<PayoutCarries | undefined> {
  let lines;
  try {
    lines = await payoutBalanceLines(stripe, organization, payoutId);
  } catch {
    return undefined;
  }
  const ledger = await payoutLedgerLines(db, organization.id, organization.time_zone, payoutContents(payoutId, lines));
  const seen = new Set<string>();
  const carries: PayoutCarries = { payments: 0, fees: 0, refunds: 0, disputes: 0 };
  for (const line of lines) {
    for (const posting of ledgerLinesFor(line, ledger)) {
      if (seen.has(posting.id)) continue;
      seen.add(posting.id);
      if (posting.kind === 'dues_payment' || posting.kind === 'initiation_fee') carries.payments += 1;
      else if (posting.kind === 'processing_fee' || posting.kind === 'dispute_fee') carries.fees += 1;
      else if (posting.kind === 'refund' || posting.kind === 'payment_reversal') carries.refunds += 1;
      else if (posting.kind === 'dispute' || posting.kind === 'dispute_reversal') carries.disputes += 1;
    }
  }
  return carries;
}

import { sql, type Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import type { StripeClient } from '../stripe/client';
import { payoutBalanceLines, payoutContents } from '../treasurer/payout-lines';
import { payoutLedgerLines } from '../treasurer/queries';
import { reconcilePayout } from '../treasurer/reports/payouts';
import type { LedgerProblem } from './check';

/**
 * The check that does not trust our own rows: every paid payout's balance transactions,
 * read back from Stripe, must each have its ledger postings (matched by the `txn_…` they
 * name), with Stripe's net, and add up to the payout; the payout itself must be posted.
 * A payout Stripe cannot list is a problem too: the books are not proven then.
 */
export async function checkPayouts(db: Kysely<Database>, stripe: StripeClient, organization: Organization): Promise<LedgerProblem[]> {
  const { rows: payouts } = await sql<{ id: string; status: string; amount_cents: number; arrival_date: string | null; posted_cents: number | null }>`
    SELECT p.id, p.status, p.amount_cents, p.arrival_date,
      (SELECT -sum(t.net_cents) FROM ledger_transactions t WHERE t.organization_id = p.organization_id AND t.stripe_payout_id = p.id AND t.kind = 'payout')::bigint AS posted_cents
    FROM stripe_payouts p
    WHERE p.organization_id = ${organization.id} AND p.status = 'paid'
    ORDER BY p.arrival_date, p.id`.execute(db);
  const problems: LedgerProblem[] = [];
  for (const payout of payouts) {
    let balanceLines;
    try {
      balanceLines = await payoutBalanceLines(stripe, organization, payout.id);
    } catch (error) {
      problems.push({ check: 'payout_unreadable', transactionId: null, sourceKey: `payout:${payout.id}`, detail: `Stripe could not list the balance transactions of payout ${payout.id}: ${(error as Error).message}` });
      continue;
    }
    const ledgerLines = await payoutLedgerLines(db, organization.id, organization.time_zone, payoutContents(payout.id, balanceLines));
    const reconciled = reconcilePayout({ payoutId: payout.id, status: payout.status, arrivalDate: payout.arrival_date, amountCents: payout.amount_cents, postedCents: payout.posted_cents, balanceLines, ledgerLines });
    for (const mismatch of reconciled.mismatches) problems.push({ check: 'payout_balance_transactions', transactionId: null, sourceKey: `payout:${payout.id}`, detail: mismatch });
  }
  return problems;
}

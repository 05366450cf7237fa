import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { hasImportedStatements } from './queries';

export interface BankGap {
  payouts: number;
  batches: number;
  remittances: number;
  lines: number;
}

/**
 * What the bank statement leaves unexplained in a month ('from' to 'until', days): paid
 * payouts arriving in it, batches deposited in it and posted payroll remittances received
 * in it with no bank line matched, and its
 * deposit lines matched to nothing. Undefined for an organization that never imported a
 * statement: its months are ready without one, as before bank matching existed.
 */
export async function bankGaps(db: Kysely<Database>, organizationId: string, range: { from: string; until: string }): Promise<BankGap | undefined> {
  if (!(await hasImportedStatements(db, organizationId))) return undefined;
  const { rows } = await sql<BankGap>`
    SELECT
      (SELECT count(*) FROM stripe_payouts p
        WHERE p.organization_id = ${organizationId} AND p.status = 'paid' AND p.amount_cents > 0
          AND p.arrival_date >= ${range.from}::date AND p.arrival_date < ${range.until}::date
          AND NOT EXISTS (SELECT 1 FROM bank_lines b WHERE b.organization_id = p.organization_id AND b.matched_payout_id = p.id))::int AS payouts,
      (SELECT count(*) FROM deposit_batches d
        WHERE d.organization_id = ${organizationId} AND d.posted_at IS NOT NULL
          AND d.deposited_on >= ${range.from}::date AND d.deposited_on < ${range.until}::date
          AND NOT EXISTS (SELECT 1 FROM bank_lines b WHERE b.organization_id = d.organization_id AND b.matched_batch_id = d.id))::int AS batches,
      (SELECT count(*) FROM remittances r
        WHERE r.organization_id = ${organizationId} AND r.status = 'posted'
          AND r.received_on >= ${range.from}::date AND r.received_on < ${range.until}::date
          AND NOT EXISTS (SELECT 1 FROM bank_lines b WHERE b.organization_id = r.organization_id AND b.matched_remittance_id = r.id))::int AS remittances,
      (SELECT count(*) FROM bank_lines l
        WHERE l.organization_id = ${organizationId} AND l.matched_at IS NULL
          AND l.booked_on >= ${range.from}::date AND l.booked_on < ${range.until}::date)::int AS lines`.execute(db);
  return rows[0]!;
}

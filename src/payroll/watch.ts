import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { Remittance } from './queries';

/**
 * The earliest warning a union gets that someone left the job or revoked the deduction: a
 * member the employer deducts for who is on neither this posted remittance nor the
 * employer's posted one before it. One at-risk signal ('payroll_missing') per member and
 * first missed pay period (its key), which the call list and the organizers' digest show.
 * Returns how many members were flagged.
 */
export async function flagMembersMissingTwice(trx: Kysely<Database>, remittance: Remittance, today: string, at: Date): Promise<number> {
  const result = await sql`
    WITH previous AS (
      SELECT r.id, r.period_start FROM remittances r
      WHERE r.organization_id = ${remittance.organization_id} AND r.employer_id = ${remittance.employer_id} AND r.status = 'posted'
        AND r.id <> ${remittance.id} AND r.period_end < ${remittance.period_start}::date
      ORDER BY r.period_end DESC LIMIT 1
    )
    INSERT INTO retention_signals (organization_id, member_id, signal, signal_key, episode_id, reason, months_in_arrears, detected_on, created_at)
    SELECT d.organization_id, d.member_id, 'payroll_missing', previous.period_start::text, NULL, 'payroll_missing', 0, ${today}::date, ${at}::timestamptz
    FROM member_payroll_deductions d CROSS JOIN previous
    WHERE d.organization_id = ${remittance.organization_id} AND d.employer_id = ${remittance.employer_id}
      AND NOT EXISTS (SELECT 1 FROM remittance_lines l WHERE l.organization_id = d.organization_id AND l.remittance_id = ${remittance.id} AND l.member_id = d.member_id)
      AND NOT EXISTS (SELECT 1 FROM remittance_lines l WHERE l.organization_id = d.organization_id AND l.remittance_id = previous.id AND l.member_id = d.member_id)
    ON CONFLICT (organization_id, member_id, signal, signal_key) DO NOTHING`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';

/** The member a member session names, in the organization of the page: what their own page shows of them. */
export async function findOwnRecord(db: Kysely<Database>, organizationId: string, memberId: string) {
  return db
    .selectFrom('members')
    .select(['id', 'name', 'email', 'phone', 'employer', 'worksite', 'preferred_language', 'standing', 'paid_through', 'stripe_customer_id'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', memberId)
    .executeTakeFirst();
}

export interface OwnPayment {
  day: string;
  kind: string;
  /** Money the member paid is positive; money returned to them negative. */
  amountCents: number;
  currency: string;
  periodStart: string | null;
  periodEnd: string | null;
  /** The employer that deducted it, for a payroll deduction. */
  employer: string | null;
}

const MEMBER_KINDS = ['dues_payment', 'initiation_fee', 'manual_payment', 'refund', 'payment_reversal'] as const;

/**
 * The member's payments and what was returned to them, newest first, in one statement; a
 * year's when `year` is given. A payroll deduction is the member's share of an employer's
 * remittance (one ledger transaction for the whole remittance), read from its manual
 * payment, with the employer and pay period; one a corrected file reversed is left out.
 */
export async function ownPayments(db: Kysely<Database>, organizationId: string, memberId: string, timeZone: string, year?: number): Promise<OwnPayment[]> {
  const { rows } = await sql<{ day: string; kind: string; amount_cents: string; currency: string; period_start: string | null; period_end: string | null; employer: string | null }>`
    SELECT * FROM (
      SELECT to_char(t.occurred_at AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day, t.kind, t.currency, t.period_start::text, t.period_end::text, NULL::text AS employer, t.occurred_at AS at, t.id::text AS id,
        (SELECT sum(e.amount_cents) FILTER (WHERE e.amount_cents > 0) FROM ledger_entries e WHERE e.organization_id = t.organization_id AND e.transaction_id = t.id) AS amount_cents
      FROM ledger_transactions t
      WHERE t.organization_id = ${organizationId} AND t.member_id = ${memberId}::uuid AND t.kind = ANY(${[...MEMBER_KINDS]}::text[])
        AND (${year ?? null}::int IS NULL OR extract(year FROM t.occurred_at AT TIME ZONE ${timeZone}) = ${year ?? null}::int)
      UNION ALL
      SELECT to_char(p.received_on, 'YYYY-MM-DD'), 'payroll_deduction', p.currency, p.period_start::text, p.period_end::text, e.name, (p.received_on + time '12:00') AT TIME ZONE 'UTC', p.id::text, p.amount_cents
      FROM manual_payments p
      JOIN remittances r ON r.organization_id = p.organization_id AND r.id = p.remittance_id
      JOIN employers e ON e.organization_id = r.organization_id AND e.id = r.employer_id
      WHERE p.organization_id = ${organizationId} AND p.member_id = ${memberId}::uuid AND p.reversed_at IS NULL
        AND (${year ?? null}::int IS NULL OR extract(year FROM p.received_on) = ${year ?? null}::int)
    ) payments
    ORDER BY at DESC, id
    LIMIT 500`.execute(db);
  return rows.map((row) => ({
    day: row.day,
    kind: row.kind,
    amountCents: (row.kind === 'refund' || row.kind === 'payment_reversal' ? -1 : 1) * Number(row.amount_cents ?? 0),
    currency: row.currency,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    employer: row.employer,
  }));
}

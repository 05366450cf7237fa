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
}

const MEMBER_KINDS = ['dues_payment', 'initiation_fee', 'manual_payment', 'refund', 'payment_reversal'] as const;

/** The member's payments and what was returned to them, newest first, in one statement; a year's when `year` is given. */
export async function ownPayments(db: Kysely<Database>, organizationId: string, memberId: string, timeZone: string, year?: number): Promise<OwnPayment[]> {
  const { rows } = await sql<{ day: string; kind: string; amount_cents: string; currency: string; period_start: string | null; period_end: string | null }>`
    SELECT to_char(t.occurred_at AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day, t.kind, t.currency, t.period_start, t.period_end,
      (SELECT sum(e.amount_cents) FILTER (WHERE e.amount_cents > 0) FROM ledger_entries e WHERE e.organization_id = t.organization_id AND e.transaction_id = t.id) AS amount_cents
    FROM ledger_transactions t
    WHERE t.organization_id = ${organizationId} AND t.member_id = ${memberId}::uuid AND t.kind = ANY(${[...MEMBER_KINDS]}::text[])
      AND (${year ?? null}::int IS NULL OR extract(year FROM t.occurred_at AT TIME ZONE ${timeZone}) = ${year ?? null}::int)
    ORDER BY t.occurred_at DESC, t.id
    LIMIT 500`.execute(db);
  return rows.map((row) => ({
    day: row.day,
    kind: row.kind,
    amountCents: (row.kind === 'refund' || row.kind === 'payment_reversal' ? -1 : 1) * Number(row.amount_cents ?? 0),
    currency: row.currency,
    periodStart: row.period_start,
    periodEnd: row.period_end,
  }));
}

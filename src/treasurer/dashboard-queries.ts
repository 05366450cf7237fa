import { sql, type Kysely } from 'kysely';
import type { Database, Standing } from '../../db/database';
import type { LedgerPaymentMethod } from '../ledger/postings';

// The treasurer's dashboard reads three statements, whatever the number of months or members:
// money by month and method, standing at each month's end, lapses and recoveries by month.

export interface DashboardRange {
  organizationId: string;
  timeZone: string;
  currency: string;
  /** The months shown, oldest first ('YYYY-MM', in the organization's time zone). */
  months: readonly string[];
  /** Now, from the service's clock: the current month's "end" is now, not a moment still to come. */
  now: Date;
}

export interface MethodMonthRow {
  month: string;
  method: LedgerPaymentMethod;
  /** Dues received (credits to dues income by Stripe charges and manual payments). */
  dues_cents: number;
  /** Processing fees net of fees returned (debits less credits to processing fees). */
  fee_cents: number;
}

export interface StandingMonthRow {
  month: string;
  standing: Standing;
  members: number;
}

export interface LapseMonthRow {
  month: string;
  lapsed: number;
  recovered: number;
}

const monthStart = (month: string, timeZone: string) => sql`((${month} || '-01')::date::timestamp AT TIME ZONE ${timeZone})`;
const monthAfter = (month: string, timeZone: string) => sql`(((${month} || '-01')::date + interval '1 month')::timestamp AT TIME ZONE ${timeZone})`;

/** Dues and processing fees per month and payment method, from the ledger's entries. */
export async function moneyByMonthAndMethod(db: Kysely<Database>, range: DashboardRange): Promise<MethodMonthRow[]> {
  const first = range.months[0]!;
  const last = range.months[range.months.length - 1]!;
  const { rows } = await sql<MethodMonthRow>`
    SELECT to_char(t.occurred_at AT TIME ZONE ${range.timeZone}, 'YYYY-MM') AS month, t.payment_method AS method,
      coalesce(-sum(e.amount_cents) FILTER (WHERE a.code = 'dues_income' AND t.kind IN ('dues_payment', 'manual_payment')), 0)::bigint AS dues_cents,
      coalesce(sum(e.amount_cents) FILTER (WHERE a.code = 'processing_fees'), 0)::bigint AS fee_cents
    FROM ledger_transactions t
    JOIN ledger_entries e ON e.organization_id = t.organization_id AND e.transaction_id = t.id
    JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
    WHERE t.organization_id = ${range.organizationId} AND t.currency = ${range.currency} AND t.payment_method IS NOT NULL
      AND a.code IN ('dues_income', 'processing_fees')
      AND t.occurred_at >= ${monthStart(first, range.timeZone)} AND t.occurred_at < ${monthAfter(last, range.timeZone)}
    GROUP BY 1, 2
    ORDER BY 1, 2`.execute(db);
  return rows;
}

/**
 * Members by standing at each month's end (the current month: now), from the standing
 * history as the per-capita report reads it: the last change before then; for a member whose
 * history starts later, the standing that first change left; else the standing now. Members
 * created after the moment do not count.
 */
export async function standingAtMonthEnds(db: Kysely<Database>, range: DashboardRange): Promise<StandingMonthRow[]> {
  const { rows } = await sql<StandingMonthRow>`
    SELECT b.month, s.standing, count(*)::int AS members
    FROM (
      SELECT month, LEAST(((month || '-01')::date + interval '1 month')::timestamp AT TIME ZONE ${range.timeZone}, ${range.now}::timestamptz) AS at
      FROM unnest(${[...range.months]}::text[]) AS month
    ) b
    JOIN members m ON m.organization_id = ${range.organizationId} AND m.created_at < b.at
    CROSS JOIN LATERAL (
      SELECT coalesce(
        (SELECT c.to_standing FROM member_standing_changes c WHERE c.organization_id = m.organization_id AND c.member_id = m.id AND c.created_at < b.at ORDER BY c.created_at DESC, c.id DESC LIMIT 1),
        (SELECT c.from_standing FROM member_standing_changes c WHERE c.organization_id = m.organization_id AND c.member_id = m.id AND c.created_at >= b.at ORDER BY c.created_at, c.id LIMIT 1),
        m.standing
      ) AS standing
    ) s
    GROUP BY b.month, s.standing
    ORDER BY b.month, s.standing`.execute(db);
  return rows;
}

/** Members who lapsed, and who recovered (lapsed or past due back to active), in each month: as the monthly report counts them. */
export async function lapsesByMonth(db: Kysely<Database>, range: DashboardRange): Promise<LapseMonthRow[]> {
  const first = range.months[0]!;
  const last = range.months[range.months.length - 1]!;
  const { rows } = await sql<LapseMonthRow>`
    SELECT to_char(c.created_at AT TIME ZONE ${range.timeZone}, 'YYYY-MM') AS month,
      count(DISTINCT c.member_id) FILTER (WHERE c.to_standing = 'lapsed')::int AS lapsed,
      count(DISTINCT c.member_id) FILTER (WHERE c.to_standing = 'active' AND c.from_standing IN ('lapsed', 'past_due'))::int AS recovered
    FROM member_standing_changes c
    WHERE c.organization_id = ${range.organizationId}
      AND c.created_at >= ${monthStart(first, range.timeZone)} AND c.created_at < ${monthAfter(last, range.timeZone)}
    GROUP BY 1
    ORDER BY 1`.execute(db);
  return rows;
}

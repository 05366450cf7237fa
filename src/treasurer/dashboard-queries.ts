import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, Standing } from '../../db/database';
import type { AccountCode } from '../ledger/accounts';
import type { LedgerKind, LedgerPaymentMethod } from '../ledger/postings';

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

/**
 * Members by standing at each month's end (the current month: now), from the standing
 * history as the per-capita report reads it: the last change before then; for a member whose
 * history starts later, the standing that first change left; else the standing now. Members
 * created after the moment do not count.
 *
 * Set-based, in one pass over the history: each member's history becomes spans of one
 * standing (from a change, or the member's creation, to the next change), a span adds one
 * to its standing from the month it starts in and takes it away from the month it ends in,
 * and a running sum per standing gives each month's end. Looking each member up at each
 * month's end instead took ten seconds for 100,000 members.
 */
export async function standingAtMonthEnds(db: Kysely<Database>, range: DashboardRange): Promise<StandingMonthRow[]> {
  const first = range.months[0]!;
  const monthIndex = (t: RawBuilder<unknown>) => sql`((extract(year FROM ${t} AT TIME ZONE ${range.timeZone}) * 12 + extract(month FROM ${t} AT TIME ZONE ${range.timeZone}))::int - ${Number(first.slice(0, 4)) * 12 + Number(first.slice(5, 7))} + 1)`;
  const { rows } = await sql<StandingMonthRow>`
    WITH ends AS (
      SELECT month, idx::int FROM unnest(${[...range.months]}::text[]) WITH ORDINALITY AS u(month, idx)
    ),
    history AS (
      SELECT c.member_id, c.created_at, c.from_standing, c.to_standing,
        lead(c.created_at) OVER (PARTITION BY c.member_id ORDER BY c.created_at, c.id) AS next_at,
        row_number() OVER (PARTITION BY c.member_id ORDER BY c.created_at, c.id) AS n
      FROM member_standing_changes c
      WHERE c.organization_id = ${range.organizationId}
    ),
    spans AS (
      SELECT h.member_id, h.created_at AS since, h.next_at AS until, h.to_standing AS standing FROM history h
      UNION ALL
      SELECT h.member_id, NULL, h.created_at, h.from_standing FROM history h WHERE h.n = 1
      UNION ALL
      SELECT m.id, NULL, NULL, NULL FROM members m
      WHERE m.organization_id = ${range.organizationId}
        AND NOT EXISTS (SELECT 1 FROM member_standing_changes c WHERE c.organization_id = m.organization_id AND c.member_id = m.id)
    ),
    counted AS (
      -- A span counts at a month's end \`at\` when it started before it and had not ended: start < at <= until.
      SELECT coalesce(s.standing, m.standing) AS standing, greatest(s.since, m.created_at) AS start, s.until
      FROM spans s JOIN members m ON m.organization_id = ${range.organizationId} AND m.id = s.member_id
    ),
    events AS (
      SELECT standing, start AS t, 1 AS delta FROM counted WHERE until IS NULL OR until > start
      UNION ALL
      SELECT standing, until, -1 FROM counted WHERE until > start
    ),
    per_month AS (
      -- An event counts from the end of the month it falls in (in the organization's time zone);
      -- before the first month, from the first; at or after now, not at all.
      SELECT greatest(1, ${monthIndex(sql`t`)}) AS idx, standing, sum(delta) AS delta
      FROM events
      WHERE t < ${range.now}::timestamptz
      GROUP BY 1, 2
    ),
    standings AS (SELECT DISTINCT standing FROM per_month)
    SELECT e.month, st.standing, (sum(coalesce(p.delta, 0)) OVER (PARTITION BY st.standing ORDER BY e.idx))::int AS members
    FROM ends e CROSS JOIN standings st
    LEFT JOIN per_month p ON p.idx = e.idx AND p.standing = st.standing
    ORDER BY e.month, st.standing`.execute(db);
  return rows.filter((row) => row.members !== 0);
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

/** A day's sum of the entries on one account from one kind of posting by one payment method. */
export interface LedgerDaySumRow {
  /** 'YYYY-MM-DD' in the organization's time zone. */
  day: string;
  account: AccountCode;
  kind: LedgerKind;
  method: LedgerPaymentMethod | null;
  cents: number;
  /** Posted by a database transaction older than every one still running: it can no longer change. */
  settled: boolean;
}

/**
 * The ledger's day sums over the transactions posted by database transactions from
 * `sinceXact` on, read from one snapshot, with that snapshot's xmin: every database
 * transaction before it has ended, so what it posted (entries are written in their
 * posting's own transaction, and the ledger refuses updates and deletes) is final.
 */
export async function ledgerDaySumsSince(db: Kysely<Database>, organizationId: string, timeZone: string, currency: string, sinceXact: string): Promise<{ xmin: string; rows: LedgerDaySumRow[] }> {
  const { rows } = await sql<LedgerDaySumRow & { xmin: string }>`
    WITH snapshot AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
    sums AS (
      SELECT to_char(t.occurred_at AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day, a.code AS account, t.kind, t.payment_method AS method,
        t.posted_in_xact < s.xmin AS settled, sum(e.amount_cents)::bigint AS cents
      FROM ledger_transactions t
      CROSS JOIN snapshot s
      JOIN ledger_entries e ON e.organization_id = t.organization_id AND e.transaction_id = t.id
      JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
      WHERE t.organization_id = ${organizationId} AND t.currency = ${currency} AND t.posted_in_xact >= ${sinceXact}::xid8
      GROUP BY 1, 2, 3, 4, 5
    )
    SELECT s.xmin::text AS xmin, sums.* FROM snapshot s LEFT JOIN sums ON true`.execute(db);
  return { xmin: rows[0]!.xmin, rows: rows.filter((row) => row.day !== null) };
}

import { sql, type Kysely, type RawBuilder } from 'kysely';
import { KEEP_PREPARED } from '../../db/connection';
import { RememberedPerHandle } from '../../db/remembered';
import type { BulkReadRecord } from '../audit/audit';
import type { Database, Language, OutreachChannel, OutreachOutcome, Standing } from '../../db/database';
import { addDays, CALL_SIGNAL_DAYS } from '../retention/policy';
import { monthsOwedSql } from '../retention/scan';

// The console's reads. Each page renders from a fixed number of statements whatever the
// number of members: lists are one statement each (with their total as a window count),
// and everything a page shows about one member comes in two.

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The day arrears of the member aliased `m` count from: the paid-through day moved on by
 * the days of exemptions that have ended (exemptions pause arrears, as in the daily scan).
 * Joined once per row as `arrears`, so the months-owed arithmetic reads a column.
 *
 * OFFSET 0 keeps the planner from pulling the subquery up into each of the dozen places
 * the arithmetic names the column, each then planned on its own: for a page of rows or one
 * member that planning cost more than the rows (measured at 100,000 members: the members
 * list's statement 2.9 → 2.3 ms, a member's 1.0 → 0.5 ms of CPU). The call list, over
 * hundreds of candidates, joins the ended exemptions to all of them at once instead.
 */
const arrearsJoin = (today: string) => sql`
  LEFT JOIN LATERAL (
    SELECT m.paid_through + coalesce((
      SELECT sum(${exemptDaysAfter(sql`m.paid_through`)})::int FROM member_exemptions e
      WHERE e.organization_id = m.organization_id AND e.member_id = m.id AND e.ends_on < ${today}::date), 0) AS arrears_from
    OFFSET 0
  ) arrears ON true`;
/** The days of an ended exemption `e` that fall after the paid-through day. */
const exemptDaysAfter = (paidThrough: RawBuilder<unknown>) => sql`greatest(0, e.ends_on - greatest(e.starts_on, ${paidThrough} + 1) + 1)`;
const monthsOwed = (today: string) => monthsOwedSql(sql`arrears.arrears_from`, sql`${today}::date`);

// ---- The members list.

export type MemberSort = 'name' | 'owed';

/** The keyset position after a page's last row: by name, or by paid-through day (oldest first, none last). */
export interface MemberCursor {
  sort: MemberSort;
  paidThrough: string | null;
  name: string;
  id: string;
}

export interface MemberFilters {
  q?: string | undefined;
  standing?: Standing | undefined;
  worksite?: string | undefined;
  organizerId?: string | undefined;
  planId?: string | undefined;
}

export interface MemberListRow {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  worksite: string | null;
  standing: Standing;
  paid_through: string | null;
  external_id: string | null;
  months_owed: number;
  organizer_name: string | null;
  /** Only read for treasurers and admins. */
  plan_name: string | null;
}

/**
 * Whether a search's statement is kept prepared, its plan the same whatever is searched:
 * the trigram indexes find any text with a run of three letters or digits (a trigram). For
 * anything shorter the indexes hold no trigram to look up, and the plan follows the text.
 */
const searchKeptPrepared = (q: string) => /[\p{L}\p{N}]{3}/u.test(q);

/** The search and filters but the standing (the counts are per standing; the page applies it). */
function memberConditions(organizationId: string, filters: MemberFilters): RawBuilder<unknown> {
  const conditions: RawBuilder<unknown>[] = [sql`m.organization_id = ${organizationId}`];
  if (filters.worksite !== undefined) conditions.push(sql`m.worksite = ${filters.worksite}`);
  if (filters.organizerId !== undefined) conditions.push(sql`m.organizer_staff_user_id = ${filters.organizerId}`);
  if (filters.planId !== undefined) conditions.push(sql`m.plan_id = ${filters.planId}`);
  const q = filters.q;
  if (q !== undefined) {
    // A kept-prepared statement reads its patterns through subqueries, which the planner does
    // not look into: its plan for one search then costs what it costs for any other, so the
    // generic plan is chosen after the first five (planning was a third of the statement's CPU).
    const likePattern = (text: string) => (searchKeptPrepared(q) ? sql`(SELECT ${`%${escapeLike(text)}%`}::text)` : sql`${`%${escapeLike(text)}%`}`);
    const pattern = likePattern(q);
    // "(555) 123-4567" finds "555.123.4567": phones are compared by their digits (indexed with trigrams).
    const digits = /^[\d\s().+-]+$/.test(q) ? q.replace(/\D/g, '') : '';
    const alternatives: RawBuilder<unknown>[] = [sql`m.name ILIKE ${pattern}`, sql`m.email ILIKE ${pattern}`, sql`m.external_id = ${q}`];
    if (digits.length >= 3) alternatives.push(sql`(m.phone IS NOT NULL AND regexp_replace(m.phone, '\\D', '', 'g') LIKE ${likePattern(digits)})`);
    conditions.push(sql`(${sql.join(alternatives, sql` OR `)})`);
  }
  return sql.join(conditions, sql` AND `);
}

function afterCursor(cursor: MemberCursor | undefined): RawBuilder<unknown> {
  if (cursor === undefined) return sql`true`;
  if (cursor.sort === 'name') return sql`(m.name, m.id) > (${cursor.name}, ${cursor.id}::uuid)`;
  if (cursor.paidThrough === null) return sql`(m.paid_through IS NULL AND (m.name, m.id) > (${cursor.name}, ${cursor.id}::uuid))`;
  return sql`((m.paid_through, m.name, m.id) > (${cursor.paidThrough}::date, ${cursor.name}, ${cursor.id}::uuid) OR m.paid_through IS NULL)`;
}

const MEMBER_LIST_COLUMNS = sql`m.id, m.name, m.email, m.phone, m.worksite, m.standing, m.paid_through, m.external_id`;

/**
 * The members list page in one statement: a page of members after the cursor, whether
 * there are more, the members per standing under the same search and filters (all
 * standings, so the tabs show what each holds), what the filters offer, and the read's own
 * audit record (`audit`, given the statement's count of rows shown): no read without its
 * record, and fewer round trips. The filter options (remembered while they hold, see
 * `filterOptionsRead`) are folded in only when the statement is kept prepared (a search):
 * planning them afresh with every other listing cost more (about 0.7 ms at 100,000
 * members) than their own kept-prepared statement, run beside it.
 *
 * With a search, its matches are found once (trigram indexes) and both counted and ranked
 * from that set; without one, the counts come from the standing index and the page from
 * the name or paid-through index, each planned on its own.
 */
export async function memberListing(
  db: Kysely<Database>,
  organizationId: string,
  options: { filters: MemberFilters; sort: MemberSort; cursor: MemberCursor | undefined; limit: number; today: string; withPlans: boolean; audit: BulkReadRecord },
): Promise<{ rows: MemberListRow[]; more: boolean; counts: Map<Standing, number>; filterOptions: FilterOptions }> {
  const { filters } = options;
  const order = (alias: string) => (options.sort === 'name' ? sql`${sql.ref(`${alias}.name`)}, ${sql.ref(`${alias}.id`)}` : sql`${sql.ref(`${alias}.paid_through`)} ASC NULLS LAST, ${sql.ref(`${alias}.name`)}, ${sql.ref(`${alias}.id`)}`);
  const searched = filters.q !== undefined;
  const standing = filters.standing === undefined ? sql`true` : sql`m.standing = ${filters.standing}`;
  // The page's length is written into the statement: as a parameter, the generic plan would guess it.
  const keptPrepared = filters.q !== undefined && searchKeptPrepared(filters.q);
  const optionsRead = keptPrepared ? filterOptionsRead(db, organizationId, options.withPlans) : undefined;
  const listing = sql<MemberListRow & { counts: Partial<Record<Standing, number>> | null; filter_options: FreshFilterOptions | null }>`${sql.raw(keptPrepared ? KEEP_PREPARED : '')}
    WITH RECURSIVE matches AS ${searched ? sql`MATERIALIZED` : sql`NOT MATERIALIZED`} (
      SELECT m.id, m.name, m.paid_through, m.standing FROM members m WHERE ${memberConditions(organizationId, filters)}
    ), counts AS (
      SELECT json_object_agg(standing, n) AS counts FROM (SELECT m.standing, count(*)::int AS n FROM matches m GROUP BY m.standing) per_standing
    ), page AS MATERIALIZED (
      SELECT m.id FROM matches m WHERE ${standing} AND ${afterCursor(options.cursor)} ORDER BY ${order('m')} LIMIT ${sql.lit(options.limit + 1)}
    ), ${optionsRead ? sql`${optionsRead.ctes},` : sql``} audited AS (
      ${options.audit(sql<number>`(SELECT least(count(*), ${sql.lit(options.limit)})::int FROM page)`)}
    )
    SELECT counts.counts, listed.*,
           -- Once, on the first row: the driver would otherwise parse it for every member shown.
           ${optionsRead ? sql`CASE WHEN row_number() OVER (ORDER BY ${order('listed')}) = 1 THEN (SELECT r.fresh FROM filter_options_read r) END` : sql`NULL::json`} AS filter_options
    FROM counts
    LEFT JOIN LATERAL (
      SELECT ${MEMBER_LIST_COLUMNS}, ${monthsOwed(options.today)} AS months_owed, o.name AS organizer_name,
             ${options.withPlans ? sql`(SELECT p.name FROM plans p WHERE p.organization_id = m.organization_id AND p.id = m.plan_id)` : sql`NULL::text`} AS plan_name
      FROM page
      JOIN members m ON m.organization_id = ${organizationId} AND m.id = page.id
      LEFT JOIN staff_users o ON o.id = m.organizer_staff_user_id
      ${arrearsJoin(options.today)}
    ) listed ON true
    ORDER BY ${order('listed')}`;
  const [result, ownOptions] = await Promise.all([listing.execute(db), optionsRead ? undefined : filterOptions(db, organizationId, options.withPlans)]);
  const counts = new Map(Object.entries(result.rows[0]?.counts ?? {}) as Array<[Standing, number]>);
  const rows: MemberListRow[] = result.rows.filter((row) => row.id !== null).map(({ counts: _counts, filter_options: _options, ...row }) => row);
  return { rows: rows.slice(0, options.limit), more: rows.length > options.limit, counts, filterOptions: ownOptions ?? optionsRead!.settle(result.rows[0]?.filter_options ?? null) };
}

export interface FilterOptions {
  worksites: string[];
  organizers: Array<{ id: string; name: string }>;
  plans: Array<{ id: string; name: string }>;
}
type FilterOptionsRow = { worksites: string[] | null; organizers: FilterOptions['organizers'] | null; plans: FilterOptions['plans'] | null };
const filterOptionsFrom = (row: FilterOptionsRow | null): FilterOptions => ({ worksites: row?.worksites ?? [], organizers: row?.organizers ?? [], plans: row?.plans ?? [] });

/**
 * What the filters offer, as the clauses of a WITH RECURSIVE ending in one row named
 * `filter_options`: the organization's worksites (a skip scan of the worksite index, a few
 * probes per worksite rather than a pass over every member), its organizers and, for
 * treasurers and admins, its plans.
 */
const filterOptionsCtes = (organizationId: string, withPlans: boolean) => sql`
    sites (worksite) AS (
      (SELECT worksite FROM members WHERE organization_id = ${organizationId} AND worksite IS NOT NULL ORDER BY worksite LIMIT 1)
      UNION ALL
      SELECT (SELECT m.worksite FROM members m WHERE m.organization_id = ${organizationId} AND m.worksite > sites.worksite ORDER BY m.worksite LIMIT 1)
      FROM sites WHERE sites.worksite IS NOT NULL
    ), filter_options AS (
      SELECT
        (SELECT array_agg(worksite ORDER BY worksite) FROM (
           SELECT worksite FROM sites WHERE worksite IS NOT NULL
           UNION SELECT worksite FROM worksite_organizers WHERE organization_id = ${organizationId}) all_sites) AS worksites,
        (SELECT json_agg(json_build_object('id', u.id, 'name', u.name) ORDER BY u.name, u.id) FROM staff_users u
          WHERE u.id IN (SELECT r.staff_user_id FROM staff_roles r WHERE r.organization_id = ${organizationId} AND r.role IN ('organizer', 'admin'))) AS organizers,
        ${withPlans ? sql`(SELECT json_agg(json_build_object('id', p.id, 'name', p.name) ORDER BY p.name) FROM plans p WHERE p.organization_id = ${organizationId})` : sql`NULL::json`} AS plans
    )`;

/** Filter options read afresh, with the snapshot they were read in. */
type FreshFilterOptions = { options: FilterOptionsRow; snapshot: string };

/**
 * The filter options each process remembers, per database handle (each app context has its
 * own), organization and whether plans are read, with the snapshot they were read in. They
 * change only when a worksite, a staff role or name, or a plan does, yet reading them was
 * about a tenth of a searched page's CPU. A statement that shows them asks whether the
 * remembered ones still hold (`stillHolds`, migration 0038) and reads them afresh, in the
 * same statement, only when not. At most 1,000 per handle (a few KB each).
 */
const rememberedOptions = new RememberedPerHandle<{ snapshot: string; options: FilterOptions }>(1000);

/**
 * The clauses of a WITH RECURSIVE ending in one row named `filter_options_read`, whose
 * `fresh` is null when the remembered options hold and the options read afresh otherwise;
 * `settle` takes that value and gives the options to show.
 */
function filterOptionsRead(db: Kysely<Database>, organizationId: string, withPlans: boolean) {
  const key = `${organizationId} ${withPlans}`;
  const held = rememberedOptions.get(db, key);
  return {
    ctes: sql`${filterOptionsCtes(organizationId, withPlans)}, filter_options_read AS MATERIALIZED (
      SELECT CASE WHEN coalesce(${stillHolds(organizationId, sql`${held?.snapshot ?? null}::pg_snapshot`)}, false) THEN NULL
                  ELSE (SELECT json_build_object('options', to_json(f), 'snapshot', pg_current_snapshot()::text) FROM filter_options f) END AS fresh
    )`,
    settle(fresh: FreshFilterOptions | null): FilterOptions {
      // Null only when the statement found the remembered options still hold.
      const current = fresh === null ? held! : { snapshot: fresh.snapshot, options: filterOptionsFrom(fresh.options) };
      rememberedOptions.remember(db, key, current);
      return current.options;
    },
  };
}

/** What the filters offer, on its own (the contact form's worksite and organizer choices). Kept prepared (its plan follows no value). */
export async function filterOptions(db: Kysely<Database>, organizationId: string, withPlans: boolean): Promise<FilterOptions> {
  const read = filterOptionsRead(db, organizationId, withPlans);
  const result = await sql<{ fresh: FreshFilterOptions | null }>`${sql.raw(KEEP_PREPARED)}
    WITH RECURSIVE ${read.ctes}
    SELECT r.fresh FROM filter_options_read r`.execute(db);
  return read.settle(result.rows[0]?.fresh ?? null);
}

// ---- One member.

export interface MemberDetail {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  preferred_language: Language;
  worksite: string | null;
  employer: string | null;
  external_id: string | null;
  joined_on: string | null;
  paid_through: string | null;
  standing: Standing;
  standing_since: string;
  organizer_staff_user_id: string | null;
  organizer_name: string | null;
  months_owed: number;
  /** A payment is failing and being retried (an open invoice with attempts). */
  payment_retrying: boolean;
  /** Why the derivation gave this standing (src/members/derive.ts), e.g. 'checkout_not_completed'. */
  standing_reason: string | null;
  standing_reason_since: string | null;
  promised_on: string | null;
  /** Only read for treasurers and admins. */
  plan_name: string | null;
}

/** One member's row and what it shows: kept prepared, as its plan follows no value (one member's rows by their ids). */
export async function memberDetail(db: Kysely<Database>, organizationId: string, memberId: string, options: { today: string; timeZone: string; withPlan: boolean }): Promise<MemberDetail | undefined> {
  const result = await sql<MemberDetail>`${sql.raw(KEEP_PREPARED)}
    SELECT m.id, m.name, m.email, m.phone, m.preferred_language, m.worksite, m.employer, m.external_id, m.joined_on, m.paid_through, m.standing,
           (m.standing_changed_at AT TIME ZONE ${options.timeZone})::date::text AS standing_since,
           m.organizer_staff_user_id, o.name AS organizer_name,
           ${monthsOwed(options.today)} AS months_owed,
           EXISTS (SELECT 1 FROM stripe_invoices i WHERE i.organization_id = m.organization_id AND i.member_id = m.id AND i.status = 'open' AND i.attempt_count > 0) AS payment_retrying,
           m.standing_reason, m.standing_reason_since::text AS standing_reason_since,
           (SELECT l.promised_on FROM outreach_log l WHERE l.organization_id = m.organization_id AND l.member_id = m.id AND l.outcome = 'promised_to_pay' AND l.promised_on >= ${options.today}::date
            ORDER BY l.created_at DESC LIMIT 1) AS promised_on,
           ${options.withPlan ? sql`(SELECT p.name FROM plans p WHERE p.organization_id = m.organization_id AND p.id = m.plan_id)` : sql`NULL::text`} AS plan_name
    FROM members m
    LEFT JOIN staff_users o ON o.id = m.organizer_staff_user_id
    ${arrearsJoin(options.today)}
    WHERE m.organization_id = ${organizationId} AND m.id = ${memberId}`.execute(db);
  return result.rows[0];
}

export type TimelineKind = 'standing' | 'payment' | 'reversal' | 'manual_payment' | 'outreach' | 'notice' | 'authorization' | 'episode_opened' | 'episode_closed' | 'dues_notice' | 'dues_changed';

/** One thing that happened to a member. The text columns mean what the kind says (see memberTimeline). */
export interface TimelineRow {
  kind: TimelineKind;
  at: Date;
  /** For things that happened on a day rather than at an instant. */
  day: string | null;
  a: string | null;
  b: string | null;
  c: string | null;
  note: string | null;
  /** Only read for treasurers and admins: organizers' pages never carry an amount. */
  amount_cents: number | null;
  currency: string | null;
  from_day: string | null;
  to_day: string | null;
  n: number | null;
}

export const TIMELINE_LIMIT = 100;

/**
 * Everything that happened to a member, newest first, in one statement: standing changes
 * (a: from, b: to, c: cause), Stripe payments and reversals, manual payments (a: method),
 * outreach (a: outcome, b: channel, c: who, note, from_day: promised day), notices sent
 * (a: the notice), the dues authorization signed (a: language, n: version), lapse
 * episodes (c: close reason). Kept prepared: planning its ten parts cost several times
 * what reading one member's rows does.
 */
export async function memberTimeline(db: Kysely<Database>, organizationId: string, memberId: string, options: { timeZone: string; withAmounts: boolean }): Promise<TimelineRow[]> {
  const amount = (expression: RawBuilder<unknown>) => (options.withAmounts ? expression : sql`NULL::bigint`);
  const dayStart = (day: RawBuilder<unknown>) => sql`(${day}::timestamp AT TIME ZONE ${options.timeZone})`;
  const result = await sql<TimelineRow>`${sql.raw(KEEP_PREPARED)}
    SELECT kind, at, day::text, a, b, c, note, amount_cents, currency, from_day::text, to_day::text, n FROM (
      SELECT 'standing' AS kind, h.created_at AS at, NULL::date AS day, h.from_standing AS a, h.to_standing AS b, h.cause AS c, NULL::text AS note,
             NULL::bigint AS amount_cents, NULL::text AS currency, NULL::date AS from_day, NULL::date AS to_day, NULL::int AS n
      FROM member_standing_changes h WHERE h.organization_id = ${organizationId} AND h.member_id = ${memberId}
      UNION ALL
      SELECT CASE WHEN t.kind = 'dues_payment' THEN 'payment' ELSE 'reversal' END, t.occurred_at, NULL, NULL, NULL, NULL, NULL,
             ${amount(sql`abs(t.gross_cents)`)}, t.currency, t.period_start, t.period_end, NULL
      FROM ledger_transactions t
      WHERE t.organization_id = ${organizationId} AND t.member_id = ${memberId} AND t.kind IN ('dues_payment', 'refund', 'dispute', 'payment_reversal')
      UNION ALL
      SELECT 'manual_payment', ${dayStart(sql`p.received_on`)} + interval '12 hours', p.received_on, p.method, NULL, NULL, NULL, ${amount(sql`p.amount_cents`)}, p.currency, p.period_start, p.period_end, NULL
      FROM manual_payments p WHERE p.organization_id = ${organizationId} AND p.member_id = ${memberId}
      UNION ALL
      SELECT 'outreach', l.created_at, l.contacted_on, l.outcome, l.channel, s.name, l.note, NULL, NULL, l.promised_on, NULL, NULL
      FROM outreach_log l LEFT JOIN staff_users s ON s.id = l.staff_user_id
      WHERE l.organization_id = ${organizationId} AND l.member_id = ${memberId}
      UNION ALL
      SELECT 'notice', coalesce(o.sent_at, o.created_at), NULL, g.signal, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM retention_signals g JOIN email_outbox o ON o.id = g.notice_outbox_id
      WHERE g.organization_id = ${organizationId} AND g.member_id = ${memberId}
      UNION ALL
      SELECT 'authorization', c.accepted_at, NULL, c.language, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c.authorization_version
      FROM signup_consents c WHERE c.organization_id = ${organizationId} AND c.member_id = ${memberId}
      UNION ALL
      SELECT 'episode_opened', ${dayStart(sql`e.opened_on`)}, e.opened_on, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM lapse_episodes e WHERE e.organization_id = ${organizationId} AND e.member_id = ${memberId}
      UNION ALL
      SELECT 'episode_closed', ${dayStart(sql`e.closed_on`)} + interval '1 second', e.closed_on, NULL, NULL, e.close_reason, NULL, NULL, NULL, NULL, NULL, NULL
      FROM lapse_episodes e WHERE e.organization_id = ${organizationId} AND e.member_id = ${memberId} AND e.closed_on IS NOT NULL
      UNION ALL
      SELECT 'dues_notice', i.notice_sent_at, NULL, NULL, NULL, NULL, NULL, ${amount(sql`i.after_cents`)}, p.currency, d.effective_from, NULL, NULL
      FROM dues_increase_items i JOIN dues_increases d ON d.id = i.increase_id JOIN plans p ON p.id = d.plan_id
      WHERE i.organization_id = ${organizationId} AND i.member_id = ${memberId} AND i.notice_sent_at IS NOT NULL
      UNION ALL
      SELECT 'dues_changed', i.applied_at, NULL, NULL, NULL, NULL, NULL, ${amount(sql`i.after_cents`)}, p.currency, NULL, NULL, NULL
      FROM dues_increase_items i JOIN dues_increases d ON d.id = i.increase_id JOIN plans p ON p.id = d.plan_id
      WHERE i.organization_id = ${organizationId} AND i.member_id = ${memberId} AND i.applied_at IS NOT NULL
    ) events
    ORDER BY at DESC, kind
    LIMIT ${TIMELINE_LIMIT}`.execute(db);
  return result.rows.map((row) => ({ ...row, amount_cents: row.amount_cents === null ? null : Number(row.amount_cents) }));
}

// ---- The call list.

/** Signals that put a member in good standing on the call list, most urgent first. */
export const CALL_SIGNALS = ['suspension_coming', 'payment_failed', 'ach_returned', 'manual_due_soon', 'card_expiring', 'cancel_scheduled', 'payroll_missing'] as const;
export type CallSignal = (typeof CALL_SIGNALS)[number];
/** How far back a drop still warrants a call. */
export const RECENT_DROP_DAYS = 60;

export interface CallScope {
  /** Only members routed to this organizer: their own, or their worksites' when the member has no organizer on staff. */
  organizerId?: string | undefined;
  worksite?: string | undefined;
}

export interface CallRow {
  id: string;
  name: string;
  phone: string | null;
  preferred_language: Language;
  worksite: string | null;
  standing: Standing;
  months_owed: number;
  paid_through: string | null;
  signal: CallSignal | null;
  signal_on: string | null;
  signal_key: string | null;
  dropped_on: string | null;
  last_outcome: OutreachOutcome | null;
  last_channel: OutreachChannel | null;
  last_contacted_on: string | null;
  promised_on: string | null;
  total: number;
}

/** A candidate of the call list as ranked: what orders it and what the row shows of it. */
export interface RankedCall {
  id: string;
  name: string;
  standing: Standing;
  paid_through: string | null;
  months_owed: number;
  /** Position in CALL_SIGNALS (from 1) of the signal the row shows, if any. */
  signal_rank: number | null;
  dropped_on: string | null;
  /** When a dropped member was dropped: they leave the list RECENT_DROP_DAYS later. */
  dropped_at: Date | null;
  promised_on: string | null;
}

/** What a row shows beyond its ranking: contact details, the signal shown, the last outreach. Read only for the page shown. */
export type CallContact = Pick<CallRow, 'phone' | 'preferred_language' | 'worksite' | 'signal' | 'signal_on' | 'signal_key' | 'last_outcome' | 'last_channel' | 'last_contacted_on'>;

/** The call list's rows of one page: its ranking's rows (`ranked`, from `from`) with what each shows. */
export function callRows(ranked: readonly RankedCall[], from: number, limit: number, contacts: ReadonlyMap<string, CallContact>): CallRow[] {
  const rows: CallRow[] = [];
  for (const row of ranked.slice(from, from + limit)) {
    const contact = contacts.get(row.id);
    if (!contact) continue;
    const { id, name, standing, paid_through, months_owed, dropped_on, promised_on } = row;
    rows.push({ id, name, standing, paid_through, months_owed, dropped_on, promised_on, ...contact, total: ranked.length });
  }
  return rows;
}

/**
 * The contact, the signal shown and the last outreach of the row aliased `page` (its `id` and
 * `signal_rank`), read only where `shown` holds of it.
 */
const callContactColumns = (organizationId: string, today: string, shown: RawBuilder<unknown> = sql`true`) => {
  const signalSince = addDays(today, -CALL_SIGNAL_DAYS);
  return {
    columns: sql`contact.phone, contact.preferred_language, contact.worksite,
           sig.signal, sig.detected_on::text AS signal_on, sig.signal_key,
           last.outcome AS last_outcome, last.channel AS last_channel, last.contacted_on::text AS last_contacted_on`,
    joins: sql`
    LEFT JOIN LATERAL (SELECT c.phone, c.preferred_language, c.worksite FROM members c WHERE ${shown} AND c.organization_id = ${organizationId} AND c.id = page.id LIMIT 1) contact ON true
    LEFT JOIN LATERAL (
      SELECT g.signal, g.detected_on, g.signal_key FROM retention_signals g
      WHERE ${shown} AND g.organization_id = ${organizationId} AND g.member_id = page.id AND g.detected_on >= ${signalSince}::date
        AND g.signal = (${sql.val([...CALL_SIGNALS])}::text[])[page.signal_rank]
        AND (g.signal <> 'suspension_coming' OR g.signal_key >= ${today})
      ORDER BY g.detected_on DESC LIMIT 1
    ) sig ON true
    LEFT JOIN LATERAL (
      SELECT l.outcome, l.channel, l.contacted_on FROM outreach_log l
      WHERE ${shown} AND l.organization_id = ${organizationId} AND l.member_id = page.id ORDER BY l.created_at DESC LIMIT 1
    ) last ON true`,
  };
};

const contactOf = (row: CallContact): CallContact => ({
  phone: row.phone,
  preferred_language: row.preferred_language,
  worksite: row.worksite,
  signal: row.signal,
  signal_on: row.signal_on,
  signal_key: row.signal_key,
  last_outcome: row.last_outcome,
  last_channel: row.last_channel,
  last_contacted_on: row.last_contacted_on,
});

/**
 * Lapsed and at-risk members, most urgent first: suspension coming, a failed payment being
 * retried, then suspended, lapsed, past due and lately dropped members by months owed,
 * then the milder signals; a member who promised to pay goes last until the day promised.
 *
 * One statement, whose work follows the list rather than the organization: the members in
 * scope who may be listed and what ranks them come from partial covering indexes (an
 * organizer's own members and their worksites' unassigned ones — disjoint, as the organizer
 * is on staff —, or one worksite's), the signals only of those with a signal lately, the
 * standing promises and ended exemptions only for the candidates; member rows, the signal
 * shown and the last contact are read only for the page shown (`page`, positions from 0).
 * Every candidate comes back ranked, with the snapshot the statement read (src/console/call-list.ts
 * remembers the ranking and asks `callContacts` for later pages and views). The statement
 * also writes the view's audit record (`audit`, given the rows shown).
 */
export async function rankCalls(
  db: Kysely<Database>,
  organizationId: string,
  options: { scope: CallScope; today: string; now: Date; timeZone: string; page: { from: number; limit: number }; audit: BulkReadRecord },
): Promise<{ ranked: RankedCall[]; contacts: Map<string, CallContact>; snapshot: string | null }> {
  const { today, scope } = options;
  const shown = sql`page.position BETWEEN ${options.page.from} AND ${options.page.from + options.page.limit - 1}`;
  const contact = callContactColumns(organizationId, today, shown);
  const signalSince = addDays(today, -CALL_SIGNAL_DAYS);
  const droppedSince = new Date(options.now.getTime() - RECENT_DROP_DAYS * 86_400_000);
  const behind = sql`('past_due', 'lapsed', 'suspended', 'dropped')`;
  // Who may be listed (behind, or with a signal lately: members.last_signal_on, kept by a
  // trigger on retention_signals) and what ranking needs of them, all of it in the partial
  // covering indexes of migration 0036, so the candidates are ranked without reading their rows.
  const columns = sql`m.organization_id, m.id, m.standing, m.name, m.paid_through, m.standing_changed_at, m.last_signal_on`;
  const mayBeListed = sql`(m.standing IN ${behind} OR m.last_signal_on IS NOT NULL)`;
  const inScope =
    scope.worksite !== undefined
      ? sql`SELECT ${columns} FROM members m WHERE m.organization_id = ${organizationId} AND m.worksite = ${scope.worksite} AND ${mayBeListed}`
      : scope.organizerId !== undefined
        ? sql`SELECT ${columns} FROM members m WHERE m.organization_id = ${organizationId} AND m.organizer_staff_user_id = ${scope.organizerId} AND ${mayBeListed}
              UNION ALL
              SELECT ${columns} FROM worksite_organizers w
              JOIN members m ON m.organization_id = w.organization_id AND m.worksite = w.worksite
              WHERE w.organization_id = ${organizationId} AND w.organizer_staff_user_id = ${scope.organizerId} AND ${mayBeListed}
                AND (m.organizer_staff_user_id IS NULL
                     OR m.organizer_staff_user_id NOT IN (SELECT r.staff_user_id FROM staff_roles r WHERE r.organization_id = ${organizationId}))`
        : undefined;
  const signalRanks = sql`
      min(array_position(${sql.val([...CALL_SIGNALS])}::text[], g.signal)) FILTER (WHERE g.signal <> 'suspension_coming') AS other_rank,
      min(g.signal_key) FILTER (WHERE g.signal = 'suspension_coming') AS suspension_on`;
  const recentSignal = sql`g.organization_id = ${organizationId} AND g.detected_on >= ${signalSince}::date AND g.signal IN (${sql.join([...CALL_SIGNALS])})
        AND (g.signal <> 'suspension_coming' OR g.signal_key >= ${today})`;
  const recent = (onlyScope: boolean) =>
    onlyScope
      ? sql`
      SELECT s.id AS member_id, r.other_rank, r.suspension_on FROM scope s
      CROSS JOIN LATERAL (SELECT ${signalRanks}, count(*) AS n FROM retention_signals g WHERE g.member_id = s.id AND ${recentSignal}) r
      WHERE s.last_signal_on >= ${signalSince}::date AND r.n > 0`
      : sql`SELECT g.member_id, ${signalRanks} FROM retention_signals g WHERE ${recentSignal} GROUP BY g.member_id`;
  // Within a scope, the signals are read by member, for those with a signal lately only; for
  // the whole organization, its recent signals by day, then the members behind (by the
  // standing index) and those with a recent signal (by key).
  const scopeAndRecent =
    inScope !== undefined
      ? sql`scope AS MATERIALIZED (${inScope}), recent AS (${recent(true)})`
      : sql`recent AS (${recent(false)}), scope AS (
          SELECT ${columns} FROM members m WHERE m.organization_id = ${organizationId} AND m.standing IN ${behind}
          UNION ALL
          SELECT ${columns} FROM recent r
          CROSS JOIN LATERAL (SELECT * FROM members WHERE organization_id = ${organizationId} AND id = r.member_id LIMIT 1) m
          WHERE m.standing NOT IN ${behind})`;
  const result = await sql<RankedCall & CallContact & { shown: boolean; snapshot: string | null }>`
    WITH ${scopeAndRecent}, candidates AS MATERIALIZED (
      SELECT m.organization_id, m.id, m.name, m.standing, m.paid_through, m.standing_changed_at, r.suspension_on, r.other_rank
      FROM scope m
      LEFT JOIN recent r ON r.member_id = m.id
      WHERE m.standing NOT IN ('resigned', 'exempt', 'pending')
        AND (m.standing IN ('past_due', 'lapsed', 'suspended') OR (m.standing = 'dropped' AND m.standing_changed_at >= ${droppedSince}) OR r.member_id IS NOT NULL)
    ), promised AS (
      -- Standing promises of the candidates only (a few of them), not of everyone in scope.
      SELECT l.member_id, max(l.promised_on) AS promised_on FROM outreach_log l
      JOIN candidates c ON c.id = l.member_id
      WHERE l.organization_id = ${organizationId} AND l.outcome = 'promised_to_pay' AND l.promised_on >= ${today}::date
      GROUP BY l.member_id
    ), arrears AS (
      -- Where arrears count from, for the candidates only: their ended exemptions joined at once
      -- (a lookup per candidate cost about as much as the rest of the list).
      SELECT m.id, m.paid_through + coalesce(sum(${exemptDaysAfter(sql`m.paid_through`)}), 0)::int AS arrears_from
      FROM candidates m
      LEFT JOIN member_exemptions e ON e.organization_id = ${organizationId} AND e.member_id = m.id AND e.ends_on < ${today}::date
      GROUP BY m.id, m.paid_through
    ), listed AS (
      SELECT m.id, m.name, m.standing, m.paid_through,
             ${monthsOwed(today)} AS months_owed,
             CASE WHEN m.suspension_on IS NOT NULL AND m.standing NOT IN ('suspended', 'dropped') THEN 1 ELSE m.other_rank END AS signal_rank,
             CASE WHEN m.standing = 'dropped' THEN (m.standing_changed_at AT TIME ZONE ${options.timeZone})::date::text END AS dropped_on,
             CASE WHEN m.standing = 'dropped' THEN m.standing_changed_at END AS dropped_at,
             p.promised_on::text AS promised_on
      FROM candidates m
      JOIN arrears ON arrears.id = m.id
      LEFT JOIN promised p ON p.member_id = m.id
    ), ordered AS (
      SELECT *, row_number() OVER (
               ORDER BY promised_on IS NOT NULL,
                        CASE WHEN signal_rank = 1 THEN 1 WHEN signal_rank IN (2, 3) THEN 2
                             WHEN standing = 'suspended' THEN 3 WHEN standing = 'lapsed' THEN 4 WHEN standing = 'past_due' THEN 5 WHEN standing = 'dropped' THEN 6 ELSE 7 END,
                        months_owed DESC, name, id) - 1 AS position
      FROM listed
    ), audited AS (
      ${options.audit(sql<number>`(SELECT count(*)::int FROM ordered page WHERE ${shown})`)}
    )
    SELECT page.id, page.name, page.standing, page.paid_through, page.months_owed, page.signal_rank, page.dropped_on, page.dropped_at, page.promised_on,
           ${shown} AS shown, ${contact.columns},
           CASE WHEN page.position = 0 THEN pg_current_snapshot()::text END AS snapshot
    FROM (SELECT * FROM ordered ORDER BY position) page
    ${contact.joins}
    ORDER BY page.position`.execute(db);
  const ranked = result.rows.map(({ id, name, standing, paid_through, months_owed, signal_rank, dropped_on, dropped_at, promised_on }) => ({ id, name, standing, paid_through, months_owed, signal_rank, dropped_on, dropped_at, promised_on }));
  const contacts = new Map(result.rows.filter((row) => row.shown).map((row) => [row.id, contactOf(row)]));
  return { ranked, contacts, snapshot: result.rows[0]?.snapshot ?? null };
}

/**
 * Whether what was read in `snapshot` about the organization's call list or filter options
 * still holds: no transaction this statement sees has changed one of their facts
 * (migrations 0037, 0038) unless the snapshot saw it too, nor has the daily scan pruned
 * what the snapshot would need, nor is the server another one than the snapshot's (xmin
 * gone back: a failover or a restore). Null when `snapshot` is.
 */
const stillHolds = (organizationId: string, snapshot: RawBuilder<unknown>) => sql<boolean>`(
  pg_snapshot_xmin(pg_current_snapshot()) >= pg_snapshot_xmin(${snapshot})
  AND coalesce((SELECT h.pruned_before FROM call_list_horizons h WHERE h.organization_id = ${organizationId}), '0'::xid8) <= pg_snapshot_xmin(${snapshot})
  AND NOT EXISTS (SELECT 1 FROM call_list_changes c
                  WHERE c.organization_id = ${organizationId} AND c.xact >= pg_snapshot_xmin(${snapshot}) AND NOT pg_visible_in_snapshot(c.xact, ${snapshot})))`;

/**
 * The page's rows' contacts (`ids`, with the signal rank each shows), read in the same
 * statement as whether a ranking read in `snapshot` still holds (`stillHolds`). When it
 * holds, the same statement writes the view's audit record (`audit`).
 */
export async function callContacts(
  db: Kysely<Database>,
  organizationId: string,
  options: { snapshot: string; ids: readonly string[]; signalRanks: ReadonlyArray<number | null>; today: string; audit: BulkReadRecord },
): Promise<{ holds: boolean; contacts: Map<string, CallContact> }> {
  const contact = callContactColumns(organizationId, options.today);
  const snapshot = sql`${options.snapshot}::pg_snapshot`;
  const result = await sql<CallContact & { holds: boolean; id: string | null }>`${sql.raw(KEEP_PREPARED)}
    WITH v AS MATERIALIZED (
      SELECT ${stillHolds(organizationId, snapshot)} AS holds
    ), audited AS (
      -- Only a read that holds is shown (and recorded); otherwise the ranking is read afresh, and recorded there.
      ${options.audit(sql<number>`${options.ids.length}::int`, sql<boolean>`(SELECT v.holds FROM v)`)}
    )
    SELECT v.holds, page.id, ${contact.columns}
    FROM v
    LEFT JOIN LATERAL (
      SELECT p.id, p.signal_rank FROM unnest(${[...options.ids]}::uuid[], ${[...options.signalRanks]}::int[]) AS p (id, signal_rank) WHERE v.holds
    ) page ON true
    ${contact.joins}`.execute(db);
  const holds = result.rows[0]?.holds === true;
  return { holds, contacts: new Map(holds ? result.rows.filter((row) => row.id !== null).map((row) => [row.id!, contactOf(row)]) : []) };
}

// ---- Worksites.

export interface WorksiteRow {
  worksite: string;
  counts: Partial<Record<Standing, number>>;
  total: number;
  organizer_id: string | null;
  organizer_name: string | null;
}

/** Members by standing per worksite, with the organizer each worksite routes to; one worksite when named. */
export async function worksites(db: Kysely<Database>, organizationId: string, only?: string): Promise<WorksiteRow[]> {
  const one = only === undefined ? sql`` : sql`AND worksite = ${only}`;
  const result = await sql<WorksiteRow>`
    WITH counted AS (
      SELECT worksite, standing, count(*)::int AS n FROM members
      WHERE organization_id = ${organizationId} AND worksite IS NOT NULL ${one}
      GROUP BY worksite, standing
    ), sites AS (
      SELECT worksite FROM counted UNION SELECT worksite FROM worksite_organizers WHERE organization_id = ${organizationId} ${one}
    )
    SELECT s.worksite,
           coalesce((SELECT json_object_agg(c.standing, c.n) FROM counted c WHERE c.worksite = s.worksite), '{}'::json) AS counts,
           coalesce((SELECT sum(c.n) FROM counted c WHERE c.worksite = s.worksite), 0)::int AS total,
           w.organizer_staff_user_id AS organizer_id, u.name AS organizer_name
    FROM sites s
    LEFT JOIN worksite_organizers w ON w.organization_id = ${organizationId} AND w.worksite = s.worksite
    LEFT JOIN staff_users u ON u.id = w.organizer_staff_user_id
    ORDER BY s.worksite`.execute(db);
  return result.rows;
}

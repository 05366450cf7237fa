import { sql, type Kysely } from 'kysely';
import type { Database, ExemptionKind, Language, OutreachChannel, OutreachOutcome, Standing } from '../../db/database';
import { addDays, policyFrom, type RetentionPolicy } from './policy';
import { AT_RISK_SIGNALS, monthsOwedSql } from './scan';
import { NOT_REACHED } from './outreach';

export async function loadPolicy(db: Kysely<Database>, organizationId: string): Promise<RetentionPolicy> {
  const row = await db.selectFrom('retention_policies').select('policy').where('organization_id', '=', organizationId).executeTakeFirst();
  return policyFrom(row?.policy);
}

export async function savePolicy(db: Kysely<Database>, organizationId: string, policy: RetentionPolicy, staffUserId: string, at: Date): Promise<void> {
  const values = { policy: JSON.stringify(policy), updated_by_staff_user_id: staffUserId, updated_at: at };
  await db
    .insertInto('retention_policies')
    .values({ organization_id: organizationId, ...values })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet(values))
    .execute();
}

export interface ListFilters {
  worksite?: string | undefined;
  organizerId?: string | undefined;
  reason?: string | undefined;
  minMonthsInArrears?: number | undefined;
  limit: number;
  offset: number;
}

/** A member on a call list: contact details, why they are on it, and the last word from outreach. */
export interface CallListRow {
  member_id: string;
  name: string;
  phone: string | null;
  email: string;
  preferred_language: Language;
  worksite: string | null;
  organizer_staff_user_id: string | null;
  organizer_name: string | null;
  standing: Standing;
  /** Why the standing (a member waiting for an officer to reinstate them says reinstatement_fee_due). */
  standing_reason: string | null;
  reason: string;
  months_in_arrears: number;
  paid_through: string | null;
  since: string | null;
  last_outreach_outcome: OutreachOutcome | null;
  last_outreach_on: string | null;
  follow_up_on: string | null;
}

/** Months in arrears now of the member aliased `m`, exemptions' days paused as in the scan. */
export function liveMonths(today: string) {
  const paused = sql`coalesce((SELECT sum(greatest(0, e.ends_on - greatest(e.starts_on, m.paid_through + 1) + 1))::int FROM member_exemptions e WHERE e.organization_id = m.organization_id AND e.member_id = m.id AND e.ends_on < ${today}::date), 0)`;
  return monthsOwedSql(sql`(m.paid_through + ${paused})`, sql`${today}::date`);
}

const CALL_LIST_COLUMNS = (today: string) => sql`
  m.id AS member_id, m.name, m.phone, m.email, m.preferred_language, m.worksite, m.organizer_staff_user_id, o.name AS organizer_name,
  m.standing, m.standing_reason, ${liveMonths(today)} AS months_in_arrears, m.paid_through,
  last.outcome AS last_outreach_outcome, last.contacted_on AS last_outreach_on, last.follow_up_on`;

const CALL_LIST_JOINS = sql`
  LEFT JOIN staff_users o ON o.id = m.organizer_staff_user_id
  LEFT JOIN LATERAL (
    SELECT l.outcome, l.contacted_on, l.follow_up_on FROM outreach_log l
    WHERE l.organization_id = m.organization_id AND l.member_id = m.id ORDER BY l.created_at DESC LIMIT 1
  ) last ON true`;

function commonFilters(filters: ListFilters) {
  return sql`
    ${filters.worksite === undefined ? sql`` : sql`AND m.worksite = ${filters.worksite}`}
    ${filters.organizerId === undefined ? sql`` : sql`AND m.organizer_staff_user_id = ${filters.organizerId}`}`;
}

/** Lapsed, suspended and dropped members; `reason` is the standing. */
export async function listLapsed(db: Kysely<Database>, organizationId: string, today: string, filters: ListFilters): Promise<CallListRow[]> {
  const result = await sql<CallListRow>`
    SELECT * FROM (
      SELECT ${CALL_LIST_COLUMNS(today)}, m.standing AS reason, e.opened_on AS since
      FROM members m
      ${CALL_LIST_JOINS}
      LEFT JOIN lapse_episodes e ON e.organization_id = m.organization_id AND e.member_id = m.id AND e.closed_on IS NULL
      WHERE m.organization_id = ${organizationId} AND m.standing IN ('lapsed', 'suspended', 'dropped')
        ${commonFilters(filters)}
        ${filters.reason === undefined ? sql`` : sql`AND m.standing = ${filters.reason}`}
    ) listed
    WHERE ${filters.minMonthsInArrears ?? 0}::int <= months_in_arrears
    ORDER BY worksite NULLS LAST, name, member_id
    LIMIT ${filters.limit} OFFSET ${filters.offset}`.execute(db);
  return result.rows;
}

/** Members still in good standing (or signed up and not paying yet) with an at-risk signal seen in the last 30 days; one row per member and signal. */
export async function listAtRisk(db: Kysely<Database>, organizationId: string, today: string, filters: ListFilters): Promise<CallListRow[]> {
  const result = await sql<CallListRow>`
    SELECT * FROM (
      SELECT DISTINCT ON (m.id, s.signal) ${CALL_LIST_COLUMNS(today)}, s.signal AS reason, s.detected_on AS since
      FROM retention_signals s
      JOIN members m ON m.organization_id = s.organization_id AND m.id = s.member_id
      ${CALL_LIST_JOINS}
      WHERE s.organization_id = ${organizationId} AND s.signal IN (${sql.join(AT_RISK_SIGNALS)})
        AND s.detected_on >= ${addDays(today, -30)}::date AND (m.standing IN ('active', 'past_due') OR (m.standing = 'pending' AND s.signal = 'first_payment_failed'))
        ${commonFilters(filters)}
        ${filters.reason === undefined ? sql`` : sql`AND s.signal = ${filters.reason}`}
      ORDER BY m.id, s.signal, s.detected_on DESC
    ) listed
    WHERE ${filters.minMonthsInArrears ?? 0}::int <= months_in_arrears
    ORDER BY worksite NULLS LAST, name, member_id, reason
    LIMIT ${filters.limit} OFFSET ${filters.offset}`.execute(db);
  return result.rows;
}

export interface NewOutreach {
  organizationId: string;
  memberId: string;
  staffUserId: string;
  channel: OutreachChannel;
  outcome: OutreachOutcome;
  note: string | null;
  followUpOn: string | null;
  promisedOn: string | null;
  contactedOn: string;
  /** When it is recorded, from the service's clock. */
  at: Date;
}

/** Records a contact against the member's open lapse episode, if any. */
export async function insertOutreach(trx: Kysely<Database>, outreach: NewOutreach) {
  const episode = await openEpisode(trx, outreach.organizationId, outreach.memberId);
  return trx
    .insertInto('outreach_log')
    .values({
      organization_id: outreach.organizationId,
      member_id: outreach.memberId,
      staff_user_id: outreach.staffUserId,
      episode_id: episode?.id ?? null,
      channel: outreach.channel,
      outcome: outreach.outcome,
      note: outreach.note,
      follow_up_on: outreach.followUpOn,
      promised_on: outreach.promisedOn,
      created_at: outreach.at,
      contacted_on: outreach.contactedOn,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function openEpisode(db: Kysely<Database>, organizationId: string, memberId: string) {
  return db.selectFrom('lapse_episodes').selectAll().where('organization_id', '=', organizationId).where('member_id', '=', memberId).where('closed_on', 'is', null).executeTakeFirst();
}

export async function closeEpisode(trx: Kysely<Database>, organizationId: string, memberId: string, on: string, reason: 'resigned'): Promise<void> {
  await trx
    .updateTable('lapse_episodes')
    .set({ closed_on: sql<string>`greatest(opened_on, ${on}::date)`, close_reason: reason })
    .where('organization_id', '=', organizationId)
    .where('member_id', '=', memberId)
    .where('closed_on', 'is', null)
    .execute();
}

export async function listOutreach(db: Kysely<Database>, organizationId: string, memberId: string) {
  return db
    .selectFrom('outreach_log')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('member_id', '=', memberId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

export async function listExemptions(db: Kysely<Database>, organizationId: string, memberId: string) {
  return db.selectFrom('member_exemptions').selectAll().where('organization_id', '=', organizationId).where('member_id', '=', memberId).orderBy('starts_on').execute();
}

/** Whether [startsOn, endsOn] overlaps an exemption the member already has (overlaps would pause arrears twice). */
export async function exemptionOverlaps(db: Kysely<Database>, organizationId: string, memberId: string, startsOn: string, endsOn: string | null): Promise<boolean> {
  const row = await sql<{ found: boolean }>`
    SELECT EXISTS (
      SELECT 1 FROM member_exemptions e
      WHERE e.organization_id = ${organizationId} AND e.member_id = ${memberId}
        AND daterange(e.starts_on, e.ends_on, '[]') && daterange(${startsOn}::date, ${endsOn}::date, '[]')
    ) AS found`.execute(db);
  return row.rows[0]!.found;
}

export async function insertExemption(db: Kysely<Database>, exemption: { organizationId: string; memberId: string; kind: ExemptionKind; startsOn: string; endsOn: string | null; note: string | null; staffUserId: string; at: Date }) {
  return db
    .insertInto('member_exemptions')
    .values({
      organization_id: exemption.organizationId,
      member_id: exemption.memberId,
      kind: exemption.kind,
      starts_on: exemption.startsOn,
      ends_on: exemption.endsOn,
      note: exemption.note,
      created_by_staff_user_id: exemption.staffUserId,
      created_at: exemption.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listWorksiteOrganizers(db: Kysely<Database>, organizationId: string) {
  return db
    .selectFrom('worksite_organizers as w')
    .innerJoin('staff_users as s', 's.id', 'w.organizer_staff_user_id')
    .select(['w.worksite', 'w.organizer_staff_user_id', 's.name', 's.email'])
    .where('w.organization_id', '=', organizationId)
    .orderBy('w.worksite')
    .execute();
}

export async function setWorksiteOrganizer(db: Kysely<Database>, organizationId: string, worksite: string, organizerId: string | null, at: Date): Promise<void> {
  if (organizerId === null) {
    await db.deleteFrom('worksite_organizers').where('organization_id', '=', organizationId).where('worksite', '=', worksite).execute();
    return;
  }
  await db
    .insertInto('worksite_organizers')
    .values({ organization_id: organizationId, worksite, organizer_staff_user_id: organizerId, updated_at: at })
    .onConflict((oc) => oc.columns(['organization_id', 'worksite']).doUpdateSet({ organizer_staff_user_id: organizerId, updated_at: at }))
    .execute();
}

export interface MetricsRow {
  scope: 'organization' | 'worksite' | 'organizer';
  key: string | null;
  lapsed: number;
  recovered: number;
  recovered_of_lapsed: number;
  median_days_to_recovery: number | null;
  contacts: number;
  reached: number;
  recommitted: number;
  resigned: number;
}

/**
 * Per organization, worksite and organizer (as they were when each episode opened):
 * episodes opened in the month, episodes recovered in the month, how many of the month's
 * lapses have recovered so far, the median days to recovery, and outreach in the month.
 */
export async function retentionMetrics(db: Kysely<Database>, organizationId: string, monthStart: string, monthEnd: string): Promise<MetricsRow[]> {
  const result = await sql<MetricsRow>`
    WITH episodes AS (
      SELECT e.worksite, e.organizer_staff_user_id AS organizer,
             (e.opened_on >= ${monthStart}::date AND e.opened_on < ${monthEnd}::date) AS opened_in_month,
             (e.close_reason = 'recovered' AND e.closed_on >= ${monthStart}::date AND e.closed_on < ${monthEnd}::date) AS recovered_in_month,
             e.close_reason = 'recovered' AS recovered,
             e.closed_on - e.opened_on AS days
      FROM lapse_episodes e
      WHERE e.organization_id = ${organizationId} AND (e.opened_on < ${monthEnd}::date AND (e.closed_on IS NULL OR e.closed_on >= ${monthStart}::date))
    ), outreach AS (
      SELECT m.worksite, m.organizer_staff_user_id AS organizer, l.outcome
      FROM outreach_log l JOIN members m ON m.organization_id = l.organization_id AND m.id = l.member_id
      WHERE l.organization_id = ${organizationId} AND l.contacted_on >= ${monthStart}::date AND l.contacted_on < ${monthEnd}::date
    ), episode_counts AS (
      SELECT grouping(worksite) AS gw, grouping(organizer) AS go, worksite, organizer,
             count(*) FILTER (WHERE opened_in_month)::int AS lapsed,
             count(*) FILTER (WHERE recovered_in_month)::int AS recovered,
             count(*) FILTER (WHERE opened_in_month AND recovered)::int AS recovered_of_lapsed,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FILTER (WHERE recovered_in_month) AS median_days_to_recovery
      FROM episodes GROUP BY GROUPING SETS ((), (worksite), (organizer))
    ), outreach_counts AS (
      SELECT grouping(worksite) AS gw, grouping(organizer) AS go, worksite, organizer,
             count(*)::int AS contacts,
             count(*) FILTER (WHERE outcome NOT IN (${sql.join([...NOT_REACHED])}))::int AS reached,
             count(*) FILTER (WHERE outcome = 'recommitted')::int AS recommitted,
             count(*) FILTER (WHERE outcome = 'resigned')::int AS resigned
      FROM outreach GROUP BY GROUPING SETS ((), (worksite), (organizer))
    )
    SELECT CASE WHEN coalesce(e.gw, o.gw) = 1 AND coalesce(e.go, o.go) = 1 THEN 'organization' WHEN coalesce(e.gw, o.gw) = 0 THEN 'worksite' ELSE 'organizer' END AS scope,
           coalesce(e.worksite, o.worksite, e.organizer::text, o.organizer::text) AS key,
           coalesce(e.lapsed, 0) AS lapsed, coalesce(e.recovered, 0) AS recovered, coalesce(e.recovered_of_lapsed, 0) AS recovered_of_lapsed,
           e.median_days_to_recovery,
           coalesce(o.contacts, 0) AS contacts, coalesce(o.reached, 0) AS reached, coalesce(o.recommitted, 0) AS recommitted, coalesce(o.resigned, 0) AS resigned
    FROM episode_counts e
    FULL JOIN outreach_counts o ON o.gw = e.gw AND o.go = e.go AND o.worksite IS NOT DISTINCT FROM e.worksite AND o.organizer IS NOT DISTINCT FROM e.organizer
    ORDER BY 1, 2 NULLS FIRST`.execute(db);
  return result.rows;
}

export interface RecoveryCounts {
  lapsed: number;
  recovered: number;
  recovered_of_lapsed: number;
}

/**
 * The month's recovery at a glance, as retentionMetrics counts it (lapses opened in the
 * month, recoveries in the month, how many of the month's lapses have recovered), for the
 * organization and for one organizer: one pass over the episodes opened or recovered in
 * the month only (two index ranges), for the workspace, which shows nothing else of it.
 */
export async function recoveryCounts(
  db: Kysely<Database>,
  organizationId: string,
  monthStart: string,
  monthEnd: string,
  organizerId: string,
): Promise<{ organization: RecoveryCounts; organizer: RecoveryCounts }> {
  const inMonth = (day: string) => sql`(${sql.ref(day)} >= ${monthStart}::date AND ${sql.ref(day)} < ${monthEnd}::date)`;
  const { rows } = await sql<{ organization: RecoveryCounts; organizer: RecoveryCounts }>`
    WITH episodes AS (
      SELECT e.organizer_staff_user_id = ${organizerId} AS mine, ${inMonth('e.opened_on')} AS opened_in_month,
             (e.close_reason = 'recovered' AND ${inMonth('e.closed_on')}) AS recovered_in_month, e.close_reason = 'recovered' AS recovered
      FROM lapse_episodes e
      WHERE e.organization_id = ${organizationId} AND (${inMonth('e.opened_on')} OR (e.close_reason = 'recovered' AND ${inMonth('e.closed_on')}))
    )
    SELECT json_build_object('lapsed', count(*) FILTER (WHERE opened_in_month), 'recovered', count(*) FILTER (WHERE recovered_in_month),
                             'recovered_of_lapsed', count(*) FILTER (WHERE opened_in_month AND recovered)) AS organization,
           json_build_object('lapsed', count(*) FILTER (WHERE mine AND opened_in_month), 'recovered', count(*) FILTER (WHERE mine AND recovered_in_month),
                             'recovered_of_lapsed', count(*) FILTER (WHERE mine AND opened_in_month AND recovered)) AS organizer
    FROM episodes`.execute(db);
  return rows[0]!;
}

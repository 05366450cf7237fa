import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/database';
import { todayIn } from '../organizations/calendar';
import { addDays, CALL_SIGNAL_DAYS, type RetentionPolicy } from './policy';

/**
 * The daily lapse scan, set-based: a fixed number of statements per organization whatever
 * its number of members. Standings are computed in SQL by the same rules as
 * memberStanding() (policy.ts); test/retention/scan-agreement.test.ts runs both over a grid of members.
 */

export const DIGEST_SIGNALS = ['lapsed', 'suspended', 'dropped', 'reinstatement_due', 'payment_failed', 'first_payment_failed', 'ach_returned', 'card_expiring', 'cancel_scheduled', 'manual_due_soon', 'payroll_missing'] as const;
// payroll_missing is flagged when a remittance is posted (src/payroll/watch.ts), not by the scan.
export const AT_RISK_SIGNALS = ['payment_failed', 'first_payment_failed', 'ach_returned', 'card_expiring', 'cancel_scheduled', 'manual_due_soon', 'payroll_missing'] as const;
export type SignalKind = (typeof DIGEST_SIGNALS)[number] | 'suspension_coming';
const ALL_SIGNALS: readonly SignalKind[] = [...DIGEST_SIGNALS, 'suspension_coming'];

const SUBSCRIPTION_LIVE = sql`('active', 'trialing', 'past_due')`;
// Verdicts that count no arrears: decisions people made, exemptions, and members who never paid.
const NO_ARREARS = sql`('resigned', 'dropped_by_officer', 'suspended_by_officer', 'exemption', 'exempt_by_officer', 'no_payment_record')`;

// The day `count` whole months after `day`, month ends kept (addMonthsKeepingEnd in policy.ts).
function addMonthsKeepingEnd(day: RawBuilder<unknown>, count: RawBuilder<unknown>): RawBuilder<string> {
  const monthEnd = (value: RawBuilder<unknown>) => sql`(date_trunc('month', ${value}::timestamp) + interval '1 month - 1 day')::date`;
  return sql<string>`CASE WHEN ${day} = ${monthEnd(day)} THEN ${monthEnd(sql`(${day}::timestamp + make_interval(months => ${count}))`)} ELSE (${day}::timestamp + make_interval(months => ${count}))::date END`;
}

/** Months owed on `today` from `arrearsFrom` (monthsOwed in policy.ts). */
export function monthsOwedSql(arrearsFrom: RawBuilder<unknown>, today: RawBuilder<unknown>): RawBuilder<number> {
  const apart = sql`((extract(year from ${today})::int - extract(year from ${arrearsFrom})::int) * 12 + extract(month from ${today})::int - extract(month from ${arrearsFrom})::int)`;
  return sql<number>`CASE WHEN ${arrearsFrom} IS NULL OR ${today} <= ${arrearsFrom} THEN 0 WHEN ${addMonthsKeepingEnd(arrearsFrom, apart)} >= ${today} THEN ${apart} ELSE ${apart} + 1 END`;
}

/** The day of the organization's next daily scan: today, unless today's has run. */
export async function nextScanDay(db: Kysely<Database>, organization: { id: string; time_zone: string }, now: Date): Promise<string> {
  const today = todayIn(organization.time_zone, now);
  const ran = await db.selectFrom('retention_scan_runs').select('scan_on').where('organization_id', '=', organization.id).where('scan_on', '=', today).executeTakeFirst();
  return ran ? addDays(today, 1) : today;
}

/** Lock the organization's retention work for this transaction: scans, sweeps and digests of one organization run one at a time. */
export async function lockOrganization(trx: Kysely<Database>, organizationId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('retention'), hashtext(${organizationId}))`.execute(trx);
}

/**
 * Planner settings for computing verdicts, for the rest of the transaction. Measured at
 * 1,000,000 members (scripts/bench/lapse-scan.ts): JIT compilation cost more than each
 * statement it served, parallel workers each rebuilt the same hash tables while the tick
 * already scans organizations side by side, and the temporary table's planner statistics
 * need only a small sample. Together they took the scan from 12.4 s to 7.3 s.
 */
export async function tuneForVerdicts(trx: Kysely<Database>): Promise<void> {
  await sql`SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true), set_config('default_statistics_target', '10', true)`.execute(trx);
}

/**
 * Computes every member's verdict into a temporary table `retention_verdicts` that lives
 * until the transaction ends; the rest of the scan reads it.
 */
export async function computeVerdicts(trx: Kysely<Database>, organizationId: string, policy: RetentionPolicy, today: string): Promise<void> {
  const t = sql`${today}::date`;
  const arrearsFrom = sql`(m.paid_through + coalesce(ex.paused, 0))`;
  const suspendAt = policy.suspendAtMonthsOwed;
  const dropAt = policy.dropAtMonthsOwed;
  await sql`
    CREATE TEMP TABLE retention_verdicts ON COMMIT DROP AS
    WITH facts AS (
      SELECT m.id AS member_id, m.standing AS current, m.standing_decision AS decision, m.paid_through,
             coalesce(ex.exempt_now, false) AS exempt_now, ex.member_id IS NOT NULL AS any_exemption,
             ${arrearsFrom} AS arrears_from,
             sub.member_id IS NOT NULL AS has_subscription,
             (sub.member_id IS NOT NULL OR payroll.member_id IS NOT NULL) AS has_arrangement,
             manual.member_id IS NOT NULL AS pays_manually,
             failing.member_id IS NOT NULL AS payment_failing,
             ${monthsOwedSql(arrearsFrom, t)} AS months_owed
      FROM members m
      LEFT JOIN (
        SELECT e.member_id,
               bool_or(e.starts_on <= ${t} AND (e.ends_on IS NULL OR e.ends_on >= ${t})) AS exempt_now,
               sum(CASE WHEN e.ends_on < ${t} AND p.paid_through IS NOT NULL THEN greatest(0, e.ends_on - greatest(e.starts_on, p.paid_through + 1) + 1) ELSE 0 END)::int AS paused
        FROM member_exemptions e
        JOIN members p ON p.organization_id = e.organization_id AND p.id = e.member_id
        WHERE e.organization_id = ${organizationId}
        GROUP BY e.member_id
      ) ex ON ex.member_id = m.id
      LEFT JOIN (SELECT DISTINCT member_id FROM stripe_subscriptions WHERE organization_id = ${organizationId} AND status IN ${SUBSCRIPTION_LIVE} AND member_id IS NOT NULL) sub ON sub.member_id = m.id
      LEFT JOIN (SELECT DISTINCT member_id, period_end FROM manual_payments WHERE organization_id = ${organizationId} AND method = 'payroll_deduction') payroll ON payroll.member_id = m.id AND payroll.period_end = m.paid_through
      LEFT JOIN (SELECT DISTINCT member_id FROM manual_payments WHERE organization_id = ${organizationId}) manual ON manual.member_id = m.id
      LEFT JOIN (SELECT DISTINCT member_id FROM stripe_invoices WHERE organization_id = ${organizationId} AND status = 'open' AND attempt_count > 0 AND member_id IS NOT NULL) failing ON failing.member_id = m.id
      WHERE m.organization_id = ${organizationId}
    ), owed AS (
      SELECT f.*, ${t} - f.arrears_from AS days_overdue
      FROM facts f
    ), judged AS (
      SELECT o.*,
             CASE
               WHEN o.decision = 'resigned' OR o.current = 'resigned' THEN 'resigned:resigned'
               WHEN o.decision = 'dropped' THEN 'dropped:dropped_by_officer'
               WHEN o.decision = 'suspended' THEN 'suspended:suspended_by_officer'
               WHEN o.exempt_now THEN 'exempt:exemption'
               WHEN o.decision = 'exempt' OR (o.current = 'exempt' AND NOT o.any_exemption) THEN 'exempt:exempt_by_officer'
               WHEN o.paid_through IS NULL THEN o.current || ':no_payment_record'
               WHEN o.days_overdue <= 0 THEN CASE WHEN o.current IN ('suspended', 'dropped') AND ${policy.reinstatement === 'fee'} THEN o.current || ':reinstatement_fee_due' ELSE 'active:paid_up' END
               WHEN ${dropAt}::int IS NOT NULL AND o.months_owed >= ${dropAt}::int THEN 'dropped:months_owed_drop'
               WHEN o.current = 'dropped' THEN 'dropped:arrears_unpaid'
               WHEN ${suspendAt}::int IS NOT NULL AND o.months_owed >= ${suspendAt}::int THEN 'suspended:months_owed_suspend'
               WHEN o.current = 'suspended' THEN 'suspended:arrears_unpaid'
               WHEN o.days_overdue > ${policy.graceDays}::int THEN 'lapsed:grace_ended'
               WHEN o.payment_failing THEN CASE WHEN o.has_arrangement AND ${policy.arrangementKeepsGoodStanding} THEN 'active:payment_retrying' ELSE 'past_due:payment_failed' END
               WHEN o.has_arrangement THEN 'active:renewal_pending'
               ELSE 'past_due:dues_overdue'
             END AS verdict
      FROM owed o
    )
    SELECT j.member_id, j.current, j.paid_through, j.arrears_from, j.has_subscription, j.pays_manually,
           split_part(j.verdict, ':', 1) AS standing,
           split_part(j.verdict, ':', 2) AS reason,
           split_part(j.verdict, ':', 1) <> j.current AS changes,
           CASE WHEN split_part(j.verdict, ':', 2) IN ${NO_ARREARS} THEN 0 ELSE j.months_owed END AS months_in_arrears,
           CASE WHEN ${suspendAt}::int IS NULL OR j.arrears_from IS NULL THEN NULL
                ELSE ${addMonthsKeepingEnd(sql`j.arrears_from`, sql`(${suspendAt}::int - 1)`)} + 1 END AS suspend_on
    FROM judged j`.execute(trx);
  // Signals join it by member from small row sets (failing invoices, cancellations), and the
  // update joins members from the few changed rows: an index and statistics keep those lookups, not scans.
  await sql`CREATE INDEX ON retention_verdicts (member_id)`.execute(trx);
  await sql`ANALYZE retention_verdicts`.execute(trx);
}

export interface VerdictRow {
  member_id: string;
  standing: string;
  reason: string;
  months_in_arrears: number;
  arrears_from: string | null;
}

/** The verdicts just computed (for tests comparing SQL with memberStanding). */
export async function readVerdicts(trx: Kysely<Database>): Promise<VerdictRow[]> {
  const result = await sql<VerdictRow>`SELECT member_id, standing, reason, months_in_arrears, arrears_from FROM retention_verdicts ORDER BY member_id`.execute(trx);
  return result.rows;
}

/**
 * Members whose verdict differs take it, each change recorded in the standing history with
 * cause 'lapse_scan'. A member whose standing changed after the verdicts were computed (a
 * payment processed meanwhile) keeps it: the verdict came from older facts, and the next
 * scan judges again. Only the few changed verdicts are joined to members, by key.
 */
async function applyVerdicts(trx: Kysely<Database>, organizationId: string, now: Date): Promise<number> {
  const result = await sql`
    WITH changed AS (
      UPDATE members m SET standing = v.standing, standing_reason = v.reason, standing_reason_since = NULL, standing_changed_at = ${now}, updated_at = ${now}
      FROM retention_verdicts v
      WHERE v.changes AND m.organization_id = ${organizationId} AND m.id = v.member_id AND m.standing = v.current
      RETURNING m.id, v.current, v.standing, v.reason
    )
    INSERT INTO member_standing_changes (organization_id, member_id, from_standing, to_standing, cause, cause_reference, reason, created_at)
    SELECT ${organizationId}, id, current, standing, 'lapse_scan', reason, reason, ${now} FROM changed`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Episodes close when a member is no longer lapsed or suspended (on the local day their
 * standing changed), and open for members newly lapsed or suspended.
 */
async function updateEpisodes(trx: Kysely<Database>, organizationId: string, timeZone: string, today: string, now: Date): Promise<{ opened: number; closed: number }> {
  const closed = await sql`
    UPDATE lapse_episodes e
    SET closed_on = greatest(e.opened_on, least(${today}::date, (m.standing_changed_at AT TIME ZONE ${timeZone})::date)),
        close_reason = CASE m.standing WHEN 'dropped' THEN 'dropped' WHEN 'resigned' THEN 'resigned' WHEN 'exempt' THEN 'exempted' ELSE 'recovered' END
    FROM members m
    WHERE e.organization_id = ${organizationId} AND e.closed_on IS NULL
      AND m.organization_id = e.organization_id AND m.id = e.member_id AND m.standing NOT IN ('lapsed', 'suspended')`.execute(trx);
  const opened = await sql`
    INSERT INTO lapse_episodes (organization_id, member_id, opened_on, worksite, organizer_staff_user_id, created_at)
    SELECT m.organization_id, m.id, ${today}::date, m.worksite, m.organizer_staff_user_id, ${now}::timestamptz
    FROM members m
    WHERE m.organization_id = ${organizationId} AND m.standing IN ('lapsed', 'suspended')
    ON CONFLICT (organization_id, member_id) WHERE closed_on IS NULL DO NOTHING`.execute(trx);
  return { opened: Number(opened.numAffectedRows ?? 0), closed: Number(closed.numAffectedRows ?? 0) };
}

/**
 * Records the signals found today, each (member, signal, key) once: lapses keyed by their
 * episode, failures by invoice, ACH returns by charge, cards by expiry month, scheduled
 * cancellations by subscription and period, manual payers and suspensions by the day.
 */
export async function detectSignals(
  trx: Kysely<Database>,
  organizationId: string,
  policy: RetentionPolicy,
  today: string,
  now: Date,
  kinds: readonly SignalKind[] = ALL_SIGNALS,
): Promise<number> {
  const t = sql`${today}::date`;
  const wanted = (kind: SignalKind) => kinds.includes(kind);
  const parts: RawBuilder<unknown>[] = [];
  if (wanted('lapsed') || wanted('suspended')) {
    parts.push(sql`
      SELECT v.member_id, v.standing, e.id::text, e.id, v.reason, v.months_in_arrears
      FROM retention_verdicts v
      JOIN lapse_episodes e ON e.organization_id = ${organizationId} AND e.member_id = v.member_id AND e.closed_on IS NULL
      WHERE v.standing IN ('lapsed', 'suspended') AND v.reason <> 'reinstatement_fee_due'`);
  }
  if (wanted('dropped')) {
    parts.push(sql`
      SELECT v.member_id, 'dropped', coalesce(v.arrears_from::text, ''), NULL::uuid, v.reason, v.months_in_arrears
      FROM retention_verdicts v WHERE v.standing = 'dropped' AND v.current <> 'dropped'`);
  }
  // Suspended or dropped for arrears, now paid up, waiting for an officer to reinstate them (the policy asks for a fee): once per paid-through day.
  if (wanted('reinstatement_due')) {
    parts.push(sql`
      SELECT v.member_id, 'reinstatement_due', coalesce(v.paid_through::text, ''), NULL::uuid, v.reason, v.months_in_arrears
      FROM retention_verdicts v WHERE v.reason = 'reinstatement_fee_due'`);
  }
  if (wanted('payment_failed')) {
    parts.push(sql`
      SELECT v.member_id, 'payment_failed', i.id, NULL::uuid, 'payment_failed', v.months_in_arrears
      FROM stripe_invoices i JOIN retention_verdicts v ON v.member_id = i.member_id
      WHERE i.organization_id = ${organizationId} AND i.status = 'open' AND i.attempt_count > 0 AND v.standing NOT IN ('resigned', 'dropped', 'exempt', 'pending')`);
  }
  // A signup whose first payment failed: never a paying member, so an organizer calls (once per member).
  if (wanted('first_payment_failed')) {
    parts.push(sql`
      SELECT v.member_id, 'first_payment_failed', 'first', NULL::uuid, 'first_payment_failed', 0
      FROM retention_verdicts v JOIN members m ON m.organization_id = ${organizationId} AND m.id = v.member_id
      WHERE v.standing = 'pending' AND m.standing_reason = 'first_payment_failed'`);
  }
  if (wanted('ach_returned')) {
    parts.push(sql`
      SELECT DISTINCT ON (v.member_id, coalesce(l.stripe_charge_id, l.source_key)) v.member_id, 'ach_returned', coalesce(l.stripe_charge_id, l.source_key), NULL::uuid, 'ach_returned', v.months_in_arrears
      FROM ledger_transactions l JOIN retention_verdicts v ON v.member_id = l.member_id
      WHERE l.organization_id = ${organizationId} AND l.kind = 'payment_reversal' AND l.payment_method = 'us_bank_account'
        AND l.occurred_at >= ${now}::timestamptz - interval '30 days' AND v.standing NOT IN ('resigned', 'dropped', 'exempt')`);
  }
  if (wanted('card_expiring')) {
    parts.push(sql`
      SELECT v.member_id, 'card_expiring', c.exp_year || '-' || lpad(c.exp_month::text, 2, '0'), NULL::uuid, 'card_expiring', v.months_in_arrears
      FROM member_card_expiries c JOIN retention_verdicts v ON v.member_id = c.member_id
      WHERE c.organization_id = ${organizationId} AND v.has_subscription AND v.standing IN ('active', 'past_due')
        AND (make_date(c.exp_year, c.exp_month, 1) + interval '1 month - 1 day')::date BETWEEN ${t} AND ${t} + 30`);
  }
  if (wanted('cancel_scheduled')) {
    parts.push(sql`
      SELECT v.member_id, 'cancel_scheduled', s.id || ':' || coalesce(s.current_period_end::text, ''), NULL::uuid, 'cancel_scheduled', v.months_in_arrears
      FROM stripe_subscriptions s JOIN retention_verdicts v ON v.member_id = s.member_id
      WHERE s.organization_id = ${organizationId} AND s.cancel_at_period_end AND s.status IN ${SUBSCRIPTION_LIVE} AND v.standing NOT IN ('resigned', 'dropped')`);
  }
  if (wanted('manual_due_soon')) {
    parts.push(sql`
      SELECT v.member_id, 'manual_due_soon', v.paid_through::text, NULL::uuid, 'manual_due_soon', v.months_in_arrears
      FROM retention_verdicts v
      WHERE v.pays_manually AND NOT v.has_subscription AND v.standing IN ('active', 'past_due') AND v.paid_through BETWEEN ${t} AND ${t} + 7`);
  }
  if (wanted('suspension_coming')) {
    parts.push(sql`
      SELECT v.member_id, 'suspension_coming', v.suspend_on::text, NULL::uuid, 'suspension_coming', v.months_in_arrears
      FROM retention_verdicts v
      WHERE v.standing IN ('active', 'past_due', 'lapsed') AND v.suspend_on BETWEEN ${t} + 1 AND ${t} + ${policy.noticeDaysBeforeSuspension}::int`);
  }
  if (parts.length === 0) return 0;
  const result = await sql`
    INSERT INTO retention_signals (organization_id, member_id, signal, signal_key, episode_id, reason, months_in_arrears, detected_on, created_at)
    SELECT ${organizationId}, found.* , ${t}, ${now}
    FROM (${sql.join(parts, sql` UNION ALL `)}) AS found (member_id, signal, signal_key, episode_id, reason, months_in_arrears)
    ON CONFLICT (organization_id, member_id, signal, signal_key) DO NOTHING`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Clears members' last signal day (members.last_signal_on, which the call list's partial
 * indexes carry) once it is long past the call list's window: twice the window, so no
 * view on any day the scan may claim still needs it.
 */
async function forgetOldSignals(trx: Kysely<Database>, organizationId: string, today: string): Promise<void> {
  await sql`UPDATE members SET last_signal_on = NULL
            WHERE organization_id = ${organizationId} AND last_signal_on < ${addDays(today, -2 * CALL_SIGNAL_DAYS)}::date`.execute(trx);
}

/**
 * Deletes the organization's call-list change rows (migration 0037) of transactions every
 * snapshot now sees, and raises its horizon past them, so a ranking any process remembers
 * from before is read afresh rather than trusted without the rows that would have
 * invalidated it. Once a day keeps the table to about a day of writing transactions.
 */
export async function pruneCallListChanges(trx: Kysely<Database>, organizationId: string): Promise<void> {
  await sql`
    WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS before), pruned AS (
      DELETE FROM call_list_changes c USING horizon WHERE c.organization_id = ${organizationId} AND c.xact < horizon.before
    )
    INSERT INTO call_list_horizons (organization_id, pruned_before) SELECT ${organizationId}, before FROM horizon
    ON CONFLICT (organization_id) DO UPDATE SET pruned_before = greatest(call_list_horizons.pruned_before, excluded.pruned_before)`.execute(trx);
}

export interface ScanReport {
  scanOn: string;
  /** False when this organization's scan for the day had already run (another instance, a retry). */
  ran: boolean;
  standingChanges: number;
  episodesOpened: number;
  episodesClosed: number;
  signals: number;
}

/**
 * The day's scan for one organization, in the caller's transaction: claims the day (a
 * second claim, from any instance, finds the row and stops), applies the verdicts, moves
 * episodes and records the signals.
 */
export async function scanOrganization(
  trx: Kysely<Database>,
  options: { organizationId: string; timeZone: string; policy: RetentionPolicy; today: string; now: Date },
): Promise<ScanReport> {
  const { organizationId, timeZone, policy, today, now } = options;
  const claimed = await trx
    .insertInto('retention_scan_runs')
    .values({ organization_id: organizationId, scan_on: today, started_at: now })
    .onConflict((oc) => oc.columns(['organization_id', 'scan_on']).doNothing())
    .returning('scan_on')
    .executeTakeFirst();
  if (!claimed) return { scanOn: today, ran: false, standingChanges: 0, episodesOpened: 0, episodesClosed: 0, signals: 0 };

  await tuneForVerdicts(trx);
  await computeVerdicts(trx, organizationId, policy, today);
  const standingChanges = await applyVerdicts(trx, organizationId, now);
  const episodes = await updateEpisodes(trx, organizationId, timeZone, today, now);
  const signals = await detectSignals(trx, organizationId, policy, today, now);
  await forgetOldSignals(trx, organizationId, today);
  await pruneCallListChanges(trx, organizationId);
  const report: ScanReport = { scanOn: today, ran: true, standingChanges, episodesOpened: episodes.opened, episodesClosed: episodes.closed, signals };
  await trx.updateTable('retention_scan_runs').set({ report: JSON.stringify(report) }).where('organization_id', '=', organizationId).where('scan_on', '=', today).execute();
  return report;
}

import { TZDate } from '@date-fns/tz';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { sql, type Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import { lapseScanChanges, lapseScanSeconds } from '../metrics/metrics';
import { todayIn } from '../organizations/calendar';
import { queueDigests, queueImmediateFailureAlerts } from './digest';
import { queueMemberNotices } from './notices';
import { loadPolicy } from './queries';
import { computeVerdicts, detectSignals, lockOrganization, scanOrganization, type ScanReport } from './scan';

export interface RetentionDeps {
  db: Kysely<Database>;
  publicUrl: string;
  now: () => Date;
  /** Wakes the email sender once a run's messages are committed. */
  notifyOutbox: () => void;
}

export interface DailyReport {
  organizationId: string;
  scan: ScanReport;
  notices: number;
  immediateAlerts: number;
  digests: number;
  digestItems: number;
}

/**
 * One organization's day: scan, member notices, immediate failure alerts and organizer
 * digests, in one transaction, so the emails and the facts they report commit together.
 * A second call the same local day (a retry, another instance) finds the day claimed and
 * does nothing.
 */
export async function runDailyRetention(deps: RetentionDeps, organizationId: string): Promise<DailyReport> {
  const now = deps.now();
  const started = performance.now();
  const report = await deps.db.transaction().execute(async (trx) => {
    await lockOrganization(trx, organizationId);
    const organization = await trx.selectFrom('organizations').selectAll().where('id', '=', organizationId).executeTakeFirstOrThrow();
    const policy = await loadPolicy(trx, organizationId);
    const today = todayIn(organization.time_zone, now);
    const scan = await scanOrganization(trx, { organizationId, timeZone: organization.time_zone, policy, today, now });
    if (!scan.ran) return { organizationId, scan, notices: 0, immediateAlerts: 0, digests: 0, digestItems: 0 };
    const sendOptions = { organization, policy, today, now, publicUrl: deps.publicUrl };
    const notices = await queueMemberNotices(trx, sendOptions);
    const immediateAlerts = await queueImmediateFailureAlerts(trx, sendOptions);
    const digest = await queueDigests(trx, sendOptions);
    return { organizationId, scan, notices, immediateAlerts, digests: digest.digests, digestItems: digest.items };
  });
  if (report.scan.ran) {
    lapseScanSeconds.set({ organization: organizationId }, (performance.now() - started) / 1000);
    lapseScanChanges.inc({ organization: organizationId }, report.scan.standingChanges);
  }
  if (report.notices + report.immediateAlerts + report.digests > 0) deps.notifyOutbox();
  return report;
}

/**
 * Between daily scans: payment failures and ACH returns seen since, with the member's notice
 * and (if the policy asks) the organizer's immediate alert. Standings are left to the scan.
 */
export async function sweepPaymentFailures(deps: RetentionDeps, organization: Organization): Promise<number> {
  const now = deps.now();
  const queued = await deps.db.transaction().execute(async (trx) => {
    await lockOrganization(trx, organization.id);
    const policy = await loadPolicy(trx, organization.id);
    if (!policy.immediateFailureAlert && !policy.notices.paymentFailed) return 0;
    if (!(await hasUnsignalledFailures(trx, organization.id, now))) return 0;
    const today = todayIn(organization.time_zone, now);
    await computeVerdicts(trx, organization.id, policy, today);
    await detectSignals(trx, organization.id, policy, today, now, ['payment_failed', 'ach_returned']);
    const sendOptions = { organization, policy, today, now, publicUrl: deps.publicUrl };
    return (await queueMemberNotices(trx, sendOptions)) + (await queueImmediateFailureAlerts(trx, sendOptions));
  });
  if (queued > 0) deps.notifyOutbox();
  return queued;
}

// A cheap look (partial indexes) before the sweep computes every member's verdict.
async function hasUnsignalledFailures(trx: Kysely<Database>, organizationId: string, now: Date): Promise<boolean> {
  const result = await sql<{ found: boolean }>`
    SELECT EXISTS (
      SELECT 1 FROM stripe_invoices i
      WHERE i.organization_id = ${organizationId} AND i.status = 'open' AND i.attempt_count > 0 AND i.member_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM retention_signals s WHERE s.organization_id = i.organization_id AND s.member_id = i.member_id AND s.signal = 'payment_failed' AND s.signal_key = i.id)
    ) OR EXISTS (
      SELECT 1 FROM ledger_transactions l
      WHERE l.organization_id = ${organizationId} AND l.kind = 'payment_reversal' AND l.payment_method = 'us_bank_account' AND l.member_id IS NOT NULL
        AND l.occurred_at >= ${now}::timestamptz - interval '30 days'
        AND NOT EXISTS (SELECT 1 FROM retention_signals s WHERE s.organization_id = l.organization_id AND s.member_id = l.member_id AND s.signal = 'ach_returned' AND s.signal_key = coalesce(l.stripe_charge_id, l.source_key))
    ) AS found`.execute(trx);
  return result.rows[0]!.found;
}

/** Organizations scanned at once: each scan is one connection's work, so a few use several cores without taking the pool. */
export const RETENTION_CONCURRENCY = 3;

/** Runs `work` over the items, at most `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Each organization whose local hour has reached its policy's daily hour gets its day's run; every organization gets a failure sweep. */
export async function retentionTick(deps: RetentionDeps, logger: Logger): Promise<DailyReport[]> {
  const organizations = await deps.db.selectFrom('organizations').selectAll().orderBy('id').execute();
  const reports: DailyReport[] = [];
  const runOne = async (organization: Organization) => {
    try {
      await sweepPaymentFailures(deps, organization);
      const policy = await loadPolicy(deps.db, organization.id);
      if (new TZDate(deps.now().getTime(), organization.time_zone).getHours() < policy.dailyHour) return;
      const report = await runDailyRetention(deps, organization.id);
      if (report.scan.ran) {
        logger.info(report, `retention: ${organization.slug} scanned for ${report.scan.scanOn}`);
        reports.push(report);
      }
    } catch (error) {
      // One organization's failure must not hold up the others; the next tick retries it.
      logger.error({ err: error, organizationId: organization.id }, 'retention run failed');
    }
  };
  await inParallel(organizations, RETENTION_CONCURRENCY, runOne);
  return reports;
}

export const RETENTION_QUEUE = 'retention-tick';

/**
 * A tick every 15 minutes on pg-boss (whichever instance takes the job); the scan-run row
 * per organization and day keeps a scan to once a day however many instances tick.
 */
export async function startRetentionWorker(boss: PgBoss, deps: RetentionDeps, logger: Logger): Promise<void> {
  await boss.createQueue(RETENTION_QUEUE, { name: RETENTION_QUEUE, policy: 'short', retryLimit: 2, retryBackoff: true });
  await boss.schedule(RETENTION_QUEUE, '*/15 * * * *');
  await boss.work(RETENTION_QUEUE, async () => {
    await retentionTick(deps, logger);
  });
}

import { sql, type Kysely } from 'kysely';
import type { Database, Standing } from '../../db/database';
import type { RetentionPolicy, StandingReason } from './policy';
import { computeVerdicts, tuneForVerdicts } from './scan';

/** A member whose standing the scan would change. */
export interface PreviewedChange {
  memberId: string;
  name: string;
  from: Standing;
  to: Standing;
  reason: StandingReason;
  monthsInArrears: number;
}

export interface ScanPreview {
  /** The day of the scan previewed. */
  on: string;
  /** How many members would change, in all, and into each standing. */
  total: number;
  into: Partial<Record<Standing, number>>;
  /** The first `limit` of them, the most months owed first. */
  changes: PreviewedChange[];
}

/**
 * What the daily scan on `on` would do under `policy`: the same verdicts the scan computes
 * (computeVerdicts), read and thrown away, so a policy can be weighed before it is saved.
 * The scan changes exactly these members unless a payment or decision arrives first.
 */
export async function previewScan(db: Kysely<Database>, organizationId: string, policy: RetentionPolicy, on: string, limit: number): Promise<ScanPreview> {
  return db.transaction().execute(async (trx) => {
    await tuneForVerdicts(trx);
    await computeVerdicts(trx, organizationId, policy, on);
    const counts = await sql<{ standing: Standing; n: number }>`SELECT standing, count(*)::int AS n FROM retention_verdicts WHERE changes GROUP BY standing`.execute(trx);
    const rows = await sql<{ member_id: string; name: string; current: Standing; standing: Standing; reason: StandingReason; months_in_arrears: number }>`
      SELECT v.member_id, m.name, v.current, v.standing, v.reason, v.months_in_arrears
      FROM retention_verdicts v JOIN members m ON m.organization_id = ${organizationId} AND m.id = v.member_id
      WHERE v.changes
      ORDER BY v.months_in_arrears DESC, m.name, v.member_id
      LIMIT ${limit}`.execute(trx);
    const into: Partial<Record<Standing, number>> = {};
    for (const { standing, n } of counts.rows) into[standing] = n;
    return {
      on,
      total: counts.rows.reduce((sum, row) => sum + row.n, 0),
      into,
      changes: rows.rows.map((r) => ({ memberId: r.member_id, name: r.name, from: r.current, to: r.standing, reason: r.reason, monthsInArrears: r.months_in_arrears })),
    };
  });
}

export interface ScanVerdict {
  standing: Standing;
  reason: StandingReason;
  monthsInArrears: number;
}

/**
 * The standing the scan on `on` gives each of these members, in the caller's transaction
 * (the verdicts are computed for the organization, read for these, and dropped again).
 */
export async function nextScanStandings(trx: Kysely<Database>, organizationId: string, policy: RetentionPolicy, on: string, memberIds: readonly string[]): Promise<Map<string, ScanVerdict>> {
  if (memberIds.length === 0) return new Map();
  await computeVerdicts(trx, organizationId, policy, on);
  const rows = await sql<{ member_id: string; standing: Standing; reason: StandingReason; months_in_arrears: number }>`
    SELECT member_id, standing, reason, months_in_arrears FROM retention_verdicts WHERE member_id = any(${[...memberIds]}::uuid[])`.execute(trx);
  await sql`DROP TABLE retention_verdicts`.execute(trx);
  return new Map(rows.rows.map((r) => [r.member_id, { standing: r.standing, reason: r.reason, monthsInArrears: r.months_in_arrears }]));
}

/**
 * Lapse-scan benchmark: generates members across organizations with two years of payments
 * (85% paying, 10% at risk, 5% lapsed), then times each organization's daily scan and its
 * notices and digest build, counting the SQL statements each runs. Organizations differ
 * in size (the largest has 20 times the members of the smallest), so the per-organization
 * statement counts show that they do not grow with members.
 *
 *   npm run bench:lapse-scan -- [--members 1000000] [--orgs 20] [--months 24] [--verbose]
 *
 * Uses DATABASE_URL's server when set, otherwise an embedded PostgreSQL; the benchmark
 * database is dropped at the end.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import type { Database } from '../../db/database';
import { todayIn } from '../../src/organizations/calendar';
import { queueDigests, queueImmediateFailureAlerts } from '../../src/retention/digest';
import { inParallel, RETENTION_CONCURRENCY, runDailyRetention } from '../../src/retention/jobs';
import { queueMemberNotices } from '../../src/retention/notices';
import { addDays } from '../../src/retention/policy';
import { loadPolicy } from '../../src/retention/queries';
import { lockOrganization, scanOrganization } from '../../src/retention/scan';
import { benchDatabase, flag } from './support';

const MEMBERS = flag('members', 1_000_000);
const ORGS = flag('orgs', 20);
const MONTHS = flag('months', 24);
const VERBOSE = process.argv.includes('--verbose');
const ZONES = ['America/Chicago', 'America/New_York', 'America/Los_Angeles', 'America/Denver', 'Pacific/Honolulu'];
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/** A Kysely on its own pool that counts every statement it sends. */
function countingDb(url: string) {
  const counter = { statements: 0 };
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new Pool({ connectionString: url, max: 2 }) }),
    log: (event) => {
      if (event.level === 'query') counter.statements += 1;
      // --verbose: each statement's time and its first words, to find the slow one.
      if (VERBOSE) console.log(`    ${event.queryDurationMillis.toFixed(1).padStart(8)} ms  ${event.query.sql.replace(/\s+/g, ' ').trim().slice(0, 110)}`);
    },
  });
  return { db, counter };
}

async function generate(db: Kysely<Database>, today: string, now: Date): Promise<Array<{ id: string; slug: string; members: number }>> {
  const weights = Array.from({ length: ORGS }, (_, i) => i + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const organizations: Array<{ id: string; slug: string; members: number }> = [];
  for (let i = 0; i < ORGS; i += 1) {
    const slug = `bench-${i + 1}`;
    const members = i === ORGS - 1 ? MEMBERS - organizations.reduce((a, o) => a + o.members, 0) : Math.round((MEMBERS * weights[i]!) / total);
    const org = await db
      .insertInto('organizations')
      .values({ slug, name: `Bench Local ${i + 1}`, time_zone: ZONES[i % ZONES.length]!, currency: 'usd', settings: '{}', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    organizations.push({ id: org.id, slug, members });
    const organizers = await sql<{ id: string }>`
      INSERT INTO staff_users (email, name, created_at) SELECT 'organizer' || k || '@' || ${slug} || '.bench', 'Organizer ' || k, ${now}::timestamptz FROM generate_series(1, 5) k RETURNING id`.execute(db);
    const organizerIds = organizers.rows.map((row) => row.id);
    await sql`INSERT INTO staff_roles (organization_id, staff_user_id, role, created_at) SELECT ${org.id}, id, 'organizer', ${now}::timestamptz FROM unnest(${organizerIds}::uuid[]) id`.execute(db);
    await sql`INSERT INTO worksite_organizers (organization_id, worksite, organizer_staff_user_id, updated_at) SELECT ${org.id}, 'Worksite ' || w, (${organizerIds}::uuid[])[1 + w % 5], ${now}::timestamptz FROM generate_series(0, 49) w`.execute(db);

    // The mix by g % 100: 0-84 paying by subscription; 85-87 a payment failing; 88-89 cancelling
    // at period end; 90-91 card expiring; 92-94 paying cash, due within a week; 95-99 lapsed.
    const t = sql`${today}::date`;
    const at = sql`${now}::timestamptz`;
    await sql`
      INSERT INTO members (organization_id, name, email, phone, preferred_language, worksite, organizer_staff_user_id, external_id, standing, paid_through, joined_on, stripe_customer_id, created_at, updated_at, standing_changed_at)
      SELECT ${org.id}, 'Member ' || g, 'm' || g || '@' || ${slug} || '.bench', '+1 555 ' || lpad((g % 10000)::text, 4, '0'),
             CASE WHEN g % 4 = 0 THEN 'es' ELSE 'en' END, 'Worksite ' || (g % 50),
             CASE WHEN g % 2 = 0 THEN (${organizerIds}::uuid[])[1 + g % 5] END, g::text,
             CASE WHEN g % 100 BETWEEN 85 AND 87 THEN 'past_due' WHEN g % 100 >= 95 AND g % 2 = 0 THEN 'lapsed' ELSE 'active' END,
             CASE WHEN g % 100 < 85 OR g % 100 BETWEEN 88 AND 91 THEN ${t} + (g % 28)
                  WHEN g % 100 BETWEEN 85 AND 87 THEN ${t} - (1 + g % 20)
                  WHEN g % 100 BETWEEN 92 AND 94 THEN ${t} + (g % 7)
                  ELSE ${t} - (35 + g % 200) END,
             ${t} - 730 + (g % 30),
             CASE WHEN g % 100 < 92 OR g % 100 >= 95 THEN 'cus_' || g END, ${at}, ${at}, ${at}
      FROM generate_series(1, ${members}::int) g`.execute(db);
    await sql`
      INSERT INTO stripe_subscriptions (organization_id, id, member_id, customer_id, status, cancel_at_period_end, collection_paused, current_period_end, updated_at)
      SELECT m.organization_id, 'sub_' || m.external_id, m.id, m.stripe_customer_id,
             CASE WHEN m.external_id::int % 100 BETWEEN 85 AND 87 THEN 'past_due' WHEN m.external_id::int % 100 >= 95 THEN 'canceled' ELSE 'active' END,
             m.external_id::int % 100 BETWEEN 88 AND 89, false, m.paid_through + 1, ${at}
      FROM members m WHERE m.organization_id = ${org.id} AND m.stripe_customer_id IS NOT NULL`.execute(db);
    // Two years of monthly invoices, paid, ending at each subscriber's paid-through day.
    await sql`
      INSERT INTO stripe_invoices (organization_id, id, member_id, subscription_id, status, currency, amount_due, amount_paid, period_start, period_end, attempt_count, paid_at, updated_at)
      SELECT m.organization_id, 'in_' || m.external_id || '_' || k, m.id, 'sub_' || m.external_id, 'paid', 'usd', 2500, 2500,
             (m.paid_through - make_interval(months => k))::date + 1, (m.paid_through - make_interval(months => k - 1))::date,
             1, (m.paid_through - make_interval(months => k))::timestamp + interval '1 day 9 hours', ${at}
      FROM members m CROSS JOIN generate_series(1, ${MONTHS}::int) k
      WHERE m.organization_id = ${org.id} AND m.stripe_customer_id IS NOT NULL`.execute(db);
    await sql`
      INSERT INTO stripe_invoices (organization_id, id, member_id, subscription_id, status, currency, amount_due, amount_paid, period_start, period_end, attempt_count, updated_at)
      SELECT m.organization_id, 'in_' || m.external_id || '_open', m.id, 'sub_' || m.external_id, 'open', 'usd', 2500, 0, m.paid_through + 1, (m.paid_through + interval '1 month')::date, 1 + m.external_id::int % 3, ${at}
      FROM members m WHERE m.organization_id = ${org.id} AND m.external_id::int % 100 BETWEEN 85 AND 87`.execute(db);
    await sql`
      INSERT INTO member_card_expiries (organization_id, member_id, exp_month, exp_year, updated_at)
      SELECT m.organization_id, m.id, extract(month from ${t})::int, extract(year from ${t})::int, ${at}
      FROM members m WHERE m.organization_id = ${org.id} AND m.external_id::int % 100 BETWEEN 90 AND 91`.execute(db);
    await sql`
      INSERT INTO manual_payments (organization_id, member_id, method, amount_cents, currency, period_start, period_end, received_on, created_at)
      SELECT m.organization_id, m.id, 'cash', 2500, 'usd', (m.paid_through - make_interval(months => k))::date + 1, (m.paid_through - make_interval(months => k - 1))::date, (m.paid_through - make_interval(months => k))::date, ${at}
      FROM members m CROSS JOIN generate_series(1, ${MONTHS}::int) k
      WHERE m.organization_id = ${org.id} AND m.external_id::int % 100 BETWEEN 92 AND 94`.execute(db);
    process.stdout.write(`  ${slug}: ${members.toLocaleString('en-US')} members\n`);
  }
  await sql`ANALYZE`.execute(db);
  return organizations;
}

interface Timing {
  slug: string;
  members: number;
  scanSeconds: number;
  scanStatements: number;
  sendSeconds: number;
  sendStatements: number;
  changes: number;
  signals: number;
  notices: number;
  digests: number;
}

/** Each organization's day in its own transaction, RETENTION_CONCURRENCY at a time as the tick runs them; statements counted per organization. */
async function scanAll(url: string, organizations: Array<{ id: string; slug: string; members: number }>, now: Date): Promise<{ timings: Timing[]; wallSeconds: number }> {
  const timings: Timing[] = [];
  const started = process.hrtime.bigint();
  await inParallel(organizations, RETENTION_CONCURRENCY, async (organization) => {
    const { db, counter } = countingDb(url);
    try {
      const timing = await db.transaction().execute(async (trx) => {
        const org = await trx.selectFrom('organizations').selectAll().where('id', '=', organization.id).executeTakeFirstOrThrow();
        const today = todayIn(org.time_zone, now);
        counter.statements = 0;
        let started = process.hrtime.bigint();
        await lockOrganization(trx, org.id);
        const policy = await loadPolicy(trx, org.id);
        const scan = await scanOrganization(trx, { organizationId: org.id, timeZone: org.time_zone, policy, today, now });
        const scanSeconds = seconds(started);
        const scanStatements = counter.statements;
        counter.statements = 0;
        started = process.hrtime.bigint();
        const options = { organization: org, policy, today, now, publicUrl: 'https://dues.bench.example' };
        const notices = await queueMemberNotices(trx, options);
        await queueImmediateFailureAlerts(trx, options);
        const digests = await queueDigests(trx, options);
        return { slug: org.slug, members: organization.members, scanSeconds, scanStatements, sendSeconds: seconds(started), sendStatements: counter.statements, changes: scan.standingChanges, signals: scan.signals, notices, digests: digests.digests };
      });
      timings.push(timing);
    } finally {
      await db.destroy();
    }
  });
  return { timings: timings.sort((a, b) => a.members - b.members), wallSeconds: seconds(started) };
}

function report(title: string, { timings, wallSeconds }: { timings: Timing[]; wallSeconds: number }): void {
  const sum = (pick: (t: Timing) => number) => timings.reduce((a, t) => a + pick(t), 0);
  console.log(`\n${title}`);
  console.log('org          members   scan s  stmts  changes  signals   send s  stmts  notices  digests');
  for (const t of timings) {
    console.log(
      `${t.slug.padEnd(10)} ${String(t.members).padStart(9)} ${t.scanSeconds.toFixed(3).padStart(8)} ${String(t.scanStatements).padStart(6)} ${String(t.changes).padStart(8)} ${String(t.signals).padStart(8)} ${t.sendSeconds.toFixed(3).padStart(8)} ${String(t.sendStatements).padStart(6)} ${String(t.notices).padStart(8)} ${String(t.digests).padStart(8)}`,
    );
  }
  const statementCounts = new Set(timings.map((t) => `${t.scanStatements}+${t.sendStatements}`));
  console.log(
    `total      ${String(sum((t) => t.members)).padStart(9)} ${sum((t) => t.scanSeconds).toFixed(3).padStart(8)} ${String(sum((t) => t.scanStatements)).padStart(6)} ${String(sum((t) => t.changes)).padStart(8)} ${String(sum((t) => t.signals)).padStart(8)} ${sum((t) => t.sendSeconds).toFixed(3).padStart(8)} ${String(sum((t) => t.sendStatements)).padStart(6)} ${String(sum((t) => t.notices)).padStart(8)} ${String(sum((t) => t.digests)).padStart(8)}`,
  );
  console.log(`wall clock, ${RETENTION_CONCURRENCY} organizations at a time: ${wallSeconds.toFixed(3)} s for scans, notices and digests`);
  console.log(`statements per organization (scan+send): ${[...statementCounts].join(', ')} — from ${Math.min(...timings.map((t) => t.members))} to ${Math.max(...timings.map((t) => t.members))} members`);
}

async function main(): Promise<void> {
  console.log(`lapse-scan benchmark: ${MEMBERS.toLocaleString('en-US')} members, ${ORGS} organizations, ${MONTHS} months of payments`);
  const bench = await benchDatabase();
  try {
    const now = new Date();
    const today = todayIn('America/Chicago', now);
    let started = process.hrtime.bigint();
    const organizations = await generate(bench.db, today, now);
    const rows = await sql<{ invoices: number; payments: number }>`SELECT (SELECT count(*) FROM stripe_invoices)::int AS invoices, (SELECT count(*) FROM manual_payments)::int AS payments`.execute(bench.db);
    console.log(`generated in ${seconds(started).toFixed(1)} s: ${rows.rows[0]!.invoices.toLocaleString('en-US')} invoices, ${rows.rows[0]!.payments.toLocaleString('en-US')} manual payments`);

    report('first daily scan (members newly lapsed, at risk, notices and digests):', await scanAll(bench.url, organizations, now));

    started = process.hrtime.bigint();
    const again = await Promise.all(organizations.map((o) => runDailyRetention({ db: bench.db, publicUrl: 'https://dues.bench.example', now: () => now, notifyOutbox: () => undefined }, o.id)));
    console.log(`\nsame day again, all organizations at once: ${again.filter((r) => r.scan.ran).length} scans ran, ${again.reduce((a, r) => a + r.digests + r.notices, 0)} emails queued, ${seconds(started).toFixed(3)} s`);

    // A day passes before the next scan, and autovacuum with it: the first scan's mass
    // changes leave dead rows and stale statistics that a real day clears.
    started = process.hrtime.bigint();
    await sql`VACUUM ANALYZE`.execute(bench.db);
    await sql`CHECKPOINT`.execute(bench.db);
    console.log(`\nVACUUM ANALYZE and CHECKPOINT (what autovacuum and the checkpointer do during the day): ${seconds(started).toFixed(1)} s`);
    const tomorrow = new Date(now.getTime() + 86_400_000);
    report(`next day (${addDays(today, 1)}: a steady-state scan):`, await scanAll(bench.url, organizations, tomorrow));
  } finally {
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

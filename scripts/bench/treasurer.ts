/**
 * Treasurer's desk benchmark (`npm run bench:treasurer`): one organization with 1,000,000
 * ledger transactions (2,000,000 entries) over the last 15 months, generated set-based
 * (scripts/bench/treasurer-data.ts). Against the real app in its own process, over loopback
 * at concurrency 4: the dashboard, the ledger's first page and a filtered ledger page
 * (a month, one kind), beside GET /healthz through the same app (the baseline); p50/p99,
 * pages/s, and the SQL statements each page ran (counted in this process on the same
 * database). Then the bank statement benchmark (scripts/bench/bank-match.ts, 10,000 lines)
 * in its own process, whose figures it prints.
 *
 *   npm run bench:treasurer -- [--rows 1000000] [--requests 200] [--concurrency 4] [--keep]
 *   npm run bench:treasurer -- --reuse postgres://…/gs_bench_…   (a database a --keep run left; migrated first)
 *
 * Uses DATABASE_URL's server when set, otherwise an embedded PostgreSQL. Aims: each page
 * p99 < 300 ms; the statement matched in under 5 s.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import request from 'supertest';
import type { Database } from '../../db/database';
import { createDb } from '../../db/connection';
import { migrateToLatest } from '../../db/migrate';
import { buildApp } from '../../src/app';
import { SESSION_COOKIE } from '../../src/auth/guard';
import { openStaffSession } from '../../src/auth/sessions';
import { loadConfig } from '../../src/config/config';
import { insertOrganization } from '../../src/organizations/queries';
import { grantRole, upsertStaffUser } from '../../src/staff/queries';
import { lastMonths } from '../../src/treasurer/dashboard';
import { ledgerDaySums } from '../../src/treasurer/ledger-days';
import { todayIn } from '../../src/organizations/calendar';
import { benchContext } from './bench-app';
import { generateTreasurerLedger } from './treasurer-data';
import { benchDatabase, flag, formatLoad, runLoad, spawnServer } from './support';

const ROWS = flag('rows', 1_000_000);
const REQUESTS = flag('requests', 200);
const CONCURRENCY = flag('concurrency', 4);
const KEEP = process.argv.includes('--keep');
const reuseAt = process.argv.indexOf('--reuse');
const REUSE = reuseAt === -1 ? undefined : process.argv[reuseAt + 1];
const SLUG = 'bench-treasurer';
const TIME_ZONE = 'America/Chicago';
const AIM_MS = 300;

const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

async function main(): Promise<void> {
  const started = Date.now();
  const bench = REUSE ? reused(REUSE) : await benchDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const now = new Date();
  let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
  try {
    if (REUSE) {
      await migrateToLatest(bench.db);
      await sql`ANALYZE ledger_transactions, ledger_entries`.execute(bench.db);
    } else {
      const organization = await insertOrganization(bench.db, { slug: SLUG, name: 'Bench Treasurer Local', timeZone: TIME_ZONE, currency: 'usd' }, now);
      const user = await upsertStaffUser(bench.db, { email: 'treasurer@bench-treasurer.example', name: 'Bench Treasurer' }, now);
      await grantRole(bench.db, organization.id, user.id, 'treasurer', now);
      log(`generating ${ROWS.toLocaleString('en-US')} ledger transactions over 15 months…`);
      const at = Date.now();
      await generateTreasurerLedger(bench.db, organization.id, { count: ROWS, end: now, days: 456 });
      log(`  done in ${seconds(at)} s`);
    }
    const organization = await bench.db.selectFrom('organizations').select('id').where('slug', '=', SLUG).executeTakeFirstOrThrow();
    const treasurer = await bench.db.selectFrom('staff_roles').select('staff_user_id').where('organization_id', '=', organization.id).where('role', '=', 'treasurer').executeTakeFirstOrThrow();
    const counts = await sql<{ transactions: string; entries: string; sum: string }>`
      SELECT (SELECT count(*) FROM ledger_transactions WHERE organization_id = ${organization.id}) AS transactions,
        count(*) AS entries, coalesce(sum(amount_cents), 0) AS sum
      FROM ledger_entries WHERE organization_id = ${organization.id}`.execute(bench.db);
    const c = counts.rows[0]!;
    log(`ledger: ${Number(c.transactions).toLocaleString('en-US')} transactions, ${Number(c.entries).toLocaleString('en-US')} entries, entries sum to ${c.sum}`);

    const { token } = await openStaffSession(bench.db, config.jwtSecret, { staffUserId: treasurer.staff_user_id, organizationId: organization.id, roles: ['treasurer'], via: 'issued_token' }, 3600, now);
    const headers = { Cookie: `${SESSION_COOKIE}=${token}`, Accept: 'text/html' };
    const today = todayIn(TIME_ZONE, now);
    const months = lastMonths(today, 4);
    const filtered = (i: number) => {
      const month = months[i % 3]!;
      const kind = ['manual_payment', 'processing_fee', 'dues_payment'][i % 3]!;
      return `/console/ledger?from=${month}-01&to=${month}-28&kind=${kind}`;
    };

    // The ledger's day sums, which the dashboard and the ledger's balances read: the first
    // read sums every entry; later ones add what was posted since (src/treasurer/ledger-days.ts).
    for (let i = 0; i < 3; i += 1) {
      const at = process.hrtime.bigint();
      const sums = await ledgerDaySums(bench.db, organization.id, TIME_ZONE, 'usd');
      log(`ledger day sums, ${i === 0 ? 'first read (every entry)' : 'a later read'}: ${(Number(process.hrtime.bigint() - at) / 1e6).toFixed(0)} ms, ${sums.length.toLocaleString('en-US')} sums`);
    }

    // Statements per page, on a Kysely that counts every query.
    let statements = 0;
    const pool = new Pool({ connectionString: bench.url, max: 4 });
    const counting = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: (event) => void (event.level === 'query' && (statements += 1)) });
    const local = buildApp(benchContext(bench.url, { db: counting, publicUrl: 'http://127.0.0.1:3000' }));
    log('\nstatements and weight per page:');
    for (const [name, target] of [
      ['dashboard', '/console/dashboard'],
      ['ledger, first page', '/console/ledger'],
      ['ledger, filtered page', filtered(0)],
    ] as const) {
      statements = 0;
      const res = await request(local).get(target).set(headers);
      if (res.status !== 200) throw new Error(`${target} answered ${res.status}`);
      log(`  ${name.padEnd(24)} ${String(statements).padStart(2)} statements   ${(Buffer.byteLength(res.text) / 1024).toFixed(1).padStart(5)} KB   ${(res.text.match(/<tr>/g) ?? []).length} table rows`);
    }
    await counting.destroy();

    server = await spawnServer(path.join(__dirname, 'console-server.ts'), { BENCH_DATABASE_URL: bench.url });
    const pages: Array<[string, (i: number) => { path: string; headers: Record<string, string> }]> = [
      ['GET /healthz (baseline)', () => ({ path: '/healthz', headers: {} })],
      ['dashboard', () => ({ path: '/console/dashboard', headers })],
      ['ledger, first page', () => ({ path: '/console/ledger', headers })],
      ['ledger, filtered page', (i) => ({ path: filtered(i), headers })],
    ];
    const warm = Math.max(CONCURRENCY, Math.round(REQUESTS / 10));
    log(`\nat concurrency ${CONCURRENCY}, ${REQUESTS} requests each (after ${warm} to warm up), over loopback:`);
    let baseline = 0;
    const missed: string[] = [];
    for (const [name, make] of pages) {
      const requests = (count: number, offset: number) => Array.from({ length: count }, (_, i) => ({ method: 'GET', ...make(i + offset) }));
      await runLoad(server.url, requests(warm, 1), CONCURRENCY);
      const result = await runLoad(server.url, requests(name === pages[0]![0] ? REQUESTS * 10 : REQUESTS, 0), CONCURRENCY);
      if (baseline === 0) baseline = result.perSecond;
      log(`  ${formatLoad(name, result)}   ${((result.perSecond / baseline) * 100).toFixed(1)}% of the baseline's rate`);
      if (result.errors > 0) process.exitCode = 1;
      if (name !== pages[0]![0] && !(result.p99Ms < AIM_MS)) missed.push(name);
    }
    log(`\naim (each page p99 < ${AIM_MS} ms at concurrency ${CONCURRENCY}): ${missed.length === 0 ? 'met' : `NOT met (${missed.join(', ')})`}`);
  } finally {
    await server?.stop();
    if (KEEP && !REUSE) {
      await bench.db.destroy();
      log(`kept the database: --reuse ${bench.url}`);
    } else await bench.drop();
  }

  log('\nbank statement (scripts/bench/bank-match.ts, its own database):');
  const bank = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bank-match.ts')], { stdio: 'inherit', env: process.env });
  if (bank.status !== 0) process.exitCode = 1;
  log(`\nfinished in ${seconds(started)} s`);
}

/** A database a --keep run left: measured, never dropped. */
function reused(url: string): { url: string; db: ReturnType<typeof createDb>; drop(): Promise<void> } {
  const db = createDb(url, { max: 20 });
  return { url, db, drop: () => db.destroy() };
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

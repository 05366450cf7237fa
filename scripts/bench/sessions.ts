/**
 * The per-request cost of checking the session (`npm run bench:sessions`). Every staff
 * request runs the guard's one statement: the roles in force, with an EXISTS on the token's
 * session folded in (src/auth/sessions.ts). Measured two ways on a database holding
 * --sessions session rows (a quarter revoked), in the same run:
 *
 *   statement — the guard's statement before sessions (roles only, `rolesIn`) and now
 *               (`principalInSession`), alternating in rounds, one at a time on one connection:
 *               mean µs per statement and the ratio;
 *   HTTP      — GET /api/staff/:id (the guard, then one query) against GET /healthz through
 *               the same app in its own process, at --concurrency over loopback.
 *
 *   npm run bench:sessions -- [--sessions 200000] [--statements 20000] [--requests 5000] [--concurrency 16]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openStaffSession, principalInSession } from '../../src/auth/sessions';
import { loadConfig } from '../../src/config/config';
import { insertOrganization } from '../../src/organizations/queries';
import { grantRole, rolesIn, upsertStaffUser } from '../../src/staff/queries';
import { createDb } from '../../db/connection';
import { benchDatabase, formatLoad, runLoad, spawnServer } from './support';

const { values: flags } = parseArgs({
  options: { sessions: { type: 'string', default: '200000' }, statements: { type: 'string', default: '20000' }, requests: { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '16' } },
});
const SESSIONS = Number(flags.sessions);
const STATEMENTS = Number(flags.statements);
const REQUESTS = Number(flags.requests);
const CONCURRENCY = Number(flags.concurrency);
const STAFF = 50;
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const bench = await benchDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const now = new Date();
  let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
  try {
    const organization = await insertOrganization(bench.db, { slug: 'bench-sessions', name: 'Bench union', timeZone: 'UTC', currency: 'usd' }, now);
    const staff: string[] = [];
    for (let i = 0; i < STAFF; i += 1) {
      const user = await upsertStaffUser(bench.db, { email: `staff${i}@bench.example.org`, name: `Staff ${i}` }, now);
      await grantRole(bench.db, organization.id, user.id, i === 0 ? 'admin' : 'organizer', now);
      await grantRole(bench.db, organization.id, user.id, 'treasurer', now);
      staff.push(user.id);
    }
    // Past sign-ins of every staff member: a quarter revoked, the rest standing.
    await sql`
      INSERT INTO staff_sessions (organization_id, staff_user_id, via, created_at, expires_at, revoked_at, revoked_reason)
      SELECT ${organization.id}, (${sql.val(staff)}::uuid[])[1 + i % ${STAFF}], 'sign_in_link', ${now}, ${new Date(now.getTime() + 12 * 3600_000)},
             CASE WHEN i % 4 = 0 THEN ${now}::timestamptz END, CASE WHEN i % 4 = 0 THEN 'signed_out' END
      FROM generate_series(1, ${SESSIONS}) AS i`.execute(bench.db);
    await sql`ANALYZE`.execute(bench.db);
    const sessions = await Promise.all(staff.map((staffUserId) => openStaffSession(bench.db, config.jwtSecret, { staffUserId, organizationId: organization.id, roles: [], via: 'issued_token' }, 3600, now)));
    log(`${SESSIONS.toLocaleString('en-US')} sessions of ${STAFF} staff members\n`);

    // Statement: one connection, one statement at a time, rounds alternating so that drift hits both.
    const single = createDb(bench.url, { max: 1 });
    const timings = { before: 0, after: 0 };
    const rounds = 20;
    const perRound = Math.ceil(STATEMENTS / rounds);
    for (let round = 0; round < rounds + 1; round += 1) {
      for (const which of round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const)) {
        const started = process.hrtime.bigint();
        for (let i = 0; i < perRound; i += 1) {
          const k = (round * perRound + i) % STAFF;
          const roles = which === 'before'
            ? await rolesIn(single, organization.id, staff[k]!)
            : ((await principalInSession(single, { organizationId: organization.id, staffUserId: staff[k]!, sessionId: sessions[k]!.sessionId }, now))?.roles ?? []);
          if (roles.length !== 2) throw new Error(`expected two roles, got ${roles.join(', ')}`);
        }
        // The first round warms up.
        if (round > 0) timings[which] += Number(process.hrtime.bigint() - started) / 1e3;
      }
    }
    const measured = rounds * perRound;
    const before = timings.before / measured;
    const after = timings.after / measured;
    log(`the guard's statement, ${measured.toLocaleString('en-US')} of each, one at a time on one connection:`);
    log(`  roles only (before sessions)        ${before.toFixed(1).padStart(7)} µs`);
    log(`  roles + EXISTS on the session (now) ${after.toFixed(1).padStart(7)} µs   ${(after / before).toFixed(2)}× (${(after - before).toFixed(1)} µs more per request)`);
    log('  as PostgreSQL reports it (EXPLAIN ANALYZE, the 50th run of each):');
    // Where the time goes on the database's side: planning and execution of each, as PostgreSQL reports them.
    const k = 1;
    for (const [name, statement] of [
      ['roles only', sql`SELECT role FROM staff_roles WHERE organization_id = ${organization.id} AND staff_user_id = ${staff[k]} ORDER BY role`],
      ['roles + EXISTS', sql`SELECT role FROM staff_roles WHERE organization_id = ${organization.id} AND staff_user_id = ${staff[k]} AND EXISTS (SELECT 1 FROM staff_sessions WHERE id = ${sessions[k]!.sessionId} AND organization_id = ${organization.id} AND staff_user_id = ${staff[k]} AND revoked_at IS NULL AND expires_at > ${now}) ORDER BY role`],
    ] as const) {
      const plans: string[] = [];
      for (let i = 0; i < 50; i += 1) {
        const explained = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, SUMMARY) ${statement}`.execute(single);
        if (i === 49) plans.push(...explained.rows.map((row) => row['QUERY PLAN']).filter((line) => /Planning Time|Execution Time/.test(line)));
      }
      log(`  ${name.padEnd(16)} ${plans.join(', ')}`);
    }
    await single.destroy();
    log('');

    server = await spawnServer(path.join(__dirname, 'export-server.ts'), { BENCH_DATABASE_URL: bench.url });
    const routes: Array<[string, (i: number) => { path: string; headers: Record<string, string> }]> = [
      ['GET /healthz (baseline)', () => ({ path: '/healthz', headers: {} })],
      ['GET /api/staff/:id (guard)', (i) => ({ path: `/api/staff/${staff[i % STAFF]}`, headers: { Authorization: `Bearer ${sessions[0]!.token}` } })],
    ];
    log(`HTTP at concurrency ${CONCURRENCY}, ${REQUESTS} requests each (after ${Math.round(REQUESTS / 5)} to warm up), over loopback:`);
    let baseline = 0;
    for (const [name, make] of routes) {
      const requests = (count: number) => Array.from({ length: count }, (_, i) => ({ method: 'GET', ...make(i) }));
      await runLoad(server.url, requests(Math.round(REQUESTS / 5)), CONCURRENCY);
      const result = await runLoad(server.url, requests(REQUESTS), CONCURRENCY);
      if (baseline === 0) baseline = result.perSecond;
      log(`  ${formatLoad(name, result)}   ${((result.perSecond / baseline) * 100).toFixed(0)}% of the baseline`);
      if (result.errors > 0) process.exitCode = 1;
    }
  } finally {
    await server?.stop();
    await bench.drop();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

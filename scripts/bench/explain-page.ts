/**
 * EXPLAIN ANALYZE of every statement one console page runs, on a database the console
 * benchmark left (--keep): each read statement is run three times first, then explained
 * with its own parameters. SUMMARY=1 prints one line per statement (planning and
 * execution times); TIMING=off leaves out per-node timing (closer to the real cost).
 *
 *   npx tsx scripts/bench/explain-page.ts postgres://…/gs_bench_… /console/workspace [organizer|admin]
 */
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import request from 'supertest';
import type { Database } from '../../db/database';
import { buildApp } from '../../src/app';
import { SESSION_COOKIE } from '../../src/auth/guard';
import { openStaffSession } from '../../src/auth/sessions';
import { loadConfig } from '../../src/config/config';
import { benchContext } from './bench-app';
import { findConsoleOrganization } from './console-data';

const url = process.argv[2]!;
const target = process.argv[3]!;
const who = process.argv[4] ?? 'organizer';
async function main() {
  const pool = new Pool({ connectionString: url, max: 4 });
  const captured: Array<{ sql: string; params: readonly unknown[] }> = [];
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: (e) => { if (e.level === 'query') captured.push({ sql: e.query.sql, params: e.query.parameters }); } });
  const org = await findConsoleOrganization(db);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const staff = who === 'admin' ? org.adminId : org.organizerIds[0]!;
  const token = (await openStaffSession(db, config.jwtSecret, { staffUserId: staff, organizationId: org.organizationId, roles: [], via: 'issued_token' }, 3600, new Date())).token;
  const app = buildApp(benchContext(url, { db }));
  captured.length = 0;
  const res = await request(app).get(target).set('Cookie', `${SESSION_COOKIE}=${token}`);
  console.log('status', res.status);
  const client = await pool.connect();
  for (const q of captured) {
    const text = q.sql.replace(/^\/\*[^*]*\*\/\s*/, '');
    if (!/^\s*(select|with)/i.test(text)) { console.log('--- (not explained)', text.slice(0, 120)); continue; }
    for (let i = 0; i < 3; i++) await client.query(text, q.params as unknown[]);
    const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS, TIMING ${process.env.TIMING ?? 'on'}) ${text}`, q.params as unknown[]);
    const lines = plan.rows.map((r) => r['QUERY PLAN'] as string);
    if (process.env.SUMMARY) console.log(text.replace(/\s+/g, ' ').trim().slice(0, 40).padEnd(42), lines.filter((l) => /Time:/.test(l)).join('  '));
    else console.log('---', text.replace(/\s+/g, ' ').slice(0, 200) + '\n' + lines.join('\n'));
  }
  client.release();
  await db.destroy();
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });

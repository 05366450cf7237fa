import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import fc from 'fast-check';
import type { Organization } from '../../db/database';
import { buildApp, routeTable } from '../../src/app';
import type { RouteDefinition } from '../../src/http/routes';
import { createPlans } from '../signup/fixtures';
import { createOrganizationWithStaff, memberTimes, testContext, type OrganizationFixture } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * Every public route (any method) and every staff route a GET reaches (with an admin's
 * token), with hostile path parameters, every query parameter the route table declares
 * (and the ones public pages read), and hostile form bodies: no answer may be a 5xx, and
 * no row may change. Routes and parameters come from the route table, so a new route or
 * parameter is fuzzed without touching this file.
 */

const CASES = Number(process.env.FUZZ_CASES ?? 5000);
const BATCH = 8;

// Tables a request may legitimately append to although it changes nothing: none today but
// the audit log (a CSV export is audited even when it is empty).
const APPEND_ONLY_FOR_READS = new Set(['audit_log']);

// Query parameters public pages read without a schema in the table.
const PUBLIC_QUERY_KEYS = ['lang', 'token', 'draft', 'method', 'signed_out', 'format'];

// Words that break code which looks keys up with `in` or plain objects, and other classics.
const HOSTILE = [
  '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83d', '\ud83d\ude00', 'constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  '', ' ', '..', '../../etc/passwd', '%', '%00', '%zz', '1e20', '-1', '0', '1.5', 'NaN', 'Infinity', '9'.repeat(40), 'true', 'null', '[]', '{}',
  "' or 1=1 --", '<script>alert(1)</script>', '=cmd|" /C calc"!A0', 'é', '\u202e', '\n', 'a'.repeat(5000),
  '00000000-0000-0000-0000-000000000000', '2026-02-30', '2026-13', 'csv', 'xlsx', 'json', 'card', 'us_bank_account', 'lapsed', 'weekly',
];

const text = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  fc.integer().map(String),
);

/** Percent-encodes every byte of the string's UTF-8, or of raw bytes (not always valid UTF-8). */
const encodeBytes = (bytes: Uint8Array): string => Array.from(bytes, (b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const encoded = fc.oneof(
  { weight: 4, arbitrary: text.map((t) => encodeBytes(Buffer.from(t, 'utf8'))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }).map(encodeBytes) },
);

interface Probe {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Reply {
  status: number;
  text: string;
  cookie: string;
}

function send(base: URL, agent: http.Agent, probe: Probe): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, method: probe.method, path: probe.path, headers: { ...probe.headers, ...(probe.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(probe.body)) }) }, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), cookie: (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ') }));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error(`no answer in 5 s to ${probe.method} ${probe.path}`)));
    req.on('error', reject);
    req.end(probe.body);
  });
}

describe('fuzzing the public routes and the API query parameters', () => {
  let tdb: TestDatabase;
  let server: http.Server;
  let base: URL;
  const agent = new http.Agent({ keepAlive: true, maxSockets: BATCH });
  let fixture: OrganizationFixture;
  let planIds: string[];
  let memberId: string;
  let csrf: { cookie: string; token: string };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const ctx = testContext(tdb.db);
    fixture = await createOrganizationWithStaff(ctx, 'fuzz-local');
    const organization = (await tdb.db.selectFrom('organizations').selectAll().where('id', '=', fixture.id).executeTakeFirstOrThrow()) as Organization;
    planIds = Object.values(await createPlans(tdb.db, organization));
    const member = await tdb.db
      .insertInto('members')
      .values({ organization_id: fixture.id, name: 'Rosa Parks', email: 'rosa@example.org', standing: 'active', ...memberTimes() })
      .returning('id')
      .executeTakeFirstOrThrow();
    memberId = member.id;
    routes = routeTable(ctx);
    server = buildApp(ctx, { loginRateLimit: 1e9, signupRateLimit: 1e9 }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const form = await send(base, agent, { method: 'GET', path: '/join/fuzz-local', headers: { accept: 'text/html' } });
    const token = /name="csrf" value="([^"]+)"/.exec(form.text)?.[1];
    if (!token) throw new Error(`no CSRF token on the signup page (${form.status})`);
    csrf = { cookie: form.cookie, token };
  });

  afterAll(async () => {
    agent.destroy();
    await new Promise((resolve) => server?.close(resolve));
    await tdb?.drop();
  });

  let routes: RouteDefinition[] = [];

  /** Each table's row count and a checksum of its rows. */
  async function snapshot(): Promise<Record<string, string>> {
    const tables = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public' order by tablename`.execute(tdb.db);
    const out: Record<string, string> = {};
    for (const { name } of tables.rows) {
      if (APPEND_ONLY_FOR_READS.has(name)) continue;
      const row = await sql<{ n: string; sum: string | null }>`select count(*)::text as n, md5(string_agg(t::text, '|' order by t::text)) as sum from ${sql.table(name)} t`.execute(tdb.db);
      out[name] = `${row.rows[0]!.n}:${row.rows[0]!.sum ?? ''}`;
    }
    return out;
  }

  it('answers no 5xx and changes no row', async () => {
    const fuzzed = routes.filter((route) => (route.access === 'public' || (route.method === 'get' && route.access.includes('admin'))));
    expect(fuzzed.length).toBeGreaterThan(40);
    const before = await snapshot();

    const probe = fc
      .record({
        route: fc.constantFrom(...fuzzed),
        params: fc.array(fc.oneof(encoded, fc.constantFrom('fuzz-local', memberId, ...planIds)), { minLength: 4, maxLength: 4 }),
        query: fc.array(fc.tuple(fc.nat(), encoded), { maxLength: 4 }),
        form: fc.array(fc.tuple(fc.oneof(fc.nat(), text), text), { maxLength: 8 }),
        withCsrf: fc.boolean(),
        json: fc.boolean(),
      })
      .map(({ route, params, query, form, withCsrf, json }): Probe => {
        let i = 0;
        const path = route.path.replace(/:[A-Za-z]+/g, () => params[i++] ?? '');
        const keys = route.query ? Object.keys(route.query.shape) : PUBLIC_QUERY_KEYS;
        const search = query.map(([k, v]) => `${keys[k % keys.length]}=${v}`).join('&');
        const headers: Record<string, string> = { accept: json ? 'application/json' : 'text/html' };
        if (route.access !== 'public') headers.authorization = `Bearer ${fixture.staff.admin.token}`;
        let body: string | undefined;
        if (route.method !== 'get') {
          // The signup form's own fields (plan facts under every plan), so probes get past the first checks.
          const names = ['csrf', 'name', 'email', 'plan', 'paymentMethod', 'authorization', 'authorizationVersion', 'intent', 'lang', 'token', ...planIds.flatMap((id) => ['payFrequency', 'grossWageCents', 'hourlyWageCents', 'bracket', 'chosenAmountCents'].map((f) => `${f}_${id}`))];
          const pairs: string[][] = form.map(([k, v]) => [typeof k === 'number' ? names[k % names.length]! : k, v]);
          if (withCsrf) pairs.unshift(['csrf', csrf.token], ['plan', planIds[1]!], ['intent', 'preview']);
          // Not the honeypot ('website'): it answers before anything is read.
          body = new URLSearchParams(pairs.filter(([k]) => k !== 'website')).toString();
          if (withCsrf) headers.cookie = csrf.cookie;
          headers['content-type'] = 'application/x-www-form-urlencoded';
        }
        return { method: route.method.toUpperCase(), path: search ? `${path}?${search}` : path, headers, ...(body === undefined ? {} : { body }) };
      });

    const statuses = new Map<number, number>();
    const started = performance.now();
    // Probes go in concurrent batches: the database's waits overlap, and a failing batch still shrinks.
    await fc.assert(
      fc.asyncProperty(fc.array(probe, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const replies = await Promise.all(batch.map((p) => send(base, agent, p)));
        replies.forEach((reply, i) => {
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          const p = batch[i]!;
          if (reply.status >= 500) throw new Error(`${p.method} ${p.path} ${p.body ?? ''} → ${reply.status} ${reply.text.slice(0, 300)}`);
        });
      }),
      { numRuns: Math.ceil(CASES / BATCH), ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
    );
    const sent = [...statuses.values()].reduce((sum, n) => sum + n, 0);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`fuzz: ${sent} requests over ${fuzzed.length} routes in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`);
    expect(sent).toBeGreaterThanOrEqual(CASES);

    expect(await snapshot()).toEqual(before);
  }, 300_000);
});

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app';
import { median, prober, timeClasses, type Probe } from '../scripts/bench/probes';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createOrganizationWithStaff, memberTimes, testContext, type OrganizationFixture } from './support/app';
import { createPlans } from './signup/fixtures';

// "Timing within noise": the time of an answer must not tell a member's (or a staff
// member's) address from a stranger's. Not a timed test: many probes of each kind, sent
// interleaved in random order so that the machine's load falls on all alike, and their
// medians compared. Before the fix, sign-in took 4.1 ms for a known address and 2.1 ms
// for an unknown one, and the manage form did a write only for members.

const ROUNDS = 200;
// Generous enough for a loaded 2-core machine; a path that does a write (and its commit) more than the other exceeds it.
const withinNoise = (a: number[], b: number[]) => {
  const [ma, mb] = [median(a), median(b)];
  return { medians: [ma, mb].map((ms) => Math.round(ms * 100) / 100), within: Math.abs(ma - mb) <= 0.5 + 0.15 * Math.min(ma, mb) };
};

let testDb: TestDatabase;
let server: Server;
let target: string;
let union: OrganizationFixture;
let plans: Record<string, string>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const ctx = testContext(testDb.db, { signup: { emailsPerAddress: 1_000_000, costlyActionsPerNetwork: 1_000_000 } });
  union = await createOrganizationWithStaff(ctx, 'local-timing');
  const organization = await testDb.db.selectFrom('organizations').selectAll().where('id', '=', union.id).executeTakeFirstOrThrow();
  plans = await createPlans(testDb.db, organization);
  await testDb.db
    .insertInto('members')
    .values([
      { organization_id: union.id, name: 'Rosa Active', email: 'member@example.org', standing: 'active', stripe_customer_id: 'cus_timing', ...memberTimes() },
      { organization_id: union.id, name: 'Pat Pending', email: 'pending@example.org', standing: 'pending', ...memberTimes() },
    ])
    .execute();
  const app = buildApp(ctx, { signupRateLimit: 1_000_000, loginRateLimit: 1_000_000, loginAddressRateLimit: 1_000_000 });
  server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await testDb.drop();
});

/** A browser's form session: the CSRF cookie and the form's token. */
async function formSession(path: string): Promise<{ cookie: string; csrf: string }> {
  const client = prober(target);
  const page = await client.send({ method: 'GET', path, headers: { accept: 'text/html' } });
  client.close();
  const cookie = String(page.headers['set-cookie']).split(';')[0]!;
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page.body)![1]! };
}

const form = (path: string, cookie: string, fields: Record<string, string>): Probe => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie },
  body: new URLSearchParams(fields).toString(),
});

test('signing up takes the same time for a member, a pending member and a stranger', async () => {
  const { cookie, csrf } = await formSession('/join/local-timing');
  const flat = plans['Regular monthly']!;
  const signup = (email: string) => () => form('/join/local-timing', cookie, { csrf, lang: 'en', authorizationVersion: '1', authorization: 'yes', name: 'Probe', email, plan: flat, paymentMethod: 'card' });
  const times = await timeClasses(target, { member: signup('member@example.org'), pending: signup('pending@example.org'), stranger: signup('stranger@example.org') }, { rounds: ROUNDS, expectStatus: 200 });
  expect(withinNoise(times.member!, times.stranger!)).toMatchObject({ within: true });
  expect(withinNoise(times.pending!, times.stranger!)).toMatchObject({ within: true });
}, 120_000);

test("the manage form takes the same time for a member's address and a stranger's", async () => {
  const { cookie, csrf } = await formSession('/join/local-timing/manage');
  const manage = (email: string) => () => form('/join/local-timing/manage', cookie, { csrf, lang: 'en', email });
  const times = await timeClasses(target, { member: manage('member@example.org'), stranger: manage('stranger@example.org') }, { rounds: ROUNDS, expectStatus: 200 });
  expect(withinNoise(times.member!, times.stranger!)).toMatchObject({ within: true });
}, 120_000);

test("sign-in takes the same time for a staff member's address and a stranger's", async () => {
  const signIn = (email: string) => (): Probe => ({ method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
  const times = await timeClasses(target, { known: signIn(union.staff.treasurer.email), unknown: signIn('stranger@example.org') }, { rounds: ROUNDS, expectStatus: 202 });
  expect(withinNoise(times.known!, times.unknown!)).toMatchObject({ within: true });
}, 120_000);

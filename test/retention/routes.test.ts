import request from 'supertest';
import { parse } from 'csv-parse/sync';
import { runDailyRetention } from '../../src/retention/jobs';
import { DEFAULT_POLICY } from '../../src/retention/policy';
import { neutralizeCell } from '../../src/retention/routes';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, TEST_NOW, TEST_PUBLIC_URL, testApp, testContext } from '../support/app';

// Today is 2026-11-24 in Chicago (the test clock's default).
let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let union: OrganizationFixture;
const ids: Record<string, string> = {};
const as = (role: 'admin' | 'treasurer' | 'organizer') => ({ Authorization: `Bearer ${union.staff[role].token}` });

async function addMember(key: string, name: string, fields: { paidThrough: string; worksite: string; organizer?: string }) {
  const row = await ctx.db
    .insertInto('members')
    .values({ organization_id: union.id, name, email: `${key}@example.org`, phone: '+1 555 0101', worksite: fields.worksite, organizer_staff_user_id: fields.organizer ?? null, standing: 'active', paid_through: fields.paidThrough, ...memberTimes() })
    .returning('id')
    .executeTakeFirstOrThrow();
  ids[key] = row.id;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  union = await createOrganizationWithStaff(ctx, 'local-55');
  await addMember('larry', 'Lapsed Larry', { paidThrough: '2026-10-15', worksite: 'Plant A', organizer: union.staff.organizer.id });
  await addMember('formula', '=HYPERLINK("http://evil.example")', { paidThrough: '2026-08-31', worksite: 'Plant B' });
  await addMember('carla', 'Cancel Carla', { paidThrough: '2026-12-31', worksite: 'Plant A' });
  await addMember('manny', 'Manual Manny', { paidThrough: '2026-11-28', worksite: 'Plant B' });
  await addMember('ed', 'Exempt Ed', { paidThrough: '2026-09-30', worksite: 'Plant A' });
  await ctx.db.insertInto('stripe_subscriptions').values({ organization_id: union.id, id: 'sub_carla', member_id: ids.carla!, customer_id: 'cus_carla', status: 'active', cancel_at_period_end: true, collection_paused: false, current_period_end: new Date('2027-01-01T06:00:00Z'), updated_at: TEST_NOW }).execute();
  await ctx.db.insertInto('manual_payments').values({ organization_id: union.id, member_id: ids.manny!, method: 'cash', amount_cents: 2500, currency: 'usd', period_start: '2026-10-29', period_end: '2026-11-28', received_on: '2026-10-29', created_at: TEST_NOW }).execute();
});
afterAll(async () => {
  await testDb.drop();
});

describe('the retention policy API', () => {
  test('admins read the defaults; other roles may not', async () => {
    expect((await request(app).get('/api/retention/policy').set(as('admin')).expect(200)).body).toEqual(DEFAULT_POLICY);
    await request(app).get('/api/retention/policy').set(as('organizer')).expect(403);
    await request(app).patch('/api/retention/policy').set(as('treasurer')).send({ graceDays: 10 }).expect(403);
  });

  test('a change is checked as a whole and audited', async () => {
    const bad = await request(app).patch('/api/retention/policy').set(as('admin')).send({ suspendAtMonthsOwed: 4, dropAtMonthsOwed: 3 }).expect(400);
    expect(bad.body.error.details.fields).toEqual([{ path: 'body.dropAtMonthsOwed', message: expect.any(String) }]);
    const unknown = await request(app).patch('/api/retention/policy').set(as('admin')).send({ graceDays: -1, colour: 'red' }).expect(400);
    expect(unknown.body.error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual(['body', 'body.graceDays']);

    const ok = await request(app).patch('/api/retention/policy').set(as('admin')).send({ graceDays: 31, notices: { cardExpiring: false }, contact: { name: 'Sam Steward', email: 'sam@local-55.example.org' } }).expect(200);
    expect(ok.body).toMatchObject({ graceDays: 31, notices: { paymentFailed: true, cardExpiring: false, beforeSuspension: true }, contact: { name: 'Sam Steward', email: 'sam@local-55.example.org', phone: null } });
    expect((await request(app).get('/api/retention/policy').set(as('admin'))).body.contact.name).toBe('Sam Steward');
    const audit = await ctx.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'retention.policy_changed').execute();
    expect(audit).toEqual([{ action: 'retention.policy_changed', details: { fields: ['graceDays', 'notices', 'contact'] } }]);
  });
});

describe('exemptions and worksite organizers', () => {
  test('an admin exempts a member; overlapping dates are refused; the scan applies it', async () => {
    await request(app).post(`/api/members/${ids.ed}/exemptions`).set(as('organizer')).send({ kind: 'layoff', startsOn: '2026-10-01' }).expect(403);
    const created = await request(app).post(`/api/members/${ids.ed}/exemptions`).set(as('admin')).send({ kind: 'layoff', startsOn: '2026-10-01', endsOn: '2027-01-31', note: 'plant closure' }).expect(201);
    expect(created.body).toMatchObject({ kind: 'layoff', startsOn: '2026-10-01', endsOn: '2027-01-31' });
    const overlap = await request(app).post(`/api/members/${ids.ed}/exemptions`).set(as('admin')).send({ kind: 'hardship', startsOn: '2027-01-31' }).expect(409);
    expect(overlap.body.error.code).toBe('conflict');
    await request(app).post(`/api/members/${ids.ed}/exemptions`).set(as('admin')).send({ kind: 'hardship', startsOn: '2027-02-10', endsOn: '2027-02-01' }).expect(400);
    const listed = await request(app).get(`/api/members/${ids.ed}/exemptions`).set(as('organizer')).expect(200);
    expect(listed.body.data).toHaveLength(1);
  });

  test('worksites route to organizers of the organization only', async () => {
    await request(app).put('/api/retention/worksite-organizers').set(as('admin')).send({ worksite: 'Plant B', organizerStaffUserId: '00000000-0000-4000-8000-000000000000' }).expect(400);
    await request(app).put('/api/retention/worksite-organizers').set(as('admin')).send({ worksite: 'Plant B', organizerStaffUserId: union.staff.organizer.id }).expect(200);
    await request(app).put('/api/retention/worksite-organizers').set(as('admin')).send({ worksite: 'Plant C', organizerStaffUserId: union.staff.organizer.id }).expect(200);
    await request(app).put('/api/retention/worksite-organizers').set(as('admin')).send({ worksite: 'Plant C', organizerStaffUserId: null }).expect(200);
    const listed = await request(app).get('/api/retention/worksite-organizers').set(as('organizer')).expect(200);
    expect(listed.body.data).toEqual([{ worksite: 'Plant B', organizerStaffUserId: union.staff.organizer.id, organizerName: 'organizer of local-55', organizerEmail: union.staff.organizer.email }]);
  });
});

describe('call lists', () => {
  beforeAll(async () => {
    const report = await runDailyRetention({ db: ctx.db, publicUrl: TEST_PUBLIC_URL, now: ctx.now, notifyOutbox: () => undefined }, union.id);
    expect(report.scan.ran).toBe(true);
  });

  test('lapsed and suspended members, with months in arrears and filters', async () => {
    const all = await request(app).get('/api/retention/lapsed').set(as('organizer')).expect(200);
    expect(all.body.data.map((row: { name: string; standing: string; monthsInArrears: number; since: string }) => [row.name, row.standing, row.monthsInArrears, row.since])).toEqual([
      ['Lapsed Larry', 'lapsed', 2, '2026-11-24'],
      ['=HYPERLINK("http://evil.example")', 'suspended', 3, '2026-11-24'],
    ]);
    const byWorksite = await request(app).get('/api/retention/lapsed?worksite=Plant%20A').set(as('organizer')).expect(200);
    expect(byWorksite.body.data.map((row: { name: string }) => row.name)).toEqual(['Lapsed Larry']);
    const byOrganizer = await request(app).get(`/api/retention/lapsed?organizerId=${union.staff.organizer.id}`).set(as('organizer')).expect(200);
    expect(byOrganizer.body.data).toHaveLength(1);
    const suspended = await request(app).get('/api/retention/lapsed?reason=suspended').set(as('admin')).expect(200);
    expect(suspended.body.data.map((row: { memberId: string }) => row.memberId)).toEqual([ids.formula]);
    const deep = await request(app).get('/api/retention/lapsed?monthsInArrears=3').set(as('admin')).expect(200);
    expect(deep.body.data).toHaveLength(1);
    await request(app).get('/api/retention/lapsed?reason=late').set(as('admin')).expect(400);
    await request(app).get('/api/retention/lapsed').set(as('treasurer')).expect(403);
  });

  test('the at-risk list: a cancellation scheduled and a cash payer about to run out', async () => {
    const res = await request(app).get('/api/retention/at-risk').set(as('organizer')).expect(200);
    expect(res.body.data.map((row: { name: string; reason: string }) => [row.name, row.reason])).toEqual([
      ['Cancel Carla', 'cancel_scheduled'],
      ['Manual Manny', 'manual_due_soon'],
    ]);
    const filtered = await request(app).get('/api/retention/at-risk?reason=manual_due_soon').set(as('organizer')).expect(200);
    expect(filtered.body.data.map((row: { name: string }) => row.name)).toEqual(['Manual Manny']);
  });

  test('a CSV call list: formulas neutralised, the export audited', async () => {
    const res = await request(app).get('/api/retention/lapsed?format=csv&worksite=Plant%20B').set(as('organizer')).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('lapsed-2026-11-24.csv');
    const rows = parse(res.text) as string[][];
    expect(rows[0]!.slice(0, 3)).toEqual(['name', 'phone', 'email']);
    expect(rows[1]![0]).toBe(`'=HYPERLINK("http://evil.example")`);
    expect(rows[1]![1]).toBe(`'+1 555 0101`);
    expect(rows[1]![7]).toBe('Suspended for unpaid dues');
    const audit = await ctx.db.selectFrom('audit_log').select(['action', 'actor_staff_user_id', 'details']).where('action', '=', 'retention.lapsed_exported').execute();
    expect(audit).toEqual([{ action: 'retention.lapsed_exported', actor_staff_user_id: union.staff.organizer.id, details: { rows: 1, filters: { worksite: 'Plant B' } } }]);

    const atRisk = await request(app).get('/api/retention/at-risk?format=csv').set(as('admin')).expect(200);
    expect((parse(atRisk.text) as string[][]).map((row) => row[7])).toEqual(['reason', 'Cancellation scheduled at period end', 'Cash/check payer: paid-through date within 7 days']);
    expect(await ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'retention.at_risk_exported').execute()).toHaveLength(1);
  });

  test.each([
    ['=1+1', "'=1+1"],
    ['+1 555', "'+1 555"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['Ana', 'Ana'],
  ])('neutralizeCell(%j) = %j', (cell, expected) => {
    expect(neutralizeCell(cell)).toBe(expected);
  });
});

describe('the outreach log', () => {
  test('treasurers do not log calls; bad fields are named', async () => {
    await request(app).post(`/api/members/${ids.larry}/outreach`).set(as('treasurer')).send({ channel: 'call', outcome: 'reached' }).expect(403);
    const bad = await request(app).post(`/api/members/${ids.larry}/outreach`).set(as('organizer')).send({ channel: 'pigeon', outcome: 'reached', followUpOn: '2026-11-01' }).expect(400);
    expect(bad.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual(['body.channel']);
    const past = await request(app).post(`/api/members/${ids.larry}/outreach`).set(as('organizer')).send({ channel: 'call', outcome: 'reached', followUpOn: '2026-11-01' }).expect(400);
    expect(past.body.error.details.fields[0].path).toBe('body.followUpOn');
  });

  test("'resigned' sets the standing with its cause and closes the lapse episode", async () => {
    await request(app).post(`/api/members/${ids.larry}/outreach`).set(as('organizer')).send({ channel: 'visit', outcome: 'no_answer' }).expect(201);
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 20 * 60_000);
    const res = await request(app).post(`/api/members/${ids.larry}/outreach`).set(as('organizer')).send({ channel: 'call', outcome: 'resigned', note: 'Moved to another state' }).expect(201);
    expect(res.body).toMatchObject({ outcome: 'resigned', memberStanding: 'resigned' });
    const change = await ctx.db.selectFrom('member_standing_changes').select(['from_standing', 'to_standing', 'cause', 'cause_reference', 'staff_user_id']).where('member_id', '=', ids.larry!).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(change).toEqual({ from_standing: 'lapsed', to_standing: 'resigned', cause: 'outreach', cause_reference: res.body.id, staff_user_id: union.staff.organizer.id });
    const episode = await ctx.db.selectFrom('lapse_episodes').select(['closed_on', 'close_reason']).where('member_id', '=', ids.larry!).executeTakeFirstOrThrow();
    expect(episode).toEqual({ closed_on: '2026-11-24', close_reason: 'resigned' });

    const log = await request(app).get(`/api/members/${ids.larry}/outreach`).set(as('organizer')).expect(200);
    expect(log.body.data.map((entry: { outcome: string }) => entry.outcome)).toEqual(['resigned', 'no_answer']);
    const metrics = await request(app).get('/api/retention/metrics').set(as('admin')).expect(200);
    expect(metrics.body).toMatchObject({ month: '2026-11', organization: { lapsed: 2, outreach: { contacts: 2, reached: 1, resigned: 1 } } });
  });
});

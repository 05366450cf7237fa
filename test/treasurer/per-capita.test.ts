import { parse } from 'csv-parse/sync';
import request from 'supertest';
import type { Standing } from '../../db/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, testApp, testContext } from '../support/app';

/**
 * Per-capita tax and the monthly member counts, on standing histories written with their
 * own dates (the sandbox's clocks cannot date the history), in America/Chicago.
 */
let testDb: TestDatabase;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;

async function member(name: string, createdAt: string, standing: Standing, history: [Standing | null, Standing, string][], joinedOn: string | null = null): Promise<string> {
  const { id } = await testDb.db
    .insertInto('members')
    .values({ organization_id: local.id, name, email: `${name.toLowerCase()}@example.org`, standing, joined_on: joinedOn, wage_facts: '{}', ...memberTimes(), created_at: createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [from, to, at] of history) {
    await testDb.db.insertInto('member_standing_changes').values({ organization_id: local.id, member_id: id, from_standing: from, to_standing: to, cause: 'test', created_at: at }).execute();
  }
  return id;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  const ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'local-percap');
  const december = '2025-12-01T18:00:00Z';
  await member('Ana', '2025-11-01T18:00:00Z', 'active', [[null, 'pending', '2025-11-01T18:00:00Z'], ['pending', 'active', december]], '2026-01-10');
  // Lapsed on 20 January, recovered on 10 February.
  await member('Ben', '2025-11-01T18:00:00Z', 'active', [[null, 'active', december], ['active', 'lapsed', '2026-01-20T18:00:00Z'], ['lapsed', 'active', '2026-02-10T18:00:00Z']]);
  // Past due (within grace, so in good standing) from 25 January.
  await member('Cy', '2025-11-01T18:00:00Z', 'past_due', [[null, 'active', december], ['active', 'past_due', '2026-01-25T18:00:00Z']]);
  // Joined the roll in February.
  await member('Di', '2026-02-15T18:00:00Z', 'active', []);
  await member('Ed', '2025-11-01T18:00:00Z', 'exempt', [[null, 'exempt', december]]);
  // No history at all: the standing now is the standing then.
  await member('Flo', '2025-06-01T18:00:00Z', 'active', []);
  // History that starts after January: lapsed then, by the change that followed.
  await member('Gus', '2025-06-01T18:00:00Z', 'active', [['lapsed', 'active', '2026-02-05T18:00:00Z']]);
  // 31 January, 23:30 in Chicago is 1 February in UTC: still January's end for this organization.
  await member('Hal', '2025-06-01T18:00:00Z', 'lapsed', [[null, 'active', december], ['active', 'lapsed', '2026-02-01T05:30:00Z']]);
});
afterAll(async () => {
  await testDb.drop();
});

const as = (token: string) => ({
  get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${token}`),
  post: (path: string, body: object) => request(app).post(path).set('Authorization', `Bearer ${token}`).send(body),
  patch: (path: string, body: object) => request(app).patch(path).set('Authorization', `Bearer ${token}`).send(body),
  delete: (path: string) => request(app).delete(path).set('Authorization', `Bearer ${token}`),
});

describe('affiliates and their rates, set by admins', () => {
  let international: string;
  let state: string;

  test('admins add affiliates and dated rates; treasurers read them but cannot change them; organizers see nothing', async () => {
    const admin = as(local.staff.admin.token);
    international = (await admin.post('/api/affiliates', { name: 'International Brotherhood', kind: 'international_union' }).expect(201)).body.id;
    state = (await admin.post('/api/affiliates', { name: 'State Federation', kind: 'state_federation' }).expect(201)).body.id;
    await admin.post(`/api/affiliates/${international}/rates`, { rateCents: 1000, effectiveFrom: '2025-01-01' }).expect(201);
    await admin.post(`/api/affiliates/${international}/rates`, { rateCents: 1200, effectiveFrom: '2026-02-01' }).expect(201);
    await admin.post(`/api/affiliates/${state}/rates`, { rateCents: 150, effectiveFrom: '2026-01-01' }).expect(201);

    expect((await admin.post('/api/affiliates', { name: 'state federation', kind: 'other' })).status).toBe(409);
    expect((await admin.post(`/api/affiliates/${state}/rates`, { rateCents: 175, effectiveFrom: '2026-01-01' })).status).toBe(409);
    const bad = await admin.post(`/api/affiliates/${state}/rates`, { rateCents: 1.5, effectiveFrom: '2026-13-01' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual(['body.effectiveFrom', 'body.rateCents']);

    const treasurer = as(local.staff.treasurer.token);
    expect((await treasurer.post('/api/affiliates', { name: 'Council', kind: 'central_labor_council' })).status).toBe(403);
    const listed = (await treasurer.get('/api/affiliates').expect(200)).body.affiliates;
    expect(listed.map((a: { name: string; rates: { rateCents: number; effectiveFrom: string }[] }) => [a.name, a.rates.map((r) => [r.rateCents, r.effectiveFrom])])).toEqual([
      ['International Brotherhood', [[1000, '2025-01-01'], [1200, '2026-02-01']]],
      ['State Federation', [[150, '2026-01-01']]],
    ]);
    expect((await as(local.staff.organizer.token).get('/api/affiliates')).status).toBe(403);
  });

  test('a rate entered by mistake is removed, and an affiliate renamed; both audited', async () => {
    const admin = as(local.staff.admin.token);
    const council = (await admin.post('/api/affiliates', { name: 'Council', kind: 'other' }).expect(201)).body.id;
    const wrong = (await admin.post(`/api/affiliates/${council}/rates`, { rateCents: 99999, effectiveFrom: '2026-01-01' }).expect(201)).body.id;
    await admin.delete(`/api/affiliates/${council}/rates/${wrong}`).expect(204);
    expect((await admin.delete(`/api/affiliates/${council}/rates/${wrong}`)).status).toBe(404);
    const renamed = await admin.patch(`/api/affiliates/${council}`, { name: 'Central Labor Council', kind: 'central_labor_council' }).expect(200);
    expect(renamed.body).toMatchObject({ name: 'Central Labor Council', kind: 'central_labor_council', rates: [] });
    const audit = (await admin.get('/api/audit').expect(200)).body.data.map((entry: { action: string }) => entry.action);
    expect(audit).toEqual(expect.arrayContaining(['affiliate.created', 'affiliate.rate_set', 'affiliate.rate_removed', 'affiliate.changed']));
  });

  test('per-capita for January: 3 members in good standing at the month end in Chicago × the rates in force on the 1st', async () => {
    const res = await as(local.staff.treasurer.token).get('/api/reports/per-capita?month=2026-01').expect(200);
    // Ana active, Cy past due, Flo active; Ben, Gus and Hal (23:30 on the 31st in Chicago) lapsed; Di not yet on the roll; Ed exempt.
    expect(res.body).toMatchObject({ month: '2026-01', membersInGoodStanding: 3, totalCents: 3 * 1000 + 3 * 150 });
    expect(res.body.affiliates.map((a: { affiliate: string; rateCents: number; owedCents: number }) => [a.affiliate, a.rateCents, a.owedCents])).toEqual([
      ['International Brotherhood', 1000, 3000],
      ['State Federation', 150, 450],
    ]);
  });

  test('per-capita for February: 6 members, the International at its new rate; as CSV too', async () => {
    const res = await as(local.staff.treasurer.token).get('/api/reports/per-capita?month=2026-02').expect(200);
    expect(res.body).toMatchObject({ membersInGoodStanding: 6, totalCents: 6 * 1200 + 6 * 150 });
    const csv = await as(local.staff.treasurer.token).get('/api/reports/per-capita?month=2026-02&format=csv').expect(200);
    const rows = parse(csv.text.replace(/^\ufeff/, ''), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => [row['Affiliate'], row['Rate'], row['Members in good standing'], row['Owed'], row['Owed (minor units)']])).toEqual([
      ['International Brotherhood', '12.00', '6', '72.00', '7200'],
      ['State Federation', '1.50', '6', '9.00', '900'],
    ]);
  });

  test('the annual report carries the per-capita tax of its twelve months', async () => {
    const res = await as(local.staff.treasurer.token).get('/api/reports/annual?fiscalYear=2026').expect(200);
    // January 3 × 11.50, then 6 × 13.50 for February to December.
    expect(res.body.perCapitaTaxCents).toBe(3 * 1150 + 11 * 6 * 1350);
  });
});

test('monthly member counts: joined, lapsed and recovered, by the organization calendar', async () => {
  const treasurer = as(local.staff.treasurer.token);
  expect((await treasurer.get('/api/reports/monthly?month=2026-01').expect(200)).body.members).toEqual({ paying: 0, joined: 1, lapsed: 2, recovered: 0 });
  expect((await treasurer.get('/api/reports/monthly?month=2026-02').expect(200)).body.members).toEqual({ paying: 0, joined: 0, lapsed: 0, recovered: 2 });
});

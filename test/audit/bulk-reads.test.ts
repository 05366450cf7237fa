import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, testApp, testContext, type OrganizationFixture } from '../support/app';
import { SESSION_COOKIE } from '../../src/auth/guard';

// Reads of many members' records are audited as the CSV downloads are, and no API answer
// or download may be kept by a browser or a proxy (Cache-Control: no-store).
let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let union: OrganizationFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  union = await createOrganizationWithStaff(ctx, 'local-900');
  await ctx.db
    .insertInto('members')
    .values(
      Array.from({ length: 30 }, (_, i) => ({
        organization_id: union.id,
        name: `Member ${i}`,
        email: `member${i}@example.org`,
        worksite: 'Plant A',
        standing: i % 2 === 0 ? ('lapsed' as const) : ('active' as const),
        paid_through: '2026-08-31',
        ...memberTimes(),
      })),
    )
    .execute();
});
afterAll(async () => {
  await testDb.drop();
});

const bearer = (role: 'admin' | 'organizer' | 'treasurer') => ({ Authorization: `Bearer ${union.staff[role].token}` });
const latest = (action: string) =>
  ctx.db.selectFrom('audit_log').select(['actor_staff_user_id', 'subject_id', 'details', 'request_id']).where('organization_id', '=', union.id).where('action', '=', action).orderBy('id', 'desc').executeTakeFirst();

describe('bulk reads are audited', () => {
  test('GET /api/retention/lapsed?limit=1000 records who read how many rows with which filters', async () => {
    const res = await request(app).get('/api/retention/lapsed?limit=1000&worksite=Plant%20A').set(bearer('organizer'));
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBe(15);
    const entry = await latest('retention.lapsed_listed');
    expect(entry).toMatchObject({ actor_staff_user_id: union.staff.organizer.id, subject_id: union.id, request_id: res.headers['x-request-id'], details: { rows: 15, filters: { limit: 1000, offset: 0, worksite: 'Plant A' } } });
    await request(app).get('/api/retention/at-risk').set(bearer('admin')).expect(200);
    expect(await latest('retention.at_risk_listed')).toMatchObject({ actor_staff_user_id: union.staff.admin.id, details: { rows: 0 } });
  });

  test('each page of GET /api/members is recorded, the pages after the first marked as such', async () => {
    const first = await request(app).get('/api/members?limit=20&standing=lapsed').set(bearer('treasurer'));
    expect(first.status).toBe(200);
    expect(await latest('member.listed')).toMatchObject({ actor_staff_user_id: union.staff.treasurer.id, details: { rows: 15, filters: { limit: 20, standing: 'lapsed', paged: false } } });
    const all = await request(app).get('/api/members?limit=20').set(bearer('treasurer'));
    const next = await request(app).get(`/api/members?limit=20&cursor=${encodeURIComponent(all.body.nextCursor)}`).set(bearer('treasurer'));
    expect(next.status).toBe(200);
    expect(await latest('member.listed')).toMatchObject({ details: { rows: 10, filters: { limit: 20, paged: true } } });
  });

  test("the console's call lists are recorded: an organizer's own, the organization's, a worksite's, each page", async () => {
    const cookie = (role: 'admin' | 'organizer') => ({ Cookie: `${SESSION_COOKIE}=${union.staff[role].token}`, Accept: 'text/html' });
    const own = await request(app).get('/console/workspace').set(cookie('organizer'));
    expect(own.status).toBe(200);
    expect(await latest('retention.call_list_viewed')).toMatchObject({ actor_staff_user_id: union.staff.organizer.id, subject_id: union.id, request_id: own.headers['x-request-id'], details: { rows: 0, filters: { scope: 'mine', from: 0, via: 'console' } } });
    const all = await request(app).get('/console/workspace?scope=all').set(cookie('admin'));
    expect(all.status).toBe(200);
    expect(await latest('retention.call_list_viewed')).toMatchObject({ actor_staff_user_id: union.staff.admin.id, request_id: all.headers['x-request-id'], details: { rows: 15, filters: { scope: 'all', from: 0, via: 'console' } } });
    const site = await request(app).get('/console/worksites/Plant%20A?from=10').set(cookie('organizer'));
    expect(site.status).toBe(200);
    expect(await latest('retention.call_list_viewed')).toMatchObject({ actor_staff_user_id: union.staff.organizer.id, request_id: site.headers['x-request-id'], details: { rows: 5, filters: { worksite: 'Plant A', from: 10, via: 'console' } } });
  });

  test("the console's members list is recorded too", async () => {
    const res = await request(app).get('/console/members?standing=lapsed').set('Cookie', `${SESSION_COOKIE}=${union.staff.admin.token}`).set('Accept', 'text/html');
    expect(res.status).toBe(200);
    expect(await latest('member.listed')).toMatchObject({ actor_staff_user_id: union.staff.admin.id, details: { rows: 15, filters: { standing: 'lapsed', via: 'console', paged: false } } });
  });
});

describe('Cache-Control: no-store', () => {
  test.each([
    ['a JSON list', '/api/members', 'treasurer'],
    ['a call list download', '/api/retention/lapsed?format=csv', 'organizer'],
    ['a ledger download', '/api/ledger/export?format=csv', 'treasurer'],
    ['a report download', '/api/reports/monthly?month=2026-11&format=csv', 'treasurer'],
    ['an API error', '/api/members?limit=not-a-number', 'treasurer'],
    ['an unauthenticated API answer', '/api/members', undefined],
  ] as const)('%s', async (_name, path, role) => {
    const call = request(app).get(path);
    const res = role ? await call.set(bearer(role)) : await call;
    expect(res.status).toBeLessThan(500);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

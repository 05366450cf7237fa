import type { Db } from '../../db/connection';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, testApp, testContext, type OrganizationFixture } from '../support/app';
import { as, FLAT_25_MONTHLY, insertPlan } from './fixtures';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let orgA: OrganizationFixture;
let orgB: OrganizationFixture;
let planOfA: string;
let memberOfA: { id: string; name: string; email: string };

async function rowsOfA(db: Db): Promise<string> {
  const rows = await Promise.all([
    db.selectFrom('members').selectAll().where('organization_id', '=', orgA.id).orderBy('id').execute(),
    db.selectFrom('member_standing_changes').selectAll().where('organization_id', '=', orgA.id).orderBy('id').execute(),
    db.selectFrom('manual_payments').selectAll().where('organization_id', '=', orgA.id).orderBy('id').execute(),
  ]);
  return JSON.stringify(rows);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  orgA = await createOrganizationWithStaff(ctx, 'org-a');
  orgB = await createOrganizationWithStaff(ctx, 'org-b');
  planOfA = await insertPlan(ctx.db, orgA.id, { name: 'Alpha Regular', rule: FLAT_25_MONTHLY });
  await insertPlan(ctx.db, orgB.id, { name: 'Beta Regular', rule: FLAT_25_MONTHLY });
  const created = await as(app, orgA.staff.admin.token)
    .post('/api/members')
    .send({ name: 'Alma Alpha', email: 'alma@alpha.example.org', phone: '555-777-0001', worksite: 'Alpha Works', planId: planOfA, organizerStaffUserId: orgA.staff.organizer.id });
  expect(created.status).toBe(201);
  memberOfA = created.body;
  await as(app, orgA.staff.treasurer.token).post(`/api/members/${memberOfA.id}/payments`).send({ method: 'cash', amountCents: 2500, periodStart: '2026-11-01', periodEnd: '2026-11-30' });
  for (const name of ['Bea Beta', 'Bo Beta']) {
    expect((await as(app, orgB.staff.admin.token).post('/api/members').send({ name, email: `${name.split(' ')[0]!.toLowerCase()}@beta.example.org` })).status).toBe(201);
  }
});
afterAll(async () => {
  await testDb.drop();
});

const ROLES = ['admin', 'treasurer', 'organizer'] as const;

describe("organization B never reaches organization A's members", () => {
  test.each(ROLES)("B's %s gets 404 for A's member by id", async (role) => {
    const res = await as(app, orgB.staff[role].token).get(`/api/members/${memberOfA.id}`);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain(memberOfA.email);
  });

  test.each<[string, Record<string, string>]>([
    ['the whole list', {}],
    ["A's plan", { planId: '' }],
    ["A's organizer", { organizerId: '' }],
    ["A's worksite", { worksite: 'Alpha Works' }],
    ["A's member's name", { q: 'alma' }],
    ["A's member's email", { q: 'alpha.example.org' }],
    ["A's member's phone", { q: '555-777-0001' }],
  ])("B's list by %s holds none of A's members", async (_case, query) => {
    const filled = { ...query, ...(query.planId === '' ? { planId: planOfA } : {}), ...(query.organizerId === '' ? { organizerId: orgA.staff.organizer.id } : {}) };
    const res = await as(app, orgB.staff.treasurer.token).get('/api/members').query(filled);
    expect(res.status).toBe(200);
    expect(res.body.data.every((member: { email: string }) => member.email.endsWith('@beta.example.org'))).toBe(true);
    expect(JSON.stringify(res.body)).not.toMatch(/alpha/i);
  });

  test("a cursor at A's member's position shows B only B's members", async () => {
    const res = await as(app, orgB.staff.treasurer.token).get('/api/members').query({ cursor: Buffer.from(JSON.stringify(['A', memberOfA.id])).toString('base64url') });
    expect(res.body.data.map((member: { name: string }) => member.name)).toEqual(['Bea Beta', 'Bo Beta']);
  });

  test.each(ROLES)("B's %s cannot change A's member: 404, and A's rows are unchanged", async (role) => {
    const before = await rowsOfA(ctx.db);
    const res = await as(app, orgB.staff[role].token).patch(`/api/members/${memberOfA.id}`).send({ phone: '000', worksite: 'Taken by B' });
    expect(res.status).toBe(404);
    const asAdmin = await as(app, orgB.staff.admin.token).patch(`/api/members/${memberOfA.id}`).send({ name: 'Renamed by B', standing: 'dropped', email: 'b@beta.example.org' });
    expect(asAdmin.status).toBe(404);
    expect(await rowsOfA(ctx.db)).toBe(before);
  });

  test("B cannot record a payment for A's member: 404, and A's rows are unchanged", async () => {
    const before = await rowsOfA(ctx.db);
    for (const role of ['admin', 'treasurer'] as const) {
      const res = await as(app, orgB.staff[role].token).post(`/api/members/${memberOfA.id}/payments`).send({ method: 'cash', amountCents: 100, periodStart: '2027-01-01', periodEnd: '2027-12-31' });
      expect(res.status).toBe(404);
    }
    expect(await rowsOfA(ctx.db)).toBe(before);
  });

  test("B cannot put its members on A's plan or under A's organizer", async () => {
    const onPlan = await as(app, orgB.staff.admin.token).post('/api/members').send({ name: 'X', email: 'x@beta.example.org', planId: planOfA });
    expect(onPlan.status).toBe(400);
    expect(onPlan.body.error.details.fields[0].path).toBe('body.planId');
    const underOrganizer = await as(app, orgB.staff.admin.token).post('/api/members').send({ name: 'X', email: 'x@beta.example.org', organizerStaffUserId: orgA.staff.organizer.id });
    expect(underOrganizer.status).toBe(400);
    expect(underOrganizer.body.error.details.fields[0].path).toBe('body.organizerStaffUserId');
  });

  test("B's import cannot name A's plan or A's organizer, and A's emails do not clash with B's", async () => {
    const before = await rowsOfA(ctx.db);
    const csv = [
      'name,email,plan,organizer_email',
      `By Id,byid@beta.example.org,${planOfA},`,
      'By Name,byname@beta.example.org,Alpha Regular,',
      `Organized,organized@beta.example.org,,${orgA.staff.organizer.email}`,
    ].join('\n');
    const res = await as(app, orgB.staff.admin.token).csv('/api/members/import', csv);
    expect(res.status).toBe(422);
    expect(res.body.error.details.rejected).toEqual([
      { row: 2, field: 'plan', reason: expect.stringMatching(/no plan/) },
      { row: 3, field: 'plan', reason: expect.stringMatching(/no plan/) },
      { row: 4, field: 'organizer_email', reason: expect.stringMatching(/no staff member/) },
    ]);
    const sameEmail = await as(app, orgB.staff.admin.token).csv('/api/members/import', `name,email\nAlma Beta,${memberOfA.email}\n`);
    expect(sameEmail.status).toBe(201);
    expect(await rowsOfA(ctx.db)).toBe(before);
  });
});

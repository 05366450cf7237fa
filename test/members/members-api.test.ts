import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, testApp, testContext } from '../support/app';
import { as, fieldPaths, FLAT_25_MONTHLY, insertPlan, PERCENT_2_1 } from './fixtures';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;
let other: OrganizationFixture;
let flatPlan: string;
let percentPlan: string;
let archivedPlan: string;
let futurePlan: string;
let otherPlan: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'local-7');
  other = await createOrganizationWithStaff(ctx, 'local-9');
  flatPlan = await insertPlan(ctx.db, local.id, { name: 'Regular', rule: FLAT_25_MONTHLY });
  percentPlan = await insertPlan(ctx.db, local.id, { name: 'Percent', rule: PERCENT_2_1, memberClass: 'full-time' });
  archivedPlan = await insertPlan(ctx.db, local.id, { name: 'Old', rule: FLAT_25_MONTHLY, status: 'archived' });
  futurePlan = await insertPlan(ctx.db, local.id, { name: 'Next year', rule: FLAT_25_MONTHLY, effectiveFrom: '2027-01-01' });
  otherPlan = await insertPlan(ctx.db, other.id, { name: 'Regular', rule: FLAT_25_MONTHLY });
});
afterAll(async () => {
  await testDb.drop();
});

const treasurer = () => as(app, local.staff.treasurer.token);
const admin = () => as(app, local.staff.admin.token);
const organizer = () => as(app, local.staff.organizer.token);

let sequence = 0;
async function createMember(fields: Record<string, unknown> = {}) {
  sequence += 1;
  const res = await treasurer().post('/api/members').send({ name: `Member ${sequence}`, email: `member${sequence}@example.org`, ...fields });
  expect(res.status).toBe(201);
  return res.body as { id: string; email: string } & Record<string, unknown>;
}

describe('POST /api/members', () => {
  test('creates a pending member with defaults, its first standing change and an audit entry', async () => {
    const res = await treasurer()
      .post('/api/members')
      .send({
        name: ' Rosa Ruiz ',
        email: 'rosa@example.org',
        phone: '(555) 010-0100',
        preferredLanguage: 'es',
        employer: 'Acme Foods',
        worksite: 'Plant 2',
        organizerStaffUserId: local.staff.organizer.id,
        externalId: 'L7-0001',
        planId: percentPlan,
        wageFacts: { grossWageCents: 200_000, payFrequency: 'monthly', hourlyWageCents: 1500 },
        joinedOn: '2019-05-01',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Rosa Ruiz',
      email: 'rosa@example.org',
      preferredLanguage: 'es',
      memberClass: 'full-time',
      standing: 'pending',
      planId: percentPlan,
      // Only the facts the plan's rule reads are kept.
      wageFacts: { grossWageCents: 200_000, payFrequency: 'monthly' },
      joinedOn: '2019-05-01',
      paidThrough: null,
    });
    const history = await ctx.db.selectFrom('member_standing_changes').selectAll().where('member_id', '=', res.body.id).execute();
    expect(history).toEqual([expect.objectContaining({ from_standing: null, to_standing: 'pending', cause: 'created_by_staff', staff_user_id: local.staff.treasurer.id })]);
    const audit = await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'member.created').where('subject_id', '=', res.body.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.organization_id).toBe(local.id);
  });

  test('a member created with a standing starts in it; the plan is optional', async () => {
    const res = await admin().post('/api/members').send({ name: 'Ana', email: 'ana.active@example.org', standing: 'active' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ standing: 'active', planId: null, memberClass: 'regular', preferredLanguage: 'en', wageFacts: {} });
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ['no name', { email: 'x1@example.org' }, ['body.name']],
    ['not an email', { name: 'X', email: 'nope' }, ['body.email']],
    ['an unknown language', { name: 'X', email: 'x2@example.org', preferredLanguage: 'fr' }, ['body.preferredLanguage']],
    ['an impossible day', { name: 'X', email: 'x3@example.org', joinedOn: '2026-02-30' }, ['body.joinedOn']],
    ['an unknown standing', { name: 'X', email: 'x4@example.org', standing: 'great' }, ['body.standing']],
    ['an unknown field', { name: 'X', email: 'x5@example.org', organizationId: 'x' }, ['body']],
    ['a NUL character, which PostgreSQL text cannot hold', { name: 'X\u0000Y', email: 'x7@example.org', worksite: '\u0000' }, ['body.name', 'body.worksite']],
    ['wage facts of the wrong type', { name: 'X', email: 'x6@example.org', planId: flatPlan, wageFacts: { grossWageCents: '2000' } }, ['body.wageFacts.grossWageCents']],
  ])('%s → 400 naming the field', async (_case, body, paths) => {
    const res = await treasurer().post('/api/members').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(fieldPaths(res.body)).toEqual(paths);
  });

  test.each<[string, string, () => Record<string, unknown>, RegExp]>([
    ['an organizer of another organization', 'body.organizerStaffUserId', () => ({ organizerStaffUserId: other.staff.organizer.id }), /not a staff member/],
    ['an organizer id nobody has', 'body.organizerStaffUserId', () => ({ organizerStaffUserId: '00000000-0000-4000-8000-000000000000' }), /not a staff member/],
    ["another organization's plan", 'body.planId', () => ({ planId: otherPlan }), /no plan/],
    ['an archived plan', 'body.planId', () => ({ planId: archivedPlan }), /archived/],
    ['a plan whose first rate starts next year', 'body.planId', () => ({ planId: futurePlan }), /no rate in effect today/],
    ['a percent plan without wages', 'body.wageFacts.grossWageCents', () => ({ planId: percentPlan, wageFacts: { payFrequency: 'weekly' } }), /gross wages/],
    ['a percent plan without a pay frequency', 'body.wageFacts.payFrequency', () => ({ planId: percentPlan, wageFacts: { grossWageCents: 100_000 } }), /how often/],
    ['a percent plan with no wage facts at all', 'body.wageFacts.grossWageCents', () => ({ planId: percentPlan }), /gross wages/],
    ['wage facts without a plan', 'body.wageFacts', () => ({ wageFacts: { grossWageCents: 100_000 } }), /go with a plan/],
  ])('%s → 400 on %s', async (_case, path, fields, message) => {
    const res = await treasurer().post('/api/members').send({ name: 'X', email: `checked.${path}.${Math.random()}@example.org`, ...fields() });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  test('an email already used in the organization, in any letter case → 409 naming the email', async () => {
    await createMember({ email: 'dup@example.org' });
    const res = await treasurer().post('/api/members').send({ name: 'Dup', email: 'DUP@Example.ORG' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(fieldPaths(res.body)).toEqual(['body.email']);
  });

  test('the same email in another organization is fine', async () => {
    await createMember({ email: 'shared@example.org' });
    const res = await as(app, other.staff.treasurer.token).post('/api/members').send({ name: 'Shared', email: 'shared@example.org' });
    expect(res.status).toBe(201);
  });

  test('an external id already used → 409 naming it', async () => {
    await createMember({ externalId: 'L7-DUP' });
    const res = await treasurer().post('/api/members').send({ name: 'Dup', email: 'dup.external@example.org', externalId: 'L7-DUP' });
    expect(res.status).toBe(409);
    expect(fieldPaths(res.body)).toEqual(['body.externalId']);
  });

  test('organizers may not add members', async () => {
    const res = await organizer().post('/api/members').send({ name: 'X', email: 'by.organizer@example.org' });
    expect(res.status).toBe(403);
  });

  test('two creations racing for one email: one member, one 409', async () => {
    const results = await Promise.all([1, 2, 3].map(() => treasurer().post('/api/members').send({ name: 'Racer', email: 'racer@example.org' })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });
});

describe('PATCH /api/members/:memberId', () => {
  test('a treasurer changes details; the email stays unique, its own in other letters is fine', async () => {
    const member = await createMember();
    const taken = await createMember();
    const clash = await treasurer().patch(`/api/members/${member.id}`).send({ email: taken.email.toUpperCase() });
    expect(clash.status).toBe(409);
    expect(fieldPaths(clash.body)).toEqual(['body.email']);

    const res = await treasurer().patch(`/api/members/${member.id}`).send({ email: member.email.toUpperCase(), employer: 'Acme', phone: '', externalId: 'L7-PATCH' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: member.email.toUpperCase(), employer: 'Acme', phone: null, externalId: 'L7-PATCH' });
    const audit = await ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'member.updated').where('subject_id', '=', member.id).execute();
    expect(audit).toEqual([{ details: { fields: ['email', 'phone', 'employer', 'externalId'] } }]);
  });

  test('moving to a percent plan checks the wage facts against it; dropping the plan drops the wages', async () => {
    const member = await createMember({ planId: flatPlan });
    const missing = await treasurer().patch(`/api/members/${member.id}`).send({ planId: percentPlan });
    expect(missing.status).toBe(400);
    expect(fieldPaths(missing.body)).toEqual(['body.wageFacts.grossWageCents']);

    const moved = await treasurer().patch(`/api/members/${member.id}`).send({ planId: percentPlan, wageFacts: { grossWageCents: 90_000, payFrequency: 'biweekly' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ planId: percentPlan, wageFacts: { grossWageCents: 90_000, payFrequency: 'biweekly' } });
    const detail = await treasurer().get(`/api/members/${member.id}`);
    expect(detail.body).toMatchObject({ duesCents: 4095, currency: 'usd' });

    const wages = await treasurer().patch(`/api/members/${member.id}`).send({ wageFacts: { grossWageCents: 90_000 } });
    expect(fieldPaths(wages.body)).toEqual(['body.wageFacts.payFrequency']);

    const dropped = await treasurer().patch(`/api/members/${member.id}`).send({ planId: null });
    expect(dropped.body).toMatchObject({ planId: null, wageFacts: {} });
  });

  test('members of an archived plan keep it while other fields change', async () => {
    const { id } = await ctx.db.insertInto('members').values({ organization_id: local.id, name: 'Veteran', email: 'veteran@example.org', plan_id: archivedPlan, wage_facts: '{}', ...memberTimes() }).returning('id').executeTakeFirstOrThrow();
    const res = await treasurer().patch(`/api/members/${id}`).send({ worksite: 'Dock 4', planId: archivedPlan });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ worksite: 'Dock 4', planId: archivedPlan });
    const join = await treasurer().patch(`/api/members/${(await createMember()).id}`).send({ planId: archivedPlan });
    expect(fieldPaths(join.body)).toEqual(['body.planId']);
  });

  test('organizers change contact details and the organizer, and see the contact projection back', async () => {
    const member = await createMember({ planId: flatPlan });
    const res = await organizer().patch(`/api/members/${member.id}`).send({ phone: '555-0199', preferredLanguage: 'es', worksite: 'Plant 9', organizerStaffUserId: local.staff.organizer.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ phone: '555-0199', preferredLanguage: 'es', worksite: 'Plant 9', organizerStaffUserId: local.staff.organizer.id });
    expect(res.body).not.toHaveProperty('planId');
    expect(res.body).not.toHaveProperty('wageFacts');
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ['the email', { email: 'new@example.org' }, ['body.email']],
    ['the plan and wages', { planId: null, wageFacts: {} }, ['body.planId', 'body.wageFacts']],
    ['the standing', { standing: 'exempt' }, ['body.standing']],
  ])('organizers may not change %s → 403 naming the fields', async (_case, body, paths) => {
    const member = await createMember();
    const res = await organizer().patch(`/api/members/${member.id}`).send(body);
    expect(res.status).toBe(403);
    expect(fieldPaths(res.body)).toEqual(paths);
  });

  test('standing changes through PATCH are for admins, recorded with cause "staff" and the reason', async () => {
    const member = await createMember();
    const byTreasurer = await treasurer().patch(`/api/members/${member.id}`).send({ standing: 'exempt' });
    expect(byTreasurer.status).toBe(403);

    const res = await admin().patch(`/api/members/${member.id}`).send({ standing: 'exempt', standingReason: 'retired, executive board vote' });
    expect(res.status).toBe(200);
    expect(res.body.standing).toBe('exempt');
    // The same standing again changes nothing and adds no history.
    await admin().patch(`/api/members/${member.id}`).send({ standing: 'exempt' });

    const detail = await admin().get(`/api/members/${member.id}`);
    expect(detail.body.standingHistory).toEqual([
      expect.objectContaining({ from: 'pending', to: 'exempt', cause: 'staff', causeReference: 'retired, executive board vote', staffUserId: local.staff.admin.id }),
      expect.objectContaining({ from: null, to: 'pending', cause: 'created_by_staff' }),
    ]);
  });

  test('an officer decides resigned, dropped, suspended or exempt, or active to lift a decision; what follows from payments is refused', async () => {
    const member = await createMember({ standing: 'active' });
    for (const derived of ['past_due', 'lapsed', 'pending']) {
      const res = await admin().patch(`/api/members/${member.id}`).send({ standing: derived });
      expect(res.status).toBe(400);
      expect(fieldPaths(res.body)).toEqual(['body.standing']);
    }
    // A roll's paid-through date four months back: dropping them is the officer's decision, which a payment does not undo.
    await ctx.db.updateTable('members').set({ recorded_paid_through: '2026-07-31', paid_through: '2026-07-31', plan_id: flatPlan }).where('id', '=', member.id).execute();
    expect((await admin().patch(`/api/members/${member.id}`).send({ standing: 'dropped', standingReason: 'board vote' })).body.standing).toBe('dropped');
    await treasurer().post(`/api/members/${member.id}/payments`).send({ method: 'cash', amountCents: 10000, periodStart: '2026-08-01', periodEnd: '2026-11-30' }).expect(201);
    expect((await admin().get(`/api/members/${member.id}`)).body).toMatchObject({ standing: 'dropped', standingReason: 'dropped_by_officer', paidThrough: '2026-11-30' });
    // Lifted: the member is what the payments make them.
    const lifted = await admin().patch(`/api/members/${member.id}`).send({ standing: 'active', standingReason: 'reinstated by the board' });
    expect(lifted.body).toMatchObject({ standing: 'active', standingReason: 'paid_up' });
  });

  test('an officer reinstating a member who still owes months: the rules apply again', async () => {
    const member = await createMember({ standing: 'active' });
    await ctx.db.updateTable('members').set({ recorded_paid_through: '2026-07-31', paid_through: '2026-07-31', standing: 'suspended' }).where('id', '=', member.id).execute();
    const res = await admin().patch(`/api/members/${member.id}`).send({ standing: 'active' });
    expect(res.body).toMatchObject({ standing: 'suspended', standingReason: 'months_owed_suspend' });
    expect((await organizer().get(`/api/members/${member.id}`)).body).toMatchObject({ monthsInArrears: 4 });
  });

  test('validation errors name the field', async () => {
    const member = await createMember();
    const res = await treasurer().patch(`/api/members/${member.id}`).send({ name: '', organizerStaffUserId: 'x' });
    expect(res.status).toBe(400);
    expect(fieldPaths(res.body).sort()).toEqual(['body.name', 'body.organizerStaffUserId']);
    const stranger = await treasurer().patch(`/api/members/${member.id}`).send({ organizerStaffUserId: other.staff.admin.id });
    expect(fieldPaths(stranger.body)).toEqual(['body.organizerStaffUserId']);
  });

  test('an unknown member → 404', async () => {
    const res = await treasurer().patch('/api/members/00000000-0000-4000-8000-000000000000').send({ name: 'Nobody' });
    expect(res.status).toBe(404);
  });
});

describe('GET /api/members/:memberId and the organizer projection', () => {
  test('treasurers see payments, wages and dues; organizers see standing and contact details only', async () => {
    const member = await createMember({ planId: percentPlan, wageFacts: { grossWageCents: 200_000, payFrequency: 'monthly' }, externalId: 'L7-SEEN' });
    await ctx.db.updateTable('members').set({ stripe_customer_id: 'cus_seen' }).where('id', '=', member.id).execute();
    const paid = await treasurer().post(`/api/members/${member.id}/payments`).send({ method: 'check', amountCents: 4200, periodStart: '2026-11-01', periodEnd: '2026-11-30', reference: '1042' });
    expect(paid.status).toBe(201);

    const full = await treasurer().get(`/api/members/${member.id}`);
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ stripeCustomerId: 'cus_seen', wageFacts: { grossWageCents: 200_000 }, duesCents: 4200, externalId: 'L7-SEEN', paidThrough: '2026-11-30', standing: 'active' });
    expect(full.body.manualPayments).toEqual([expect.objectContaining({ method: 'check', amountCents: 4200, reference: '1042', currency: 'usd' })]);

    const seen = await organizer().get(`/api/members/${member.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ name: member.name, email: member.email, standing: 'active', paidThrough: '2026-11-30' });
    expect(seen.body.standingHistory).toHaveLength(2);
    expect(seen.body.standingHistory[0]).toEqual({ id: expect.any(Number), from: 'pending', to: 'active', cause: 'manual_payment', reason: 'paid_up', staffUserId: local.staff.treasurer.id, at: expect.any(String) });
    for (const hidden of ['stripeCustomerId', 'wageFacts', 'duesCents', 'manualPayments', 'planId', 'externalId']) expect(seen.body).not.toHaveProperty(hidden);
    // Ids left out: a random uuid may hold the digits of a hidden figure.
    const withoutIds = (body: unknown) => JSON.stringify(body).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
    expect(withoutIds(seen.body)).not.toMatch(/cus_seen|200000|4200|1042|causeReference/);

    const list = await organizer().get('/api/members').query({ q: member.email });
    expect(list.body.data).toHaveLength(1);
    expect(withoutIds(list.body)).not.toMatch(/cus_seen|200000|wageFacts|planId/);
  });

  test('organizers may not filter by plan', async () => {
    const res = await organizer().get('/api/members').query({ planId: flatPlan });
    expect(res.status).toBe(403);
  });

  test('a malformed id → 400 on params.memberId; an unknown one → 404', async () => {
    expect((await organizer().get('/api/members/42')).body.error.details.fields[0].path).toBe('params.memberId');
    expect((await organizer().get('/api/members/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

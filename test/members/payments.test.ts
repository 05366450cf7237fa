import type { Standing } from '../../db/database';
import { changeStanding } from '../../src/members/standing';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, testApp, testContext } from '../support/app';
import { as, fieldPaths, FLAT_25_MONTHLY, insertPlan } from './fixtures';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;
let flatPlan: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'local-cash');
  await ctx.db.updateTable('organizations').set({ currency: 'cad' }).where('id', '=', local.id).execute();
  flatPlan = await insertPlan(ctx.db, local.id, { name: 'Regular', rule: FLAT_25_MONTHLY });
});
afterAll(async () => {
  await testDb.drop();
});

const treasurer = () => as(app, local.staff.treasurer.token);
let sequence = 0;
async function memberIn(standing: Standing, paidThrough: string | null = null): Promise<string> {
  sequence += 1;
  const { id } = await ctx.db
    .insertInto('members')
    .values({ organization_id: local.id, name: `Payer ${sequence}`, email: `payer${sequence}@example.org`, plan_id: flatPlan, standing, paid_through: paidThrough, wage_facts: '{}', ...memberTimes() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}
const pay = (memberId: string, fields: Record<string, unknown> = {}) =>
  treasurer()
    .post(`/api/members/${memberId}/payments`)
    .send({ method: 'cash', amountCents: 2500, periodStart: '2026-11-01', periodEnd: '2026-11-30', ...fields });
const historyOf = (memberId: string) => ctx.db.selectFrom('member_standing_changes').selectAll().where('member_id', '=', memberId).orderBy('id').execute();

describe('POST /api/members/:memberId/payments', () => {
  test('a check for a lapsed member: recorded in the organization currency, paid-through advanced, made active with history and audit', async () => {
    const memberId = await memberIn('lapsed', '2026-08-31');
    const res = await pay(memberId, { method: 'check', amountCents: 7500, periodStart: '2026-09-01', periodEnd: '2026-11-30', receivedOn: '2026-11-20', reference: '1042', note: 'three months, at the gate' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      method: 'check',
      amountCents: 7500,
      currency: 'cad',
      periodStart: '2026-09-01',
      periodEnd: '2026-11-30',
      receivedOn: '2026-11-20',
      reference: '1042',
      note: 'three months, at the gate',
      recordedByStaffUserId: local.staff.treasurer.id,
      member: { id: memberId, paidThrough: '2026-11-30', standing: 'active' },
    });
    expect(await historyOf(memberId)).toEqual([
      expect.objectContaining({ from_standing: 'lapsed', to_standing: 'active', cause: 'manual_payment', cause_reference: res.body.id, staff_user_id: local.staff.treasurer.id }),
    ]);
    const audit = await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'member.manual_payment_recorded').where('subject_id', '=', memberId).execute();
    expect(audit).toEqual([expect.objectContaining({ details: { paymentId: res.body.id, method: 'check', amountCents: 7500, currency: 'cad', periodEnd: '2026-11-30' } })]);
  });

  test('received on defaults to today in the organization time zone', async () => {
    // 2026-11-25T03:00Z is still the 24th in Chicago.
    ctx.clock.now = new Date('2026-11-25T03:00:00Z');
    try {
      const res = await pay(await memberIn('active'));
      expect(res.body.receivedOn).toBe('2026-11-24');
      const future = await pay(await memberIn('active'), { receivedOn: '2026-11-25' });
      expect(future.status).toBe(400);
      expect(fieldPaths(future.body)).toEqual(['body.receivedOn']);
    } finally {
      ctx.clock.now = new Date('2026-11-24T15:00:00Z');
    }
  });

  test('paid-through never moves backwards; an active member gains no history', async () => {
    const memberId = await memberIn('active', '2026-12-31');
    const late = await pay(memberId, { periodStart: '2026-10-01', periodEnd: '2026-10-31' });
    expect(late.status).toBe(201);
    expect(late.body.member).toMatchObject({ paidThrough: '2026-12-31', standing: 'active' });
    const ahead = await pay(memberId, { periodStart: '2027-01-01', periodEnd: '2027-03-31' });
    expect(ahead.body.member.paidThrough).toBe('2027-03-31');
    expect(await historyOf(memberId)).toEqual([]);
    const detail = await treasurer().get(`/api/members/${memberId}`);
    expect(detail.body.manualPayments.map((p: { periodEnd: string }) => p.periodEnd)).toEqual(['2027-03-31', '2026-10-31']);
  });

  test.each<[Standing, Standing]>([
    ['pending', 'active'],
    ['past_due', 'active'],
    ['exempt', 'exempt'],
    ['resigned', 'resigned'],
    ['dropped', 'dropped'],
    ['suspended', 'suspended'],
  ])('a payment for a member in %s standing leaves them %s, and still advances paid-through', async (from, to) => {
    const memberId = await memberIn(from);
    const res = await pay(memberId);
    expect(res.body.member).toMatchObject({ standing: to, paidThrough: '2026-11-30' });
    expect((await historyOf(memberId)).length).toBe(from === to ? 0 : 1);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ['an unknown method', { method: 'bitcoin' }, ['body.method']],
    ['zero', { amountCents: 0 }, ['body.amountCents']],
    ['a negative amount', { amountCents: -100 }, ['body.amountCents']],
    ['dollars instead of cents', { amountCents: 25.5 }, ['body.amountCents']],
    ['a period ending before it starts', { periodStart: '2026-11-30', periodEnd: '2026-11-01' }, ['body.periodEnd']],
    ['not a day', { periodStart: '11/01/2026' }, ['body.periodStart']],
    ['year zero, which PostgreSQL refuses', { periodStart: '0000-01-01' }, ['body.periodStart']],
    ['an unknown field', { currency: 'usd' }, ['body']],
    ['a NUL in the note', { note: 'paid\u0000' }, ['body.note']],
  ])('%s → 400 naming the field, nothing recorded', async (_case, fields, paths) => {
    const memberId = await memberIn('lapsed', '2026-08-31');
    const res = await pay(memberId, fields);
    expect(res.status).toBe(400);
    expect(fieldPaths(res.body)).toEqual(paths);
    expect(await ctx.db.selectFrom('manual_payments').select('id').where('member_id', '=', memberId).execute()).toEqual([]);
    expect(await ctx.db.selectFrom('members').select(['standing', 'paid_through']).where('id', '=', memberId).executeTakeFirst()).toEqual({ standing: 'lapsed', paid_through: '2026-08-31' });
  });

  test('organizers may not record payments; an unknown member → 404', async () => {
    const memberId = await memberIn('lapsed');
    expect((await as(app, local.staff.organizer.token).post(`/api/members/${memberId}/payments`).send({ method: 'cash', amountCents: 100, periodStart: '2026-11-01', periodEnd: '2026-11-30' })).status).toBe(403);
    expect((await pay('00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  test('payments recorded at once for one member all count, and paid-through ends at the latest period', async () => {
    const memberId = await memberIn('lapsed', '2026-06-30');
    const months = ['2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31', '2026-11-30'];
    const results = await Promise.all(months.map((end) => pay(memberId, { periodStart: `${end.slice(0, 8)}01`, periodEnd: end })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(await ctx.db.selectFrom('members').select(['standing', 'paid_through']).where('id', '=', memberId).executeTakeFirst()).toEqual({ standing: 'active', paid_through: '2026-11-30' });
    expect(await historyOf(memberId)).toHaveLength(1);
  });
});

describe('changeStanding', () => {
  test('records a change once, with its cause; the same standing again records nothing', async () => {
    const memberId = await memberIn('active');
    const change = { organizationId: local.id, memberId, to: 'past_due' as const, cause: 'stripe_event', causeReference: 'evt_123', at: ctx.now() };
    const first = await ctx.db.transaction().execute((trx) => changeStanding(trx, change));
    const again = await ctx.db.transaction().execute((trx) => changeStanding(trx, change));
    expect(first).toEqual({ from: 'active', to: 'past_due', changed: true });
    expect(again).toEqual({ from: 'past_due', to: 'past_due', changed: false });
    expect(await historyOf(memberId)).toEqual([expect.objectContaining({ from_standing: 'active', to_standing: 'past_due', cause: 'stripe_event', cause_reference: 'evt_123', staff_user_id: null })]);
  });

  test("another organization's id finds no member", async () => {
    const memberId = await memberIn('active');
    const other = await createOrganizationWithStaff(ctx, 'local-other');
    await expect(ctx.db.transaction().execute((trx) => changeStanding(trx, { organizationId: other.id, memberId, to: 'lapsed', cause: 'staff', at: ctx.now() }))).rejects.toMatchObject({ code: 'not_found' });
    expect(await historyOf(memberId)).toEqual([]);
  });
});

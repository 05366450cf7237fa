import type { Standing } from '../../db/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, TEST_NOW, testApp, testContext } from '../support/app';
import { as, fieldPaths, FLAT_25_MONTHLY, insertPlan } from './fixtures';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;
let flatPlan: string;
let raisedPlan: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'local-cash');
  await ctx.db.updateTable('organizations').set({ currency: 'cad' }).where('id', '=', local.id).execute();
  flatPlan = await insertPlan(ctx.db, local.id, { name: 'Regular', rule: FLAT_25_MONTHLY });
  // $15 a month until a raise to $20 voted for November.
  raisedPlan = await insertPlan(ctx.db, local.id, { name: 'Raised', rule: { kind: 'flat', amountCents: 1500 } });
  await ctx.db
    .insertInto('plan_versions')
    .values({ organization_id: local.id, plan_id: raisedPlan, version: 2, effective_from: '2026-11-01', amount_rule: JSON.stringify({ kind: 'flat', amountCents: 2000 }), initiation_fee_cents: null, authorization_note: 'vote of 2026-10-01', created_at: TEST_NOW })
    .execute();
});
afterAll(async () => {
  await testDb.drop();
});

const treasurer = () => as(app, local.staff.treasurer.token);
let sequence = 0;
/** A member on a plan, with the paid-through date a roll recorded for them (a fact, as an import keeps it). */
async function memberIn(standing: Standing, paidThrough: string | null = null, planId: string | null = flatPlan): Promise<string> {
  sequence += 1;
  const { id } = await ctx.db
    .insertInto('members')
    .values({ organization_id: local.id, name: `Payer ${sequence}`, email: `payer${sequence}@example.org`, plan_id: planId, standing, standing_decision: ['resigned', 'dropped', 'exempt'].includes(standing) ? (standing as 'resigned') : null, paid_through: paidThrough, recorded_paid_through: paidThrough, wage_facts: '{}', ...memberTimes() })
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

  test('paid-through never moves backwards (a month already paid is credit); an active member gains no history', async () => {
    const memberId = await memberIn('active', '2026-12-31');
    const late = await pay(memberId, { periodStart: '2026-10-01', periodEnd: '2026-10-31' });
    expect(late.status).toBe(201);
    expect(late.body).toMatchObject({ creditCents: 2500, memberCreditCents: 2500, periods: [{ start: '2026-10-01', end: '2026-10-31', duesCents: 2500, appliedCents: 0 }] });
    expect(late.body.member).toMatchObject({ paidThrough: '2026-12-31', standing: 'active' });
    // The credit pays part of three months ahead.
    const ahead = await pay(memberId, { amountCents: 5000, periodStart: '2027-01-01', periodEnd: '2027-03-31' });
    expect(ahead.body).toMatchObject({ creditUsedCents: 2500, memberCreditCents: 0 });
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
    ['suspended', 'active'],
  ])('a payment for a member in %s standing leaves them %s (decisions stand; arrears paid reinstate), and still advances paid-through', async (from, to) => {
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
    // Whichever month was recorded first, the last change is to active.
    expect((await historyOf(memberId)).at(-1)).toMatchObject({ to_standing: 'active', reason: 'paid_up' });
  });
});

describe('what a manual payment pays for', () => {
  const periodsOf = (body: { periods: Array<{ end: string; duesCents: number; appliedCents: number }> }) => body.periods.map((p) => [p.end, p.duesCents, p.appliedCents]);

  test('one cent for four months is refused, naming what is owed; nothing is recorded', async () => {
    const memberId = await memberIn('past_due', '2026-08-31');
    const res = await pay(memberId, { amountCents: 1, periodStart: '2026-09-01', periodEnd: '2026-12-31' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('$0.01 is less than the $100.00 owed for 2026-09-01 to 2026-12-31: record it as a partial payment to credit it to those periods');
    expect(res.body.error.details).toMatchObject({ fields: [{ path: 'body.amountCents', message: '$99.99 short of the $100.00 owed' }], owedCents: 10000, shortCents: 9999 });
    expect(await ctx.db.selectFrom('manual_payments').select('id').where('member_id', '=', memberId).execute()).toEqual([]);
    expect(await ctx.db.selectFrom('ledger_transactions').select('id').where('member_id', '=', memberId).execute()).toEqual([]);
  });

  test('recorded as partial, it pays towards September and moves nothing', async () => {
    const memberId = await memberIn('past_due', '2026-08-31');
    const res = await pay(memberId, { amountCents: 1, partial: true, periodStart: '2026-09-01', periodEnd: '2026-12-31' });
    expect(res.status).toBe(201);
    expect(periodsOf(res.body)).toEqual([['2026-09-30', 2500, 1], ['2026-10-31', 2500, 0], ['2026-11-30', 2500, 0], ['2026-12-31', 2500, 0]]);
    // Three months owed on November 24: suspended.
    expect(res.body).toMatchObject({ partial: true, creditCents: 0, member: { paidThrough: '2026-08-31', standing: 'suspended' } });
    // The rest of September, and October, later: paid through October; November still owed, so still suspended.
    const rest = await pay(memberId, { amountCents: 4999, periodStart: '2026-09-01', periodEnd: '2026-10-31' });
    expect(periodsOf(rest.body)).toEqual([['2026-09-30', 2500, 2499], ['2026-10-31', 2500, 2500]]);
    expect(rest.body.member).toMatchObject({ paidThrough: '2026-10-31', standing: 'suspended', standingReason: 'arrears_unpaid' });
    const november = await pay(memberId, { periodStart: '2026-11-01', periodEnd: '2026-11-30' });
    expect(november.body.member).toMatchObject({ paidThrough: '2026-11-30', standing: 'active', standingReason: 'paid_up' });
  });

  test('$40 as partial for September to December: two months paid, the third in part', async () => {
    const memberId = await memberIn('past_due', '2026-08-31');
    const res = await pay(memberId, { amountCents: 6000, partial: true, periodStart: '2026-09-01', periodEnd: '2026-12-31' });
    expect(periodsOf(res.body)).toEqual([['2026-09-30', 2500, 2500], ['2026-10-31', 2500, 2500], ['2026-11-30', 2500, 1000], ['2026-12-31', 2500, 0]]);
    expect(res.body.member).toMatchObject({ paidThrough: '2026-10-31', standing: 'past_due' });
  });

  test('more than owed is kept as credit, shown to treasurers', async () => {
    const memberId = await memberIn('past_due', '2026-08-31');
    const res = await pay(memberId, { amountCents: 11000, periodStart: '2026-09-01', periodEnd: '2026-12-31' });
    expect(res.body).toMatchObject({ creditCents: 1000, memberCreditCents: 1000, member: { paidThrough: '2026-12-31' } });
    expect((await treasurer().get(`/api/members/${memberId}`)).body).toMatchObject({ creditCents: 1000 });
  });

  test('across a dues increase each month is owed at its own rate: $15, $15, $20, $20', async () => {
    const memberId = await memberIn('past_due', '2026-08-31', raisedPlan);
    const short = await pay(memberId, { amountCents: 6000, periodStart: '2026-09-01', periodEnd: '2026-12-31' });
    expect(short.status).toBe(400);
    expect(short.body.error.details).toMatchObject({ owedCents: 7000, shortCents: 1000 });
    const exact = await pay(memberId, { amountCents: 7000, periodStart: '2026-09-01', periodEnd: '2026-12-31' });
    expect(periodsOf(exact.body)).toEqual([['2026-09-30', 1500, 1500], ['2026-10-31', 1500, 1500], ['2026-11-30', 2000, 2000], ['2026-12-31', 2000, 2000]]);
  });

  test('a range that is not whole billing periods is refused, naming the period ends around it', async () => {
    const res = await pay(await memberIn('active', '2026-08-31'), { periodStart: '2026-09-01', periodEnd: '2026-10-15' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields).toEqual([{ path: 'body.periodEnd', message: 'the plan bills every month: periods from 2026-09-01 end on 2026-09-30 or 2026-10-31' }]);
  });

  test('a member with no plan: refused unless recorded as partial, which keeps the money as credit', async () => {
    const memberId = await memberIn('active', '2026-08-31', null);
    const refused = await pay(memberId);
    expect(refused.status).toBe(409);
    expect(fieldPaths(refused.body)).toEqual(['body.partial']);
    const credited = await pay(memberId, { partial: true });
    expect(credited.body).toMatchObject({ creditCents: 2500, periods: [], member: { paidThrough: '2026-08-31' } });
  });
});

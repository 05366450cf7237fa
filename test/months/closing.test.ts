import request from 'supertest';
import { openStaffSession } from '../../src/auth/sessions';
import { checkLedger } from '../../src/ledger/check';
import { grantRole, upsertStaffUser } from '../../src/staff/queries';
import { testApp } from '../support/app';
import { DAY, START, startStripeFlow, type StripeFlow } from '../support/stripe-flow';
import { createPlans } from '../signup/fixtures';
import { rawClient } from '../ledger/support';

/**
 * January is closed on February 10 while a refund, a disputed payment and a cash payment
 * dated in January are still on their way: they post on February 1 (Chicago), their own
 * dates kept, and January's report is the same before and after.
 */
let flow: StripeFlow;
let app: ReturnType<typeof testApp>;
const tokens = { treasurer: '', admin: '', organizer: '' };
let ava: Awaited<ReturnType<StripeFlow['signUp']>>;

const FEBRUARY_FIRST_IN_CHICAGO = new Date('2026-02-01T06:00:00Z');

beforeAll(async () => {
  flow = await startStripeFlow();
  app = testApp(flow.ctx);
  for (const role of ['treasurer', 'admin', 'organizer'] as const) {
    const user = await upsertStaffUser(flow.testDb.db, { email: `${role}@close.example.org`, name: `${role} of close` }, flow.ctx.now());
    await grantRole(flow.testDb.db, flow.organization.id, user.id, role, flow.ctx.now());
    tokens[role] = (await openStaffSession(flow.testDb.db, flow.ctx.config.jwtSecret, { staffUserId: user.id, organizationId: flow.organization.id, roles: [role], via: 'issued_token' }, 365 * 86_400, flow.ctx.now())).token;
  }
  ava = await flow.signUp({ name: 'Ava Card', paymentMethod: 'pm_card_visa', amountCents: 2500 });
  await flow.settle();
  const plans = await createPlans(flow.testDb.db, flow.organization, [{ name: 'Card dues', rule: { kind: 'flat', amountCents: 2500 } }]);
  await flow.testDb.db.updateTable('members').set({ plan_id: plans['Card dues']! }).where('id', '=', ava.member.id).execute();
}, 120_000);
afterAll(async () => {
  await flow.close();
});

const get = (path: string, token = tokens.treasurer) => request(app).get(path).set('Authorization', `Bearer ${token}`);
const post = (path: string, token = tokens.treasurer) => request(app).post(path).set('Authorization', `Bearer ${token}`);

test('organizers cannot see or close a month', async () => {
  expect((await get('/api/months/2026-01', tokens.organizer)).status).toBe(403);
  expect((await post('/api/months/2026-01/close', tokens.organizer)).status).toBe(403);
});

test('a malformed month is a 400', async () => {
  expect((await get('/api/months/2026-13')).status).toBe(400);
});

test('a month not over cannot be closed: 409 with the reasons', async () => {
  flow.setClock(START + 5 * DAY);
  const state = await get('/api/months/2026-01');
  expect(state.status).toBe(200);
  expect(state.body).toMatchObject({ month: '2026-01', closed: false, ready: false, reasons: [{ code: 'month_not_over' }] });
  const refused = await post('/api/months/2026-01/close');
  expect(refused.status).toBe(409);
  expect(refused.body.error.details.reasons).toEqual([expect.objectContaining({ code: 'month_not_over' })]);
});

test('late events dated in a closed month post on the first open day with their own dates, and the month does not change', async () => {
  // Still in January: a refund and a disputed payment happen, not yet delivered to us.
  const charge = (await flow.stripe.charges.list({ customer: ava.customer.id })).data[0]!;
  await flow.stripe.refunds.create({ charge: charge.id, amount: 1000 });
  await flow.signUp({ name: 'Eli Disputed', paymentMethod: 'pm_card_createDispute', amountCents: 3000 });

  flow.setClock(START + 36 * DAY); // February 10
  const ready = await get('/api/months/2026-01');
  expect(ready.body).toEqual({ month: '2026-01', closed: false, closedAt: null, ready: true, reasons: [] });
  const januaryBefore = await get('/api/reports/monthly?month=2026-01');
  expect(januaryBefore.status).toBe(200);

  const closed = await post('/api/months/2026-01/close');
  expect(closed.status).toBe(200);
  expect(closed.body).toMatchObject({ month: '2026-01', closed: true, ready: false, reasons: [] });
  expect((await post('/api/months/2026-01/close')).status).toBe(409);

  // A cash payment received in January, recorded now; then the late Stripe events arrive.
  const cash = await post(`/api/members/${ava.member.id}/payments`).send({ method: 'cash', amountCents: 2500, periodStart: '2026-02-05', periodEnd: '2026-03-04', receivedOn: '2026-01-20' });
  expect(cash.status).toBe(201);
  const report = await flow.settle();
  expect(report.failed).toBe(0);

  const late = await flow.testDb.db
    .selectFrom('ledger_transactions')
    .select(['kind', 'occurred_at', 'original_occurred_at'])
    .where('organization_id', '=', flow.organization.id)
    .where('original_occurred_at', 'is not', null)
    .execute();
  expect(new Set(late.map((row) => row.kind))).toEqual(new Set(['dues_payment', 'processing_fee', 'refund', 'dispute', 'dispute_fee', 'manual_payment']));
  for (const row of late) {
    expect(row.occurred_at).toEqual(FEBRUARY_FIRST_IN_CHICAGO);
    expect(row.original_occurred_at!.getTime()).toBeLessThan(FEBRUARY_FIRST_IN_CHICAGO.getTime());
  }
  expect(late.find((row) => row.kind === 'manual_payment')!.original_occurred_at).toEqual(new Date('2026-01-20T12:00:00Z'));
  // The export says which day each late posting belongs to.
  const exported = await get('/api/ledger/export?format=csv&from=2026-02-01&to=2026-02-01&kind=manual_payment');
  const [header, cashRow] = exported.text.replace('\ufeff', '').trim().split('\r\n').map((line) => line.split(','));
  expect(cashRow![0]).toBe('2026-02-01');
  expect(cashRow![header!.indexOf('Original date')]).toBe('2026-01-20');

  const januaryAfter = await get('/api/reports/monthly?month=2026-01');
  expect(januaryAfter.body).toEqual(januaryBefore.body);
  expect(await checkLedger(flow.testDb.db, flow.organization.id)).toEqual([]);
  const february = await get('/api/reports/monthly?month=2026-02');
  expect(february.body).toMatchObject({ refundsCents: 1000 });
}, 60_000);

test('the database refuses a posting dated in a closed month that went around the posting code', async () => {
  const client = await rawClient(flow.testDb.url);
  try {
    await expect(
      client.query(
        `INSERT INTO ledger_transactions (organization_id, source_key, kind, occurred_at, currency, description)
         VALUES ($1, 'sneaked-in', 'manual_payment', '2026-01-31T23:00:00-06:00', 'usd', 'backdated')`,
        [flow.organization.id],
      ),
    ).rejects.toThrow(/dated in 2026-01, a closed month/);
    // The last hour of January in Chicago is February in UTC: the organization's month counts.
    await expect(
      client.query(
        `INSERT INTO ledger_transactions (organization_id, source_key, kind, occurred_at, currency, description)
         VALUES ($1, 'sneaked-in', 'manual_payment', '2026-02-01T03:00:00Z', 'usd', 'backdated')`,
        [flow.organization.id],
      ),
    ).rejects.toThrow(/closed month/);
  } finally {
    await client.end();
  }
});

test('only an admin reopens a month, and both the closing and the reopening are audited', async () => {
  expect((await post('/api/months/2026-01/reopen')).status).toBe(403);
  const reopened = await post('/api/months/2026-01/reopen', tokens.admin);
  expect(reopened.status).toBe(200);
  expect(reopened.body).toMatchObject({ month: '2026-01', closed: false });
  expect((await post('/api/months/2026-01/reopen', tokens.admin)).status).toBe(409);
  const audited = await flow.testDb.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', 'in', ['month.closed', 'month.reopened']).orderBy('id').execute();
  expect(audited).toEqual([
    { action: 'month.closed', subject_id: '2026-01' },
    { action: 'month.reopened', subject_id: '2026-01' },
  ]);
  // Closed again, with its history kept.
  expect((await post('/api/months/2026-01/close')).status).toBe(200);
  expect(await flow.testDb.db.selectFrom('closed_months').select(['month', 'reopened_at']).where('organization_id', '=', flow.organization.id).execute()).toHaveLength(2);
});

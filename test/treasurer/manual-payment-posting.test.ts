import request from 'supertest';
import { checkLedger } from '../../src/ledger/check';
import { postingsForManualPayment } from '../../src/ledger/postings';
import { accountBalances, postLedgerTransactions } from '../../src/ledger/queries';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, TEST_NOW, testApp, testContext } from '../support/app';

let testDb: TestDatabase;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;
let memberId: string;

let ctx: ReturnType<typeof testContext>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'local-till');
  memberId = (await testDb.db.insertInto('members').values({ organization_id: local.id, name: 'Rosa Cash', email: 'rosa@example.org', wage_facts: '{}', ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id;
});
afterAll(async () => {
  await testDb.drop();
});

describe('a manual payment is posted to the ledger with the payment', () => {
  test('cash on hand is debited and dues income credited, keyed by the payment, once however often it is posted', async () => {
    const res = await request(app)
      .post(`/api/members/${memberId}/payments`)
      .set('Authorization', `Bearer ${local.staff.treasurer.token}`)
      .send({ method: 'check', amountCents: 4200, periodStart: '2026-10-01', periodEnd: '2026-10-31', receivedOn: '2026-10-15', reference: '1042' });
    expect(res.status).toBe(201);
    const paymentId = res.body.id as string;

    const posted = await testDb.db.selectFrom('ledger_transactions').selectAll().where('organization_id', '=', local.id).execute();
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ source_key: `manual_payment:${paymentId}`, kind: 'manual_payment', member_id: memberId, payment_method: 'check', period_start: '2026-10-01', period_end: '2026-10-31', gross_cents: 4200, fee_cents: 0, net_cents: 4200, description: 'Dues received by check (ref 1042)' });
    const balances = await accountBalances(testDb.db, local.id, 'usd');
    expect(balances.filter((b) => b.balanceCents !== 0).map((b) => [b.account, b.balanceCents])).toEqual([
      ['cash_on_hand', 4200],
      ['dues_income', -4200],
    ]);

    const again = await testDb.db.transaction().execute((trx) =>
      postLedgerTransactions(trx, local.id, postingsForManualPayment({ manualPaymentId: paymentId, method: 'check', currency: 'usd', amountCents: 4200, receivedOn: '2026-10-15', memberId, planId: null, periodStart: '2026-10-01', periodEnd: '2026-10-31', reference: '1042' }), TEST_NOW),
    );
    expect(again).toEqual({ posted: 0, skipped: 1 });
    expect(await testDb.db.selectFrom('ledger_transactions').select('id').where('organization_id', '=', local.id).execute()).toHaveLength(1);
    expect(await checkLedger(testDb.db, local.id)).toEqual([]);
  });

  test('a payment refused (a future day) posts nothing', async () => {
    const res = await request(app)
      .post(`/api/members/${memberId}/payments`)
      .set('Authorization', `Bearer ${local.staff.treasurer.token}`)
      .send({ method: 'cash', amountCents: 100, periodStart: '2026-10-01', periodEnd: '2026-10-31', receivedOn: '2099-01-01' });
    expect(res.status).toBe(400);
    expect(await testDb.db.selectFrom('ledger_transactions').select('id').where('organization_id', '=', local.id).execute()).toHaveLength(1);
  });
});

test('payments received the same day export in the order they were recorded', async () => {
  const payer = (await testDb.db.insertInto('members').values({ organization_id: local.id, name: 'Ana Batch', email: 'ana.batch@example.org', wage_facts: '{}', ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id;
  const months = ['2026-07', '2026-08', '2026-03', '2026-05', '2026-04', '2026-06'];
  for (const [i, month] of months.entries()) {
    ctx.clock.now = new Date(TEST_NOW.getTime() + (i + 1) * 60_000);
    const end = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5)), 0)).toISOString().slice(0, 10);
    await request(app)
      .post(`/api/members/${payer}/payments`)
      .set('Authorization', `Bearer ${local.staff.treasurer.token}`)
      .send({ method: i % 2 === 0 ? 'cash' : 'check', amountCents: 2500, periodStart: `${month}-01`, periodEnd: end, receivedOn: '2026-10-20' })
      .expect(201);
  }
  const csv = await request(app).get(`/api/ledger/export?memberId=${payer}&bom=false`).set('Authorization', `Bearer ${local.staff.treasurer.token}`).expect(200);
  const periods = csv.text.trim().split('\r\n').slice(1).map((line) => /\d{4}-\d\d-01 to \d{4}-\d\d-\d\d/.exec(line)![0].slice(0, 7));
  expect(periods).toEqual(months);
});

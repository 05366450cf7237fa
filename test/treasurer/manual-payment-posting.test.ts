import ExcelJS from 'exceljs';
import request from 'supertest';
import { checkLedger } from '../../src/ledger/check';
import { postingsForChargeSucceeded, postingsForManualPayment } from '../../src/ledger/postings';
import { accountBalances, postLedgerTransactions } from '../../src/ledger/queries';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, TEST_NOW, testApp, testContext } from '../support/app';
import { insertPlan } from '../members/fixtures';

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
  // $42 a month: the check below pays October.
  const planId = await insertPlan(testDb.db, local.id, { name: 'Monthly', rule: { kind: 'flat', amountCents: 4200 } });
  memberId = (await testDb.db.insertInto('members').values({ organization_id: local.id, name: 'Rosa Cash', email: 'rosa@example.org', wage_facts: '{}', plan_id: planId, ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id;
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
      postLedgerTransactions(trx, local.id, postingsForManualPayment({ manualPaymentId: paymentId, method: 'check', currency: 'usd', amountCents: 4200, receivedOn: '2026-10-15', memberId, planId: res.body.member.planId, periodStart: '2026-10-01', periodEnd: '2026-10-31', reference: '1042' }), TEST_NOW),
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
  const planId = await insertPlan(testDb.db, local.id, { name: 'Monthly $25', rule: { kind: 'flat', amountCents: 2500 } });
  const payer = (await testDb.db.insertInto('members').values({ organization_id: local.id, name: 'Ana Batch', email: 'ana.batch@example.org', wage_facts: '{}', plan_id: planId, ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id;
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

test('within a day, rows follow the time each was recorded, not the time a manual payment is dated (CSV and XLSX)', async () => {
  const planId = await insertPlan(testDb.db, local.id, { name: 'Monthly $30', rule: { kind: 'flat', amountCents: 3000 } });
  const payer = (await testDb.db.insertInto('members').values({ organization_id: local.id, name: 'Beto Mixed', email: 'beto.mixed@example.org', wage_facts: '{}', plan_id: planId, ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id;
  // 09:00 in Chicago on 2026-11-20: cash received that day is recorded (dated noon UTC, 06:00 there).
  ctx.clock.now = new Date('2026-11-20T15:00:00Z');
  await request(app)
    .post(`/api/members/${payer}/payments`)
    .set('Authorization', `Bearer ${local.staff.treasurer.token}`)
    .send({ method: 'cash', amountCents: 3000, periodStart: '2026-11-01', periodEnd: '2026-11-30', receivedOn: '2026-11-20' })
    .expect(201);
  // An hour later, a card charge made at 05:00 there that morning is posted, as the webhook pipeline posts it.
  const postedAt = new Date('2026-11-20T16:00:00Z');
  await testDb.db.transaction().execute((trx) =>
    postLedgerTransactions(
      trx,
      local.id,
      postingsForChargeSucceeded({ chargeId: 'ch_Morning1', invoiceId: 'in_Morning1', currency: 'usd', memberId: payer, planId, periodStart: '2026-12-01', periodEnd: '2026-12-31', paymentMethod: 'card', grossCents: 3000, feeCents: 117, initiationFeeCents: 0, occurredAt: new Date('2026-11-20T11:00:00Z') }),
      postedAt,
    ),
  );
  const token = local.staff.treasurer.token;
  const csv = await request(app).get(`/api/ledger/export?memberId=${payer}&bom=false`).set('Authorization', `Bearer ${token}`).expect(200);
  const kinds = csv.text.trim().split('\r\n').slice(1).map((line) => line.split(',')[2]);
  expect(kinds).toEqual(['manual payment', 'dues payment', 'processing fee']);

  const xlsx = await request(app)
    .get(`/api/ledger/export?memberId=${payer}&format=xlsx`)
    .set('Authorization', `Bearer ${token}`)
    .buffer(true)
    .parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    })
    .expect(200);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx.body as ArrayBuffer);
  const sheet = workbook.getWorksheet('Ledger')!;
  expect([2, 3, 4].map((row) => sheet.getRow(row).getCell(3).value)).toEqual(kinds);
});

test('a day is put in posting order even when it spans the export’s 250-row batches', async () => {
  const planId = await insertPlan(testDb.db, local.id, { name: 'Monthly $5', rule: { kind: 'flat', amountCents: 500 } });
  const payer = (await testDb.db.insertInto('members').values({ organization_id: local.id, name: 'Cora Batch', email: 'cora.batch@example.org', wage_facts: '{}', plan_id: planId, ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id;
  // Cash received on November 10, recorded at 09:00 in Chicago that day...
  ctx.clock.now = new Date('2026-11-10T15:00:00Z');
  await request(app)
    .post(`/api/members/${payer}/payments`)
    .set('Authorization', `Bearer ${local.staff.treasurer.token}`)
    .send({ method: 'cash', amountCents: 500, periodStart: '2026-11-01', periodEnd: '2026-11-30', receivedOn: '2026-11-10' })
    .expect(201);
  // ...then 260 card payments made in the small hours of that day, posted together at 10:00: by
  // occurred_at the cash (dated noon UTC) is row 261, in the export's second batch.
  const charges = Array.from({ length: 260 }, (_, i) =>
    postingsForChargeSucceeded({ chargeId: `ch_Night${String(i).padStart(3, '0')}`, invoiceId: null, currency: 'usd', memberId: payer, planId, periodStart: null, periodEnd: null, paymentMethod: 'card', grossCents: 500, feeCents: 0, initiationFeeCents: 0, occurredAt: new Date(Date.UTC(2026, 10, 10, 6, 0, i)) }),
  ).flat();
  await testDb.db.transaction().execute((trx) => postLedgerTransactions(trx, local.id, charges, new Date('2026-11-10T16:00:00Z')));
  const csv = await request(app).get(`/api/ledger/export?memberId=${payer}&bom=false`).set('Authorization', `Bearer ${local.staff.treasurer.token}`).expect(200);
  const lines = csv.text.trim().split('\r\n').slice(1);
  expect(lines).toHaveLength(261);
  expect(lines[0]).toContain('manual payment');
  // The charges follow in the order they were posted.
  expect(lines.slice(1).map((line) => /ch_Night(\d{3})/.exec(line)![1])).toEqual(Array.from({ length: 260 }, (_, i) => String(i).padStart(3, '0')));
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, testApp, testContext, type OrganizationFixture } from '../support/app';
import { FLAT_25_MONTHLY, insertPlan } from '../members/fixtures';

let testDb: TestDatabase;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;
let other: OrganizationFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'bank-api');
  other = await createOrganizationWithStaff(ctx, 'bank-api-other');
  const payout = (id: string, amount: number, arrival: string) => ({ organization_id: local.id, id, status: 'paid', amount_cents: amount, currency: 'usd', arrival_date: arrival, failure_message: null, updated_at: ctx.now() });
  await testDb.db.insertInto('stripe_payouts').values([payout('po_ApiOne', 20_000, '2026-11-02'), payout('po_ApiTwo', 7_500, '2026-11-05'), payout('po_ApiThree', 7_500, '2026-11-06')]).execute();
});
afterAll(async () => {
  await testDb.drop();
});

const as = (token: string) => ({
  get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${token}`),
  put: (path: string, body: object) => request(app).put(path).set('Authorization', `Bearer ${token}`).send(body),
  post: (path: string, body?: object) => request(app).post(path).set('Authorization', `Bearer ${token}`).send(body),
  csv: (path: string, text: string) => request(app).post(path).set('Authorization', `Bearer ${token}`).set('Content-Type', 'text/csv').send(text),
});
const MAPPING = { delimiter: ',', decimalComma: false, dateColumn: 'Date', dateFormat: 'MM/DD/YYYY', amountColumn: null, debitColumn: 'Withdrawals', creditColumn: 'Deposits', descriptionColumn: 'Memo' };
const CSV = 'Date,Memo,Withdrawals,Deposits\n11/03/2026,STRIPE,,200.00\n11/07/2026,STRIPE,,75.00\n11/08/2026,Rent,900.00,\n';

test('organizers are refused; a statement needs a mapping first', async () => {
  expect((await as(local.staff.organizer.token).get('/api/bank/reconciliation')).status).toBe(403);
  expect((await as(local.staff.treasurer.token).csv('/api/bank/statements', CSV)).status).toBe(409);
  expect((await as(local.staff.treasurer.token).get('/api/bank/mapping')).body).toEqual({ mapping: null });
  expect((await as(local.staff.treasurer.token).put('/api/bank/mapping', { ...MAPPING, debitColumn: null })).status).toBe(400);
});

test('import, dedupe, reconciliation, match and undo through the API', async () => {
  const treasurer = as(local.staff.treasurer.token);
  expect((await treasurer.put('/api/bank/mapping', MAPPING)).status).toBe(200);
  const imported = await treasurer.csv('/api/bank/statements', CSV);
  expect(imported.status).toBe(201);
  expect(imported.body).toMatchObject({ rowsRead: 3, withdrawals: 1, depositsNew: 2, depositsKnown: 0, matched: 1 });
  expect((await treasurer.csv('/api/bank/statements', CSV)).body).toMatchObject({ depositsNew: 0, depositsKnown: 2, matched: 0 });
  const unreadable = await treasurer.csv('/api/bank/statements', 'Date,Memo,Withdrawals,Deposits\n13/40/2026,X,,1.00\n');
  expect(unreadable.status).toBe(400);

  const open = await treasurer.get('/api/bank/reconciliation');
  expect(open.status).toBe(200);
  expect(open.body.linesTotal).toBe(1);
  const line = open.body.lines[0];
  expect(line.candidates.map((c: { id: string }) => c.id)).toEqual(['po_ApiTwo', 'po_ApiThree']);

  expect((await as(other.staff.treasurer.token).post(`/api/bank/lines/${line.id}/match`, { kind: 'payout', id: 'po_ApiTwo' })).status).toBe(404);
  const matched = await treasurer.post(`/api/bank/lines/${line.id}/match`, { kind: 'payout', id: 'po_ApiThree' });
  expect(matched.status).toBe(200);
  expect(matched.body.matched).toEqual({ kind: 'payout', id: 'po_ApiThree' });
  expect((await treasurer.post(`/api/bank/lines/${line.id}/unmatch`)).body.matched).toBeNull();
  expect((await treasurer.post(`/api/bank/lines/${line.id}/unmatch`)).status).toBe(409);
  // Another organization's copy of the same statement is its own.
  const stranger = as(other.staff.treasurer.token);
  expect((await stranger.put('/api/bank/mapping', MAPPING)).status).toBe(200);
  expect((await stranger.csv('/api/bank/statements', CSV)).body).toMatchObject({ depositsNew: 2, depositsKnown: 0, matched: 0 });
  expect((await stranger.get('/api/bank/reconciliation')).body.deposits).toEqual([]);
  const actions = await testDb.db.selectFrom('audit_log').select('action').where('organization_id', '=', local.id).where('action', 'like', 'bank.%').orderBy('id').execute();
  expect(actions.map((a) => a.action)).toEqual(['bank.mapping_saved', 'bank.statement_imported', 'bank.statement_imported', 'bank.reconciliation_read', 'bank.line_matched', 'bank.line_unmatched']);
});

test('deposit batches through the API: checked against dues, posted once, another organization answered 404', async () => {
  const planId = await insertPlan(testDb.db, local.id, { name: 'Monthly', rule: FLAT_25_MONTHLY });
  const memberId = (await testDb.db.insertInto('members').values({ organization_id: local.id, name: 'Pat Check', email: 'pat.check@example.org', wage_facts: '{}', plan_id: planId, ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id;
  const treasurer = as(local.staff.treasurer.token);
  expect((await treasurer.post('/api/deposit-batches', { depositedOn: '2099-01-01' })).status).toBe(400);
  const created = await treasurer.post('/api/deposit-batches', { depositedOn: '2026-11-18', reference: 'Slip 7' });
  expect(created.status).toBe(201);
  const batchId = created.body.id as string;
  const item = { memberId, method: 'check', amountCents: 2500, checkNumber: '501', periodStart: '2026-11-01', periodEnd: '2026-11-30' };
  expect((await treasurer.post(`/api/deposit-batches/${batchId}/items`, { ...item, amountCents: 2000 })).status).toBe(400);
  expect((await as(other.staff.treasurer.token).post(`/api/deposit-batches/${batchId}/items`, item)).status).toBe(404);
  const added = await treasurer.post(`/api/deposit-batches/${batchId}/items`, item);
  expect(added.status).toBe(201);
  expect(added.body).toMatchObject({ totalCents: 2500, postedAt: null, items: [{ payer: 'Pat Check', checkNumber: '501', manualPaymentId: null }] });
  expect((await as(other.staff.treasurer.token).post(`/api/deposit-batches/${batchId}/post`)).status).toBe(404);
  const posted = await treasurer.post(`/api/deposit-batches/${batchId}/post`);
  expect(posted.status).toBe(200);
  expect(posted.body.postedAt).not.toBeNull();
  expect((await treasurer.post(`/api/deposit-batches/${batchId}/post`)).body.postedAt).toBe(posted.body.postedAt);
  expect(await testDb.db.selectFrom('manual_payments').select('id').where('member_id', '=', memberId).execute()).toHaveLength(1);
  expect((await treasurer.post(`/api/deposit-batches/${batchId}/items`, item)).status).toBe(409);
});

test('an OFX statement needs no mapping: stored once by the bank’s ids, matched; an unreadable one imports nothing', async () => {
  const ofx = readFileSync(join(__dirname, 'files', 'checking-2026-11.ofx'), 'utf8');
  const fresh = await createOrganizationWithStaff(testContext(testDb.db), 'bank-api-ofx');
  const treasurer = as(fresh.staff.treasurer.token);
  const send = (body: string, type = 'application/x-ofx') => request(app).post('/api/bank/statements').set('Authorization', `Bearer ${fresh.staff.treasurer.token}`).set('Content-Type', type).send(body);
  expect((await treasurer.get('/api/bank/mapping')).body).toEqual({ mapping: null });
  const first = await send(ofx);
  expect(first.status).toBe(201);
  expect(first.body).toMatchObject({ rowsRead: 4, withdrawals: 1, depositsNew: 3, depositsKnown: 0 });
  expect((await send(ofx, 'application/vnd.intu.qfx')).body).toMatchObject({ depositsNew: 0, depositsKnown: 3 });
  const lines = (await treasurer.get('/api/bank/reconciliation')).body.lines.map((l: { bookedOn: string; amountCents: number; description: string }) => [l.bookedOn, l.amountCents, l.description]);
  expect(lines).toEqual([
    ['2026-11-03', 20_000, 'STRIPE · TRANSFER ST-K3P9'],
    ['2026-11-07', 7_500, 'STRIPE · TRANSFER ST-Q8M2'],
    ['2026-11-17', 7_500, 'DEPOSIT · Dépôt caisse — Local 11'],
  ]);
  const broken = await send(ofx.replace('<TRNAMT>75.00', '<TRNAMT>seventy-five'));
  expect(broken.status).toBe(400);
  expect(broken.body.error.message).toBe('1 transaction(s) could not be read: nothing was imported');
  expect((await send('<OFX><BANKMSGSRSV1></OFX>')).status).toBe(400);
  const euros = await send(ofx.replace('<CURDEF>USD', '<CURDEF>EUR').replace(/<FITID>2026/g, '<FITID>EU2026'));
  expect(euros.status).toBe(400);
  expect(euros.body.error.message).toBe('the statement is kept in EUR, not in USD as the books are: nothing was imported');
  expect((await send(ofx, 'application/pdf')).status).toBe(415);
});

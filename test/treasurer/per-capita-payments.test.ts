import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { accountBalances } from '../../src/ledger/queries';
import { checkLedger } from '../../src/ledger/check';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, testApp, testContext } from '../support/app';

// Per-capita tax paid to affiliates (clock 2026-11-24, America/Chicago): the report's owed,
// paid and outstanding, and the ledger's per-capita payable agreeing with what is outstanding.
let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;
let other: OrganizationFixture;
let international: string;
let unrated: string;

const as = (token: string) => ({
  get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${token}`),
  post: (path: string, body: object) => request(app).post(path).set('Authorization', `Bearer ${token}`).send(body),
});

async function members(organizationId: string, count: number, createdAt: Date): Promise<void> {
  await ctx.db
    .insertInto('members')
    .values(Array.from({ length: count }, (_, i) => ({ organization_id: organizationId, name: `Member ${createdAt.toISOString()} ${i}`, email: `m${i}-${createdAt.getTime()}@example.org`, standing: 'active' as const, wage_facts: '{}', ...memberTimes(createdAt) })))
    .execute();
}

const payable = async (organizationId: string) => (await accountBalances(ctx.db, organizationId, 'usd')).find((b) => b.account === 'per_capita_payable')?.balanceCents ?? 0;
const transactions = (organizationId: string) => ctx.db.selectFrom('ledger_transactions').select(['source_key', 'kind', 'occurred_at', 'original_occurred_at', 'affiliate_id', 'period_start', 'period_end']).where('organization_id', '=', organizationId).orderBy('created_at').orderBy('source_key').execute();

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'local-pcpay');
  other = await createOrganizationWithStaff(ctx, 'other-pcpay');
  // Four members in good standing since the summer.
  await members(local.id, 4, new Date('2026-06-01T15:00:00Z'));
  const admin = as(local.staff.admin.token);
  international = (await admin.post('/api/affiliates', { name: 'International Brotherhood', kind: 'international_union' }).expect(201)).body.id;
  unrated = (await admin.post('/api/affiliates', { name: 'Council Without Rate', kind: 'central_labor_council' }).expect(201)).body.id;
  await admin.post(`/api/affiliates/${international}/rates`, { rateCents: 1250, effectiveFrom: '2026-01-01' }).expect(201);
});
afterAll(async () => {
  await testDb.drop();
});

describe('recording per-capita payments', () => {
  test('a partial payment: the report shows owed, paid and outstanding, and the payable is what is outstanding', async () => {
    const treasurer = as(local.staff.treasurer.token);
    const paid = await treasurer.post(`/api/affiliates/${international}/payments`, { month: '2026-10', amountCents: 3000, paidOn: '2026-11-10', reference: 'Check 1041' });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ affiliateId: international, affiliate: 'International Brotherhood', month: '2026-10', amountCents: 3000, currency: 'usd', paidOn: '2026-11-10', reference: 'Check 1041', recorded: true });

    const report = (await treasurer.get('/api/reports/per-capita?month=2026-10').expect(200)).body;
    expect(report).toMatchObject({ membersInGoodStanding: 4, totalCents: 5000, paidCents: 3000, outstandingCents: 2000 });
    expect(report.affiliates.map((a: Record<string, unknown>) => [a.affiliate, a.owedCents, a.paidCents, a.outstandingCents])).toEqual([['International Brotherhood', 5000, 3000, 2000]]);
    expect(await payable(local.id)).toBe(-2000);

    expect((await transactions(local.id)).map((t) => [t.kind, t.source_key, t.affiliate_id, t.period_start, t.period_end])).toEqual([
      ['per_capita_accrual', `per_capita:${international}:2026-10:accrual`, international, '2026-10-01', '2026-10-31'],
      ['per_capita_payment', `per_capita_payment:${paid.body.id}`, international, '2026-10-01', '2026-10-31'],
    ]);
    const csv = await treasurer.get('/api/reports/per-capita?month=2026-10&format=csv').expect(200);
    expect(csv.text).toContain('Owed,Owed (minor units),Paid,Paid (minor units),Outstanding,Outstanding (minor units)');
    expect(csv.text).toContain('50.00,5000,30.00,3000,20.00,2000');
  });

  test('the same payment again (same affiliate, month and reference) posts nothing; the reference with another amount is refused', async () => {
    const treasurer = as(local.staff.treasurer.token);
    const before = await transactions(local.id);
    const again = await treasurer.post(`/api/affiliates/${international}/payments`, { month: '2026-10', amountCents: 3000, paidOn: '2026-11-10', reference: 'Check 1041' });
    expect(again.status).toBe(201);
    expect(again.body.recorded).toBe(false);
    expect(await transactions(local.id)).toEqual(before);
    const changed = await treasurer.post(`/api/affiliates/${international}/payments`, { month: '2026-10', amountCents: 3100, paidOn: '2026-11-10', reference: 'Check 1041' });
    expect(changed.status).toBe(409);
    expect(changed.body.error.details).toEqual({ reason: 'reference_used' });
    expect(await ctx.db.selectFrom('per_capita_payments').select('id').where('organization_id', '=', local.id).execute()).toHaveLength(1);
  });

  test('members counted since: the next payment brings the accrual to what the month owes now', async () => {
    // Two more members on the roll from mid-October: October owes 6 × 12.50.
    await members(local.id, 2, new Date('2026-10-15T15:00:00Z'));
    const treasurer = as(local.staff.treasurer.token);
    const paid = await treasurer.post(`/api/affiliates/${international}/payments`, { month: '2026-10', amountCents: 4500, paidOn: '2026-11-20', reference: 'Check 1050' });
    expect(paid.status).toBe(201);
    const report = (await treasurer.get('/api/reports/per-capita?month=2026-10').expect(200)).body;
    expect(report).toMatchObject({ totalCents: 7500, paidCents: 7500, outstandingCents: 0 });
    expect(await payable(local.id)).toBe(0);
    const correction = (await transactions(local.id)).find((t) => t.source_key === `per_capita:${international}:2026-10:accrual:${paid.body.id}`);
    expect(correction?.kind).toBe('per_capita_accrual');
    const audit = await ctx.db.selectFrom('audit_log').select(['action', 'details']).where('organization_id', '=', local.id).where('action', '=', 'per_capita.payment_recorded').execute();
    expect(audit).toHaveLength(2);
  });

  test('a payment dated in a closed month is posted on the first open day, its own date kept, as every posting is', async () => {
    await ctx.db.insertInto('closed_months').values({ organization_id: local.id, month: '2026-09', closed_at: ctx.now(), closed_by_staff_user_id: local.staff.treasurer.id, member_counts: JSON.stringify({ paying: 0, joined: 0, lapsed: 0, recovered: 0 }) }).execute();
    const treasurer = as(local.staff.treasurer.token);
    const paid = await treasurer.post(`/api/affiliates/${international}/payments`, { month: '2026-08', amountCents: 5000, paidOn: '2026-09-15', reference: 'Check 990' });
    expect(paid.status).toBe(201);
    const rows = (await transactions(local.id)).filter((t) => t.period_start === '2026-08-01');
    const payment = rows.find((t) => t.kind === 'per_capita_payment')!;
    // 1 October, midnight in Chicago; 15 September kept.
    expect(payment.occurred_at).toEqual(new Date('2026-10-01T05:00:00Z'));
    expect(payment.original_occurred_at).toEqual(new Date('2026-09-15T12:00:00Z'));
    // August is open: its accrual is dated on its last day.
    expect(rows.find((t) => t.kind === 'per_capita_accrual')!.occurred_at).toEqual(new Date('2026-08-31T12:00:00Z'));
  });

  test('refused: a month not over, a day in the future, an affiliate with no rate in force, a bad body; organizers may not', async () => {
    const treasurer = as(local.staff.treasurer.token);
    const pay = (affiliateId: string, body: Record<string, unknown>) => treasurer.post(`/api/affiliates/${affiliateId}/payments`, { month: '2026-10', amountCents: 100, paidOn: '2026-11-20', reference: 'R', ...body });
    expect((await pay(international, { month: '2026-11' })).body.error.details).toEqual({ reason: 'month_not_over' });
    expect((await pay(international, { paidOn: '2026-11-25' })).body.error.details).toEqual({ reason: 'paid_in_future' });
    expect((await pay(unrated, {})).body.error.details).toEqual({ reason: 'nothing_owed' });
    const bad = await pay(international, { amountCents: 0, paidOn: '2026-02-30', reference: ' ', month: '2026-13' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual(['body.amountCents', 'body.month', 'body.paidOn', 'body.reference']);
    expect((await as(local.staff.organizer.token).post(`/api/affiliates/${international}/payments`, { month: '2026-10', amountCents: 100, paidOn: '2026-11-20', reference: 'R' })).status).toBe(403);
  });

  test('another organization neither pays nor sees the affiliate’s payments', async () => {
    const outsider = await as(other.staff.treasurer.token).post(`/api/affiliates/${international}/payments`, { month: '2026-10', amountCents: 100, paidOn: '2026-11-20', reference: 'X' });
    expect(outsider.status).toBe(404);
    const report = (await as(other.staff.treasurer.token).get('/api/reports/per-capita?month=2026-10').expect(200)).body;
    expect(report).toMatchObject({ affiliates: [], totalCents: 0, paidCents: 0, outstandingCents: 0 });
    expect(await transactions(other.id)).toEqual([]);
  });

  test('the ledger check passes', async () => {
    expect(await checkLedger(ctx.db, local.id)).toEqual([]);
    const balances = await accountBalances(ctx.db, local.id, 'usd');
    const of = (code: string) => balances.find((b) => b.account === code)!.balanceCents;
    // Accrued 75.00 for October and 50.00 for August; paid 125.00 from the bank.
    expect([of('per_capita_expense'), of('per_capita_payable'), of('bank')]).toEqual([12500, 0, -12500]);
  });

  test('the ledger export and the accountant’s journal carry the postings under their own kinds and accounts', async () => {
    const treasurer = as(local.staff.treasurer.token);
    const exported = await treasurer.get('/api/ledger/export?from=2026-08-01&to=2026-11-30').expect(200);
    const rows = parse(exported.text.replace(/^\ufeff/, ''), { columns: true }) as Record<string, string>[];
    expect(new Set(rows.map((row) => row['Kind']))).toEqual(new Set(['per-capita tax owed', 'per-capita tax paid']));
    const journal = await treasurer.get('/api/accounting/journal?from=2026-08-01&to=2026-11-30&format=qbo').expect(200);
    const lines = parse(journal.text, { columns: true }) as Record<string, string>[];
    const amount = (text: string | undefined) => Math.round(Number(text || '0') * 100);
    const byAccount = new Map<string, number>();
    for (const line of lines) byAccount.set(line['AccountName']!, (byAccount.get(line['AccountName']!) ?? 0) + amount(line['Debits']) - amount(line['Credits']));
    expect(Object.fromEntries(byAccount)).toEqual({ 'Per-capita tax': 12500, 'Per-capita tax payable': 0, Bank: -12500 });
  });

  test('a payment recorded by mistake is reversed once (the bank and the payable back, the report with them), its reference free again; organizers and other organizations cannot', async () => {
    const treasurer = as(local.staff.treasurer.token);
    const mistaken = await treasurer.post(`/api/affiliates/${international}/payments`, { month: '2026-10', amountCents: 1000, paidOn: '2026-11-21', reference: 'Check 1060' });
    expect(mistaken.status).toBe(201);
    expect((await treasurer.get('/api/reports/per-capita?month=2026-10').expect(200)).body).toMatchObject({ paidCents: 8500, outstandingCents: -1000 });

    const reverse = (token: string, id: string) => request(app).post(`/api/per-capita-payments/${id}/reverse`).set('Authorization', `Bearer ${token}`);
    expect((await reverse(local.staff.organizer.token, mistaken.body.id)).status).toBe(403);
    expect((await reverse(other.staff.treasurer.token, mistaken.body.id)).status).toBe(404);
    expect((await reverse(local.staff.treasurer.token, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const reversed = await reverse(local.staff.treasurer.token, mistaken.body.id);
    expect(reversed.status).toBe(200);
    expect(reversed.body).toMatchObject({ id: mistaken.body.id, amountCents: 1000, reversed: true, reversedAt: ctx.now().toISOString() });
    expect((await treasurer.get('/api/reports/per-capita?month=2026-10').expect(200)).body).toMatchObject({ totalCents: 7500, paidCents: 7500, outstandingCents: 0 });
    expect(await payable(local.id)).toBe(0);
    const before = await transactions(local.id);
    expect(before.filter((t) => t.kind === 'per_capita_payment_reversal').map((t) => [t.source_key, t.affiliate_id, t.period_start])).toEqual([[`per_capita_payment:${mistaken.body.id}:reversal`, international, '2026-10-01']]);
    expect((await reverse(local.staff.treasurer.token, mistaken.body.id)).body.reversed).toBe(false);
    expect(await transactions(local.id)).toEqual(before);

    const again = await treasurer.post(`/api/affiliates/${international}/payments`, { month: '2026-10', amountCents: 900, paidOn: '2026-11-21', reference: 'Check 1060' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ recorded: true, amountCents: 900, reversedAt: null });
    expect((await reverse(local.staff.treasurer.token, again.body.id)).body.reversed).toBe(true);
    const audit = await ctx.db.selectFrom('audit_log').select('details').where('organization_id', '=', local.id).where('action', '=', 'per_capita.payment_reversed').execute();
    expect(audit.map((a) => (a.details as { paymentId: string }).paymentId)).toEqual([mistaken.body.id, again.body.id]);
    expect(await checkLedger(ctx.db, local.id)).toEqual([]);
  });
});

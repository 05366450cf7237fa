import request from 'supertest';
import type { StaffRole } from '../../db/database';
import type { TestDatabase } from '../support/database';
import { createOrganizationWithStaff, testApp, testContext } from '../support/app';
import { seedConsoleBooks } from './books-fixtures';
import { browserAs, consoleTestWorld, seedConsoleOrganization, type ConsoleFixture } from './fixtures';
import { signedMoney } from '../../src/console/pages/reports';
import { fiscalYearOf } from '../../src/console/reports';

// The treasurer's reports in the console against the fixture's books (clock 2026-11-24,
// America/Chicago): each page's figures are the API's for the same month or year.

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let fx: ConsoleFixture;
let cookies: Record<StaffRole, string>;

beforeAll(async () => {
  ({ testDb, ctx, app, made: fx, cookies } = await consoleTestWorld((c) => seedConsoleOrganization(c, 'local-19r').then(async (made) => (await seedConsoleBooks(c, made), made)), (made) => made.org));
  // An international owed 1.50 per member in good standing from September on.
  const admin = `Bearer ${fx.org.staff.admin.token}`;
  const affiliate = await request(app).post('/api/affiliates').set('Authorization', admin).send({ name: 'International Brotherhood', kind: 'international_union' });
  expect(affiliate.status).toBe(201);
  const rate = await request(app).post(`/api/affiliates/${affiliate.body.id}/rates`).set('Authorization', admin).send({ rateCents: 150, effectiveFrom: '2026-09-01' });
  expect(rate.status).toBe(201);
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);
const api = (path: string) => request(app).get(path).set('Authorization', `Bearer ${fx.org.staff.treasurer.token}`);

/** A table's rows as cell text (tags stripped), found by its caption. */
function table(html: string, caption: string): string[][] {
  const start = html.indexOf(`<caption>${caption}</caption>`);
  if (start < 0) throw new Error(`no table captioned ${caption}`);
  const body = html.slice(start, html.indexOf('</table>', start));
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '')));
}

const MONEY_KEYS = ['duesReceivedCents', 'initiationFeesCents', 'paymentReversalsCents', 'processingFeesCents', 'refundsCents', 'disputesCents', 'disputeFeesCents', 'netCents'] as const;

describe("the treasurer's reports in the console", () => {
  test('the monthly summary defaults to the last finished month, and its figures are the API’s', async () => {
    const page = await as('treasurer').get('/console/reports');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Monthly summary: October 2026');
    const summary = (await api('/api/reports/monthly?month=2026-10')).body;
    const money = table(page.text, 'Money').slice(1);
    expect(money).toEqual(MONEY_KEYS.map((key, i) => [money[i]![0], signedMoney(summary[key], 'usd')]));
    // October by hand: card 25.00 + 40.00 and bank 25.00 of dues, fees 1.03 + 1.46 + 0.20.
    expect(money[0]).toEqual(['Dues received', '$90.00']);
    expect(money[3]).toEqual(['Processing fees', '$2.69']);
    expect(table(page.text, 'Members').slice(1)).toEqual([
      ['Members paying', String(summary.members.paying)],
      ['Members joined', String(summary.members.joined)],
      ['Members lapsed', String(summary.members.lapsed)],
      ['Members recovered', String(summary.members.recovered)],
    ]);
    expect(page.text).toContain('href="/api/reports/monthly?month=2026-10&amp;format=csv"');
    const csv = await request(app).get('/api/reports/monthly?month=2026-10&format=csv').set('Cookie', cookies.treasurer);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('Dues received,90.00,9000');
  });

  test('a chosen month, in Spanish', async () => {
    await request(app).post('/console/language').set('Cookie', cookies.admin).type('form').send({ language: 'es', csrf: await as('admin').csrf() });
    const page = await as('admin').get('/console/reports?month=2026-11');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Resumen mensual: noviembre de 2026');
    const summary = (await api('/api/reports/monthly?month=2026-11')).body;
    expect(table(page.text, 'Dinero')[1]).toEqual(['Cuotas recibidas', signedMoney(summary.duesReceivedCents, 'usd')]);
    await request(app).post('/console/language').set('Cookie', cookies.admin).type('form').send({ language: 'en', csrf: await as('admin').csrf() });
  });

  test('annual receipts for a fiscal year equal the API’s, with the form to file', async () => {
    const page = await as('treasurer').get('/console/reports/annual?year=2026');
    expect(page.status).toBe(200);
    const receipts = (await api('/api/reports/annual?fiscalYear=2026')).body;
    const rows = table(page.text, 'Receipts').slice(1);
    expect(rows.slice(0, 8).map((row) => row[1])).toEqual(MONEY_KEYS.map((key) => signedMoney(receipts[key], 'usd')));
    expect(rows.slice(8)).toEqual([
      ['Dues and agency fees', signedMoney(receipts.duesAndAgencyFeesCents, 'usd')],
      ['Per-capita tax to affiliates', signedMoney(receipts.perCapitaTaxCents, 'usd')],
      ['Total receipts', signedMoney(receipts.totalReceiptsCents, 'usd')],
    ]);
    expect(receipts.perCapitaTaxCents).toBeGreaterThan(0);
    expect(page.text).toContain(`Form to file: ${receipts.form}`);
    // The default is the last fiscal year that is over.
    expect((await as('treasurer').get('/console/reports/annual')).text).toContain('Annual receipts: fiscal year 2025');
  });

  test('per-capita tax per affiliate equals the API’s', async () => {
    const page = await as('treasurer').get('/console/reports/per-capita?month=2026-10');
    expect(page.status).toBe(200);
    const report = (await api('/api/reports/per-capita?month=2026-10')).body;
    const line = report.affiliates[0];
    const owed = signedMoney(line.owedCents, 'usd');
    expect(table(page.text, 'Owed per affiliate').slice(1)).toEqual([
      ['International Brotherhood', 'International union', '$1.50', 'Sep 1, 2026', String(line.members), owed, '$0.00', owed],
      // The total's row leaves the four middle columns as one empty cell.
      ['Total', '', signedMoney(report.totalCents, 'usd'), '$0.00', signedMoney(report.totalCents, 'usd')],
    ]);
    expect(line.owedCents).toBe(line.members * 150);
    // Before any rate is in force: nothing owed, said in words.
    expect((await as('treasurer').get('/console/reports/per-capita?month=2026-08')).text).toContain('No affiliate has a per-capita rate in force for this month.');
  });

  test('a payment recorded on the page: owed, paid and outstanding; the same reference again posts nothing; audited', async () => {
    const report = (await api('/api/reports/per-capita?month=2026-09')).body;
    const affiliateId = report.affiliates[0].affiliateId;
    const page = await as('treasurer').get('/console/reports/per-capita?month=2026-09');
    expect(page.text).toContain('action="/console/reports/per-capita/payments"');
    const form = { csrf: await as('treasurer').csrf('/console/reports/per-capita?month=2026-09'), month: '2026-09', affiliate: affiliateId, amount: '1,00', paidOn: '2026-10-12', reference: 'Check 2201' };
    const paid = await as('treasurer').post('/console/reports/per-capita/payments', form);
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toBe('/console/reports/per-capita?month=2026-09');
    const withFlash = (res: request.Response) => request(app).get('/console/reports/per-capita?month=2026-09').set('Cookie', `${cookies.treasurer}; ${/gs_flash=[^;]+/.exec(String(res.headers['set-cookie']))![0]}`);
    const after = await withFlash(paid);
    expect(after.text).toContain('The payment is recorded and posted.');
    const owed = report.affiliates[0].owedCents;
    expect(table(after.text, 'Owed per affiliate')[1]!.slice(5)).toEqual([signedMoney(owed, 'usd'), '$1.00', signedMoney(owed - 100, 'usd')]);
    expect(table(after.text, 'Payments recorded for the month').slice(1)).toEqual([['Oct 12, 2026', 'International Brotherhood', 'Check 2201', '$1.00', 'Reverse']]);

    const again = await as('treasurer').post('/console/reports/per-capita/payments', form);
    expect(again.status).toBe(303);
    expect((await withFlash(again)).text).toContain('This payment was recorded already; nothing was posted again.');
    const postings = await ctx.db.selectFrom('ledger_transactions').select('kind').where('organization_id', '=', fx.org.id).where('kind', 'in', ['per_capita_accrual', 'per_capita_payment']).execute();
    expect(postings.map((p) => p.kind).sort()).toEqual(['per_capita_accrual', 'per_capita_payment']);
    const audited = await ctx.db.selectFrom('audit_log').select('details').where('organization_id', '=', fx.org.id).where('action', '=', 'per_capita.payment_recorded').execute();
    expect(audited).toEqual([{ details: expect.objectContaining({ affiliateId, amountCents: 100, month: '2026-09', via: 'console' }) }]);
  });

  test('a payment recorded by mistake is reversed from the page, once, audited; organizers and other organizations cannot', async () => {
    const payment = await ctx.db.selectFrom('per_capita_payments').select('id').where('organization_id', '=', fx.org.id).where('reference', '=', 'Check 2201').executeTakeFirstOrThrow();
    const action = `/console/reports/per-capita/payments/${payment.id}/reverse`;
    const page = await as('treasurer').get('/console/reports/per-capita?month=2026-09');
    expect(page.text).toContain(`href="${action}"`);
    // A page that says what reversing does comes first, with the one button.
    const confirm = await as('treasurer').get(action);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('<h1>Reverse this per-capita payment?</h1>');
    expect(confirm.text).toContain('Check 2201');
    expect(confirm.text).toContain(`action="${action}"`);
    expect((await as('organizer').get(action)).status).toBe(403);
    expect((await as('treasurer').get('/console/reports/per-capita/payments/00000000-0000-4000-8000-000000000000/reverse')).status).toBe(404);
    expect((await as('treasurer').get('/console/reports/per-capita/payments/not-an-id/reverse')).status).toBe(404);
    expect(await ctx.db.selectFrom('ledger_transactions').select('id').where('organization_id', '=', fx.org.id).where('kind', '=', 'per_capita_payment_reversal').execute()).toEqual([]);
    expect((await as('organizer').post(action, { csrf: await as('organizer').csrf('/console/members') })).status).toBe(403);
    const csrf = await as('treasurer').csrf('/console/reports/per-capita?month=2026-09');
    expect((await as('treasurer').post('/console/reports/per-capita/payments/00000000-0000-4000-8000-000000000000/reverse', { csrf })).status).toBe(404);
    const reversed = await as('treasurer').post(action, { csrf });
    expect(reversed.status).toBe(303);
    expect(reversed.headers.location).toBe('/console/reports/per-capita?month=2026-09');
    const after = await as('treasurer').get('/console/reports/per-capita?month=2026-09');
    expect(table(after.text, 'Payments recorded for the month').slice(1)).toEqual([['Oct 12, 2026', 'International Brotherhood', 'Check 2201', '$1.00', 'Reversed Nov 24, 2026']]);
    expect(after.text).not.toContain(`href="${action}"`);
    expect((await as('treasurer').get(action)).text).toContain('Reversed Nov 24, 2026');
    expect((await as('treasurer').post(action, { csrf })).status).toBe(303);
    const postings = await ctx.db.selectFrom('ledger_transactions').select('kind').where('organization_id', '=', fx.org.id).where('kind', '=', 'per_capita_payment_reversal').execute();
    expect(postings).toHaveLength(1);
    const audited = await ctx.db.selectFrom('audit_log').select('details').where('organization_id', '=', fx.org.id).where('action', '=', 'per_capita.payment_reversed').execute();
    expect(audited).toEqual([{ details: expect.objectContaining({ paymentId: payment.id, amountCents: 100, month: '2026-09', via: 'console' }) }]);
  });

  test('the payment form’s mistakes are shown beside their fields, and nothing is recorded', async () => {
    const affiliateId = (await api('/api/reports/per-capita?month=2026-10')).body.affiliates[0].affiliateId;
    const csrf = await as('treasurer').csrf('/console/reports/per-capita?month=2026-10');
    const bad = await as('treasurer').post('/console/reports/per-capita/payments', { csrf, month: '2026-10', affiliate: affiliateId, amount: 'twelve', paidOn: '2026-12-01', reference: '' });
    expect(bad.status).toBe(400);
    for (const message of ['Enter the amount paid, more than zero, for example 125.00', 'Enter the date paid as a real date, not after today', 'Enter the check number or reference, up to 100 characters']) expect(bad.text).toContain(message);
    expect(bad.text).toContain('href="#amount"');
    // The month shown is not over: no form, and a payment for it is refused.
    expect((await as('treasurer').get('/console/reports/per-capita?month=2026-11')).text).toContain('A payment for this month can be recorded once the month is over.');
    const early = await as('treasurer').post('/console/reports/per-capita/payments', { csrf, month: '2026-11', affiliate: affiliateId, amount: '5', paidOn: '2026-11-20', reference: 'R' });
    expect(early.status).toBe(409);
    expect(early.text).toContain('This month is not over yet');
    expect(await ctx.db.selectFrom('per_capita_payments').select('id').where('organization_id', '=', fx.org.id).where('month', 'in', ['2026-10', '2026-11']).execute()).toEqual([]);
    expect((await as('organizer').post('/console/reports/per-capita/payments', { csrf, month: '2026-10', affiliate: affiliateId, amount: '5', paidOn: '2026-11-20', reference: 'R' })).status).toBe(403);
    // Another organization's affiliate is no choice of this one's.
    const other = await createOrganizationWithStaff(ctx, 'other-19r');
    const theirs = await ctx.db.insertInto('affiliates').values({ organization_id: other.id, name: 'Their International', kind: 'international_union', created_at: ctx.now() }).returning('id').executeTakeFirstOrThrow();
    await ctx.db.insertInto('per_capita_rates').values({ organization_id: other.id, affiliate_id: theirs.id, rate_cents: 100, effective_from: '2026-01-01', created_at: ctx.now() }).execute();
    const foreign = await as('treasurer').post('/console/reports/per-capita/payments', { csrf, month: '2026-10', affiliate: theirs.id, amount: '5', paidOn: '2026-11-20', reference: 'R' });
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain('Choose an affiliate owed per-capita tax this month');
    expect(foreign.text).not.toContain('Their International');
    expect(await ctx.db.selectFrom('per_capita_payments').select('id').where('affiliate_id', '=', theirs.id).execute()).toEqual([]);
  });

  test('organizers never see the reports', async () => {
    for (const path of ['/console/reports', '/console/reports/annual', '/console/reports/per-capita']) {
      expect((await as('organizer').get(path)).status).toBe(403);
    }
    expect((await as('organizer').get('/console/members')).text).not.toContain('href="/console/reports"');
    expect((await as('treasurer').get('/console/members')).text).toContain('href="/console/reports"');
  });

  test('a bad month or year is a 400 page, never a 500', async () => {
    for (const path of ['/console/reports?month=2026-13', '/console/reports?month=x', '/console/reports?month=2026-10&month=2026-11', '/console/reports/annual?year=26', '/console/reports/annual?year=abcd', '/console/reports/per-capita?month=2026-00', '/console/reports/per-capita?month=1850-01']) {
      const page = await as('treasurer').get(path);
      expect({ path, status: page.status }).toEqual({ path, status: 400 });
      expect(page.type).toBe('text/html');
    }
  });

  test('each view is audited', async () => {
    await as('treasurer').get('/console/reports/per-capita?month=2026-09');
    const entry = await ctx.db.selectFrom('audit_log').select(['action', 'details']).where('organization_id', '=', fx.org.id).where('action', '=', 'report.per_capita').orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(entry.details).toMatchObject({ filters: { month: '2026-09', via: 'console' }, rows: 1 });
  });
});

describe('the fiscal year a month falls in (named by the year it ends in)', () => {
  test.each([
    ['2026-01', 1, 2026],
    ['2026-12', 1, 2026],
    ['2026-06', 7, 2026],
    ['2026-07', 7, 2027],
    ['2026-12', 7, 2027],
    ['2026-10', 10, 2027],
    ['2026-09', 10, 2026],
  ])('%s with a start in month %i: %i', (month, start, year) => {
    expect(fiscalYearOf(month, start)).toBe(year);
  });
});

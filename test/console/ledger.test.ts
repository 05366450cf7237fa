import request from 'supertest';
import type { StaffRole } from '../../db/database';
import { setStaffLanguage } from '../../src/console/session';
import { postingsForManualPayment } from '../../src/ledger/postings';
import { postLedgerTransactions } from '../../src/ledger/queries';
import type { TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, testApp, testContext } from '../support/app';
import { seedConsoleBooks } from './books-fixtures';
import { browserAs, consoleTestWorld, seedConsoleOrganization, sessionCookie, type ConsoleFixture } from './fixtures';

// The ledger page against real postings: the console fixture's books (see books-fixtures.ts).

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let fx: ConsoleFixture;
let cookies: Record<StaffRole, string>;

beforeAll(async () => {
  ({ testDb, ctx, app, made: fx, cookies } = await consoleTestWorld((c) => seedConsoleOrganization(c, 'local-11').then(async (made) => (await seedConsoleBooks(c, made), made)), (made) => made.org));
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);

/** The rows of the table under a heading (or the first after a marker), as cell text without tags. */
function rowsAfter(html: string, marker: string): string[][] {
  const start = html.indexOf(marker);
  if (start < 0) throw new Error(`no ${marker}`);
  const body = html.slice(html.indexOf('<tbody>', start), html.indexOf('</tbody>', start));
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '')));
}

describe('the ledger page', () => {
  test('every transaction in posting order, with the account balances now', async () => {
    const page = await as('treasurer').get('/console/ledger');
    expect(page.status).toBe(200);
    const rows = rowsAfter(page.text, 'id="transactions-title"');
    expect(rows.map((row) => [row[0], row[4]])).toEqual([
      ['Aug 14, 2026 · Manual payment', '$25.00'],
      ['Sep 5, 2026 · Manual payment', '$25.00'],
      ['Oct 3, 2026 · Dues payment', '$25.00'],
      ['Oct 3, 2026 · Processing fee', '$0.20'],
      ['Oct 5, 2026 · Dues payment', '$25.00'],
      ['Oct 5, 2026 · Processing fee', '$1.03'],
      ['Oct 31, 2026 · Dues payment', '$40.00'],
      ['Oct 31, 2026 · Processing fee', '$1.46'],
      ['Nov 3, 2026 · Dues payment', '$25.00'],
      ['Nov 3, 2026 · Processing fee', '$0.20'],
      ['Nov 5, 2026 · Dues payment', '$25.00'],
      ['Nov 5, 2026 · Processing fee', '$1.03'],
    ]);
    expect(rows[0]).toEqual(['Aug 14, 2026 · Manual payment', 'Dues received by payroll deduction (ref Acme payroll August)', 'Zed Member 001', 'Payroll deduction', '$25.00', 'Cash on hand', 'Dues income']);
    // Charges 140.00 less fees 3.92 in Stripe; 50.00 in cash; 190.00 of dues income (a credit).
    expect(rowsAfter(page.text, 'id="balances-title"')).toEqual([
      ['Stripe balance', '$136.08'],
      ['Bank', '$0.00'],
      ['Cash on hand', '$50.00'],
      ['Dues income', '-$190.00'],
      ['Initiation fees', '$0.00'],
      ['Refunds', '$0.00'],
      ['Processing fees', '$3.92'],
      ['Dispute losses', '$0.00'],
      ['Dispute fees', '$0.00'],
      ['Payroll suspense', '$0.00'],
      ['Due to or from employers', '$0.00'],
      ['Per-capita tax payable', '$0.00'],
      ['Per-capita tax', '$0.00'],
    ]);
    expect(page.text).toContain('href="/api/ledger/export?format=csv"');
    expect(page.text).toContain('href="/api/ledger/export?format=xlsx"');
    // The accountant's journal needs a range of days.
    expect(page.text).toContain('Choose a From and a To day above to download journal entries for QuickBooks or Xero.');
    expect(page.text).not.toContain('/api/accounting/journal');
  });

  test('filters: days in the organization’s time zone, kind, member, plan; balances at the end of the range; the export links carry the same filters', async () => {
    const october = await as('admin').get('/console/ledger?from=2026-10-01&to=2026-10-31&kind=dues_payment');
    expect(rowsAfter(october.text, 'id="transactions-title"').map((row) => [row[0], row[2], row[4]])).toEqual([
      ['Oct 3, 2026 · Dues payment', 'Lucía Fernández', '$25.00'],
      ['Oct 5, 2026 · Dues payment', 'Marcus Lee', '$25.00'],
      // 22:00 on October 31 in Chicago.
      ['Oct 31, 2026 · Dues payment', 'Tom Baker', '$40.00'],
    ]);
    expect(october.text).toContain('Account balances at the end of Oct 31, 2026');
    const balances = Object.fromEntries(rowsAfter(october.text, 'id="balances-title"').map((row) => [row[0], row[1]]));
    expect(balances).toMatchObject({ 'Stripe balance': '$87.31', 'Cash on hand': '$50.00', 'Dues income': '-$140.00', 'Processing fees': '$2.69' });
    expect(october.text).toContain('href="/api/ledger/export?from=2026-10-01&amp;to=2026-10-31&amp;kind=dues_payment&amp;format=csv"');
    // For the accountant: every transaction of those days, whatever the kind.
    for (const format of ['qbo', 'xero', 'iif']) expect(october.text).toContain(`href="/api/accounting/journal?from=2026-10-01&amp;to=2026-10-31&amp;format=${format}"`);
    const journal = await request(app).get('/api/accounting/journal?from=2026-10-01&to=2026-10-31&format=qbo').set('Cookie', cookies.treasurer);
    expect(journal.status).toBe(200);
    expect(journal.text).toContain('Lucía Fernández');
    expect(new Set(journal.text.trim().split('\r\n').slice(1).map((line) => line.split(',')[0])).size).toBe(6);

    const marcus = await as('treasurer').get(`/console/ledger?member=${fx.members.marcus}&plan=${fx.planId}`);
    expect(rowsAfter(marcus.text, 'id="transactions-title"').map((row) => row[0]!.split(' · ')[1])).toEqual(['Dues payment', 'Processing fee', 'Dues payment', 'Processing fee']);
    expect(marcus.text).toContain(`href="/api/ledger/export?member`.replace('member', `memberId=${fx.members.marcus}`));
    // The export link's stream agrees with the page.
    const csv = await request(app).get(`/api/ledger/export?memberId=${fx.members.marcus}&planId=${fx.planId}&bom=false`).set('Cookie', cookies.treasurer);
    expect(csv.status).toBe(200);
    expect(csv.text.trim().split('\r\n').slice(1).map((line) => line.split(',')[2])).toEqual(['dues payment', 'processing fee', 'dues payment', 'processing fee']);
  });

  test('keyset pages of 50: the second page follows the first with nothing repeated or skipped, in the export’s order', async () => {
    const org = await createOrganizationWithStaff(ctx, 'local-many');
    const member = (await testDb.db.insertInto('members').values({ organization_id: org.id, name: 'Many Payments', email: 'many@example.org', wage_facts: '{}', ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id;
    // 61 cash payments received over three days, most on one day: the day, then when each was posted, orders them.
    await testDb.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 61; i += 1) {
        const drafts = postingsForManualPayment({ manualPaymentId: `p${String(i).padStart(3, '0')}`, method: 'cash', currency: 'usd', amountCents: 100 + i, receivedOn: i < 5 ? '2026-11-02' : i < 60 ? '2026-11-01' : '2026-11-03', memberId: member, planId: null, periodStart: '2026-11-01', periodEnd: '2026-11-30', reference: `#${i}` });
        await postLedgerTransactions(trx, org.id, drafts, new Date(Date.UTC(2026, 10, 20, 12, 0, i % 7)));
      }
    });
    const cookie = await sessionCookie(ctx, org.id, org.staff.treasurer.id);
    const first = await browserAs(app, cookie).get('/console/ledger');
    const firstRows = rowsAfter(first.text, 'id="transactions-title"');
    expect(firstRows).toHaveLength(50);
    const next = /<a href="(\/console\/ledger\?after=[^"]+)" rel="next">/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    const second = await browserAs(app, cookie).get(next);
    expect(second.status).toBe(200);
    const secondRows = rowsAfter(second.text, 'id="transactions-title"');
    expect(secondRows).toHaveLength(11);
    expect(second.text).not.toContain('rel="next"');
    const references = [...firstRows, ...secondRows].map((row) => row[1]!.replace(/^.*\(ref (#\d+)\)$/, '$1'));
    const csv = await request(app).get('/api/ledger/export?bom=false').set('Cookie', cookie);
    expect(references).toEqual(csv.text.trim().split('\r\n').slice(1).map((line) => /\(ref (#\d+)\)/.exec(line)![1]));
    expect(new Set(references).size).toBe(61);
    // November 1 first, then by the second each was posted (i % 7), then in the order posted.
    expect(references.slice(0, 3)).toEqual(['#7', '#14', '#21']);
  });

  test('treasurers and admins only; a bad filter or cursor is a 400 page, another organization’s payout a 404; each view audited', async () => {
    expect((await as('organizer').get('/console/ledger')).status).toBe(403);
    expect((await as('organizer').get('/console/members')).text).not.toContain('href="/console/ledger"');
    expect((await as('treasurer').get('/console/members')).text).toContain('href="/console/ledger"');
    expect((await as('treasurer').get('/console/ledger?from=2026-11-02&to=2026-11-01')).status).toBe(400);
    expect((await as('treasurer').get('/console/ledger?kind=bonus')).status).toBe(400);
    expect((await as('treasurer').get('/console/ledger?after=bm90LWEtY3Vyc29y')).status).toBe(400);
    expect((await as('treasurer').get(`/console/ledger?after=${Buffer.from(JSON.stringify(['2026-11-01', 'not a time', '1', '1'])).toString('base64url')}`)).status).toBe(400);
    expect((await as('treasurer').get('/console/ledger?payout=po_NotOurs123')).status).toBe(404);
    const audit = await testDb.db.selectFrom('audit_log').select(['action', 'details']).where('organization_id', '=', fx.org.id).where('action', '=', 'ledger.viewed').execute();
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.some((entry) => (entry.details as { filters: { kind?: string } }).filters.kind === 'dues_payment')).toBe(true);
  });

  test('in Spanish', async () => {
    await setStaffLanguage(ctx.db, fx.org.staff.admin.id, 'es');
    try {
      const page = await as('admin').get('/console/ledger?kind=manual_payment');
      expect(page.text).toContain('<h1>Libro contable</h1>');
      expect(page.text).toContain('Para el contador');
      expect(rowsAfter(page.text, 'id="transactions-title"').map((row) => [row[0]!.split(' · ')[1], row[3], row[5], row[6]])).toEqual([
        ['Pago manual', 'Descuento de nómina', 'Efectivo en caja', 'Ingresos por cuotas'],
        ['Pago manual', 'Efectivo', 'Efectivo en caja', 'Ingresos por cuotas'],
      ]);
      expect(page.text).not.toMatch(/>(Manual payment|Cash on hand|Dues income)</);
    } finally {
      await setStaffLanguage(ctx.db, fx.org.staff.admin.id, 'en');
    }
  });
});

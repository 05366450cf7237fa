import type { KyselyPlugin } from 'kysely';
import type { StaffRole } from '../../db/database';
import { sql } from 'kysely';
import { setStaffLanguage } from '../../src/console/session';
import { standingAtMonthEnds } from '../../src/treasurer/dashboard-queries';
import { lastMonths } from '../../src/treasurer/dashboard';
import { membersInGoodStanding, monthEnd } from '../../src/treasurer/queries';
import type { TestDatabase } from '../support/database';
import { createOrganizationWithStaff, testApp, testContext } from '../support/app';
import { BOOKS, seedConsoleBooks } from './books-fixtures';
import { browserAs, consoleTestWorld, seedConsoleOrganization, sessionCookie, type ConsoleFixture } from './fixtures';

// The treasurer's dashboard against real postings: the fixture's books, read back through
// the page's tables (the charts draw the same figures).

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let fx: ConsoleFixture;
let cookies: Record<StaffRole, string>;

beforeAll(async () => {
  ({ testDb, ctx, app, made: fx, cookies } = await consoleTestWorld((c) => seedConsoleOrganization(c, 'local-9').then(async (made) => (await seedConsoleBooks(c, made), made)), (made) => made.org));
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);

/** A table's rows (header row first) as cell text, found by its caption. */
function table(html: string, caption: string): string[][] {
  const start = html.indexOf(`<caption>${caption}</caption>`);
  if (start < 0) throw new Error(`no table captioned ${caption}`);
  const body = html.slice(start, html.indexOf('</table>', start));
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((cell) => cell[1]!));
}
const rowOf = (rows: string[][], first: string) => {
  const row = rows.find((r) => r[0] === first);
  if (!row) throw new Error(`no row ${first} in ${JSON.stringify(rows.map((r) => r[0]))}`);
  return row;
};

describe("the treasurer's dashboard", () => {
  test('dues received per month by method, in the organization’s months, from the ledger', async () => {
    const page = await as('treasurer').get('/console/dashboard');
    expect(page.status).toBe(200);
    const dues = table(page.text, 'Dues received per month');
    expect(dues[0]).toEqual(['Month', 'Card', 'Bank debit', 'Cash or check', 'Employer (payroll)', 'Total']);
    expect(dues.slice(1).map((row) => row[0])).toEqual([
      'December 2025', 'January 2026', 'February 2026', 'March 2026', 'April 2026', 'May 2026',
      'June 2026', 'July 2026', 'August 2026', 'September 2026', 'October 2026', 'November 2026',
    ]);
    expect(rowOf(dues, 'August 2026')).toEqual(['August 2026', '$0.00', '$0.00', '$0.00', '$25.00', '$25.00']);
    expect(rowOf(dues, 'September 2026')).toEqual(['September 2026', '$0.00', '$0.00', '$25.00', '$0.00', '$25.00']);
    // Tom's card payment at 22:00 on October 31 in Chicago (November in UTC) is October's.
    expect(rowOf(dues, 'October 2026')).toEqual(['October 2026', '$65.00', '$25.00', '$0.00', '$0.00', '$90.00']);
    expect(rowOf(dues, 'November 2026')).toEqual(['November 2026', '$25.00', '$25.00', '$0.00', '$0.00', '$50.00']);
    expect(rowOf(dues, 'July 2026').slice(1)).toEqual(['$0.00', '$0.00', '$0.00', '$0.00', '$0.00']);
    expect(BOOKS.duesCents['2026-10'].card).toBe(6500);
  });

  test('fees as a share of dues by method, and what bank debit saves', async () => {
    const page = await as('admin').get('/console/dashboard');
    expect(page.status).toBe(200);
    expect(table(page.text, 'Fees and dues by payment method, last 12 months').slice(1)).toEqual([
      ['Card', '$90.00', '$3.52', '3.9%'],
      ['Bank debit', '$50.00', '$0.40', '0.8%'],
      ['Cash or check', '$25.00', '$0.00', '0.0%'],
      ['Employer (payroll)', '$25.00', '$0.00', '0.0%'],
    ]);
    expect(page.text).toContain('Card payments cost 3.9% of dues in fees, bank debit 0.8%: had the card dues come by bank debit, the union would have kept $2.80 more.');
    expect(BOOKS.savingCents).toBe(280);
  });

  test('members by standing at each month’s end, and lapses and recoveries per month', async () => {
    const page = await as('treasurer').get('/console/dashboard');
    const standing = table(page.text, 'Members by standing at each month’s end (this month: today)');
    expect(standing[0]).toEqual(['Month', 'Pending', 'Active', 'Past due', 'Lapsed', 'Suspended', 'Members']);
    // Before the 60 others joined in January: the seven first members, all active.
    expect(rowOf(standing, 'December 2025')).toEqual(['December 2025', '0', '7', '0', '0', '0', '7']);
    // Ana was suspended on the morning of October 31.
    expect(rowOf(standing, 'October 2026')).toEqual(['October 2026', '0', '66', '0', '0', '1', '67']);
    // Today: Rosa and Jo lapsed, Tom past due, Pat pending, Ana suspended; Lucía lapsed and came back.
    expect(rowOf(standing, 'November 2026')).toEqual(['November 2026', '1', '62', '1', '2', '1', '67']);

    const lapses = table(page.text, 'Members who lapsed, and who came back to good standing, per month');
    expect(rowOf(lapses, 'November 2026')).toEqual(['November 2026', '3', '1']);
    expect(rowOf(lapses, 'October 2026')).toEqual(['October 2026', '0', '0']);
    expect(lapses).toHaveLength(13);
  });

  test('standing at month ends agrees with the per-capita report’s count of members in good standing, month by month', async () => {
    const months = lastMonths('2026-11-24');
    const now = ctx.now();
    const rows = await standingAtMonthEnds(ctx.db, { organizationId: fx.org.id, timeZone: 'America/Chicago', currency: 'usd', months, now });
    for (const [i, month] of months.entries()) {
      const until = i === months.length - 1 ? undefined : `${months[i + 1]}-01`;
      const good = await membersInGoodStanding(ctx.db, fx.org.id, until === undefined ? sql`${now}::timestamptz` : monthEnd(until, 'America/Chicago'));
      const ours = rows.filter((row) => row.month === month && (row.standing === 'active' || row.standing === 'past_due')).reduce((sum, row) => sum + row.members, 0);
      expect([month, ours]).toEqual([month, good]);
    }
  });

  test('four charts drawn on the server, each an image with a name and a description, beside a table in a labelled, focusable region', async () => {
    const page = await as('treasurer').get('/console/dashboard');
    const charts = [...page.text.matchAll(/<svg viewBox="0 0 \d+ \d+" role="img" aria-labelledby="([\w-]+)-title \1-desc"[^>]*><title id="\1-title">([^<]+)<\/title><desc id="\1-desc">([^<]+)<\/desc>/g)];
    expect(charts.map((chart) => chart[1])).toEqual(['dues-chart', 'fees-chart', 'standing-chart', 'lapses-chart']);
    expect(charts[0]![3]).toContain('$190.00 received in the 12 months, the most in October 2026');
    // Bars as rectangles, areas and lines as d3-shape paths; no script anywhere.
    expect(page.text).toMatch(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+"/);
    expect(page.text).toMatch(/<path d="M[\d.,LCZ-]+" fill="#2e7d32"/);
    expect(page.text).not.toContain('<script');
    expect([...page.text.matchAll(/<div class="scroll" role="region" tabindex="0" aria-label="[^"]+ \(table, scrolls sideways\)"/g)]).toHaveLength(4);
  });

  test('in Spanish: every word, month and figure in the staff member’s language', async () => {
    await setStaffLanguage(ctx.db, fx.org.staff.admin.id, 'es');
    try {
      const page = await as('admin').get('/console/dashboard');
      expect(page.text).toContain('<html lang="es">');
      expect(page.text).toContain('<h1>Panel</h1>');
      const fees = table(page.text, 'Comisiones y cuotas por forma de pago, últimos 12 meses');
      expect(fees[0]).toEqual(['Forma de pago', 'Cuotas recibidas', 'Comisiones', 'Comisiones como parte de las cuotas']);
      // The console's Spanish is that of the United States (es-US): decimal point, as the money.
      expect(fees[1]).toEqual(['Tarjeta', '$90.00', '$3.52', '3.9%']);
      expect(rowOf(table(page.text, 'Cuotas recibidas por mes'), 'octubre de 2026')).toEqual(['octubre de 2026', '$65.00', '$25.00', '$0.00', '$0.00', '$90.00']);
      expect(page.text).not.toMatch(/>(Card|Bank debit|Dues received|Month)</);
    } finally {
      await setStaffLanguage(ctx.db, fx.org.staff.admin.id, 'en');
    }
  });

  test('treasurers and admins only: organizers get the 403 page and never see the link', async () => {
    const organizer = await as('organizer').get('/console/dashboard');
    expect(organizer.status).toBe(403);
    expect(organizer.text).toContain('You do not have access to this page');
    expect(organizer.text).not.toContain('$90.00');
    expect((await as('organizer').get('/console/workspace')).text).not.toContain('href="/console/dashboard"');
    expect((await as('treasurer').get('/console/members')).text).toContain('href="/console/dashboard"');
    expect((await as('admin').get('/console/workspace')).text).toContain('href="/console/dashboard"');
  });

  test('the same number of SQL statements whatever the books hold', async () => {
    let statements = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => {
        statements += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const counted = testContext(testDb.db.withPlugin(counter));
    const countedApp = testApp(counted);
    const empty = await createOrganizationWithStaff(ctx, 'local-empty');
    const count = async (organizationId: string, staffUserId: string) => {
      const cookie = await sessionCookie(ctx, organizationId, staffUserId);
      statements = 0;
      expect((await browserAs(countedApp, cookie).get('/console/dashboard')).status).toBe(200);
      return statements;
    };
    const full = await count(fx.org.id, fx.org.staff.treasurer.id);
    expect(await count(empty.id, empty.staff.treasurer.id)).toBe(full);
    // The session (roles and frame, one statement), then the dashboard's three.
    expect(full).toBe(4);
  });
});

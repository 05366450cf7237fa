import request from 'supertest';
import { parse } from 'csv-parse/sync';
import type { StaffRole } from '../../db/database';
import { seededConsoleWorld } from './fixtures';

// A member's statement in the console (clock 2026-11-24, America/Chicago): the lines of the
// chosen days with the dues period each payment covered, the API's figures, the CSV of
// the same days, and amounts kept from organizers.

const world = seededConsoleWorld('local-19s', { books: true });
const as = (role: StaffRole) => world.as(role);

/** A table's rows as cell text (tags stripped), found by its caption. */
function table(html: string, caption: string): string[][] {
  const start = html.indexOf(`<caption>${caption}</caption>`);
  if (start < 0) throw new Error(`no table captioned ${caption}`);
  const body = html.slice(start, html.indexOf('</table>', start));
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '')));
}

describe("a member's statement in the console", () => {
  test('by default a year to today: each payment with the period it covered, and the totals the API gives', async () => {
    const page = await as('treasurer').get(`/console/members/${world.made.members.rosa}/statement`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Statement: Rosa Díaz');
    expect(page.text).toContain('value="2025-11-01"');
    expect(page.text).toContain('value="2026-11-24"');
    const lines = table(page.text, 'Statement lines').slice(1);
    expect(lines).toContainEqual(['Sep 5, 2026', 'Manual payment', expect.stringContaining('Dues received by cash'), 'Sep 1, 2026 to Sep 30, 2026', '$25.00']);
    expect(lines.some((line) => line[1] === 'Standing: Lapsed')).toBe(true);
    const api = (await request(world.app).get(`/api/members/${world.made.members.rosa}/statement?from=2025-11-01&to=2026-11-24`).set('Authorization', `Bearer ${world.made.org.staff.treasurer.token}`)).body;
    expect(table(page.text, 'Totals for these days')).toEqual([
      ['Paid', '$25.00'],
      ['Refunded', '$0.00'],
      ['Disputed', '$0.00'],
      ['Payments that failed', '$0.00'],
    ]);
    expect(api.totals.paidCents).toBe(2500);
    expect(lines).toHaveLength(api.lines.length);
  });

  test('chosen days leave the rest out; the CSV of the same days downloads, audited', async () => {
    const page = await as('treasurer').get(`/console/members/${world.made.members.marcus}/statement?from=2026-11-01&to=2026-11-30`);
    expect(page.status).toBe(200);
    const lines = table(page.text, 'Statement lines').slice(1);
    // November's card payment and its fee (the union's cost, no amount of the member's); October's is left out.
    expect(lines.map((line) => [line[0], line[1], line[4]])).toEqual([
      ['Nov 5, 2026', 'Dues payment', '$25.00'],
      ['Nov 5, 2026', 'Processing fee', '—'],
    ]);
    const href = `/api/members/${world.made.members.marcus}/statement?from=2026-11-01&amp;to=2026-11-30&amp;format=csv`;
    expect(page.text).toContain(`href="${href}"`);
    const csv = await request(world.app).get(href.replace(/&amp;/g, '&')).set('Cookie', world.cookies.treasurer);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toContain(`statement-${world.made.members.marcus}-2026-11-01-to-2026-11-30.csv`);
    const rows = parse(csv.text.replace(/^\ufeff/, ''), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => [row['Date'], row['Kind'], row['Amount (minor units)']])).toEqual([
      ['2026-11-05', 'dues payment', '2500'],
      ['2026-11-05', 'processing fee', '0'],
    ]);
    const audit = await world.ctx.db.selectFrom('audit_log').select(['action', 'details']).where('organization_id', '=', world.made.org.id).where('action', '=', 'report.member_statement').orderBy('created_at').orderBy('id').execute();
    expect(audit.map((entry) => entry.details)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ filters: { memberId: world.made.members.marcus, from: '2026-11-01', to: '2026-11-30', via: 'console' } }),
        expect.objectContaining({ filters: { memberId: world.made.members.marcus, from: '2026-11-01', to: '2026-11-30' }, format: 'csv', rows: 2 }),
      ]),
    );
  });

  test('days that are not days, or in the wrong order, are said beside the field', async () => {
    for (const query of ['from=2026-11-30&to=2026-11-01', 'from=2026-02-30&to=2026-03-01', 'from=yesterday']) {
      const page = await as('treasurer').get(`/console/members/${world.made.members.marcus}/statement?${query}`);
      expect({ query, status: page.status }).toEqual({ query, status: 400 });
      expect(page.text).toContain('Choose two real dates, the first not after the second');
      expect(page.text).not.toContain('Statement lines');
    }
    expect((await as('treasurer').get(`/console/members/${world.made.members.marcus}/statement?from=2026-01-01&from=2026-02-01`)).status).toBe(400);
  });

  test('in Spanish', async () => {
    await request(world.app).post('/console/language').set('Cookie', world.cookies.admin).type('form').send({ language: 'es', csrf: await as('admin').csrf() });
    const page = await as('admin').get(`/console/members/${world.made.members.rosa}/statement?from=2026-09-01&to=2026-09-30`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Estado de cuenta: Rosa Díaz');
    expect(table(page.text, 'Líneas del estado de cuenta')[1]![3]).toBe('del 1 sept 2026 al 30 sept 2026');
    await request(world.app).post('/console/language').set('Cookie', world.cookies.admin).type('form').send({ language: 'en', csrf: await as('admin').csrf() });
  });

  test('treasurers and admins find it from the member page; organizers neither see the link nor reach it; another member id is not found', async () => {
    const link = `href="/console/members/${world.made.members.rosa}/statement"`;
    expect((await as('treasurer').get(`/console/members/${world.made.members.rosa}`)).text).toContain(link);
    expect((await as('admin').get(`/console/members/${world.made.members.rosa}`)).text).toContain(link);
    expect((await as('organizer').get(`/console/members/${world.made.members.rosa}`)).text).not.toContain(link);
    expect((await as('organizer').get(`/console/members/${world.made.members.rosa}/statement`)).status).toBe(403);
    expect((await as('treasurer').get('/console/members/00000000-0000-4000-8000-000000000000/statement')).status).toBe(404);
    expect((await as('treasurer').get('/console/members/not-an-id/statement')).status).toBe(404);
  });
});

import type { StaffRole } from '../../db/database';
import type { TestDatabase } from '../support/database';
import { createOrganizationWithStaff, type testApp, type OrganizationFixture } from '../support/app';
import { browserAs, consoleTestWorld } from '../console/fixtures';

// The console's month closing page against a real database: the clock is November 24, 2026.

let testDb: TestDatabase;
let app: ReturnType<typeof testApp>;
let org: OrganizationFixture;
let cookies: Record<StaffRole, string>;

beforeAll(async () => {
  ({ testDb, app, made: org, cookies } = await consoleTestWorld((c) => createOrganizationWithStaff(c, 'local-months'), (made) => made));
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);
const closedNow = async () => (await testDb.db.selectFrom('closed_months').select('month').where('organization_id', '=', org.id).where('reopened_at', 'is', null).execute()).map((row) => row.month);

test('organizers do not see the page or its link', async () => {
  expect((await as('organizer').get('/console/months')).status).toBe(403);
  expect((await as('organizer').get('/console/workspace')).text).not.toContain('href="/console/months"');
});

test('the last twelve finished months, newest first, each ready with a close button', async () => {
  const page = await as('treasurer').get('/console/months');
  expect(page.status).toBe(200);
  expect(page.text).toContain('href="/console/months"');
  const months = [...page.text.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((match) => match[1]);
  expect(months).toHaveLength(12);
  expect(months[0]).toBe('October 2026');
  expect(months[11]).toBe('November 2025');
  expect(page.text).toContain('action="/console/months/2026-10/close"');
  expect(page.text).not.toContain('/reopen"');
});

test('a treasurer closes a month with the form token; only an admin reopens it', async () => {
  const treasurer = as('treasurer');
  expect((await treasurer.post('/console/months/2026-10/close', {})).status).toBe(403);
  expect(await closedNow()).toEqual([]);

  const csrf = await treasurer.csrf('/console/months');
  const closed = await treasurer.post('/console/months/2026-10/close', { csrf });
  expect(closed.status).toBe(303);
  expect(closed.headers.location).toBe('/console/months');
  expect(await closedNow()).toEqual(['2026-10']);
  const page = await treasurer.get('/console/months');
  expect(page.text).toContain('Closed on');
  expect(page.text).not.toContain('action="/console/months/2026-10/close"');
  expect(page.text).not.toContain('/reopen"');
  expect((await treasurer.post('/console/months/2026-10/reopen', { csrf })).status).toBe(403);

  const admin = as('admin');
  const adminPage = await admin.get('/console/months');
  expect(adminPage.text).toContain('action="/console/months/2026-10/reopen"');
  const reopened = await admin.post('/console/months/2026-10/reopen', { csrf: await admin.csrf('/console/months') });
  expect(reopened.status).toBe(303);
  expect(await closedNow()).toEqual([]);
  const audited = await testDb.db.selectFrom('audit_log').select('action').where('subject_id', '=', '2026-10').orderBy('id').execute();
  expect(audited.map((row) => row.action)).toEqual(['month.closed', 'month.reopened']);
});

test('the current month cannot be closed from a forged form either', async () => {
  const treasurer = as('treasurer');
  const refused = await treasurer.post('/console/months/2026-11/close', { csrf: await treasurer.csrf('/console/months') });
  expect(refused.status).toBe(409);
  expect(await closedNow()).toEqual([]);
});

test('the page in Spanish', async () => {
  const admin = as('admin');
  await admin.post('/console/language', { csrf: await admin.csrf('/console/months'), language: 'es', back: '/console/months' });
  const page = await admin.get('/console/months');
  expect(page.text).toContain('Cierre del mes');
  expect(page.text).toContain('Listo para cerrar');
  await admin.post('/console/language', { csrf: await admin.csrf('/console/months'), language: 'en', back: '/console/months' });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { StaffRole } from '../../db/database';
import type { TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type testApp, type OrganizationFixture } from '../support/app';
import { browserAs, consoleTestWorld } from '../console/fixtures';
import { FLAT_25_MONTHLY, insertPlan } from '../members/fixtures';
import { seedPayroll } from './fixtures';

// The console's employer and remittance pages against a real database (clock: 2026-11-24).

let testDb: TestDatabase;
let app: ReturnType<typeof testApp>;
let org: OrganizationFixture;
let cookies: Record<StaffRole, string>;
let payroll: { employerId: string; remittanceId: string };
const ids: Record<string, string> = {};

beforeAll(async () => {
  ({ testDb, app, made: org, cookies } = await consoleTestWorld((c) => createOrganizationWithStaff(c, 'local-payroll-console'), (made) => made));
  const plan = await insertPlan(testDb.db, org.id, { name: 'Regular', rule: FLAT_25_MONTHLY });
  for (const [key, name] of [['ana', 'Ana Torres'], ['ben', 'Ben Okafor'], ['eve', 'Eve Johnson'], ['gil', 'Gil Perez']]) {
    ids[key] = (await testDb.db.insertInto('members').values({ organization_id: org.id, name: name!, email: `${key}@example.org`, plan_id: plan, wage_facts: '{}', ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id;
  }
  const ctx = { db: testDb.db, now: () => new Date('2026-11-24T15:00:00Z') } as Parameters<typeof seedPayroll>[0];
  payroll = await seedPayroll(ctx, org.id, [{ id: ids.ana!, number: 'A1001' }, { id: ids.ben!, number: 'A1002' }, { id: ids.eve!, number: null }]);
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);

test('organizers see neither the pages nor their link', async () => {
  expect((await as('organizer').get('/console/employers')).status).toBe(403);
  expect((await as('organizer').get(`/console/remittances/${payroll.remittanceId}`)).status).toBe(403);
  expect((await as('treasurer').get('/console/employers')).text).toContain('href="/console/employers"');
});

test('adding an employer: errors listed with the form, a name used twice refused, then added', async () => {
  const treasurer = as('treasurer');
  const csrf = await treasurer.csrf('/console/employers');
  const refused = await treasurer.post('/console/employers', { csrf, name: 'Acme Hospital', payFrequency: 'weekly' });
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('an employer of this name exists');
  expect((await treasurer.post('/console/employers', { csrf, name: '', payFrequency: 'weekly' })).status).toBe(400);
  const added = await treasurer.post('/console/employers', { csrf, name: 'Riverside School District', payFrequency: 'monthly' });
  expect(added.status).toBe(303);
  const page = await treasurer.get(added.headers.location!);
  expect(page.text).toContain('The employer was added.');
  expect(page.text).toContain('Riverside School District');
});

test('the review lists what to check in words, in Spanish too; choosing a proposed member and posting with the form token', async () => {
  const treasurer = as('treasurer');
  const page = await treasurer.get(`/console/remittances/${payroll.remittanceId}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('Row 6 (Frank Unknown, A1099) matches no member.');
  expect(page.text).toContain('Row 7 cannot be read: the amount &quot;n/a&quot; is not a number.');
  expect(page.text).toContain('The file’s lines total $160.00, but $165.00 was received.');
  const spanish = await request(app).get(`/console/remittances/${payroll.remittanceId}?lang=es`).set('Cookie', cookies.treasurer).set('Accept-Language', 'es');
  expect(spanish.status).toBe(200);

  const csrf = await treasurer.csrf(`/console/remittances/${payroll.remittanceId}`);
  // Frank Unknown's line (row 6) is Gil, who joined under his own name: named by his email.
  expect((await treasurer.post(`/console/remittances/${payroll.remittanceId}/lines/6/member`, { csrf, email: 'nobody@example.org' })).status).toBe(400);
  const named = await treasurer.post(`/console/remittances/${payroll.remittanceId}/lines/6/member`, { csrf, email: 'GIL@example.org' });
  expect(named.status).toBe(303);
  expect((await treasurer.get(named.headers.location!)).text).not.toContain('Row 6 (Frank Unknown, A1099) matches no member.');
  expect((await treasurer.post(`/console/remittances/${payroll.remittanceId}/post`, { csrf })).status).toBe(400);
  const posted = await treasurer.post(`/console/remittances/${payroll.remittanceId}/post`, { csrf, confirm: 'true' });
  expect(posted.status).toBe(303);
  expect((await treasurer.get(posted.headers.location!)).text).toContain('The remittance was posted.');
  const again = await treasurer.post(`/console/remittances/${payroll.remittanceId}/post`, { csrf, confirm: 'true' });
  expect((await treasurer.get(again.headers.location!)).text).toContain('posted already; nothing was posted again');
  const paid = await testDb.db.selectFrom('members').select('paid_through').where('id', '=', ids.ana!).executeTakeFirstOrThrow();
  expect(paid.paid_through).toBe('2026-11-30');
});

test('uploading a file from the employer page (multipart), and a form with errors answered with them', async () => {
  const csrf = await as('admin').csrf(`/console/employers/${payroll.employerId}`);
  const file = readFileSync(join(__dirname, 'files', 'acme-hospital.csv'));
  const send = (fields: Record<string, string>) => {
    let call = request(app).post(`/console/employers/${payroll.employerId}/remittances`).set('Cookie', cookies.admin);
    for (const [name, value] of Object.entries(fields)) call = call.field(name, value);
    return call.attach('file', file, { filename: 'acme-december.csv', contentType: 'text/csv' });
  };
  const mapping = { 'mapping.employeeNumber': 'Employee ID', 'mapping.name': 'Employee Name', 'mapping.amount': 'Union Dues' };
  const noToken = await send({ periodStart: '2026-12-01', periodEnd: '2026-12-31', receivedOn: '2026-12-20', amountReceived: '160.00', ...mapping });
  expect(noToken.status).toBe(403);
  const bad = await send({ csrf, periodStart: '2026-12-01', periodEnd: '2026-11-30', receivedOn: '2026-12-20', amountReceived: 'lots', ...mapping });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('href="#amountReceived"');
  expect(bad.text).toContain('href="#periodEnd"');
  const unmapped = await send({ csrf, periodStart: '2026-12-01', periodEnd: '2026-12-31', receivedOn: '2026-12-20', amountReceived: '160', 'mapping.name': 'Employee Name' });
  expect(unmapped.status).toBe(400);
  expect(unmapped.text).toContain('href="#mapping.amount"');
  const done = await send({ csrf, periodStart: '2026-12-01', periodEnd: '2026-12-31', receivedOn: '2026-12-20', amountReceived: '160.00', ...mapping });
  expect(done.status).toBe(303);
  expect(done.headers.location).toMatch(/^\/console\/remittances\/[0-9a-f-]+\?notice=uploaded$/);
  const review = await as('admin').get(done.headers.location!);
  expect(review.text).toContain('The file was read and matched.');
  const employer = await as('admin').get(`/console/employers/${payroll.employerId}`);
  expect(employer.text).toContain('Awaiting review');
  expect(employer.text).toContain('Posted');
});

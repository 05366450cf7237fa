import request from 'supertest';
import type { StaffRole } from '../../db/database';
import { setStaffLanguage } from '../../src/console/session';
import { findOrganizationById } from '../../src/organizations/queries';
import { uploadRemittance } from '../../src/payroll/remittances';
import type { TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, type testApp, type testContext } from '../support/app';
import { browserAs, consoleTestWorld, sessionCookie } from '../console/fixtures';
import { FLAT_25_MONTHLY, insertPlan } from '../members/fixtures';
import { seedPayroll } from './fixtures';

// The remittance review's later pieces: "add as a new member" for a line that matches no
// one, the list to check in pages, and a file's reading problems in the visitor's language
// (clock: 2026-11-24).

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let org: OrganizationFixture;
let cookies: Record<StaffRole, string>;
let payroll: { employerId: string; remittanceId: string };
let planId = '';

beforeAll(async () => {
  ({ testDb, ctx, app, made: org, cookies } = await consoleTestWorld((c) => createOrganizationWithStaff(c, 'local-payroll-review'), (made) => made));
  planId = await insertPlan(ctx.db, org.id, { name: 'Regular', rule: FLAT_25_MONTHLY });
  const ids: Array<{ id: string; number: string | null }> = [];
  for (const [key, name, number] of [['ana', 'Ana Torres', 'A1001'], ['ben', 'Ben Okafor', 'A1002']] as const) {
    const { id } = await ctx.db.insertInto('members').values({ organization_id: org.id, name, email: `${key}@example.org`, plan_id: planId, wage_facts: '{}', ...memberTimes() }).returning('id').executeTakeFirstOrThrow();
    ids.push({ id, number });
  }
  payroll = await seedPayroll(ctx, org.id, ids);
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);

describe('add as a new member', () => {
  const path = () => `/console/remittances/${payroll.remittanceId}/lines/6/new-member`;

  test('offered on a line that matches no one; errors sent back with the form, nothing created', async () => {
    const treasurer = as('treasurer');
    const page = await treasurer.get(`/console/remittances/${payroll.remittanceId}`);
    expect(page.text).toContain(`action="${path()}"`);
    expect(page.text).toContain('value="Frank Unknown"');
    const csrf = await treasurer.csrf(`/console/remittances/${payroll.remittanceId}`);
    const noEmail = await treasurer.post(path(), { csrf, name: 'Frank Unknown', email: '', phone: '', planId });
    expect(noEmail.status).toBe(400);
    expect(noEmail.text).toContain('href="#row-6-new-email"');
    const taken = await treasurer.post(path(), { csrf, name: 'Frank Unknown', email: 'ANA@example.org', phone: '', planId });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('another member of the organization has this email');
    expect(await ctx.db.selectFrom('members').select('id').where('organization_id', '=', org.id).where('name', '=', 'Frank Unknown').execute()).toEqual([]);
  });

  test('creates the member on payroll deduction with the employer and the line’s number, matches the line, audited', async () => {
    const treasurer = as('treasurer');
    const csrf = await treasurer.csrf(`/console/remittances/${payroll.remittanceId}`);
    expect((await treasurer.post(path(), { name: 'Frank Unknown', email: 'frank@example.org', phone: '', planId })).status).toBe(403);
    expect((await as('organizer').post(path(), { csrf: await as('organizer').csrf('/console/workspace'), name: 'Frank Unknown', email: 'frank@example.org', phone: '', planId })).status).toBe(403);
    const added = await treasurer.post(path(), { csrf, name: 'Frank Unknown', email: 'frank@example.org', phone: '', planId });
    expect(added.status).toBe(303);
    const page = await treasurer.get(added.headers.location!);
    expect(page.text).toContain('The member was added on payroll deduction with this employer, and the line is matched to them.');
    expect(page.text).not.toContain('Row 6 (Frank Unknown, A1099) matches no member.');
    const member = await ctx.db.selectFrom('members').selectAll().where('organization_id', '=', org.id).where('email', '=', 'frank@example.org').executeTakeFirstOrThrow();
    expect(member).toMatchObject({ name: 'Frank Unknown', phone: null, plan_id: planId, standing: 'pending', employer: 'Acme Hospital' });
    const deduction = await ctx.db.selectFrom('member_payroll_deductions').selectAll().where('organization_id', '=', org.id).where('member_id', '=', member.id).executeTakeFirstOrThrow();
    expect(deduction).toMatchObject({ employer_id: payroll.employerId, employee_number: 'A1099' });
    const line = await ctx.db.selectFrom('remittance_lines').select(['member_id', 'matched_by']).where('remittance_id', '=', payroll.remittanceId).where('row_number', '=', 6).executeTakeFirstOrThrow();
    expect(line).toEqual({ member_id: member.id, matched_by: 'treasurer' });
    const audit = await ctx.db.selectFrom('audit_log').select(['action', 'subject_id']).where('organization_id', '=', org.id).where('action', 'in', ['member.created', 'remittance.line_matched']).orderBy('action').execute();
    expect(audit).toEqual([
      { action: 'member.created', subject_id: member.id },
      { action: 'remittance.line_matched', subject_id: payroll.remittanceId },
    ]);
    // The line is matched now: adding again is refused.
    expect((await treasurer.post(path(), { csrf, name: 'Frank Again', email: 'frank2@example.org', phone: '', planId })).status).toBe(400);
  });

  test("another organization's staff cannot reach the line", async () => {
    const other = await createOrganizationWithStaff(ctx, 'other-payroll-review');
    const otherPlan = await insertPlan(ctx.db, other.id, { name: 'Theirs', rule: FLAT_25_MONTHLY });
    const stranger = browserAs(app, await sessionCookie(ctx, other.id, other.staff.treasurer.id));
    const csrf = await stranger.csrf('/console/employers');
    expect((await stranger.post(`/console/remittances/${payroll.remittanceId}/lines/4/new-member`, { csrf, name: 'Carla Nguyen', email: 'carla@example.org', phone: '', planId: otherPlan })).status).toBe(404);
    // Nor can our treasurer put a new member on another organization's plan.
    const treasurer = as('treasurer');
    const refused = await treasurer.post(`/console/remittances/${payroll.remittanceId}/lines/4/new-member`, { csrf: await treasurer.csrf(`/console/remittances/${payroll.remittanceId}`), name: 'Carla Nguyen', email: 'carla@example.org', phone: '', planId: otherPlan });
    expect(refused.status).toBe(400);
    expect(await ctx.db.selectFrom('members').select('id').where('email', '=', 'carla@example.org').execute()).toEqual([]);
  });

  test('the same through the API', async () => {
    const api = (token: string) => request(app).post(`/api/remittances/${payroll.remittanceId}/lines/4/new-member`).set('Authorization', `Bearer ${token}`);
    expect((await api(org.staff.organizer.token).send({ name: 'Carla Nguyen', email: 'carla@example.org', planId })).status).toBe(403);
    expect((await api(org.staff.treasurer.token).send({ name: 'Carla Nguyen', planId })).status).toBe(400);
    const added = await api(org.staff.treasurer.token).send({ name: 'Carla Nguyen', email: 'carla@example.org', planId });
    expect(added.status).toBe(201);
    expect(added.body.review.lines.find((l: { row: number }) => l.row === 4)).toMatchObject({ memberId: added.body.memberId });
    const deduction = await ctx.db.selectFrom('member_payroll_deductions').selectAll().where('member_id', '=', added.body.memberId).executeTakeFirstOrThrow();
    expect(deduction).toMatchObject({ employer_id: payroll.employerId, employee_number: 'A1003' });
  });
});

test('a file with thousands of lines to check lists them 200 to a page, with the count', async () => {
  const organization = (await findOrganizationById(ctx.db, org.id))!;
  const employer = (await ctx.db.selectFrom('employers').selectAll().where('id', '=', payroll.employerId).executeTakeFirstOrThrow())!;
  const rows = Array.from({ length: 450 }, (_, i) => `X${i + 1},Stranger Number${i + 1},25.00,"2,000.00",80.00`);
  const bytes = Buffer.from(['Employee ID,Employee Name,Union Dues,Gross Wages,Hours', ...rows].join('\n'));
  const { remittance } = await ctx.db.transaction().execute((trx) =>
    uploadRemittance(trx, { organization, employer, periodStart: '2026-12-01', periodEnd: '2026-12-31', payDate: null, receivedOn: '2026-11-24', amountReceivedCents: 1125000, fileName: 'big.csv', bytes, mapping: undefined, staffUserId: null, at: ctx.now() }),
  );
  const first = await as('treasurer').get(`/console/remittances/${remittance.id}`);
  // 450 unmatched lines and the four members on deduction missing from the file (Frank and Carla, added above, among them).
  expect(first.text).toContain('Showing 1 to 200 of 454.');
  expect(first.text.match(/matches no member\./g)).toHaveLength(200);
  expect(first.text).toContain(`href="/console/remittances/${remittance.id}?exceptions=2#exceptions"`);
  const last = await as('treasurer').get(`/console/remittances/${remittance.id}?exceptions=3`);
  expect(last.text).toContain('Showing 401 to 454 of 454.');
  expect(last.text).toContain('Row 451 (Stranger Number450, X450) matches no member.');
  expect(last.text).not.toContain('exceptions=4');
  expect((await as('treasurer').get(`/console/remittances/${remittance.id}?exceptions=99`)).text).toContain('Showing 401 to 454 of 454.');
});

test("a file that cannot be read is said in the visitor's language", async () => {
  await setStaffLanguage(ctx.db, org.staff.admin.id, 'es');
  const send = async (role: 'admin' | 'treasurer') => {
    const csrf = await as(role).csrf(`/console/employers/${payroll.employerId}`);
    return request(app)
      .post(`/console/employers/${payroll.employerId}/remittances`)
      .set('Cookie', cookies[role])
      .field('csrf', csrf)
      .field('periodStart', '2027-01-01')
      .field('periodEnd', '2027-01-31')
      .field('receivedOn', '2026-11-24')
      .field('amountReceived', '25.00')
      .field('mapping.employeeNumber', 'Employee ID')
      .field('mapping.name', 'Employee Name')
      .field('mapping.amount', 'Union Dues')
      .attach('file', Buffer.from('Nothing,Useful\n1,2\n'), { filename: 'wrong.csv', contentType: 'text/csv' });
  };
  const english = await send('treasurer');
  expect(english.status).toBe(400);
  expect(english.text).toContain('No row holds all the mapped column headers (&quot;Employee ID&quot;, &quot;Employee Name&quot;, &quot;Union Dues&quot;): check the employer’s column mapping.');
  const spanish = await send('admin');
  expect(spanish.status).toBe(400);
  expect(spanish.text).toContain('Ninguna fila tiene todos los encabezados de columna asignados (&quot;Employee ID&quot;, &quot;Employee Name&quot;, &quot;Union Dues&quot;)');
});

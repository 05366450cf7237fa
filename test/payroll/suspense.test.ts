import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { StaffRole } from '../../db/database';
import { checkLedger } from '../../src/ledger/check';
import { accountBalances } from '../../src/ledger/queries';
import { findOrganizationById } from '../../src/organizations/queries';
import { insertEmployer, setDeduction } from '../../src/payroll/queries';
import { postRemittance, uploadRemittance } from '../../src/payroll/remittances';
import { setStaffLanguage } from '../../src/console/session';
import type { TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, type testApp, type testContext } from '../support/app';
import { browserAs, consoleTestWorld, sessionCookie } from '../console/fixtures';
import { FLAT_25_MONTHLY, insertPlan } from '../members/fixtures';
import { ACME_MAPPING } from './fixtures';

// A month closes only with its remittances' payroll suspense zero or explained (the clock is
// November 24, 2026: October is over). Acme's October file matches Ana, Ben and Eve ($75 of
// dues) of the $165 received: $90 is in suspense until a treasurer explains it.

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let org: OrganizationFixture;
let cookies: Record<StaffRole, string>;
let employerId = '';
let remittanceId = '';
const OCTOBER = { periodStart: '2026-10-01', periodEnd: '2026-10-31', payDate: null, receivedOn: '2026-10-20' };
const acmeFile = readFileSync(join(__dirname, 'files', 'acme-hospital.csv'));

async function uploadAndPost(bytes: Buffer, amountReceivedCents: number): Promise<string> {
  const organization = (await findOrganizationById(ctx.db, org.id))!;
  const employer = (await ctx.db.selectFrom('employers').selectAll().where('id', '=', employerId).executeTakeFirstOrThrow())!;
  return ctx.db.transaction().execute(async (trx) => {
    const { remittance } = await uploadRemittance(trx, { organization, employer, ...OCTOBER, amountReceivedCents, fileName: 'acme.csv', bytes, mapping: undefined, staffUserId: null, at: ctx.now() });
    await postRemittance(trx, organization, remittance.id, org.staff.treasurer.id, ctx.now());
    return remittance.id;
  });
}

beforeAll(async () => {
  ({ testDb, ctx, app, made: org, cookies } = await consoleTestWorld((c) => createOrganizationWithStaff(c, 'local-suspense'), (made) => made));
  const plan = await insertPlan(ctx.db, org.id, { name: 'Regular', rule: FLAT_25_MONTHLY });
  const employer = await insertEmployer(ctx.db, org.id, { name: 'Acme Hospital', contactName: null, contactEmail: null, contactPhone: null, payFrequency: 'monthly', worksites: [], columnMapping: ACME_MAPPING }, ctx.now());
  employerId = employer.id;
  for (const [key, name, number] of [['ana', 'Ana Torres', 'A1001'], ['ben', 'Ben Okafor', 'A1002'], ['eve', 'Eve Johnson', null]] as const) {
    const { id } = await ctx.db.insertInto('members').values({ organization_id: org.id, name, email: `${key}@example.org`, plan_id: plan, wage_facts: '{}', ...memberTimes() }).returning('id').executeTakeFirstOrThrow();
    await setDeduction(ctx.db, org.id, id, employer.id, number, ctx.now());
  }
  remittanceId = await uploadAndPost(acmeFile, 16500);
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);
const october = async () => (await request(app).get('/api/months/2026-10').set('Authorization', `Bearer ${org.staff.treasurer.token}`)).body;
const clearings = () => ctx.db.selectFrom('ledger_transactions').select(['source_key', 'kind', 'occurred_at']).where('organization_id', '=', org.id).where('kind', '=', 'payroll_suspense_clearing').orderBy('source_key').execute();

test('a month with a remittance holding unexplained suspense is not ready, and says which, in English and Spanish', async () => {
  const state = await october();
  expect(state.ready).toBe(false);
  expect(state.reasons).toEqual([
    {
      code: 'payroll_suspense_unexplained',
      detail: '1 payroll remittance(s) posted in 2026-10 hold an unexplained difference in payroll suspense',
      count: 1,
      remittances: [{ remittanceId, employerName: 'Acme Hospital', currency: 'usd', heldCents: 9000 }],
    },
  ]);
  const page = await as('treasurer').get('/console/months');
  expect(page.text).toContain('1 payroll remittance posted in the month leaves a difference in payroll suspense that no one has explained');
  expect(page.text).toContain(`href="/console/remittances/${remittanceId}"`);
  expect(page.text).toContain('Remittance from Acme Hospital: $90.00 in suspense');
  expect(page.text).not.toContain('action="/console/months/2026-10/close"');
  await setStaffLanguage(ctx.db, org.staff.admin.id, 'es');
  const spanish = await as('admin').get('/console/months');
  expect(spanish.text).toContain('1 remesa de nómina contabilizada en el mes deja una diferencia en nómina en suspenso que nadie ha explicado');
  // Closing is refused while it stands.
  const csrf = await as('treasurer').csrf('/console/months');
  expect((await as('treasurer').post('/console/months/2026-10/close', { csrf })).status).toBe(409);
});

test('the remittance page asks for what the difference is and a note; explained, the month is ready and the ledger checks pass', async () => {
  const treasurer = as('treasurer');
  const page = await treasurer.get(`/console/remittances/${remittanceId}`);
  expect(page.text).toContain('The employer sent $90.00 more than the lines matched to members.');
  expect(page.text).toContain(`action="/console/remittances/${remittanceId}/suspense"`);
  const csrf = await treasurer.csrf(`/console/remittances/${remittanceId}`);
  expect((await treasurer.post(`/console/remittances/${remittanceId}/suspense`, { resolution: 'employer', note: 'x' })).status).toBe(403);
  const missing = await treasurer.post(`/console/remittances/${remittanceId}/suspense`, { csrf, resolution: 'employer', note: '  ' });
  expect(missing.status).toBe(400);
  expect(missing.text).toContain('href="#note"');
  expect(missing.text).toContain('Write a note saying what happened');
  expect(await clearings()).toEqual([]);

  const explained = await treasurer.post(`/console/remittances/${remittanceId}/suspense`, { csrf, resolution: 'employer', note: 'Carla and Frank left in September; refund asked for' });
  expect(explained.status).toBe(303);
  const after = await treasurer.get(explained.headers.location!);
  expect(after.text).toContain('The difference was explained and cleared out of payroll suspense.');
  expect(after.text).toContain('A refund owed to the employer ($90.00)');
  expect(after.text).toContain('Carla and Frank left in September; refund asked for');
  expect(after.text).not.toContain(`action="/console/remittances/${remittanceId}/suspense"`);
  // Dated with the remittance, so October's own suspense nets to zero.
  expect(await clearings()).toEqual([{ source_key: `remittance:${remittanceId}:suspense`, kind: 'payroll_suspense_clearing', occurred_at: new Date('2026-10-20T12:00:00Z') }]);
  const balances = new Map((await accountBalances(ctx.db, org.id, 'usd')).map((b) => [b.account, b.balanceCents]));
  expect([balances.get('payroll_suspense'), balances.get('due_to_employers'), balances.get('dues_income')]).toEqual([0, -9000, -7500]);
  expect(await checkLedger(ctx.db, org.id)).toEqual([]);
  expect(await october()).toMatchObject({ ready: true, reasons: [] });
  expect((await treasurer.get('/console/months')).text).toContain('action="/console/months/2026-10/close"');
  const audit = await ctx.db.selectFrom('audit_log').select(['action', 'details']).where('organization_id', '=', org.id).where('action', '=', 'remittance.suspense_explained').execute();
  expect(audit).toEqual([{ action: 'remittance.suspense_explained', details: expect.objectContaining({ resolution: 'employer', heldCents: 9000 }) }]);

  // Explaining again posts nothing.
  const again = await treasurer.post(`/console/remittances/${remittanceId}/suspense`, { csrf, resolution: 'dues_income', note: 'again' });
  expect((await treasurer.get(again.headers.location!)).text).toContain('This difference was explained already; nothing was posted again.');
  expect(await clearings()).toHaveLength(1);
});

test('a corrected file reverses the explanation with the remittance; its own difference must be explained again', async () => {
  const corrected = Buffer.from(acmeFile.toString('utf8').replace('A1005,Gil Perez,n/a', 'A1005,Gil Perez,10.00'));
  const correctedId = await uploadAndPost(corrected, 16000);
  expect((await clearings()).map((t) => t.source_key)).toEqual([`remittance:${remittanceId}:suspense`, `remittance:${remittanceId}:suspense:reversal`]);
  const balances = new Map((await accountBalances(ctx.db, org.id, 'usd')).map((b) => [b.account, b.balanceCents]));
  // The first remittance nets to nothing; the corrected one holds $85 ($160 received, $75 matched).
  expect([balances.get('payroll_suspense'), balances.get('due_to_employers')]).toEqual([-8500, 0]);
  expect(await checkLedger(ctx.db, org.id)).toEqual([]);
  const state = await october();
  expect(state.reasons).toEqual([expect.objectContaining({ code: 'payroll_suspense_unexplained', remittances: [{ remittanceId: correctedId, employerName: 'Acme Hospital', currency: 'usd', heldCents: 8500 }] })]);

  // Through the API this time.
  const api = (path: string, token = org.staff.treasurer.token) => request(app).post(path).set('Authorization', `Bearer ${token}`);
  expect((await api(`/api/remittances/${correctedId}/suspense`).send({ resolution: 'dues_income' })).status).toBe(400);
  expect((await api(`/api/remittances/${correctedId}/suspense`, org.staff.organizer.token).send({ resolution: 'dues_income', note: 'n' })).status).toBe(403);
  const explained = await api(`/api/remittances/${correctedId}/suspense`).send({ resolution: 'dues_income', note: 'Dues of members who joined late' });
  expect(explained.body).toEqual({ explained: true, alreadyExplained: false, message: 'explained and cleared out of payroll suspense', clearedCents: 8500 });
  expect((await api(`/api/remittances/${correctedId}/suspense`).send({ resolution: 'employer', note: 'again' })).body).toMatchObject({ explained: false, alreadyExplained: true });
  const read = await request(app).get(`/api/remittances/${correctedId}`).set('Authorization', `Bearer ${org.staff.treasurer.token}`);
  expect(read.body.remittance.suspenseExplanation).toEqual({ resolution: 'dues_income', note: 'Dues of members who joined late', explainedAt: expect.any(String) });
  expect(await october()).toMatchObject({ ready: true });
  expect(await checkLedger(ctx.db, org.id)).toEqual([]);
});

test("another organization's treasurer gets a 404, an organizer a 403", async () => {
  const other = await createOrganizationWithStaff(ctx, 'other-suspense');
  const stranger = browserAs(app, await sessionCookie(ctx, other.id, other.staff.treasurer.id));
  const csrf = await stranger.csrf('/console/employers');
  expect((await stranger.post(`/console/remittances/${remittanceId}/suspense`, { csrf, resolution: 'employer', note: 'n' })).status).toBe(404);
  expect((await stranger.get(`/console/remittances/${remittanceId}`)).status).toBe(404);
  expect((await as('organizer').post(`/console/remittances/${remittanceId}/suspense`, { csrf: await as('organizer').csrf('/console/workspace'), resolution: 'employer', note: 'n' })).status).toBe(403);
});

test('reversing a posted remittance takes back the periods it paid for a member the correction leaves out', async () => {
  const paidThrough = async () => (await ctx.db.selectFrom('members').select(['name', 'paid_through']).where('organization_id', '=', org.id).orderBy('name').execute()).map((m) => [m.name, m.paid_through]);
  expect(await paidThrough()).toEqual([
    ['Ana Torres', '2026-10-31'],
    ['Ben Okafor', '2026-10-31'],
    ['Eve Johnson', '2026-10-31'],
  ]);
  // Ben's line was the employer's mistake: the next correction leaves him out.
  const withoutBen = Buffer.from(acmeFile.toString('utf8').replace(/^A1002,.*\n/m, '').replace('A1005,Gil Perez,n/a', 'A1005,Gil Perez,10.00'));
  await uploadAndPost(withoutBen, 13500);
  expect(await paidThrough()).toEqual([
    ['Ana Torres', '2026-10-31'],
    ['Ben Okafor', null],
    ['Eve Johnson', '2026-10-31'],
  ]);
  expect(await checkLedger(ctx.db, org.id)).toEqual([]);
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { checkLedger } from '../../src/ledger/check';
import { ownPayments } from '../../src/member-page/queries';
import { XLSX } from '../../src/http/routes';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, TEST_NOW, testApp, testContext } from '../support/app';
import { FLAT_25_MONTHLY, insertPlan, PERCENT_2_1 } from '../members/fixtures';

// Three employers with the layouts their payroll systems send, a month of November 2026
// (the suite's clock is 2026-11-24), members on a flat $25, a 2.1%-of-wages plan and a plan
// raised from $15 to $20 on November 1.

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;
let other: OrganizationFixture;
const employers: Record<'acme' | 'riverside' | 'boulangerie', string> = { acme: '', riverside: '', boulangerie: '' };
const ids: Record<string, string> = {};

/** supertest calls with one staff member's bearer token. */
function as(_app: typeof app, token: string) {
  const auth = { Authorization: `Bearer ${token}` };
  return {
    get: (path: string) => request(app).get(path).set(auth),
    post: (path: string) => request(app).post(path).set(auth),
    put: (path: string) => request(app).put(path).set(auth),
    patch: (path: string) => request(app).patch(path).set(auth),
  };
}
const file = (name: string) => readFileSync(join(__dirname, 'files', name));
const treasurer = () => as(app, local.staff.treasurer.token);
const NOVEMBER = { periodStart: '2026-11-01', periodEnd: '2026-11-30', receivedOn: '2026-11-20', payDate: '2026-11-15' };
const MAPPINGS = {
  acme: { employeeNumber: 'Employee ID', name: 'Employee Name', amount: 'Union Dues', wages: 'Gross Wages', hours: 'Hours' },
  riverside: { name: 'Last Name', firstName: 'First Name', employeeNumber: 'Emp No', amount: 'Deduction' },
  boulangerie: { employeeNumber: 'Matricule', name: 'Nom', amount: 'Cotisation syndicale', hours: 'Heures' },
};

function upload(employer: keyof typeof employers, bytes: Buffer, query: Record<string, string | number>, token = local.staff.treasurer.token) {
  return request(app)
    .post(`/api/employers/${employers[employer]}/remittances`)
    .query(query)
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', employer === 'riverside' ? XLSX : 'text/csv')
    .send(bytes);
}

async function member(key: string, name: string, planId: string | null, wageFacts: object = {}) {
  const { id } = await ctx.db
    .insertInto('members')
    .values({ organization_id: local.id, name, email: `${key}@example.org`, plan_id: planId, standing: 'active', wage_facts: JSON.stringify(wageFacts), ...memberTimes() })
    .returning('id')
    .executeTakeFirstOrThrow();
  ids[key] = id;
  return id;
}

async function onDeduction(key: string, employer: keyof typeof employers, employeeNumber: string | null) {
  const res = await as(app, local.staff.treasurer.token).put(`/api/members/${ids[key]}/payroll-deduction`).send({ employerId: employers[employer], employeeNumber });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'local-checkoff');
  other = await createOrganizationWithStaff(ctx, 'other-checkoff');
  const flat = await insertPlan(ctx.db, local.id, { name: 'Regular', rule: FLAT_25_MONTHLY });
  const percent = await insertPlan(ctx.db, local.id, { name: 'Percent', rule: PERCENT_2_1 });
  const raised = await insertPlan(ctx.db, local.id, { name: 'Raised', rule: { kind: 'flat', amountCents: 1500 } });
  await ctx.db
    .insertInto('plan_versions')
    .values({ organization_id: local.id, plan_id: raised, version: 2, effective_from: '2026-11-01', amount_rule: JSON.stringify({ kind: 'flat', amountCents: 2000 }), initiation_fee_cents: null, authorization_note: 'vote of 2026-10-01', created_at: TEST_NOW })
    .execute();
  for (const [key, name, payFrequency] of [['acme', 'Acme Hospital', 'biweekly'], ['riverside', 'Riverside School District', 'monthly'], ['boulangerie', 'Boulangerie Québec', 'weekly']] as const) {
    const res = await treasurer().post('/api/employers').send({ name, payFrequency, contactName: 'Payroll office', worksites: ['Main'] });
    expect(res.status).toBe(201);
    employers[key] = res.body.id;
  }
  await member('ana', 'Ana Torres', flat);
  await member('ben', 'Ben Okafor', flat);
  // 2.1% of $2,600 biweekly is $118.30 a month, capped at $75: the employer deducts $60.
  await member('carla', 'Carla Nguyen', percent, { grossWageCents: 260000, payFrequency: 'biweekly' });
  await member('dan', 'Dan Smith', flat);
  await member('eve', 'Eve Johnson', flat);
  await member('grace', 'Grace Lee', raised);
  await member('hector', 'Hector Ruiz', flat);
  await member('maria1', 'María García', flat);
  await member('maria2', 'Maria Garcia', flat);
  await member('irene', 'Irene Novak', flat);
  await member('jean', 'Jean Tremblay', flat);
  await member('louise', 'Louise Roy', flat);
  await member('sophie', 'Sophie Gagnon', flat);
  await onDeduction('ana', 'acme', 'A1001');
  await onDeduction('ben', 'acme', 'A1002');
  await onDeduction('carla', 'acme', 'A1003');
  await onDeduction('dan', 'acme', 'A1004');
  await onDeduction('eve', 'acme', null);
  await onDeduction('grace', 'riverside', '0042');
  await onDeduction('hector', 'riverside', '0043');
  await onDeduction('maria1', 'riverside', '0050');
  await onDeduction('maria2', 'riverside', '0051');
  await onDeduction('irene', 'riverside', null);
  await onDeduction('jean', 'boulangerie', '501');
  await onDeduction('louise', 'boulangerie', '502');
  await onDeduction('sophie', 'boulangerie', '503');
});
afterAll(async () => {
  await testDb.drop();
});

const kinds = (exceptions: Array<{ kind: string }>) => exceptions.map((e) => e.kind).sort();

describe('employers and members on payroll deduction', () => {
  test('input is validated, names are unique, an employee number belongs to one member of an employer', async () => {
    expect((await treasurer().post('/api/employers').send({ name: 'X', payFrequency: 'fortnightly' })).status).toBe(400);
    expect((await treasurer().post('/api/employers').send({ name: 'acme hospital', payFrequency: 'weekly' })).status).toBe(409);
    expect((await treasurer().patch(`/api/employers/${employers.acme}`).send({ columnMapping: { amount: 'Dues' } })).status).toBe(400);
    const taken = await treasurer().put(`/api/members/${ids.ben}/payroll-deduction`).send({ employerId: employers.acme, employeeNumber: 'A1001' });
    expect(taken.status).toBe(409);
    const list = await treasurer().get('/api/employers');
    expect(list.body.employers.map((e: { name: string; members: number }) => [e.name, e.members])).toEqual([
      ['Acme Hospital', 5],
      ['Boulangerie Québec', 3],
      ['Riverside School District', 5],
    ]);
    expect((await as(app, local.staff.organizer.token).get('/api/employers')).status).toBe(403);
  });

  test("another organization's employers, remittances and members answer as if they did not exist", async () => {
    const stranger = as(app, other.staff.treasurer.token);
    expect((await stranger.get(`/api/employers/${employers.acme}`)).status).toBe(404);
    expect((await stranger.get(`/api/employers/${employers.acme}/remittances`)).status).toBe(404);
    expect((await upload('acme', file('acme-hospital.csv'), { ...NOVEMBER, amountReceivedCents: 16000 }, other.staff.treasurer.token)).status).toBe(404);
    expect((await stranger.put(`/api/members/${ids.ana}/payroll-deduction`).send({ employerId: employers.acme })).status).toBe(404);
    const own = await stranger.post('/api/employers').send({ name: 'Theirs', payFrequency: 'weekly' });
    const member = await ctx.db.insertInto('members').values({ organization_id: other.id, name: 'Zed', email: 'zed@example.org', plan_id: null, wage_facts: '{}', ...memberTimes() }).returning('id').executeTakeFirstOrThrow();
    // Their own member cannot be put on our employer either.
    expect((await stranger.put(`/api/members/${member.id}/payroll-deduction`).send({ employerId: employers.acme })).status).toBe(400);
    expect(own.status).toBe(201);
  });
});

describe('a remittance from upload to posting', () => {
  let acmeId = '';

  test('the first file needs a column mapping; with one it is read, matched and its exceptions listed, nothing posted', async () => {
    const unmapped = await upload('acme', file('acme-hospital.csv'), { ...NOVEMBER, amountReceivedCents: 16500 });
    expect(unmapped.status).toBe(400);
    const res = await upload('acme', file('acme-hospital.csv'), { ...NOVEMBER, amountReceivedCents: 16500, fileName: 'acme-nov.csv', mapping: JSON.stringify(MAPPINGS.acme) });
    expect(res.status).toBe(201);
    expect(res.body.outcome).toBe('created');
    const review = res.body.review;
    acmeId = review.remittance.id;
    expect(review.summary).toEqual({ lines: 6, fileTotalCents: 16000, matchedCents: 13500, suspenseCents: 3000, amountReceivedCents: 16500 });
    expect(kinds(review.exceptions)).toEqual(['amount_differs', 'bad_line', 'missing_member', 'total_differs', 'unmatched', 'unmatched']);
    expect(review.exceptions).toEqual(
      expect.arrayContaining([
        { kind: 'amount_differs', rows: [4], memberId: ids.carla, memberName: 'Carla Nguyen', expectedCents: 7500, amountCents: 6000 },
        { kind: 'missing_member', memberId: ids.dan, memberName: 'Dan Smith', employeeNumber: 'A1004' },
        { kind: 'total_differs', fileTotalCents: 16000, receivedCents: 16500 },
        { kind: 'unmatched', row: 6, name: 'Frank Unknown', employeeNumber: 'A1099', amountCents: 2500 },
      ]),
    );
    expect(review.lines.find((l: { row: number }) => l.row === 5)).toMatchObject({ name: 'Johnson, Eve', memberId: ids.eve, matchedBy: 'name' });
    expect(await ctx.db.selectFrom('ledger_transactions').select('id').where('organization_id', '=', local.id).execute()).toHaveLength(0);
    // The mapping is kept for the employer's next files.
    expect((await treasurer().get(`/api/employers/${employers.acme}`)).body.columnMapping).toEqual(MAPPINGS.acme);
  });

  test('the same file again is recognised; a corrected file replaces the one not yet posted', async () => {
    const again = await upload('acme', file('acme-hospital.csv'), { ...NOVEMBER, amountReceivedCents: 16500 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'same_file_draft', review: { remittance: { id: acmeId } } });
    const corrected = Buffer.from(file('acme-hospital.csv').toString('utf8').replace('A1005,Gil Perez,n/a', 'A1005,Gil Perez,5.00'));
    const res = await upload('acme', corrected, { ...NOVEMBER, amountReceivedCents: 16500 });
    expect(res.status).toBe(201);
    expect(res.body.replaced).toBe(acmeId);
    expect(kinds(res.body.review.exceptions)).toEqual(['amount_differs', 'missing_member', 'unmatched', 'unmatched']);
    expect((await treasurer().get(`/api/remittances/${acmeId}`)).body.remittance.status).toBe('replaced');
    acmeId = res.body.review.remittance.id;
  });

  test('posting asks for confirmation, then posts one ledger transaction and a payroll-deduction payment per member; posting again posts nothing', async () => {
    expect((await treasurer().post(`/api/remittances/${acmeId}/post`).send({})).status).toBe(400);
    const posted = await treasurer().post(`/api/remittances/${acmeId}/post`).send({ confirm: true });
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ posted: true, members: 4, duesCents: 13500, suspenseCents: 3000 });
    const again = await treasurer().post(`/api/remittances/${acmeId}/post`).send({ confirm: true });
    expect(again.body).toEqual({ posted: false, alreadyPosted: true, message: 'this remittance was posted already; nothing was posted again' });
    const sameFile = await upload('acme', Buffer.from(file('acme-hospital.csv').toString('utf8').replace('A1005,Gil Perez,n/a', 'A1005,Gil Perez,5.00')), { ...NOVEMBER, amountReceivedCents: 16500 });
    expect(sameFile.status).toBe(200);
    expect(sameFile.body.outcome).toBe('already_posted');

    const entries = await ctx.db
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_accounts as a', 'a.id', 'e.account_id')
      .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
      .select(['t.source_key', 't.kind', 'a.code', 'e.amount_cents'])
      .where('e.organization_id', '=', local.id)
      .orderBy('a.code')
      .execute();
    expect(entries).toEqual([
      { source_key: `remittance:${acmeId}`, kind: 'payroll_remittance', code: 'bank', amount_cents: 16500 },
      { source_key: `remittance:${acmeId}`, kind: 'payroll_remittance', code: 'dues_income', amount_cents: -13500 },
      { source_key: `remittance:${acmeId}`, kind: 'payroll_remittance', code: 'payroll_suspense', amount_cents: -3000 },
    ]);
    expect(await checkLedger(ctx.db, local.id)).toEqual([]);
    // Paid through November as a manual payment would make them; Carla paid $60 of $75, so not yet.
    const paid = await ctx.db.selectFrom('members').select(['name', 'paid_through']).where('organization_id', '=', local.id).where('name', 'in', ['Ana Torres', 'Ben Okafor', 'Carla Nguyen', 'Eve Johnson', 'Dan Smith']).orderBy('name').execute();
    expect(paid).toEqual([
      { name: 'Ana Torres', paid_through: '2026-11-30' },
      { name: 'Ben Okafor', paid_through: '2026-11-30' },
      { name: 'Carla Nguyen', paid_through: null },
      { name: 'Dan Smith', paid_through: null },
      { name: 'Eve Johnson', paid_through: '2026-11-30' },
    ]);
  });

  test("the member's statement shows the deduction with its employer and pay period", async () => {
    const payments = await ownPayments(ctx.db, local.id, ids.ana!, 'America/Chicago', 2026);
    expect(payments).toEqual([{ day: '2026-11-20', kind: 'payroll_deduction', amountCents: 2500, currency: 'usd', periodStart: '2026-11-01', periodEnd: '2026-11-30', employer: 'Acme Hospital' }]);
  });

  test('a corrected file for a posted period: posting it reverses the posted remittance and posts the new one; the ledger checks pass', async () => {
    // Acme's correction: Dan was left out, and Frank is not ours.
    const text = file('acme-hospital.csv').toString('utf8').replace('A1099,Frank Unknown', 'A1004,Dan Smith').replace('A1005,Gil Perez,n/a', 'A1005,Gil Perez,0.00');
    const res = await upload('acme', Buffer.from(text), { ...NOVEMBER, amountReceivedCents: 16000 });
    expect(res.status).toBe(201);
    const corrected = res.body.review;
    expect(corrected.remittance.correctsRemittanceId).toBe(acmeId);
    expect(kinds(corrected.exceptions)).toEqual(['amount_differs', 'unmatched']);
    const posted = await treasurer().post(`/api/remittances/${corrected.remittance.id}/post`).send({ confirm: true });
    expect(posted.body).toMatchObject({ posted: true, members: 5, duesCents: 16000, suspenseCents: 0, reversedRemittanceId: acmeId });
    expect((await treasurer().get(`/api/remittances/${acmeId}`)).body.remittance.status).toBe('reversed');
    const keys = await ctx.db.selectFrom('ledger_transactions').select(['kind', 'source_key']).where('organization_id', '=', local.id).execute();
    expect(keys.sort((a, b) => a.source_key.localeCompare(b.source_key))).toEqual(
      [
        { kind: 'payroll_remittance', source_key: `remittance:${acmeId}` },
        { kind: 'payroll_remittance_reversal', source_key: `remittance:${acmeId}:reversal` },
        { kind: 'payroll_remittance', source_key: `remittance:${corrected.remittance.id}` },
      ].sort((a, b) => a.source_key.localeCompare(b.source_key)),
    );
    const balances = await ctx.db
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_accounts as a', 'a.id', 'e.account_id')
      .select(['a.code', (eb) => eb.fn.sum<string>('e.amount_cents').as('total')])
      .where('e.organization_id', '=', local.id)
      .groupBy('a.code')
      .orderBy('a.code')
      .execute();
    expect(balances.map((b) => [b.code, Number(b.total)])).toEqual([
      ['bank', 16000],
      ['dues_income', -16000],
      ['payroll_suspense', 0],
    ]);
    expect(await checkLedger(ctx.db, local.id)).toEqual([]);
    // Ana's statement: the reversed deduction is gone, the corrected one is there once.
    expect(await ownPayments(ctx.db, local.id, ids.ana!, 'America/Chicago', 2026)).toHaveLength(1);
    const dan = await ctx.db.selectFrom('members').select('paid_through').where('id', '=', ids.dan!).executeTakeFirstOrThrow();
    expect(dan.paid_through).toBe('2026-11-30');
    // Expected (five members' November dues: 4 × $25 and Carla's $75) vs remitted vs received, and five days late.
    const report = await treasurer().get(`/api/employers/${employers.acme}/report`);
    expect(report.body.rows).toEqual([
      { remittanceId: corrected.remittance.id, periodStart: '2026-11-01', periodEnd: '2026-11-30', status: 'posted', expectedCents: 17500, expectedUnknown: 0, remittedCents: 16000, receivedCents: 16000, payDate: '2026-11-15', receivedOn: '2026-11-20', daysToReceipt: 5 },
    ]);
  });

  test('XLSX with merged titles: the old rate after a dues increase, two members of one name, an initial, a member who changed employer', async () => {
    const res = await upload('riverside', file('riverside-schools.xlsx'), { ...NOVEMBER, amountReceivedCents: 11500, mapping: JSON.stringify(MAPPINGS.riverside) });
    expect(res.status).toBe(201);
    const review = res.body.review;
    expect(review.exceptions).toEqual(
      expect.arrayContaining([
        { kind: 'amount_differs', rows: [5], memberId: ids.grace, memberName: 'Grace Lee', expectedCents: 2000, amountCents: 1500 },
        expect.objectContaining({ kind: 'proposed', row: 7, reason: 'same_name', candidates: expect.arrayContaining([{ memberId: ids.maria1, name: 'María García' }, { memberId: ids.maria2, name: 'Maria Garcia' }]) }),
        expect.objectContaining({ kind: 'proposed', row: 8, reason: 'other_employer', candidates: [{ memberId: ids.ana, name: 'Ana Torres' }] }),
        expect.objectContaining({ kind: 'proposed', row: 9, reason: 'similar_name', candidates: [{ memberId: ids.irene, name: 'Irene Novak' }] }),
      ]),
    );
    expect(kinds(review.exceptions)).toEqual(['amount_differs', 'missing_member', 'missing_member', 'missing_member', 'proposed', 'proposed', 'proposed']);

    // "This is member …": Maria is maria2; Ana moved to Riverside and keeps her new number there.
    const id = review.remittance.id;
    expect((await treasurer().put(`/api/remittances/${id}/lines/7/member`).send({ memberId: ids.maria2 })).status).toBe(200);
    const moved = await treasurer().put(`/api/remittances/${id}/lines/8/member`).send({ memberId: ids.ana, rememberEmployeeNumber: true });
    expect(moved.status).toBe(200);
    expect(kinds(moved.body.exceptions)).toEqual(['amount_differs', 'missing_member', 'missing_member', 'proposed']);
    expect((await treasurer().put(`/api/remittances/${id}/lines/9/member`).send({ memberId: (await createOther()).id })).status).toBe(400);
    expect((await treasurer().put(`/api/remittances/${id}/lines/99/member`).send({ memberId: ids.irene })).status).toBe(404);
    const deduction = await ctx.db.selectFrom('member_payroll_deductions').selectAll().where('member_id', '=', ids.ana!).executeTakeFirstOrThrow();
    expect(deduction).toMatchObject({ employer_id: employers.riverside, employee_number: '777' });
  });

  test('semicolons and decimal commas; a number whose name is another person is only proposed', async () => {
    const res = await upload('boulangerie', file('boulangerie-quebec.csv'), { ...NOVEMBER, amountReceivedCents: 7500, mapping: JSON.stringify(MAPPINGS.boulangerie) });
    expect(res.status).toBe(201);
    expect(res.body.review.summary).toMatchObject({ fileTotalCents: 7500, matchedCents: 5000 });
    expect(res.body.review.exceptions).toEqual([
      { kind: 'proposed', row: 4, name: 'Paul Martin', employeeNumber: '503', candidates: [{ memberId: ids.sophie, name: 'Sophie Gagnon' }], reason: 'number_name_differs' },
      { kind: 'missing_member', memberId: ids.sophie, memberName: 'Sophie Gagnon', employeeNumber: '503' },
    ]);
  });

  test('bad input is a clear 400 with nothing written', async () => {
    const before = await ctx.db.selectFrom('remittances').select('id').execute();
    for (const query of [
      { ...NOVEMBER, amountReceivedCents: 0 },
      { ...NOVEMBER, periodEnd: '2026-10-01', amountReceivedCents: 100 },
      { ...NOVEMBER, amountReceivedCents: 100, mapping: '{not json' },
      { ...NOVEMBER, amountReceivedCents: 100, mapping: JSON.stringify({ amount: 'Dues' }) },
    ]) {
      expect((await upload('boulangerie', file('boulangerie-quebec.csv'), query)).status).toBe(400);
    }
    expect((await upload('boulangerie', Buffer.from('nothing;useful\n1;2\n'), { ...NOVEMBER, periodStart: '2026-12-01', periodEnd: '2026-12-31', amountReceivedCents: 100 })).status).toBe(400);
    const wrongType = await request(app).post(`/api/employers/${employers.acme}/remittances`).query({ ...NOVEMBER, amountReceivedCents: 100 }).set('Authorization', `Bearer ${local.staff.treasurer.token}`).set('Content-Type', 'application/json').send('{}');
    expect(wrongType.status).toBe(415);
    expect(await ctx.db.selectFrom('remittances').select('id').execute()).toHaveLength(before.length);
  });
});

async function createOther() {
  return ctx.db.insertInto('members').values({ organization_id: other.id, name: 'Yara', email: 'yara@example.org', plan_id: null, wage_facts: '{}', ...memberTimes() }).returning('id').executeTakeFirstOrThrow();
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/auth/guard';
import { importStatement, unmatchedDeposits } from '../../src/bank/queries';
import { bankGaps } from '../../src/bank/readiness';
import type { StatementLine } from '../../src/bank/statement';
import type { AppContext } from '../../src/context';
import { findOrganizationById } from '../../src/organizations/queries';
import { findEmployer } from '../../src/payroll/queries';
import { postRemittance, uploadRemittance } from '../../src/payroll/remittances';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, testApp, testContext, type OrganizationFixture } from '../support/app';
import { seedPayroll } from '../payroll/fixtures';

// An employer's payroll remittance is one deposit at the bank: matched to a statement line
// as payouts and deposit batches are, and counted by the month's readiness until it is.

let testDb: TestDatabase;
let ctx: AppContext;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'bank-remit');
});
afterAll(async () => {
  await testDb.drop();
});

let hashes = 0;
const line = (bookedOn: string, amountCents: number, description: string): StatementLine => ({ row: 2, bookedOn, amountCents, description, hash: `remit-${(hashes += 1)}` });

async function importLines(lines: StatementLine[]) {
  return ctx.db.transaction().execute((trx) => importStatement(trx, { organizationId: local.id, fileName: 'bank.csv', rowsRead: lines.length, deposits: lines, staffUserId: local.staff.treasurer.id, at: ctx.now() }));
}

const bankLines = () => ctx.db.selectFrom('bank_lines').select(['booked_on', 'amount_cents', 'matched_remittance_id', 'matched_payout_id', 'matched_batch_id']).where('organization_id', '=', local.id).orderBy('booked_on').orderBy('amount_cents', 'desc').execute();

test('a posted remittance matches the bank line of its amount received, a corrected one takes the line over, and the month counts it until then', async () => {
  const organization = (await findOrganizationById(ctx.db, local.id))!;
  const members = [];
  for (const [i, name] of ['Ana Torres', 'Ben Okafor'].entries()) {
    const made = await ctx.db.insertInto('members').values({ organization_id: local.id, name, email: `remit-${i}@example.org`, ...memberTimes() }).returning('id').executeTakeFirstOrThrow();
    members.push({ id: made.id, number: `A100${i + 1}` });
  }
  // Acme's $165.00 received on Nov 20; the bank booked it on Nov 23, beside an unrelated deposit.
  const { employerId, remittanceId } = await seedPayroll(ctx, local.id, members);
  expect(await importLines([line('2026-11-23', 16_500, 'ACME HOSPITAL PAYROLL'), line('2026-11-23', 4_200, 'CASH')])).toMatchObject({ depositsNew: 2, matched: 0 });
  expect((await unmatchedDeposits(ctx.db, local.id)).filter((d) => d.kind === 'remittance')).toEqual([]);
  expect(await bankGaps(ctx.db, local.id, { from: '2026-11-01', until: '2026-12-01' })).toEqual({ payouts: 0, batches: 0, remittances: 0, lines: 2 });

  // Posting it matches the line already imported.
  await ctx.db.transaction().execute((trx) => postRemittance(trx, organization, remittanceId, local.staff.treasurer.id, ctx.now()));
  expect(await bankLines()).toEqual([
    { booked_on: '2026-11-23', amount_cents: 16_500, matched_remittance_id: remittanceId, matched_payout_id: null, matched_batch_id: null },
    { booked_on: '2026-11-23', amount_cents: 4_200, matched_remittance_id: null, matched_payout_id: null, matched_batch_id: null },
  ]);
  expect(await bankGaps(ctx.db, local.id, { from: '2026-11-01', until: '2026-12-01' })).toEqual({ payouts: 0, batches: 0, remittances: 0, lines: 1 });

  // A corrected file for the same period reverses the first and takes its bank line.
  const employer = (await findEmployer(ctx.db, local.id, employerId))!;
  const corrected = Buffer.from(readFileSync(join(__dirname, '..', 'payroll', 'files', 'acme-hospital.csv'), 'utf8').replace('A1003,Carla Nguyen,60.00', 'A1003,Carla Nguyen,55.00'));
  const { remittance: correction } = await ctx.db.transaction().execute((trx) =>
    uploadRemittance(trx, { organization, employer, periodStart: '2026-11-01', periodEnd: '2026-11-30', payDate: null, receivedOn: '2026-11-20', amountReceivedCents: 16_500, fileName: 'acme-corrected.csv', bytes: corrected, mapping: undefined, staffUserId: null, at: ctx.now() }),
  );
  await ctx.db.transaction().execute((trx) => postRemittance(trx, organization, correction.id, local.staff.treasurer.id, ctx.now()));
  const matched = (await bankLines()).find((row) => row.amount_cents === 16_500)!;
  expect(matched.matched_remittance_id).toBe(correction.id);

  // The bank page names the employer and links the remittance; the line can be undone and matched again by hand.
  const page = await request(app).get('/console/payouts/bank').set('Cookie', `${SESSION_COOKIE}=${local.staff.treasurer.token}`).set('Accept', 'text/html');
  expect(page.status).toBe(200);
  expect(page.text).toContain(`href="/console/remittances/${correction.id}"`);
  expect(page.text).toContain('Payroll remittance, Acme Hospital');
  const lineId = (await ctx.db.selectFrom('bank_lines').select('id').where('organization_id', '=', local.id).where('matched_remittance_id', '=', correction.id).executeTakeFirstOrThrow()).id;
  const api = (path: string, body?: object) => request(app).post(path).set('Authorization', `Bearer ${local.staff.treasurer.token}`).send(body);
  expect((await api(`/api/bank/lines/${lineId}/unmatch`)).body.matched).toBeNull();
  expect(await bankGaps(ctx.db, local.id, { from: '2026-11-01', until: '2026-12-01' })).toEqual({ payouts: 0, batches: 0, remittances: 1, lines: 2 });
  expect((await api(`/api/bank/lines/${lineId}/match`, { kind: 'remittance', id: remittanceId })).status).toBe(404);
  const byHand = await api(`/api/bank/lines/${lineId}/match`, { kind: 'remittance', id: correction.id });
  expect(byHand.body.matched).toEqual({ kind: 'remittance', id: correction.id });
});

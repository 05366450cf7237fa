import request from 'supertest';
import { readinessReasons } from '../../src/months/queries';
import { findOrganizationById } from '../../src/organizations/queries';
import { checkLedger } from '../../src/ledger/check';
import { accountBalances } from '../../src/ledger/queries';
import { browserAs, consoleTestWorld, sessionCookie } from '../console/fixtures';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture } from '../support/app';
import { FLAT_25_MONTHLY, insertPlan } from '../members/fixtures';

// The treasurer's bank in the console, on the suite's clock (2026-11-24, Chicago): payouts
// arrive, a statement is imported (the columns named once), deposits are matched (one by
// the matcher, one left for a person to choose), a deposit batch is recorded and posted.

let world: Awaited<ReturnType<typeof setUpWorld>>;
let other: OrganizationFixture;
let memberId: string;

async function setUpWorld() {
  return consoleTestWorld(async (ctx) => {
    const org = await createOrganizationWithStaff(ctx, 'bank-local');
    const planId = await insertPlan(ctx.db, org.id, { name: 'Monthly', rule: FLAT_25_MONTHLY });
    memberId = (await ctx.db.insertInto('members').values({ organization_id: org.id, name: 'Rosa Cheque', email: 'rosa.cheque@example.org', external_id: 'M-77', wage_facts: '{}', plan_id: planId, ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id;
    const payout = (id: string, amount: number, arrival: string) => ({ organization_id: org.id, id, status: 'paid', amount_cents: amount, currency: 'usd', arrival_date: arrival, failure_message: null, updated_at: ctx.now() });
    await ctx.db.insertInto('stripe_payouts').values([payout('po_Exact', 12_345, '2026-11-03'), payout('po_TwinA', 5_000, '2026-11-09'), payout('po_TwinB', 5_000, '2026-11-10')]).execute();
    return org;
  }, (org) => org);
}

beforeAll(async () => {
  world = await setUpWorld();
  other = await createOrganizationWithStaff(world.ctx, 'bank-other');
});
afterAll(async () => {
  await world.testDb.drop();
});

const org = () => world.made;
const treasurer = () => browserAs(world.app, world.cookies.treasurer);
const db = () => world.ctx.db;

const STATEMENT = ['Fecha;Concepto;Importe', '04/11/2026;STRIPE TRANSFER;123,45', '11/11/2026;STRIPE TRANSFER;50,00', '12/11/2026;Alquiler;-800,00', '20/11/2026;Interest;0,12', ''].join('\n');

function upload(csrf: string, csv: string, fields: Record<string, string> = {}) {
  let call = request(world.app).post('/console/payouts/bank/import').set('Cookie', world.cookies.treasurer).field('csrf', csrf);
  for (const [key, value] of Object.entries(fields)) call = call.field(key, value);
  return call.attach('statement', Buffer.from(csv, 'utf8'), 'november.csv');
}

const lines = () => db().selectFrom('bank_lines').select(['id', 'booked_on', 'amount_cents', 'matched_payout_id', 'matched_batch_id', 'matched_by_staff_user_id', 'unmatched_by_hand']).where('organization_id', '=', org().id).orderBy('booked_on').execute();
const audits = (action: string) => db().selectFrom('audit_log').select(['details', 'subject_id']).where('organization_id', '=', org().id).where('action', '=', action).execute();

describe('the bank statement', () => {
  test('organizers reach none of it', async () => {
    const organizer = browserAs(world.app, world.cookies.organizer);
    for (const path of ['/console/payouts', '/console/payouts/bank', '/console/deposits']) expect((await organizer.get(path)).status).toBe(403);
  });

  test('the first import asks for the columns (guessed from the file), then imports and matches; the mapping is kept', async () => {
    const csrf = await treasurer().csrf('/console/payouts/bank');
    const first = await upload(csrf, STATEMENT);
    expect(first.status).toBe(200);
    expect(first.text).toContain('Which column is which');
    expect(first.text).toMatch(/<option value="DD\/MM\/YYYY" selected/);
    expect(await lines()).toEqual([]);

    const mapped = await upload(csrf, STATEMENT, { mapping: '1', delimiter: ';', dateColumn: 'Fecha', dateFormat: 'DD/MM/YYYY', amountColumn: 'Importe', creditColumn: '', debitColumn: '', descriptionColumn: 'Concepto', decimal: 'comma' });
    expect(mapped.status).toBe(303);
    const stored = await lines();
    expect(stored.map((l) => [l.booked_on, l.amount_cents, l.matched_payout_id])).toEqual([
      ['2026-11-04', 12_345, 'po_Exact'],
      ['2026-11-11', 5_000, null],
      ['2026-11-20', 12, null],
    ]);
    expect((await audits('bank.mapping_saved')).length).toBe(1);
    expect((await audits('bank.statement_imported'))[0]!.details).toMatchObject({ rowsRead: 4, withdrawals: 1, depositsNew: 3, depositsKnown: 0, matched: 1 });

    // The twins are both candidates of the 50.00 line: proposed, not matched.
    const page = await treasurer().get('/console/payouts/bank');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Bank deposits matched to nothing (2)');
    expect(page.text).toContain('value="payout:po_TwinA"');
    expect(page.text).toContain('value="payout:po_TwinB"');
  });

  test('the same statement imported again adds nothing, and needs no mapping step', async () => {
    const csrf = await treasurer().csrf('/console/payouts/bank');
    const again = await upload(csrf, STATEMENT);
    expect(again.status).toBe(303);
    expect(await lines()).toHaveLength(3);
    expect((await audits('bank.statement_imported'))[1]!.details).toMatchObject({ depositsNew: 0, depositsKnown: 3 });
  });

  test('a match chosen by hand, and undone, both audited; the matcher leaves an undone line alone', async () => {
    const csrf = await treasurer().csrf('/console/payouts/bank');
    const twin = (await lines()).find((l) => l.amount_cents === 5_000)!;
    const wrongAmount = await treasurer().post(`/console/payouts/bank/lines/${twin.id}/match`, { csrf, deposit: 'payout:po_Exact' });
    expect(wrongAmount.status).toBe(404); // po_Exact is matched already: not an open deposit
    expect((await treasurer().post(`/console/payouts/bank/lines/${twin.id}/match`, { csrf, deposit: 'payout:po_TwinB' })).status).toBe(303);
    expect((await lines()).find((l) => l.id === twin.id)).toMatchObject({ matched_payout_id: 'po_TwinB', matched_by_staff_user_id: org().staff.treasurer.id });
    expect((await treasurer().post(`/console/payouts/bank/lines/${twin.id}/match`, { csrf, deposit: 'payout:po_TwinA' })).status).toBe(409);

    const exact = (await lines()).find((l) => l.matched_payout_id === 'po_Exact')!;
    expect((await treasurer().post(`/console/payouts/bank/lines/${exact.id}/unmatch`, { csrf })).status).toBe(303);
    expect((await lines()).find((l) => l.id === exact.id)).toMatchObject({ matched_payout_id: null, unmatched_by_hand: true });
    expect((await audits('bank.line_matched')).map((a) => a.details)).toEqual([expect.objectContaining({ kind: 'payout', depositId: 'po_TwinB', via: 'console' })]);
    expect((await audits('bank.line_unmatched')).map((a) => a.subject_id)).toEqual([exact.id]);

    // A new import runs the matcher again: the undone line stays open.
    await upload(csrf, STATEMENT);
    expect((await lines()).find((l) => l.id === exact.id)!.matched_payout_id).toBeNull();
    // Matched again by hand, for the month's readiness below.
    expect((await treasurer().post(`/console/payouts/bank/lines/${exact.id}/match`, { csrf, deposit: 'payout:po_Exact' })).status).toBe(303);
  });

  test('the payouts page lists each payout with its bank line and a ledger link', async () => {
    const page = await treasurer().get('/console/payouts');
    expect(page.status).toBe(200);
    expect(page.text).toContain('po_TwinA');
    expect(page.text).toContain('href="/console/ledger?payout=po_Exact"');
    expect(page.text).toContain('Matched, booked Nov 4, 2026');
    expect(page.text).toContain('Not matched');
  });
});

describe('deposit batches', () => {
  let batchId: string;

  test('a slip is started, a check checked against the dues owed, a short one refused with nothing written', async () => {
    const csrf = await treasurer().csrf('/console/deposits');
    const created = await treasurer().post('/console/deposits', { csrf, depositedOn: '2026-11-16', reference: 'Slip 12' });
    expect(created.status).toBe(303);
    batchId = created.headers.location!.split('/').pop()!;
    const added = await treasurer().post(`/console/deposits/${batchId}/items`, { csrf, member: 'M-77', payer: 'Rosa Cheque', method: 'check', amount: '25.00', checkNumber: '1042', periodStart: '2026-10-01', periodEnd: '2026-10-31' });
    expect(added.status).toBe(303);
    const short = await treasurer().post(`/console/deposits/${batchId}/items`, { csrf, member: 'M-77', method: 'cash', amount: '10', periodStart: '2026-11-01', periodEnd: '2026-11-30' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('$15.00 short of the $25.00 these periods owe');
    const unknown = await treasurer().post(`/console/deposits/${batchId}/items`, { csrf, member: 'M-404', method: 'cash', amount: '25', periodStart: '2026-11-01', periodEnd: '2026-11-30' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('No member of this organization has this number or ID');
    // November in cash, the member named by id rather than number, with a decimal comma.
    expect((await treasurer().post(`/console/deposits/${batchId}/items`, { csrf, member: memberId, method: 'cash', amount: '25,00', periodStart: '2026-11-01', periodEnd: '2026-11-30' })).status).toBe(303);
    expect(await db().selectFrom('deposit_batch_items').select('amount_cents').where('batch_id', '=', batchId).execute()).toEqual([{ amount_cents: 2500 }, { amount_cents: 2500 }]);
    expect(await db().selectFrom('manual_payments').select('id').where('organization_id', '=', org().id).execute()).toEqual([]);
    const slip = await treasurer().get(`/console/deposits/${batchId}/slip`);
    expect(slip.status).toBe(200);
    expect(slip.text).toContain('$50.00');
    expect(slip.text).toContain('1042');
  });

  test('posting records every payment once, in the books, however often it is posted', async () => {
    const csrf = await treasurer().csrf(`/console/deposits/${batchId}`);
    expect((await treasurer().post(`/console/deposits/${batchId}/post`, { csrf })).status).toBe(303);
    expect((await treasurer().post(`/console/deposits/${batchId}/post`, { csrf })).status).toBe(303);
    const payments = await db().selectFrom('manual_payments').select(['amount_cents', 'reference', 'received_on']).where('organization_id', '=', org().id).orderBy('period_start').execute();
    expect(payments).toEqual([
      { amount_cents: 2500, reference: '1042', received_on: '2026-11-16' },
      { amount_cents: 2500, reference: null, received_on: '2026-11-16' },
    ]);
    expect(await db().selectFrom('ledger_transactions').select('id').where('organization_id', '=', org().id).where('kind', '=', 'manual_payment').execute()).toHaveLength(2);
    expect((await audits('deposit_batch.posted')).length).toBe(1);
    // The slip's total went from cash on hand into the bank, once.
    const deposit = await db().selectFrom('ledger_transactions').select(['source_key', 'net_cents']).where('organization_id', '=', org().id).where('kind', '=', 'bank_deposit').execute();
    expect(deposit).toEqual([{ source_key: `deposit_batch:${batchId}`, net_cents: 5000 }]);
    const balances = await accountBalances(db(), org().id, 'usd');
    expect(balances.filter((b) => b.balanceCents !== 0).map((b) => [b.account, b.balanceCents])).toEqual([
      ['bank', 5000],
      ['dues_income', -5000],
    ]);
    expect(await checkLedger(db(), org().id)).toEqual([]);
    const after = await treasurer().post(`/console/deposits/${batchId}/items`, { csrf, member: 'M-77', method: 'cash', amount: '25', periodStart: '2026-12-01', periodEnd: '2026-12-31' });
    expect(after.status).toBe(400);
    expect(after.text).toContain('This batch is already posted');
  });

  test("the batch's total is one deposit: a bank line of it is matched to the batch", async () => {
    const csrf = await treasurer().csrf('/console/payouts/bank');
    expect((await upload(csrf, 'Fecha;Concepto;Importe\n17/11/2026;Deposito cheques;50,00\n')).status).toBe(303);
    expect((await lines()).find((l) => l.booked_on === '2026-11-17')).toMatchObject({ matched_batch_id: batchId, matched_by_staff_user_id: null });
    expect((await treasurer().get('/console/deposits')).text).toContain('Posted, on the statement');
  });

  test("another organization's batches and lines are not found", async () => {
    const stranger = browserAs(world.app, await sessionCookie(world.ctx, other.id, other.staff.treasurer.id));
    const csrf = await stranger.csrf('/console/deposits');
    const line = (await lines())[0]!;
    expect((await stranger.get(`/console/deposits/${batchId}`)).status).toBe(404);
    expect((await stranger.get(`/console/deposits/${batchId}/slip`)).status).toBe(404);
    expect((await stranger.post(`/console/deposits/${batchId}/post`, { csrf })).status).toBe(404);
    expect((await stranger.post(`/console/deposits/${batchId}/items`, { csrf, member: 'M-77', amount: '25' })).status).toBe(404);
    expect((await stranger.post(`/console/payouts/bank/lines/${line.id}/unmatch`, { csrf })).status).toBe(404);
    expect((await stranger.post(`/console/payouts/bank/lines/${line.id}/match`, { csrf, deposit: 'payout:po_TwinA' })).status).toBe(404);
    expect((await stranger.get('/console/payouts/bank')).text).not.toContain('STRIPE TRANSFER');
  });
});

describe("a month's readiness", () => {
  test('bank lines matched to nothing hold the month back once statements are imported; an organization that never imports keeps the old rule', async () => {
    const organization = (await findOrganizationById(db(), org().id))!;
    const reasons = await readinessReasons(db(), world.ctx.stripe, organization, '2026-11', world.ctx.now());
    // The interest line (0.12) and the twin payout po_TwinA have nothing to match.
    expect(reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'bank_unmatched', count: 2 })]));
    const otherOrganization = (await findOrganizationById(db(), other.id))!;
    expect((await readinessReasons(db(), world.ctx.stripe, otherOrganization, '2026-10', world.ctx.now())).map((r) => r.code)).toEqual([]);
    const months = await treasurer().get('/console/months');
    expect(months.text).toContain('Bank statements are imported');
  });
});

describe('an OFX statement', () => {
  const ofx = (amount: string) => `OFXHEADER:100
DATA:OFXSGML
VERSION:102

<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>9<ACCTID>77<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261101<DTEND>20261130
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261125<TRNAMT>${amount}<FITID>OFX-25<NAME>DEPOSIT<MEMO>Caja — sábado</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261126<TRNAMT>-12.00<FITID>OFX-26<NAME>FEE</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
`;
  const send = (csrf: string, text: string) => request(world.app).post('/console/payouts/bank/import').set('Cookie', world.cookies.treasurer).field('csrf', csrf).attach('statement', Buffer.from(text, 'utf8'), 'checking.ofx');

  test('is imported with no columns to name, once, and audited as OFX; one that cannot be read imports nothing and says so', async () => {
    const csrf = await treasurer().csrf('/console/payouts/bank');
    const broken = await send(csrf, ofx('three hundred'));
    expect(broken.status).toBe(400);
    expect(broken.text).toContain('1 transaction of this OFX file could not be read (transaction 1: “three hundred” is not an amount): nothing was imported.');
    expect((await lines()).find((l) => l.booked_on === '2026-11-25')).toBeUndefined();

    expect((await send(csrf, ofx('311.11'))).status).toBe(303);
    expect((await send(csrf, ofx('311.11'))).status).toBe(303);
    expect((await lines()).filter((l) => l.booked_on === '2026-11-25').map((l) => l.amount_cents)).toEqual([31_111]);
    expect((await audits('bank.statement_imported')).slice(-2).map((a) => a.details)).toEqual([
      expect.objectContaining({ format: 'ofx', rowsRead: 2, withdrawals: 1, depositsNew: 1, depositsKnown: 0 }),
      expect.objectContaining({ format: 'ofx', depositsNew: 0, depositsKnown: 1 }),
    ]);
    const page = await treasurer().get('/console/payouts/bank');
    expect(page.text).toContain('DEPOSIT · Caja — sábado');
  });
});

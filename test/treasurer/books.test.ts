import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { openStaffSession } from '../../src/auth/sessions';
import { accountBalances } from '../../src/ledger/queries';
import { CHART_OF_ACCOUNTS } from '../../src/ledger/accounts';
import { grantRole, upsertStaffUser } from '../../src/staff/queries';
import { createOrganizationWithStaff, testApp, type OrganizationFixture } from '../support/app';
import { DAY, START, startStripeFlow, type StripeFlow } from '../support/stripe-flow';
import { createPlans } from '../signup/fixtures';

/**
 * One organization's books built through the sandbox: card and bank payments, an
 * initiation fee, a partial refund, a dispute lost and one won, automatic payouts, and
 * two manual payments recorded through the API. Every figure below is worked out by hand
 * from the sandbox's fees (card 2.9% + 30¢, ACH 0.8%, dispute $15).
 */
let flow: StripeFlow;
let app: ReturnType<typeof testApp>;
let tokens: { treasurer: string; admin: string; organizer: string };
let other: OrganizationFixture;
const members: Record<string, string> = {};
const FORMULA_NAME = '=HYPERLINK("http://evil.example","Zed")';

const at = (days: number) => START + days * DAY;

beforeAll(async () => {
  flow = await startStripeFlow();
  app = testApp(flow.ctx);
  tokens = { treasurer: '', admin: '', organizer: '' };
  for (const role of ['treasurer', 'admin', 'organizer'] as const) {
    const user = await upsertStaffUser(flow.testDb.db, { email: `${role}@flow.example.org`, name: `${role} of flow` }, flow.ctx.now());
    await grantRole(flow.testDb.db, flow.organization.id, user.id, role, flow.ctx.now());
    tokens[role] = (await openStaffSession(flow.testDb.db, flow.ctx.config.jwtSecret, { staffUserId: user.id, organizationId: flow.organization.id, roles: [role], via: 'issued_token' }, 365 * 86_400, flow.ctx.now())).token; // the flow's clock moves on by weeks
  }
  const ava = await flow.signUp({ name: 'Ava Card', paymentMethod: 'pm_card_visa', amountCents: 2500, initiationFeeCents: 1000 });
  const cal = await flow.signUp({ name: 'Cal Bank', paymentMethod: 'pm_usBankAccount_success', amountCents: 3000 });
  const dee = await flow.signUp({ name: 'Dee Refund', paymentMethod: 'pm_card_visa', amountCents: 4000 });
  const zed = await flow.signUp({ name: FORMULA_NAME, paymentMethod: 'pm_card_visa', amountCents: 2000 });
  await flow.settle();
  const deeCharge = (await flow.stripe.charges.list({ customer: dee.customer.id })).data[0]!;
  await flow.stripe.refunds.create({ charge: deeCharge.id, amount: 1500 });
  const disputed = [];
  for (const [name, evidence] of [['Eli Lost', 'losing_evidence'], ['Fox Won', 'winning_evidence']] as const) {
    const signedUp = await flow.signUp({ name, paymentMethod: 'pm_card_createDispute', amountCents: 2500 });
    await flow.settle();
    const charge = (await flow.stripe.charges.list({ customer: signedUp.customer.id })).data[0]!;
    const dispute = (await flow.stripe.disputes.list({ charge: charge.id })).data[0]!;
    await flow.stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: evidence } });
    disputed.push(signedUp);
  }
  // Ten days on each clock: every charge settles and is paid out; no renewal falls due.
  for (const signedUp of [ava, cal, dee, zed, ...disputed]) await flow.advanceTo(signedUp.clock.id, at(10));
  Object.assign(members, { ava: ava.member.id, cal: cal.member.id, dee: dee.member.id, zed: zed.member.id, eli: disputed[0]!.member.id, fox: disputed[1]!.member.id });
  // Manual payments are checked against the dues of the member's plan: Ava's is $25 a month, Cal's $30.
  const plans = await createPlans(flow.testDb.db, flow.organization, [
    { name: 'Card dues', rule: { kind: 'flat', amountCents: 2500 } },
    { name: 'Bank dues', rule: { kind: 'flat', amountCents: 3000 } },
  ]);
  await flow.testDb.db.updateTable('members').set({ plan_id: plans['Card dues']! }).where('id', '=', ava.member.id).execute();
  await flow.testDb.db.updateTable('members').set({ plan_id: plans['Bank dues']! }).where('id', '=', cal.member.id).execute();
  // The treasurer records the money on January 26.
  flow.setClock(at(21));

  for (const [member, payment] of [
    [ava.member.id, { method: 'cash', amountCents: 2500, periodStart: '2026-02-05', periodEnd: '2026-03-04', receivedOn: '2026-01-20' }],
    [cal.member.id, { method: 'check', amountCents: 1200, periodStart: '2026-02-05', periodEnd: '2026-03-04', receivedOn: '2026-01-21', reference: '=1+2', partial: true }],
  ] as const) {
    const res = await request(app).post(`/api/members/${member}/payments`).set('Authorization', `Bearer ${tokens.treasurer}`).send(payment);
    expect(res.status).toBe(201);
  }
  // Only now: a second organization without a connected account makes platform payouts unroutable.
  other = await createOrganizationWithStaff(flow.ctx, 'other-local');
}, 120_000);
afterAll(async () => {
  await flow.close();
});

const get = (path: string, token = tokens.treasurer) => request(app).get(path).set('Authorization', `Bearer ${token}`);
const csvOf = (text: string): Record<string, string>[] => parse(text.replace(/^\ufeff/, ''), { columns: true });
const cents = (decimal: string) => {
  const [units, fraction = '00'] = decimal.replace('-', '').split('.');
  return (decimal.startsWith('-') ? -1 : 1) * (Number(units) * 100 + Number(fraction.padEnd(2, '0')));
};
const binary = (res: request.Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

// By hand: dues 25 + 30 + 40 + 20 + 25 + 25 by Stripe and 25 + 12 by hand; fees 1.32 + 0.24 + 1.46 + 0.88 + 1.03 + 1.03.
const EXPECTED_MONEY = {
  duesReceivedCents: 2500 + 3000 + 4000 + 2000 + 2500 + 2500 + 2500 + 1200,
  initiationFeesCents: 1000,
  paymentReversalsCents: 0,
  processingFeesCents: 132 + 24 + 146 + 88 + 103 + 103,
  refundsCents: 1500,
  disputesCents: 2500 + 2500 - 2500,
  disputeFeesCents: 1500 + 1500,
  netCents: 20200 + 1000 - 596 - 1500 - 2500 - 3000,
};

describe('the ledger export', () => {
  test('CSV: one row per transaction whose debits and credits rebuild every account balance of the ledger', async () => {
    const res = await get('/api/ledger/export?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="?ledger-flow-union-start-to-now\.csv/);
    expect(res.text.split('\r\n')[0]).toBe(
      '\ufeffDate,Transaction ID,Kind,Description,Member name,Member ID,Plan,Period covered,Amount,Amount (minor units),Gross,Fee,Net,Currency,Payment method,Debit account,Credit account,Stripe invoice,Stripe charge,Stripe refund,Stripe dispute,Stripe payout,Payout arrival date,Original date',
    );
    const rows = csvOf(res.text);
    const transactions = await flow.testDb.db.selectFrom('ledger_transactions').select('id').where('organization_id', '=', flow.organization.id).execute();
    expect(rows).toHaveLength(transactions.length);

    const rebuilt = new Map<string, number>();
    for (const row of rows) {
      expect(cents(row['Amount']!)).toBe(Number(row['Amount (minor units)']));
      rebuilt.set(row['Debit account']!, (rebuilt.get(row['Debit account']!) ?? 0) + Number(row['Amount (minor units)']));
      rebuilt.set(row['Credit account']!, (rebuilt.get(row['Credit account']!) ?? 0) - Number(row['Amount (minor units)']));
    }
    const balances = await accountBalances(flow.testDb.db, flow.organization.id, 'usd');
    for (const balance of balances) expect([balance.account, rebuilt.get(CHART_OF_ACCOUNTS.find((a) => a.code === balance.account)!.name) ?? 0]).toEqual([balance.account, balance.balanceCents]);
    const byAccount = Object.fromEntries(balances.map((b) => [b.account, b.balanceCents]));
    expect(byAccount.dues_income).toBe(-EXPECTED_MONEY.duesReceivedCents);
    expect(byAccount.cash_on_hand).toBe(3700);
    expect(byAccount.stripe_balance + byAccount.bank + byAccount.cash_on_hand).toBe(EXPECTED_MONEY.netCents);

    const kinds = new Set(rows.map((row) => row['Kind']));
    expect([...kinds].sort()).toEqual(['dispute', 'dispute fee', 'dispute reversal', 'dues payment', 'initiation fee', 'manual payment', 'payout', 'processing fee', 'refund']);
    const cash = rows.find((row) => row['Kind'] === 'manual payment' && row['Member ID'] === members.ava)!;
    expect(cash).toMatchObject({ Date: '2026-01-20', 'Member name': 'Ava Card', 'Period covered': '2026-02-05 to 2026-03-04', Amount: '25.00', Currency: 'USD', 'Payment method': 'cash', 'Debit account': 'Cash on hand', 'Credit account': 'Dues income' });
    const bank = rows.find((row) => row['Kind'] === 'dues payment' && row['Member ID'] === members.cal)!;
    expect(bank).toMatchObject({ 'Payment method': 'bank debit', Amount: '30.00', Gross: '30.00', Fee: '0.00', Net: '30.00', 'Stripe charge': expect.stringMatching(/^(ch|py)_/), 'Stripe invoice': expect.stringMatching(/^in_/) });
    const payout = rows.find((row) => row['Kind'] === 'payout')!;
    expect(payout).toMatchObject({ 'Debit account': 'Bank', 'Credit account': 'Stripe balance', 'Stripe payout': expect.stringMatching(/^po_/), 'Payout arrival date': expect.stringMatching(/^2026-01-\d\d$/) });
  });

  test('member names that a spreadsheet would run as formulas come out as text', async () => {
    const rows = csvOf((await get('/api/ledger/export')).text);
    const zed = rows.filter((row) => row['Member ID'] === members.zed);
    expect(zed.length).toBeGreaterThan(0);
    for (const row of zed) expect(row['Member name']).toBe(`'${FORMULA_NAME}`);
    expect(rows.every((row) => !/^[=+\-@\t\r]/.test(row['Member name']!) && !/^[=+\-@\t\r]/.test(row['Description']!))).toBe(true);
  });

  test('a byte-order mark by default, so Excel reads María as María; bom=false for tools that choke on it', async () => {
    expect((await get('/api/ledger/export')).text.startsWith('\ufeffDate,')).toBe(true);
    expect((await get('/api/ledger/export?bom=true')).text.startsWith('\ufeffDate,')).toBe(true);
    expect((await get('/api/ledger/export?bom=false')).text.startsWith('Date,')).toBe(true);
  });

  test('filters: kind, member, dates in the organization time zone, and payout', async () => {
    const refunds = csvOf((await get('/api/ledger/export?kind=refund')).text);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ Kind: 'refund', Amount: '15.00', Net: '-15.00', 'Member ID': members.dee, 'Stripe refund': expect.stringMatching(/^re_/), 'Debit account': 'Refunds' });

    const dee = csvOf((await get(`/api/ledger/export?memberId=${members.dee}`)).text);
    expect(dee.map((row) => row['Kind']).sort()).toEqual(['dues payment', 'processing fee', 'refund']);

    const days = csvOf((await get('/api/ledger/export?from=2026-01-20&to=2026-01-21')).text);
    expect(days.map((row) => [row['Date'], row['Kind'], row['Amount']])).toEqual([
      ['2026-01-20', 'manual payment', '25.00'],
      ['2026-01-21', 'manual payment', '12.00'],
    ]);

    const payouts = await flow.stripe.payouts.list({ limit: 100 });
    const payout = payouts.data.find((p) => p.status === 'paid')!;
    const inPayout = csvOf((await get(`/api/ledger/export?payoutId=${payout.id}`)).text);
    const own = inPayout.filter((row) => row['Kind'] === 'payout');
    expect(own).toHaveLength(1);
    expect(cents(own[0]!['Amount']!)).toBe(payout.amount);
    const swept = inPayout.filter((row) => row['Kind'] !== 'payout').reduce((sum, row) => sum + cents(row['Net']!), 0);
    expect(swept).toBe(payout.amount);

    expect((await get('/api/ledger/export?payoutId=po_NotOurs123')).status).toBe(404);
    const bad = await get('/api/ledger/export?from=2026-02-30&kind=bonus&format=pdf');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual(['query.format', 'query.from', 'query.kind']);
  });

  test('XLSX: real date and number cells, one row per transaction', async () => {
    const res = await get('/api/ledger/export?format=xlsx').buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as ArrayBuffer);
    const sheet = workbook.getWorksheet('Ledger')!;
    const csv = csvOf((await get('/api/ledger/export')).text);
    expect(sheet.rowCount).toBe(csv.length + 1);
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header[0]).toBe('Date');
    const first = sheet.getRow(2);
    expect(first.getCell(1).value).toBeInstanceOf(Date);
    expect(((first.getCell(1).value as Date).toISOString()).slice(0, 10)).toBe(csv[0]!['Date']);
    expect(typeof first.getCell(9).value).toBe('number');
    expect(first.getCell(10).value).toBe(Number(csv[0]!['Amount (minor units)']));
    let total = 0;
    sheet.eachRow((row, index) => {
      if (index > 1) total += row.getCell(10).value as number;
    });
    expect(total).toBe(csv.reduce((sum, row) => sum + Number(row['Amount (minor units)']), 0));
    const zedRow = csv.findIndex((row) => row['Member ID'] === members.zed);
    expect(sheet.getRow(zedRow + 2).getCell(5).value).toBe(`'${FORMULA_NAME}`);
  });

  test('organizers cannot export; another organization sees none of these books', async () => {
    expect((await get('/api/ledger/export', tokens.organizer)).status).toBe(403);
    expect((await get('/api/reports/monthly?month=2026-01', tokens.organizer)).status).toBe(403);
    const theirs = await get('/api/ledger/export', other.staff.treasurer.token);
    expect(theirs.status).toBe(200);
    expect(csvOf(theirs.text)).toEqual([]);
    const theirMonth = await get('/api/reports/monthly?month=2026-01', other.staff.treasurer.token);
    expect(theirMonth.body).toMatchObject({ duesReceivedCents: 0, netCents: 0, members: { paying: 0, joined: 0 } });
    expect((await get(`/api/ledger/export?memberId=${members.ava}`, other.staff.treasurer.token)).text.trim().split('\r\n')).toHaveLength(1);
    expect((await get(`/api/members/${members.ava}/statement`, other.staff.treasurer.token)).status).toBe(404);
    expect((await get('/api/reports/payouts?from=2026-01-01&to=2026-12-31', other.staff.treasurer.token)).body.payouts).toEqual([]);
  });

  test('every export is audited with who, the filters, the format and the row count', async () => {
    await get(`/api/ledger/export?kind=refund&memberId=${members.dee}&format=xlsx`).buffer(true).parse(binary);
    const audit = await get('/api/audit?action=ledger.exported', tokens.admin);
    expect(audit.status).toBe(200);
    const latest = audit.body.data[0];
    expect(latest).toMatchObject({ action: 'ledger.exported', actor_staff_user_id: expect.any(String), details: { format: 'xlsx', rows: 1, completed: true, filters: { kind: 'refund', memberId: members.dee } } });
    expect(audit.body.data.every((entry: { details: { rows: number } }) => Number.isInteger(entry.details.rows))).toBe(true);
  });
});

describe('reports on the same books', () => {
  test('monthly summary: the money by hand, and the members who paid and joined', async () => {
    const res = await get('/api/reports/monthly?month=2026-01');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ month: '2026-01', currency: 'usd', ...EXPECTED_MONEY, members: { paying: 6, joined: 6, lapsed: 0, recovered: 0 } });
    const empty = await get('/api/reports/monthly?month=2026-03');
    expect(empty.body).toMatchObject({ duesReceivedCents: 0, netCents: 0, members: { paying: 0 } });
    const csv = await get('/api/reports/monthly?month=2026-01&format=csv');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csvOf(csv.text);
    expect(lines.find((l) => l['Line'] === 'Net')).toEqual({ Line: 'Net', Amount: '136.04', 'Amount (minor units)': '13604' });
    expect(lines.find((l) => l['Line'] === 'Members paying')).toMatchObject({ Amount: '6' });
  });

  test('annual receipts over the fiscal year: the dues line, fees and refunds apart, and the LM form', async () => {
    const calendar = await get('/api/reports/annual?fiscalYear=2026');
    expect(calendar.body).toMatchObject({ fiscalYear: 2026, fiscalYearStartMonth: 1, from: '2026-01-01', to: '2026-12-31', duesAndAgencyFeesCents: 21200, processingFeesCents: 596, refundsCents: 1500, perCapitaTaxCents: 0, totalReceiptsCents: 21200, form: 'LM-4' });
    await request(app).patch('/api/organization').set('Authorization', `Bearer ${tokens.admin}`).send({ settings: { fiscalYearStartMonth: 7 } }).expect(200);
    const july = await get('/api/reports/annual?fiscalYear=2026');
    expect(july.body).toMatchObject({ fiscalYearStartMonth: 7, from: '2025-07-01', to: '2026-06-30', duesAndAgencyFeesCents: 21200, form: 'LM-4' });
    expect((await get('/api/reports/annual?fiscalYear=2027')).body).toMatchObject({ from: '2026-07-01', to: '2027-06-30', duesAndAgencyFeesCents: 0 });
    await request(app).patch('/api/organization').set('Authorization', `Bearer ${tokens.admin}`).send({ settings: {} }).expect(200);
  });

  test('payout reconciliation: every payout equals its transactions and the sandbox, nothing listed as a mismatch', async () => {
    const res = await get('/api/reports/payouts?from=2026-01-01&to=2026-01-31');
    expect(res.status).toBe(200);
    const paid = (await flow.stripe.payouts.list({ limit: 100 })).data.filter((p) => p.status === 'paid');
    expect(paid.length).toBeGreaterThanOrEqual(2);
    expect(res.body.mismatches).toEqual([]);
    expect(res.body.payouts.map((p: { payoutId: string; amountCents: number }) => [p.payoutId, p.amountCents]).sort()).toEqual(paid.map((p) => [p.id, p.amount]).sort());
    for (const payout of res.body.payouts) {
      expect(payout).toMatchObject({ matched: true, postedCents: payout.amountCents, transactionsCents: payout.amountCents, arrivalDate: expect.stringMatching(/^2026-01-/) });
      expect(payout.transactions.length).toBeGreaterThan(0);
    }
    const bank = (await accountBalances(flow.testDb.db, flow.organization.id, 'usd')).find((b) => b.account === 'bank')!.balanceCents;
    expect(paid.reduce((sum, p) => sum + p.amount, 0)).toBe(bank);
    const csv = csvOf((await get('/api/reports/payouts?from=2026-01-01&to=2026-01-31&format=csv')).text);
    expect(csv.reduce((sum, row) => sum + Number(row['Net (minor units)'] || 0), 0)).toBe(bank);
  });

  test('member statement: charges, fees, the refund and standing changes, from the member side', async () => {
    const res = await get(`/api/members/${members.dee}/statement`);
    expect(res.status).toBe(200);
    expect(res.body.member).toMatchObject({ id: members.dee, name: 'Dee Refund' });
    expect(res.body.totals).toEqual({ paidCents: 4000, refundedCents: 1500, disputedCents: 0, reversedCents: 0 });
    const ledger = res.body.lines.filter((l: { type: string }) => l.type === 'ledger').map((l: { kind: string; amountCents: number }) => [l.kind, l.amountCents]);
    expect(ledger.sort()).toEqual([['dues_payment', 4000], ['processing_fee', 0], ['refund', -1500]].sort());
    expect(res.body.lines.some((l: { type: string }) => l.type === 'standing')).toBe(true);
    // The period each payment covered: a Stripe charge's invoice period, a manual payment's named periods.
    const dues = res.body.lines.find((l: { kind: string }) => l.kind === 'dues_payment');
    expect(dues.periodCovered).toEqual({ start: expect.stringMatching(/^2026-01-0\d$/), end: expect.stringMatching(/^2026-02-0\d$/) });
    const cal = await get(`/api/members/${members.cal}/statement?format=csv`);
    const calManual = csvOf(cal.text).find((row) => row['Kind'] === 'manual payment')!;
    expect(calManual['Period covered']).toBe('2026-02-05 to 2026-03-04');
    expect(calManual['Amount']).toBe('12.00');
    const calCard = csvOf(cal.text).find((row) => row['Kind'] === 'dues payment')!;
    expect(calCard['Period covered']).toMatch(/^2026-01-0\d to 2026-02-0\d$/);
    const fox = await get(`/api/members/${members.fox}/statement?format=csv`);
    expect(csvOf(fox.text).filter((row) => row['Type'] === 'ledger').map((row) => row['Kind']).sort()).toEqual(['dispute', 'dispute fee', 'dispute reversal', 'dues payment', 'processing fee']);
    expect((await get(`/api/members/${members.fox}/statement`)).body.totals).toEqual({ paidCents: 2500, refundedCents: 0, disputedCents: 0, reversedCents: 0 });
    // A dispute lost takes the payment back: the statement shows it, and the period it paid is unpaid again.
    const eli = await get(`/api/members/${members.eli}/statement`);
    expect(eli.body.totals).toMatchObject({ paidCents: 2500, disputedCents: 2500 });
    expect(eli.body.lines.filter((l: { kind: string }) => l.kind === 'dispute').map((l: { amountCents: number }) => l.amountCents)).toEqual([-2500]);
    expect((await get(`/api/members/${members.eli}`)).body).toMatchObject({ paidThrough: '2026-01-04' });
    const standingLines = (await get(`/api/members/${members.dee}/statement`)).body.lines.filter((l: { type: string }) => l.type === 'standing').map((l: { description: string }) => l.description);
    expect(standingLines).toContain('pending → active (stripe_event: paid up)');
  });

  test('reports are audited with their filters and row counts', async () => {
    const audit = await get('/api/audit', tokens.admin);
    const actions = new Set(audit.body.data.map((entry: { action: string }) => entry.action));
    for (const action of ['report.monthly', 'report.annual', 'report.payouts', 'report.member_statement']) expect(actions).toContain(action);
    const monthly = audit.body.data.find((entry: { action: string }) => entry.action === 'report.monthly');
    expect(monthly.details).toMatchObject({ filters: { month: expect.stringMatching(/^2026-/) }, rows: 12 });
  });
});

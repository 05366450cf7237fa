import { parse } from 'csv-parse/sync';
import { IIF_HEADER, JOURNAL_FILES, journalNumber, QBO_COLUMNS, usDate, XERO_COLUMNS, xeroDate, type JournalEntry } from './formats';
import { accountMappingInput, mappingInForce } from './mapping';

const payment: JournalEntry = {
  transactionId: '0f8e4c2a-1b3d-4e5f-9a6b-7c8d9e0f1a2b',
  day: '2026-03-07',
  description: 'Dues payment',
  memberName: 'María Núñez',
  currency: 'usd',
  lines: [
    { account: 'stripe_balance', amountCents: 2500 },
    { account: 'dues_income', amountCents: -2500 },
  ],
};
const fee: JournalEntry = { ...payment, transactionId: '1a2b3c4d-0000-4000-8000-000000000001', description: 'Processing fee', lines: [{ account: 'processing_fees', amountCents: 103 }, { account: 'stripe_balance', amountCents: -103 }] };
const refund: JournalEntry = { ...payment, transactionId: '2b3c4d5e-0000-4000-8000-000000000002', description: '=cmd|refund', memberName: null, lines: [{ account: 'refunds', amountCents: 1500 }, { account: 'stripe_balance', amountCents: -1500 }] };

const mapping = mappingInForce(accountMappingInput.parse({ accounts: { dues_income: { name: 'Cuotas sindicales', number: '4010' }, stripe_balance: { name: 'Stripe Clearing', number: '1050' } }, xeroTaxRate: 'No GST' }));
const cents = (text: string) => Math.round(Number(text) * 100);
const csv = (text: string) => parse(text, { columns: true }) as Record<string, string>[];
const fileOf = (format: 'qbo' | 'xero' | 'iif', entries: JournalEntry[]) => JOURNAL_FILES[format].header + entries.map((entry) => JOURNAL_FILES[format].rows(entry, mapping)).join('');

describe('dates as each importer reads them', () => {
  test.each([
    ['2026-03-07', '03/07/2026', '07/03/2026'],
    ['2026-12-31', '12/31/2026', '31/12/2026'],
    ['2027-01-01', '01/01/2027', '01/01/2027'],
  ])('%s is %s for QuickBooks and %s for Xero', (day, us, xero) => {
    expect(usDate(day)).toBe(us);
    expect(xeroDate(day)).toBe(xero);
  });
});

test('the journal number fits QuickBooks’ 21 characters and is the same for the same transaction', () => {
  expect(journalNumber(payment.transactionId)).toBe('GS0F8E4C2A1B3D4E5F9A');
  expect(journalNumber(payment.transactionId).length).toBeLessThanOrEqual(21);
  expect(journalNumber(fee.transactionId)).not.toBe(journalNumber(refund.transactionId));
});

describe('mapping', () => {
  test('unmapped accounts go by our names and codes; mapped ones by the organization’s', () => {
    expect(mapping.accounts.dues_income).toEqual({ name: 'Cuotas sindicales', number: '4010' });
    expect(mapping.accounts.refunds).toEqual({ name: 'Refunds', number: 'refunds' });
    expect(mappingInForce({ accounts: {} }).xeroTaxRate).toBe('Tax Exempt');
  });
  test.each([
    [{ accounts: { made_up: { name: 'X' } } }],
    [{ accounts: { bank: { name: '' } } }],
    [{ accounts: { bank: { name: 'Bank\tTab' } } }],
    [{ accounts: { bank: { name: 'Bank', number: '12345678901' } } }],
    [{ accounts: {}, extra: true }],
  ])('%j is refused', (input) => {
    expect(accountMappingInput.safeParse(input).success).toBe(false);
  });
});

describe('QuickBooks Online', () => {
  const rows = csv(fileOf('qbo', [payment, fee, refund]));
  test('the documented columns, one row per line, a debit or a credit with two decimals', () => {
    expect(Object.keys(rows[0]!)).toEqual([...QBO_COLUMNS]);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({ JournalNo: 'GS0F8E4C2A1B3D4E5F9A', JournalDate: '03/07/2026', AccountName: 'Stripe Clearing', Debits: '25.00', Credits: '', Description: 'Dues payment (María Núñez)', Name: '', Currency: 'USD' });
    expect(rows[1]).toMatchObject({ AccountName: 'Cuotas sindicales', Debits: '', Credits: '25.00' });
    expect(rows[2]).toMatchObject({ AccountName: 'Processing fees', Debits: '1.03' });
  });
  test('debits equal credits in each entry and in the file', () => {
    const byEntry = new Map<string, number>();
    for (const row of rows) byEntry.set(row.JournalNo!, (byEntry.get(row.JournalNo!) ?? 0) + cents(row.Debits || '0') - cents(row.Credits || '0'));
    expect([...byEntry.values()]).toEqual([0, 0, 0]);
    expect(rows.reduce((sum, row) => sum + cents(row.Debits || '0'), 0)).toBe(2500 + 103 + 1500);
    expect(rows.reduce((sum, row) => sum + cents(row.Credits || '0'), 0)).toBe(2500 + 103 + 1500);
  });
  test('a description that a spreadsheet would run as a formula stays text', () => {
    expect(rows[4]!.Description).toBe("'=cmd|refund");
  });
});

describe('Xero', () => {
  const rows = csv(fileOf('xero', [payment, fee, refund]));
  test('the documented columns, debits positive and credits negative, the tax rate on every line', () => {
    expect(Object.keys(rows[0]!)).toEqual([...XERO_COLUMNS]);
    expect(rows[0]).toEqual({ Narration: 'Dues payment GS0F8E4C2A1B3D4E5F9A', Date: '07/03/2026', Description: 'Dues payment (María Núñez)', AccountCode: '1050', TaxRate: 'No GST', Amount: '25.00', TrackingName1: '', TrackingOption1: '', TrackingName2: '', TrackingOption2: '' });
    expect(rows[1]).toMatchObject({ AccountCode: '4010', Amount: '-25.00' });
    expect(rows[5]).toMatchObject({ AccountCode: '1050', Amount: '-15.00' });
  });
  test('each journal (narration and date) sums to zero, and so does the file', () => {
    const byJournal = new Map<string, number>();
    for (const row of rows) byJournal.set(`${row.Narration}|${row.Date}`, (byJournal.get(`${row.Narration}|${row.Date}`) ?? 0) + cents(row.Amount!));
    expect(byJournal.size).toBe(3);
    expect([...byJournal.values()]).toEqual([0, 0, 0]);
  });
});

describe('QuickBooks Desktop IIF', () => {
  const text = fileOf('iif', [payment, { ...fee, description: 'Fee\twith a tab\nand a line' }]);
  const lines = text.split('\r\n').slice(0, -1).map((line) => line.split('\t'));
  test('the three header lines, then TRNS, SPL and ENDTRNS per entry, tab-separated', () => {
    expect(lines.slice(0, 3)).toEqual(IIF_HEADER.map((line) => [...line]));
    expect(lines[0]).toEqual(['!TRNS', 'TRNSID', 'TRNSTYPE', 'DATE', 'ACCNT', 'NAME', 'AMOUNT', 'DOCNUM', 'MEMO']);
    expect(lines.slice(3).map((line) => line[0])).toEqual(['TRNS', 'SPL', 'ENDTRNS', 'TRNS', 'SPL', 'ENDTRNS']);
    expect(lines[3]).toEqual(['TRNS', '', 'GENERAL JOURNAL', '03/07/2026', 'Stripe Clearing', '', '25.00', 'GS0F8E4C2A1B3D4E5F9A', 'Dues payment (María Núñez)']);
    expect(lines[4]).toEqual(['SPL', '', 'GENERAL JOURNAL', '03/07/2026', 'Cuotas sindicales', '', '-25.00', 'GS0F8E4C2A1B3D4E5F9A', 'Dues payment (María Núñez)']);
  });
  test('a tab or line break in a description cannot break a line', () => {
    expect(lines[6]![8]).toBe('Fee with a tab and a line (María Núñez)');
    expect(lines.every((line) => line.length === 9 || line.length === 1 || line[0]!.startsWith('!'))).toBe(true);
  });
  test('each transaction’s amounts sum to zero', () => {
    let sum = 0;
    for (const line of lines.slice(3)) {
      if (line[0] === 'ENDTRNS') {
        expect(sum).toBe(0);
        sum = 0;
      } else sum += cents(line[6]!);
    }
  });
});

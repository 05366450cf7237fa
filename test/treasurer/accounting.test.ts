import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { IIF_HEADER, QBO_COLUMNS, XERO_COLUMNS } from '../../src/treasurer/accounting/formats';
import { buildAccountantBooks, ledgerTotals, RANGE, type AccountantBooks } from './accounting-fixtures';

let books: AccountantBooks;
beforeAll(async () => {
  books = await buildAccountantBooks();
}, 120_000);
afterAll(async () => {
  await books.flow.close();
});

const as = (role: keyof AccountantBooks['tokens']) => ({
  get: (path: string) => request(books.app).get(path).set('Authorization', `Bearer ${books.tokens[role]}`),
  put: (path: string, body: unknown) => request(books.app).put(path).set('Authorization', `Bearer ${books.tokens[role]}`).send(body as object),
});
const journal = (format: string, range: { from: string; to: string } = RANGE) => as('treasurer').get(`/api/accounting/journal?from=${range.from}&to=${range.to}&format=${format}`);
const cents = (text: string | undefined) => (text ? Math.round(Number(text) * 100) : 0);
const audits = (action: string) => books.flow.testDb.db.selectFrom('audit_log').select(['details', 'actor_staff_user_id']).where('organization_id', '=', books.flow.organization.id).where('action', '=', action).orderBy('created_at').execute();

describe('the account mapping', () => {
  test('unmapped: every account under our name and code', async () => {
    const res = await as('treasurer').get('/api/accounting/mapping');
    expect(res.status).toBe(200);
    expect(res.body.xeroTaxRate).toBe('Tax Exempt');
    expect(res.body.accounts.find((a: { code: string }) => a.code === 'dues_income')).toEqual({ code: 'dues_income', ourName: 'Dues income', name: 'Dues income', number: 'dues_income', mapped: false });
  });

  test('only an admin sets it; the organizer reads nothing', async () => {
    expect((await as('treasurer').put('/api/accounting/mapping', { accounts: {} })).status).toBe(403);
    expect((await as('organizer').get('/api/accounting/mapping')).status).toBe(403);
  });

  test('bad input is refused whole, and the organization’s other settings are kept', async () => {
    await books.flow.testDb.db.updateTable('organizations').set({ settings: JSON.stringify({ fiscalYearStartMonth: 7 }) }).where('id', '=', books.flow.organization.id).execute();
    const bad = await as('admin').put('/api/accounting/mapping', { accounts: { dues_income: { name: 'Cuotas' }, nonsense: { name: 'X' } } });
    expect(bad.status).toBe(400);
    expect((await as('admin').get('/api/accounting/mapping')).body.accounts.every((a: { mapped: boolean }) => !a.mapped)).toBe(true);

    const res = await as('admin').put('/api/accounting/mapping', { accounts: { dues_income: { name: 'Cuotas sindicales', number: '4010' }, stripe_balance: { name: 'Stripe Clearing', number: '1050' } }, xeroTaxRate: 'No GST' });
    expect(res.status).toBe(200);
    expect(res.body.accounts.find((a: { code: string }) => a.code === 'dues_income')).toEqual({ code: 'dues_income', ourName: 'Dues income', name: 'Cuotas sindicales', number: '4010', mapped: true });
    expect((await as('treasurer').get('/api/accounting/mapping')).body).toEqual(res.body);
    const organization = await books.flow.testDb.db.selectFrom('organizations').select('settings').where('id', '=', books.flow.organization.id).executeTakeFirstOrThrow();
    expect((organization.settings as Record<string, unknown>).fiscalYearStartMonth).toBe(7);
    const [audit] = await audits('accounting.mapping_changed');
    expect(audit!.details).toEqual({ mapping: { accounts: { dues_income: { name: 'Cuotas sindicales', number: '4010' }, stripe_balance: { name: 'Stripe Clearing', number: '1050' } }, xeroTaxRate: 'No GST' } });
  });
});

describe('the journal for the accountant (after the mapping above)', () => {
  test('QuickBooks Online: one entry per ledger transaction, balanced, totals equal to the ledger’s', async () => {
    const totals = await ledgerTotals(books);
    const res = await journal('qbo');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain(`journal-${books.flow.organization.slug}-2026-01-01-to-2026-01-31-qbo.csv`);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...QBO_COLUMNS]);
    expect(rows).toHaveLength(totals.entries);
    expect(new Set(rows.map((row) => row.JournalNo)).size).toBe(totals.transactions);
    const debits = rows.reduce((sum, row) => sum + cents(row.Debits), 0);
    expect(debits).toBe(totals.debitCents);
    expect(rows.reduce((sum, row) => sum + cents(row.Credits), 0)).toBe(debits);
    const perEntry = new Map<string, number>();
    for (const row of rows) perEntry.set(row.JournalNo!, (perEntry.get(row.JournalNo!) ?? 0) + cents(row.Debits) - cents(row.Credits));
    expect([...perEntry.values()].every((sum) => sum === 0)).toBe(true);
    expect(rows.every((row) => /^\d{2}\/\d{2}\/2026$/.test(row.JournalDate!) && /^(\d+\.\d{2})?$/.test(row.Debits!) && /^(\d+\.\d{2})?$/.test(row.Credits!))).toBe(true);
    expect(rows.some((row) => row.AccountName === 'Cuotas sindicales')).toBe(true);
    expect(rows.some((row) => row.Description!.includes('María Núñez'))).toBe(true);
    const [audit] = (await audits('accounting.exported')).slice(-1);
    expect(audit!.details).toEqual({ filters: RANGE, format: 'qbo', entries: totals.transactions, rows: totals.entries, completed: true });
  });

  test('Xero: signed amounts by account code, each journal summing to zero', async () => {
    const totals = await ledgerTotals(books);
    const rows = parse((await journal('xero')).text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...XERO_COLUMNS]);
    expect(rows).toHaveLength(totals.entries);
    const perJournal = new Map<string, number>();
    for (const row of rows) perJournal.set(`${row.Narration}|${row.Date}`, (perJournal.get(`${row.Narration}|${row.Date}`) ?? 0) + cents(row.Amount));
    expect(perJournal.size).toBe(totals.transactions);
    expect([...perJournal.values()].every((sum) => sum === 0)).toBe(true);
    expect(rows.filter((row) => cents(row.Amount) > 0).reduce((sum, row) => sum + cents(row.Amount), 0)).toBe(totals.debitCents);
    expect(rows.every((row) => /^\d{2}\/01\/2026$/.test(row.Date!) && row.TaxRate === 'No GST')).toBe(true);
    expect(rows.some((row) => row.AccountCode === '4010')).toBe(true);
  });

  test('IIF: the general journal’s header lines, a TRNS … ENDTRNS block per transaction, each summing to zero', async () => {
    const totals = await ledgerTotals(books);
    const res = await journal('iif');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    const lines = res.text.split('\r\n').slice(0, -1).map((line) => line.split('\t'));
    expect(lines.slice(0, 3)).toEqual(IIF_HEADER.map((line) => [...line]));
    const body = lines.slice(3);
    expect(body.filter((line) => line[0] === 'TRNS')).toHaveLength(totals.transactions);
    expect(body.filter((line) => line[0] === 'ENDTRNS')).toHaveLength(totals.transactions);
    let sum = 0;
    for (const line of body) {
      if (line[0] === 'ENDTRNS') {
        expect(sum).toBe(0);
        sum = 0;
      } else {
        expect(line[2]).toBe('GENERAL JOURNAL');
        expect(line[3]).toMatch(/^\d{2}\/\d{2}\/2026$/);
        sum += cents(line[6]);
      }
    }
    expect(res.text).toContain('Zoë Brontë-Ibáñez');
  });

  test('a range with nothing in it is a file of headers alone, audited', async () => {
    const res = await journal('qbo', { from: '2025-01-01', to: '2025-01-31' });
    expect(res.status).toBe(200);
    expect(res.text).toBe(`${QBO_COLUMNS.join(',')}\r\n`);
    const [audit] = (await audits('accounting.exported')).slice(-1);
    expect(audit!.details).toMatchObject({ format: 'qbo', entries: 0, rows: 0, completed: true });
  });

  test.each([
    ['from=2026-01-31&to=2026-01-01&format=qbo'],
    ['from=2026-02-30&to=2026-03-01&format=qbo'],
    ['from=2026-01-01&to=2026-01-31&format=csv'],
    ['from=2026-01-01&format=xero'],
  ])('%s is a 400 with the JSON error', async (query) => {
    const res = await as('treasurer').get(`/api/accounting/journal?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/json');
  });

  test('an organizer gets none of it', async () => {
    expect((await as('organizer').get(`/api/accounting/journal?from=${RANGE.from}&to=${RANGE.to}&format=qbo`)).status).toBe(403);
  });
});

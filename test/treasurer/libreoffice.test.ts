import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { buildAccountantBooks, ledgerTotals, RANGE, type AccountantBooks } from './accounting-fixtures';

// Every export opened by LibreOffice Calc as a spreadsheet user would (Debian's
// libreoffice-calc, headless, in a profile of its own so parallel runs don't clash), saved
// by it as XLSX and read back cell by cell: accents intact, dates read as dates, amounts as
// numbers, row count and totals equal to the ledger's.
const SOFFICE = '/usr/bin/soffice';
const haveSoffice = existsSync(SOFFICE);
const describeWithSoffice = haveSoffice ? describe : describe.skip;
const SUITE = `exports opened by LibreOffice${haveSoffice ? '' : ` (SKIPPED: ${SOFFICE} is not installed; apt-get install libreoffice-calc)`}`;

// CSV import options: comma, double quote, UTF-8 (76), from line 1, no column formats, the
// locale dates are read in, quoted fields as text no, "detect special numbers" (dates) yes.
const csvFilter = (locale: number) => `CSV:44,34,76,1,,${locale},false,true`;
const EN_US = 1033;
const EN_GB = 2057;

type Cell = ExcelJS.CellValue;
let books: AccountantBooks;
let dir: string;
const sheets: Record<string, Cell[][]> = {};

/** LibreOffice opens the files (with a CSV filter where given) and saves each as XLSX in `out/`. */
async function convert(files: string[], csvLocale?: number): Promise<void> {
  const args = [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', ...(csvLocale ? [`--infilter=${csvFilter(csvLocale)}`] : []), '--convert-to', 'xlsx', '--outdir', join(dir, 'out'), ...files.map((file) => join(dir, file))];
  await promisify(execFile)(SOFFICE, args, { timeout: 60_000 });
}

async function cellsOf(name: string): Promise<Cell[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(join(dir, 'out', `${name}.xlsx`));
  const rows: Cell[][] = [];
  workbook.worksheets[0]!.eachRow({ includeEmpty: false }, (row) => rows.push((row.values as Cell[]).slice(1)));
  return rows;
}

const download = async (path: string) => (await request(books.app).get(path).set('Authorization', `Bearer ${books.tokens.treasurer}`).buffer(true).parse((res, done) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => done(null, Buffer.concat(chunks)));
})).body as Buffer;

/** The file as we sent it: the text LibreOffice's cells are compared with. */
const sent = async (file: string) => parse(await readFile(join(dir, file)), { bom: true }) as string[][];
const isDay = (cell: Cell) => cell instanceof Date;
const dayOf = (cell: Cell) => (cell as Date).toISOString().slice(0, 10);
const centsOf = (cell: Cell) => (cell === null || cell === undefined ? 0 : Math.round((cell as number) * 100));
const column = (rows: Cell[][], name: string) => rows[0]!.indexOf(name);

describeWithSoffice(SUITE, () => {
  beforeAll(async () => {
    books = await buildAccountantBooks();
    dir = await mkdtemp(join(tmpdir(), 'lo-'));
    const range = `from=${RANGE.from}&to=${RANGE.to}`;
    await writeFile(join(dir, 'ledger.csv'), await download(`/api/ledger/export?${range}&format=csv`));
    await writeFile(join(dir, 'ledger-book.xlsx'), await download(`/api/ledger/export?${range}&format=xlsx`));
    await writeFile(join(dir, 'qbo.csv'), await download(`/api/accounting/journal?${range}&format=qbo`));
    await writeFile(join(dir, 'xero.csv'), await download(`/api/accounting/journal?${range}&format=xero`));
    // QuickBooks' dates are American, Xero's British: each opened in the locale its users have.
    await convert(['ledger.csv', 'qbo.csv'], EN_US);
    await convert(['xero.csv'], EN_GB);
    await convert(['ledger-book.xlsx']);
    for (const name of ['ledger', 'ledger-book', 'qbo', 'xero']) sheets[name] = await cellsOf(name);
  }, 120_000);
  afterAll(async () => {
    await books?.flow.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test.each([['ledger'], ['ledger-book']])('the ledger export (%s): a row per transaction, dates and amounts as LibreOffice reads them, names intact', async (name) => {
    const totals = await ledgerTotals(books);
    const rows = sheets[name]!;
    const [date, amount, minor, member] = [column(rows, 'Date'), column(rows, 'Amount'), column(rows, 'Amount (minor units)'), column(rows, 'Member name')];
    expect(rows[0]![0]).toBe('Date');
    const body = rows.slice(1);
    expect(body).toHaveLength(totals.transactions);
    expect(body.map((row) => (isDay(row[date]) ? dayOf(row[date]) : row[date]))).toEqual((await sent('ledger.csv')).slice(1).map((row) => row[0]));
    expect(body.every((row) => typeof row[amount] === 'number' && typeof row[minor] === 'number')).toBe(true);
    expect(body.reduce((sum, row) => sum + centsOf(row[amount]), 0)).toBe(totals.debitCents);
    expect(body.reduce((sum, row) => sum + (row[minor] as number), 0)).toBe(totals.debitCents);
    expect(body.map((row) => row[member])).toEqual(expect.arrayContaining(['María Núñez', 'Zoë Brontë-Ibáñez']));
  });

  test('QuickBooks Online’s journal: MM/DD/YYYY read as dates, debits and credits as numbers that balance', async () => {
    const totals = await ledgerTotals(books);
    const rows = sheets.qbo!;
    expect(rows[0]).toEqual(['JournalNo', 'JournalDate', 'AccountName', 'Debits', 'Credits', 'Description', 'Name', 'Currency']);
    const body = rows.slice(1);
    expect(body).toHaveLength(totals.entries);
    // Read as the days written, month first: 01/05/2026 is January 5, not May 1.
    const written = (await sent('qbo.csv')).slice(1).map((row) => row[1]);
    expect(body.map((row) => (isDay(row[1]) ? dayOf(row[1]).replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$2/$3/$1') : row[1]))).toEqual(written);
    expect(body.every((row) => [row[3], row[4]].filter((cell) => typeof cell === 'number').length === 1)).toBe(true);
    const debits = body.reduce((sum, row) => sum + centsOf(row[3]), 0);
    expect(debits).toBe(totals.debitCents);
    expect(body.reduce((sum, row) => sum + centsOf(row[4]), 0)).toBe(debits);
    expect(body.some((row) => String(row[5]).includes('María Núñez'))).toBe(true);
  });

  test('Xero’s manual journal: DD/MM/YYYY read as dates, signed amounts as numbers summing to zero', async () => {
    const totals = await ledgerTotals(books);
    const rows = sheets.xero!;
    expect(rows[0]!.slice(0, 6)).toEqual(['Narration', 'Date', 'Description', 'AccountCode', 'TaxRate', 'Amount']);
    const body = rows.slice(1);
    expect(body).toHaveLength(totals.entries);
    // Read as the days written, day first.
    const written = (await sent('xero.csv')).slice(1).map((row) => row[1]);
    expect(body.map((row) => (isDay(row[1]) ? dayOf(row[1]).replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$3/$2/$1') : row[1]))).toEqual(written);
    expect(body.every((row) => typeof row[5] === 'number')).toBe(true);
    expect(body.reduce((sum, row) => sum + centsOf(row[5]), 0)).toBe(0);
    expect(body.filter((row) => (row[5] as number) > 0).reduce((sum, row) => sum + centsOf(row[5]), 0)).toBe(totals.debitCents);
    expect(body.some((row) => String(row[2]).includes('Zoë Brontë-Ibáñez'))).toBe(true);
  });
});

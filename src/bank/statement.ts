import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';

/**
 * Reading a bank statement exported as CSV by any bank: the delimiter and the decimal
 * separator are detected, the columns are named once per organization (the mapping), and
 * each row becomes a dated, signed amount in cents. Pure functions.
 */

export const DATE_FORMATS = ['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];
export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export interface StatementMapping {
  delimiter: Delimiter;
  decimalComma: boolean;
  dateColumn: string;
  dateFormat: DateFormat;
  /** One signed amount column, or a debit and a credit column (both as positive figures). */
  amountColumn: string | null;
  debitColumn: string | null;
  creditColumn: string | null;
  descriptionColumn: string;
}

export interface StatementSniff {
  delimiter: Delimiter;
  headers: string[];
  /** The first rows after the header, to show while the columns are named. */
  sample: string[][];
  /** A mapping guessed from the header names and the sample; every column may still be wrong. */
  guess: StatementMapping;
}

export interface StatementLine {
  /** The row as the spreadsheet numbers it (header row 1). */
  row: number;
  bookedOn: string;
  amountCents: number;
  description: string;
  /** Day, amount, description and the line's occurrence among identical ones in the file: the same line imported twice is known. */
  hash: string;
}

export interface StatementRead {
  rowsRead: number;
  /** Lines with a positive amount: money in. */
  deposits: StatementLine[];
  withdrawals: number;
  errors: StatementProblem[];
}

/** A row that could not be read: its day, its amount, or (row 1) a column the mapping names that the header lacks. */
export interface StatementProblem {
  row: number;
  problem: 'day' | 'amount' | 'column';
  value: string;
}

const MAX_CENTS = 100_000_000_000;

/** The delimiter the header line uses most, outside quotes (a comma on a tie). */
export function detectDelimiter(text: string): Delimiter {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of firstLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char as Delimiter)) counts.set(char as Delimiter, counts.get(char as Delimiter)! + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

function rowsOf(text: string, delimiter: Delimiter): string[][] {
  return parse(text, { delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, relax_quotes: true }) as string[][];
}

const COMMA_MONEY = /^[-+(]?[^\d,.]*\d{1,3}(?:[.\s\u00a0']?\d{3})*,\d{1,2}\)?-?$/;
const POINT_MONEY = /^[-+(]?[^\d,.]*\d{1,3}(?:[,\s\u00a0']?\d{3})*\.\d{1,2}\)?-?$/;

function guessDateFormat(cells: readonly string[], decimalComma: boolean): DateFormat {
  let dayFirst = false;
  let monthFirst = false;
  for (const cell of cells) {
    if (/^\d{4}-\d{1,2}-\d{1,2}/.test(cell)) return 'YYYY-MM-DD';
    const parts = /^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}$/.exec(cell);
    if (!parts) continue;
    if (Number(parts[1]) > 12) dayFirst = true;
    if (Number(parts[2]) > 12) monthFirst = true;
  }
  if (dayFirst !== monthFirst) return dayFirst ? 'DD/MM/YYYY' : 'MM/DD/YYYY';
  return decimalComma ? 'DD/MM/YYYY' : 'MM/DD/YYYY';
}

const pick = (headers: readonly string[], pattern: RegExp, except: readonly (string | null)[] = []) => headers.find((h) => pattern.test(h) && !except.includes(h)) ?? null;

/** The delimiter, the header, a sample and a guessed mapping; undefined for a file with no header row. */
export function sniffStatement(text: string): StatementSniff | undefined {
  const delimiter = detectDelimiter(text);
  const rows = rowsOf(text, delimiter);
  const headers = rows[0];
  if (!headers || headers.length < 2) return undefined;
  const body = rows.slice(1, 51);
  const cells = body.flat();
  const decimalComma = cells.filter((c) => COMMA_MONEY.test(c)).length > cells.filter((c) => POINT_MONEY.test(c)).length;
  const date = pick(headers, /date|fecha|datum|day|d[ií]a|booked|posted/i) ?? headers[0]!;
  const debit = pick(headers, /debit|d[eé]bito|withdraw|cargo|retiro|out/i, [date]);
  const credit = pick(headers, /credit|cr[eé]dito|deposit|dep[oó]sito|abono|in$/i, [date, debit]);
  const amount = pick(headers, /amount|importe|monto|valor|value|betrag|sum/i, [date, debit, credit]);
  const description = pick(headers, /desc|memo|concept|narrat|detail|detalle|payee|refer|text/i, [date, debit, credit, amount]) ?? headers.find((h) => ![date, debit, credit, amount].includes(h)) ?? headers[1]!;
  const dateIndex = headers.indexOf(date);
  const split = amount === null && debit !== null && credit !== null;
  return {
    delimiter,
    headers,
    sample: body.slice(0, 5),
    guess: {
      delimiter,
      decimalComma,
      dateColumn: date,
      dateFormat: guessDateFormat(body.map((row) => row[dateIndex] ?? ''), decimalComma),
      amountColumn: split ? null : (amount ?? headers.find((h) => h !== date && h !== description) ?? null),
      debitColumn: split ? debit : null,
      creditColumn: split ? credit : null,
      descriptionColumn: description,
    },
  };
}

/**
 * A money figure as a bank writes it, in cents: thousands separators, a currency sign, a
 * minus before or after, or parentheses for a negative. Null when it is not one.
 */
export function parseAmount(text: string, decimalComma: boolean): number | null {
  let value = text.trim();
  if (value === '') return null;
  let negative = false;
  if (/^\(.*\)$/.test(value)) {
    negative = true;
    value = value.slice(1, -1);
  }
  value = value.replace(/[\s\u00a0']/g, '').replace(/^[^\d+-]+|[^\d-]+$/g, '');
  if (value.startsWith('-')) {
    negative = !negative;
    value = value.slice(1);
  } else if (value.endsWith('-')) {
    negative = !negative;
    value = value.slice(0, -1);
  } else if (value.startsWith('+')) value = value.slice(1);
  value = value.replace(/^[^\d]+/, '');
  const [thousands, decimal] = decimalComma ? ['.', ','] : [',', '.'];
  if (!new RegExp(`^\\d{1,3}(?:\\${thousands}\\d{3})*(?:\\${decimal}\\d{1,2})?$|^\\d+(?:\\${decimal}\\d{1,2})?$`).test(value)) return null;
  const [whole, fraction = ''] = value.split(thousands).join('').split(decimal) as [string, string?];
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(cents) || cents > MAX_CENTS) return null;
  return negative ? -cents : cents;
}

const isCalendarDay = (year: number, month: number, day: number) => {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

/** A day as the statement writes it, in the mapping's order, as 'YYYY-MM-DD'; a time after it is ignored. Null when it is not one. */
export function parseDay(text: string, format: DateFormat): string | null {
  const value = text.trim().split(/[\sT]/, 1)[0] ?? '';
  let parts: RegExpExecArray | null;
  let year: number;
  let month: number;
  let day: number;
  if (format === 'YYYY-MM-DD') {
    parts = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(value);
    if (!parts) return null;
    [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  } else {
    parts = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$/.exec(value);
    if (!parts) return null;
    const [first, second] = [Number(parts[1]), Number(parts[2])];
    [month, day] = format === 'MM/DD/YYYY' ? [first, second] : [second, first];
    year = parts[3]!.length === 2 ? 2000 + Number(parts[3]) : Number(parts[3]);
  }
  if (year < 1900 || year > 2999 || !isCalendarDay(year, month, day)) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export const lineHash = (bookedOn: string, amountCents: number, description: string, occurrence: number) => createHash('sha256').update(`${bookedOn}\u0000${amountCents}\u0000${description}\u0000${occurrence}`).digest('hex');

/** Every row of the statement read with the mapping: the deposits, how many withdrawals, and the rows that could not be read. */
export function readStatement(text: string, mapping: StatementMapping): StatementRead {
  const rows = rowsOf(text, mapping.delimiter);
  const headers = rows[0] ?? [];
  const index = (name: string | null) => (name === null ? -1 : headers.indexOf(name));
  const columns = { date: index(mapping.dateColumn), amount: index(mapping.amountColumn), debit: index(mapping.debitColumn), credit: index(mapping.creditColumn), description: index(mapping.descriptionColumn) };
  const errors: StatementRead['errors'] = [];
  const missing = [mapping.dateColumn, mapping.descriptionColumn, ...(mapping.amountColumn !== null ? [mapping.amountColumn] : [mapping.debitColumn, mapping.creditColumn])].filter((name) => name === null || !headers.includes(name));
  if (missing.length > 0) return { rowsRead: 0, deposits: [], withdrawals: 0, errors: missing.map((name) => ({ row: 1, problem: 'column', value: name ?? '' })) };

  const deposits: StatementLine[] = [];
  const occurrences = new Map<string, number>();
  let withdrawals = 0;
  let rowsRead = 0;
  for (const [i, cells] of rows.slice(1).entries()) {
    const row = i + 2;
    if (cells.every((cell) => cell === '')) continue;
    rowsRead += 1;
    const bookedOn = parseDay(cells[columns.date] ?? '', mapping.dateFormat);
    if (bookedOn === null) {
      errors.push({ row, problem: 'day', value: (cells[columns.date] ?? '').slice(0, 40) });
      continue;
    }
    let amountCents: number | null;
    if (columns.amount >= 0) {
      amountCents = parseAmount(cells[columns.amount] ?? '', mapping.decimalComma);
    } else {
      const debitText = cells[columns.debit] ?? '';
      const creditText = cells[columns.credit] ?? '';
      const debit = debitText === '' ? 0 : parseAmount(debitText, mapping.decimalComma);
      const credit = creditText === '' ? 0 : parseAmount(creditText, mapping.decimalComma);
      amountCents = debit === null || credit === null || (debitText === '' && creditText === '') ? null : Math.abs(credit) - Math.abs(debit);
    }
    if (amountCents === null) {
      errors.push({ row, problem: 'amount', value: (columns.amount >= 0 ? (cells[columns.amount] ?? '') : `${cells[columns.debit] ?? ''} / ${cells[columns.credit] ?? ''}`).slice(0, 40) });
      continue;
    }
    if (amountCents <= 0) {
      withdrawals += amountCents < 0 ? 1 : 0;
      continue;
    }
    const description = (cells[columns.description] ?? '').split('\u0000').join('').replace(/\s+/g, ' ').trim().slice(0, 500);
    const key = `${bookedOn}\u0000${amountCents}\u0000${description}`;
    const occurrence = occurrences.get(key) ?? 0;
    occurrences.set(key, occurrence + 1);
    deposits.push({ row, bookedOn, amountCents, description, hash: lineHash(bookedOn, amountCents, description, occurrence) });
  }
  return { rowsRead, deposits, withdrawals, errors };
}

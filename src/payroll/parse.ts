import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { readHundredths } from './amounts';
import type { ColumnMapping, MappedField } from './mapping';

/**
 * Reading an employer's remittance file (CSV in any of the usual dialects, or XLSX) into
 * lines, with the employer's column mapping. The header row is found wherever it is (title
 * rows, merged title cells above it); blank lines and totals lines are skipped; a line
 * whose amount cannot be read is kept with its problem, to be listed before posting.
 */

export type Grid = string[][];

export interface RemittanceLine {
  /** The row number a spreadsheet shows for the line. */
  row: number;
  employeeNumber: string | null;
  name: string | null;
  amountCents: number | null;
  hoursHundredths: number | null;
  wagesCents: number | null;
  period: string | null;
  problem: string | null;
}

/** Why a file cannot be read, as a code the console says in the visitor's language (with `text`, the headers or the limit). */
export type RemittanceFileProblem = 'empty' | 'not_text' | 'csv_unreadable' | 'xlsx_unreadable' | 'no_sheet' | 'no_header' | 'no_lines' | 'too_many_lines';

export class RemittanceFileError extends Error {
  constructor(
    readonly problem: RemittanceFileProblem,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly text = '',
  ) {
    super(message);
    this.name = 'RemittanceFileError';
  }
}

export const MAX_REMITTANCE_LINES = 50_000;

const isZip = (bytes: Buffer) => bytes.length > 3 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

/** The delimiter that splits the first lines most evenly: semicolons for files from decimal-comma countries, tabs, or commas. */
export function guessDelimiter(text: string): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '').slice(0, 20);
  let best = ',';
  let bestScore = 0;
  for (const delimiter of [',', ';', '\t', '|']) {
    const counts = lines.map((line) => line.split(delimiter).length - 1);
    const most = Math.max(0, ...counts);
    const steady = counts.filter((count) => count === most).length;
    const score = most === 0 ? 0 : steady * 100 + most;
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

function csvGrid(bytes: Buffer): Grid {
  const text = bytes.toString('utf8');
  if (text.includes('\u0000')) throw new RemittanceFileError('not_text', 'the file is neither UTF-8 CSV text nor an XLSX workbook: save it as "CSV UTF-8" or as .xlsx');
  try {
    return parse(text, { bom: true, delimiter: guessDelimiter(text), relax_column_count: true, relax_quotes: true, skip_empty_lines: false, trim: true }) as Grid;
  } catch (error) {
    throw new RemittanceFileError('csv_unreadable', `the file is not readable CSV: ${(error as Error).message}`);
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
  if ('richText' in value) return value.richText.map((part) => part.text).join('').trim();
  if ('text' in value) return String(value.text).trim();
  return '';
}

async function xlsxGrid(bytes: Buffer): Promise<Grid> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw new RemittanceFileError('xlsx_unreadable', `the workbook cannot be read: ${(error as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new RemittanceFileError('no_sheet', 'the workbook has no sheets');
  const grid: Grid = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      // A merged cell's other parts repeat its value; only the master cell keeps it, so a merged title stays one cell.
      cells[column - 1] = cell.isMerged && cell.master.address !== cell.address ? '' : cellText(cell.value);
    });
    grid[rowNumber - 1] = Array.from(cells, (cell) => cell ?? '');
  });
  return Array.from(grid, (row) => row ?? []);
}

/** The file's cells, row by row (index + 1 is the row number a spreadsheet shows). */
export async function readGrid(bytes: Buffer): Promise<Grid> {
  if (bytes.length === 0) throw new RemittanceFileError('empty', 'the file is empty');
  return isZip(bytes) ? xlsxGrid(bytes) : csvGrid(bytes);
}

const normal = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');
const TOTALS = /^(grand\s+)?(total|totals|sum|summe|totale?s?)\b/i;

/** Where the mapping's headers are: the first row holding all of them. */
function findHeader(grid: Grid, mapping: ColumnMapping): { row: number; columns: Partial<Record<MappedField, number>> } {
  const wanted = Object.entries(mapping) as Array<[MappedField, string]>;
  for (let row = 0; row < Math.min(grid.length, 50); row += 1) {
    const cells = grid[row]!.map(normal);
    const columns: Partial<Record<MappedField, number>> = {};
    for (const [field, headerText] of wanted) {
      const at = cells.indexOf(normal(headerText));
      if (at >= 0) columns[field] = at;
    }
    if (Object.keys(columns).length === wanted.length) return { row, columns };
  }
  const firstRows = grid.slice(0, 10).map((cells) => cells.filter((cell) => cell !== ''));
  const headers = wanted.map(([, h]) => `"${h}"`).join(', ');
  throw new RemittanceFileError('no_header', `no row holds all the mapped column headers (${headers}): check the employer's column mapping`, { firstRows }, headers);
}

/** The lines of a remittance file under the employer's column mapping. */
export function linesOf(grid: Grid, mapping: ColumnMapping): RemittanceLine[] {
  const { row: headerRow, columns } = findHeader(grid, mapping);
  const cell = (cells: string[], field: MappedField) => {
    const at = columns[field];
    const value = at === undefined ? '' : (cells[at] ?? '').trim();
    return value === '' ? null : value;
  };
  const lines: RemittanceLine[] = [];
  for (let index = headerRow + 1; index < grid.length; index += 1) {
    const cells = grid[index]!;
    if (cells.every((value) => value.trim() === '')) continue;
    const employeeNumber = cell(cells, 'employeeNumber');
    const last = cell(cells, 'name');
    const first = cell(cells, 'firstName');
    const amountText = cell(cells, 'amount');
    // A totals line names no one, or says "Total" in its first cells.
    if (cells.slice(0, 3).some((value) => TOTALS.test(value.trim())) || (employeeNumber === null && last === null && first === null)) continue;
    const name = first !== null && last !== null ? `${first} ${last}` : (last ?? first);
    const amount = amountText === null ? undefined : readHundredths(amountText);
    const hoursText = cell(cells, 'hours');
    const wagesText = cell(cells, 'wages');
    const problems: string[] = [];
    if (amountText === null) problems.push('no amount');
    else if (amount === undefined) problems.push(`the amount "${amountText}" is not a number`);
    else if (amount < 0) problems.push(`the amount ${amountText} is negative: a refund of an earlier deduction is entered by hand`);
    const hours = hoursText === null ? undefined : readHundredths(hoursText);
    const wages = wagesText === null ? undefined : readHundredths(wagesText);
    if (hoursText !== null && hours === undefined) problems.push(`the hours "${hoursText}" are not a number`);
    if (wagesText !== null && wages === undefined) problems.push(`the wages "${wagesText}" are not a number`);
    lines.push({
      row: index + 1,
      employeeNumber,
      name,
      amountCents: amount === undefined || amount < 0 ? null : amount,
      hoursHundredths: hours ?? null,
      wagesCents: wages ?? null,
      period: cell(cells, 'period'),
      problem: problems.length > 0 ? problems.join('; ') : null,
    });
    if (lines.length > MAX_REMITTANCE_LINES) throw new RemittanceFileError('too_many_lines', `at most ${MAX_REMITTANCE_LINES} lines per remittance`, {}, String(MAX_REMITTANCE_LINES));
  }
  if (lines.length === 0) throw new RemittanceFileError('no_lines', 'the file has a header row but no lines');
  return lines;
}

/** Reads a remittance file (CSV or XLSX bytes) into lines. */
export async function readRemittance(bytes: Buffer, mapping: ColumnMapping): Promise<RemittanceLine[]> {
  return linesOf(await readGrid(bytes), mapping);
}

import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { drained } from './export';

export interface XlsxColumns {
  header: readonly string[];
  /** Cells holding decimal amounts ('25.00'): written as number cells with two places. */
  decimal: ReadonlySet<number>;
  /** Cells holding whole numbers ('2500'). */
  integer: ReadonlySet<number>;
  /** Cells holding calendar days ('2026-01-05'): written as date cells. */
  date: ReadonlySet<number>;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Typed cells from the export's text cells. A number cell is parsed from the decimal text
 * the integer cents were formatted to, so the value written is that exact decimal (no
 * arithmetic on it); a day becomes midnight UTC of that day, which Excel shows as the day.
 */
function typedCell(text: string, column: number, columns: XlsxColumns): string | number | Date | null {
  if (text === '') return null;
  if (columns.decimal.has(column) || columns.integer.has(column)) return Number(text);
  if (columns.date.has(column)) {
    const match = DAY.exec(text);
    if (match) return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  }
  return text;
}

let loadedExcelJs: typeof ExcelJS | undefined;

/**
 * exceljs is loaded on the first XLSX download: it adds some 25 MB of resident memory that
 * a service only ever sending CSV (and its peak during a large CSV export) need not carry.
 */
function excelJs(): typeof ExcelJS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
  loadedExcelJs ??= require('exceljs') as typeof ExcelJS;
  return loadedExcelJs;
}

/**
 * A streaming XLSX writer (exceljs' WorkbookWriter): each committed row goes out through
 * the zip stream, without shared strings, so memory does not grow with the row count.
 */
export function xlsxWriter(out: Writable, sheetName: string, columns: XlsxColumns) {
  const { WorkbookWriter } = excelJs().stream.xlsx;
  const workbook = new WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.header.map((header, column) => ({
    header,
    key: String(column),
    width: Math.max(12, header.length + 2),
    ...(columns.decimal.has(column) ? { style: { numFmt: '#,##0.00' } } : columns.date.has(column) ? { style: { numFmt: 'yyyy-mm-dd' } } : columns.integer.has(column) ? { style: { numFmt: '0' } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  return {
    async write(rows: string[][]): Promise<void> {
      for (const cells of rows) sheet.addRow(cells.map((text, column) => typedCell(text, column, columns))).commit();
      await drained(out);
    },
    async end(): Promise<void> {
      sheet.commit();
      await workbook.commit();
    },
  };
}

import { stringify } from 'csv-stringify/sync';
import { decimalAmount, neutralise } from './format';
import type { MoneyFigures } from './reports/totals';

/** A report as rows of text cells, for its CSV. */
export interface ReportTable {
  header: string[];
  rows: string[][];
}

export const money = decimalAmount;

const MONEY_LINES: [string, keyof MoneyFigures][] = [
  ['Dues received', 'duesReceivedCents'],
  ['Initiation fees', 'initiationFeesCents'],
  ['Payment reversals', 'paymentReversalsCents'],
  ['Processing fees', 'processingFeesCents'],
  ['Refunds', 'refundsCents'],
  ['Disputes', 'disputesCents'],
  ['Dispute fees', 'disputeFeesCents'],
  ['Net', 'netCents'],
];

/**
 * A summary as 'Line, Amount, Amount (minor units)' rows: the money lines, then extra
 * lines: [label, cents, true] for more money, [label, count or text] otherwise.
 */
export function moneyTable(figures: MoneyFigures, currency: string, extra: ([string, number, true] | [string, number | string])[]): ReportTable {
  return {
    header: ['Line', 'Amount', 'Amount (minor units)'],
    rows: [
      ...MONEY_LINES.map(([label, key]) => [label, decimalAmount(figures[key], currency), String(figures[key])]),
      ...extra.map(([label, value, isMoney]) => (isMoney ? [label, decimalAmount(value as number, currency), String(value)] : [label, String(value), ''])),
    ],
  };
}

// Our own negative amounts ('-15.00') stay numbers; any other text starting like a formula is neutralised.
const NEGATIVE_AMOUNT = /^-\d+(\.\d+)?$/;

/** RFC 4180 with a byte-order mark (reports are small and opened in spreadsheets), outside text neutralised. */
export function reportCsv(table: ReportTable): string {
  return '\ufeff' + stringify([table.header, ...table.rows.map((row) => row.map((cell) => (NEGATIVE_AMOUNT.test(cell) ? cell : neutralise(cell))))], { record_delimiter: 'windows' });
}

import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { accountNames, decimalAmount, KIND_LABELS, METHOD_LABELS, neutralise } from './format';
import type { LedgerExportRow } from './queries';

/** The export's columns, one row per ledger transaction (its entries folded into debit and credit accounts). */
export const EXPORT_COLUMNS = [
  'Date',
  'Transaction ID',
  'Kind',
  'Description',
  'Member name',
  'Member ID',
  'Plan',
  'Period covered',
  'Amount',
  'Amount (minor units)',
  'Gross',
  'Fee',
  'Net',
  'Currency',
  'Payment method',
  'Debit account',
  'Credit account',
  'Stripe invoice',
  'Stripe charge',
  'Stripe refund',
  'Stripe dispute',
  'Stripe payout',
  'Payout arrival date',
  'Original date',
] as const;

/** Columns that hold a decimal amount (number cells in XLSX), a whole number, or a date. */
export const DECIMAL_COLUMNS = new Set([8, 10, 11, 12]);
export const INTEGER_COLUMNS = new Set([9]);
export const DATE_COLUMNS = new Set([0, 22, 23]);

const money = (cents: number | null, currency: string) => (cents === null ? '' : decimalAmount(cents, currency));

/** 'start to end', one day alone, or blank: as the export's and the statement's Period covered column. */
export function periodCovered(start: string | null, end: string | null): string {
  if (start === null && end === null) return '';
  if (start === end || end === null) return start ?? '';
  return `${start ?? ''} to ${end}`;
}

/** A transaction as the export's cells, all text: amounts as decimal strings made from integer cents, outside text neutralised. */
export function exportCells(row: LedgerExportRow): string[] {
  return [
    row.day,
    row.id,
    KIND_LABELS[row.kind],
    neutralise(row.description),
    neutralise(row.member_name),
    row.member_id ?? '',
    neutralise(row.plan_name),
    periodCovered(row.period_start, row.period_end),
    money(row.amount_cents, row.currency),
    String(row.amount_cents),
    money(row.gross_cents, row.currency),
    money(row.fee_cents, row.currency),
    money(row.net_cents, row.currency),
    row.currency.toUpperCase(),
    row.payment_method === null ? '' : METHOD_LABELS[row.payment_method],
    accountNames(row.debit_accounts),
    accountNames(row.credit_accounts),
    row.stripe_invoice_id ?? '',
    row.stripe_charge_id ?? '',
    row.stripe_refund_id ?? '',
    row.stripe_dispute_id ?? '',
    row.stripe_payout_id ?? '',
    row.payout_arrival_date ?? '',
    row.original_day ?? '',
  ];
}

/** Waits while the client is slower than the database, so unsent output never piles up in memory. */
export async function drained(out: Writable): Promise<void> {
  if (out.writableNeedDrain && !out.destroyed) {
    await new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done).off('close', done);
        resolve();
      };
      out.on('drain', done).on('close', done);
    });
  }
  if (out.destroyed) throw new ClientGone();
}

/** The download's reader went away: stop reading the database. */
export class ClientGone extends Error {
  constructor() {
    super('the client closed the connection before the export finished');
    this.name = 'ClientGone';
  }
}

/**
 * An RFC 4180 CSV writer (CRLF, quotes as needed, UTF-8, optionally a byte-order mark so
 * Excel reads accents). Each batch is stringified in one call and written as one chunk:
 * far cheaper than a stream write per row.
 */
export function csvWriter(out: Writable, header: readonly string[], options: { bom: boolean }) {
  out.write((options.bom ? '\ufeff' : '') + stringify([header as string[]], CSV_OPTIONS));
  return {
    async write(rows: string[][]): Promise<void> {
      if (rows.length === 0) return;
      out.write(stringify(rows, CSV_OPTIONS));
      await drained(out);
    },
    async end(): Promise<void> {
      out.end();
      await finished(out);
    },
  };
}

const CSV_OPTIONS = { record_delimiter: 'windows' } as const;

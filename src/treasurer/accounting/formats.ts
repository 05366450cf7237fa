import { stringify } from 'csv-stringify/sync';
import type { AccountCode } from '../../ledger/accounts';
import { decimalAmount, neutralise } from '../format';
import type { AccountMapping } from './mapping';

/** One ledger transaction as a journal entry: its day and its entries (debits positive, credits negative). */
export interface JournalEntry {
  transactionId: string;
  /** YYYY-MM-DD in the organization's time zone. */
  day: string;
  description: string;
  memberName: string | null;
  currency: string;
  lines: { account: AccountCode; amountCents: number }[];
}

export type JournalFormat = 'qbo' | 'xero' | 'iif';

/**
 * The journal number the three importers group lines by: our transaction id, shortened to
 * fit QuickBooks' 21-character journal number ('GS' and 72 bits of the uuid), so the same
 * transaction keeps its number in every export and a duplicate import is caught.
 */
export const journalNumber = (transactionId: string) => `GS${transactionId.replace(/-/g, '').slice(0, 18).toUpperCase()}`;

/** MM/DD/YYYY, as QuickBooks Online's and Desktop's imports read dates. */
export function usDate(day: string): string {
  const [year, month, date] = day.split('-');
  return `${month}/${date}/${year}`;
}

/** DD/MM/YYYY, as Xero's manual journal import reads dates. */
export function xeroDate(day: string): string {
  const [year, month, date] = day.split('-');
  return `${date}/${month}/${year}`;
}

/** What an entry says in one line: the ledger's description, and the member's name where there is one. */
const memo = (entry: JournalEntry) => (entry.memberName ? `${entry.description} (${entry.memberName})` : entry.description);

/** Columns of QuickBooks Online's journal entry import (its sample file's headings). */
export const QBO_COLUMNS = ['JournalNo', 'JournalDate', 'AccountName', 'Debits', 'Credits', 'Description', 'Name', 'Currency'] as const;
/** Columns of Xero's manual journal import template. */
export const XERO_COLUMNS = ['Narration', 'Date', 'Description', 'AccountCode', 'TaxRate', 'Amount', 'TrackingName1', 'TrackingOption1', 'TrackingName2', 'TrackingOption2'] as const;
/** IIF's three header lines for a general journal: the fields of the transaction line, of a split line, and the end. */
const IIF_FIELDS = ['TRNSID', 'TRNSTYPE', 'DATE', 'ACCNT', 'NAME', 'AMOUNT', 'DOCNUM', 'MEMO'] as const;
export const IIF_HEADER = [['!TRNS', ...IIF_FIELDS], ['!SPL', ...IIF_FIELDS], ['!ENDTRNS']] as const;

/** Rows of QuickBooks Online's CSV for one entry: a debit or a credit per line, the other blank. */
export function qboRows(entry: JournalEntry, mapping: AccountMapping): string[][] {
  const number = journalNumber(entry.transactionId);
  return entry.lines.map((line) => [
    number,
    usDate(entry.day),
    neutralise(mapping.accounts[line.account].name),
    line.amountCents > 0 ? decimalAmount(line.amountCents, entry.currency) : '',
    line.amountCents < 0 ? decimalAmount(-line.amountCents, entry.currency) : '',
    neutralise(memo(entry)),
    // Name must be one of the company's customers or vendors where given: members are neither.
    '',
    entry.currency.toUpperCase(),
  ]);
}

/**
 * Rows of Xero's CSV for one entry. Xero groups lines into a journal by narration and date,
 * so the narration carries the journal number; the amount is signed (positive a debit).
 */
export function xeroRows(entry: JournalEntry, mapping: AccountMapping): string[][] {
  const narration = neutralise(`${entry.description} ${journalNumber(entry.transactionId)}`);
  return entry.lines.map((line) => [narration, xeroDate(entry.day), neutralise(memo(entry)), mapping.accounts[line.account].number, mapping.xeroTaxRate, decimalAmount(line.amountCents, entry.currency), '', '', '', '']);
}

/** IIF fields cannot hold a tab or a line break (the format has no quoting): they become spaces. */
const iifText = (text: string) => text.replace(/[\t\r\n]+/g, ' ').replace(/"/g, "'");

/** Lines of the IIF file for one entry: TRNS for the first line, SPL for the rest, ENDTRNS. */
export function iifLines(entry: JournalEntry, mapping: AccountMapping): string[][] {
  const number = journalNumber(entry.transactionId);
  return [
    ...entry.lines.map((line, index) => [index === 0 ? 'TRNS' : 'SPL', '', 'GENERAL JOURNAL', usDate(entry.day), iifText(mapping.accounts[line.account].name), '', decimalAmount(line.amountCents, entry.currency), number, iifText(memo(entry))]),
    ['ENDTRNS'],
  ];
}

const CSV_OPTIONS = { record_delimiter: 'windows' } as const;

/** A format's file: its header, how an entry is written, its media type and extension. */
export const JOURNAL_FILES: Record<JournalFormat, { header: string; rows: (entry: JournalEntry, mapping: AccountMapping) => string; type: string; extension: string }> = {
  qbo: { header: stringify([[...QBO_COLUMNS]], CSV_OPTIONS), rows: (entry, mapping) => stringify(qboRows(entry, mapping), CSV_OPTIONS), type: 'text/csv; charset=utf-8', extension: 'csv' },
  xero: { header: stringify([[...XERO_COLUMNS]], CSV_OPTIONS), rows: (entry, mapping) => stringify(xeroRows(entry, mapping), CSV_OPTIONS), type: 'text/csv; charset=utf-8', extension: 'csv' },
  iif: { header: tabbed(IIF_HEADER.map((line) => [...line])), rows: (entry, mapping) => tabbed(iifLines(entry, mapping)), type: 'text/plain; charset=utf-8', extension: 'iif' },
};

function tabbed(lines: string[][]): string {
  return lines.map((line) => `${line.join('\t')}\r\n`).join('');
}

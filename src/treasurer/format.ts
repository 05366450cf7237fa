import { CHART_OF_ACCOUNTS, type AccountCode } from '../ledger/accounts';
import { formatMinorUnits } from '../ledger/format';
import type { LedgerKind, LedgerPaymentMethod } from '../ledger/postings';

/** Ledger kinds as a treasurer says them. */
export const KIND_LABELS: Readonly<Record<LedgerKind, string>> = {
  dues_payment: 'dues payment',
  initiation_fee: 'initiation fee',
  processing_fee: 'processing fee',
  refund: 'refund',
  dispute: 'dispute',
  dispute_fee: 'dispute fee',
  dispute_reversal: 'dispute reversal',
  payout: 'payout',
  payout_failed: 'failed payout',
  manual_payment: 'manual payment',
  payment_reversal: 'payment reversal',
  bank_deposit: 'bank deposit',
  payroll_remittance: 'payroll remittance',
  payroll_remittance_reversal: 'payroll remittance reversal',
  payroll_suspense_clearing: 'payroll suspense cleared',
  per_capita_accrual: 'per-capita tax owed',
  per_capita_payment: 'per-capita tax paid',
  per_capita_payment_reversal: 'per-capita payment reversed',
};

export const METHOD_LABELS: Readonly<Record<LedgerPaymentMethod, string>> = {
  card: 'card',
  us_bank_account: 'bank debit',
  cash: 'cash',
  check: 'check',
  payroll_deduction: 'payroll deduction',
};

const ACCOUNT_NAMES = new Map<string, string>(CHART_OF_ACCOUNTS.map((account) => [account.code, account.name]));

/** 'stripe_balance;dues_income' (as the export query aggregates codes) → 'Stripe balance; Dues income'. */
export function accountNames(codes: string | null): string {
  if (!codes) return '';
  return codes
    .split(';')
    .map((code) => ACCOUNT_NAMES.get(code as AccountCode) ?? code)
    .join('; ');
}

// A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text from outside (member names come from a public form) made inert: a leading apostrophe keeps it text. */
export function neutralise(text: string | null): string {
  if (text === null) return '';
  return FORMULA_START.test(text) ? `'${text}` : text;
}

const DIGITS = new Map<string, number>();

/**
 * Minor units as a decimal string, as the ledger's formatMinorUnits writes them, with the
 * currency's decimal places looked up once: building the Intl formatter behind that
 * lookup on every call cost more than the rest of an export row together.
 */
export function decimalAmount(cents: number, currency: string): string {
  let digits = DIGITS.get(currency);
  if (digits === undefined) {
    digits = formatMinorUnits(1, currency).split('.')[1]?.length ?? 0;
    DIGITS.set(currency, digits);
  }
  if (digits === 0) return String(cents);
  const scale = 10 ** digits;
  const magnitude = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(magnitude / scale)}.${String(magnitude % scale).padStart(digits, '0')}`;
}

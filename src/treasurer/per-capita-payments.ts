import { minorUnitDigits } from '../ledger/format';
import { isCalendarDate, requireCents, type LedgerTransactionDraft } from '../ledger/postings';

// Per-capita tax paid to an affiliate, in the ledger: the month's tax accrued (per-capita
// expense against per-capita payable) and the payment (payable against the bank), so the
// payable's balance for an affiliate and month is what is still outstanding.

/** 'YYYY-MM' → its first and last days. */
export function monthDays(month: string): { first: string; last: string } {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(lastDay).padStart(2, '0')}` };
}

// Noon UTC falls on the named day in every time zone from UTC-11 to UTC+11.
const noonOf = (day: string) => new Date(`${day}T12:00:00Z`);

export interface PerCapitaPostingInput {
  paymentId: string;
  affiliateId: string;
  affiliate: string;
  /** 'YYYY-MM': the month the tax is for. */
  month: string;
  currency: string;
  paidOn: string;
  reference: string;
  amountCents: number;
  /** What the month owes the affiliate now (the per-capita report's figure). */
  owedCents: number;
  /** What the ledger has accrued for the affiliate and month so far, and whether any accrual was posted. */
  accruedCents: number;
  accrualPosted: boolean;
}

/**
 * The month's accrual, brought to what it owes now (the first keyed by affiliate and month,
 * a later correction by the payment that found it), then the payment itself.
 */
export function postingsForPerCapitaPayment(input: PerCapitaPostingInput): LedgerTransactionDraft[] {
  requireCents('amountCents', input.amountCents, 1);
  requireCents('owedCents', input.owedCents, 0);
  if (!isCalendarDate(input.paidOn)) throw new RangeError(`paidOn "${input.paidOn}" must be a calendar date YYYY-MM-DD`);
  const { first, last } = monthDays(input.month);
  const about = { currency: input.currency, periodStart: first, periodEnd: last, affiliateId: input.affiliateId };
  const drafts: LedgerTransactionDraft[] = [];
  const accrual = input.owedCents - input.accruedCents;
  if (accrual !== 0) {
    drafts.push({
      ...about,
      sourceKey: input.accrualPosted ? `per_capita:${input.affiliateId}:${input.month}:accrual:${input.paymentId}` : `per_capita:${input.affiliateId}:${input.month}:accrual`,
      kind: 'per_capita_accrual',
      occurredAt: noonOf(last),
      description: input.accrualPosted ? `Per-capita tax owed to ${input.affiliate} for ${input.month}, corrected to ${input.owedCents} minor units` : `Per-capita tax owed to ${input.affiliate} for ${input.month}`,
      entries: [
        { account: 'per_capita_expense', amountCents: accrual },
        { account: 'per_capita_payable', amountCents: -accrual },
      ],
    });
  }
  drafts.push({
    ...about,
    sourceKey: `per_capita_payment:${input.paymentId}`,
    kind: 'per_capita_payment',
    occurredAt: noonOf(input.paidOn),
    description: `Per-capita tax paid to ${input.affiliate} for ${input.month} (ref ${input.reference})`,
    entries: [
      { account: 'per_capita_payable', amountCents: input.amountCents },
      { account: 'bank', amountCents: -input.amountCents },
    ],
  });
  return drafts;
}

/** A payment recorded by mistake taken back: the bank has the money again and the month owes it again, on the day it was said to be paid. */
export function postingsForPerCapitaReversal(input: { paymentId: string; affiliateId: string; affiliate: string; month: string; currency: string; paidOn: string; reference: string; amountCents: number }): LedgerTransactionDraft[] {
  requireCents('amountCents', input.amountCents, 1);
  const { first, last } = monthDays(input.month);
  return [
    {
      sourceKey: `per_capita_payment:${input.paymentId}:reversal`,
      kind: 'per_capita_payment_reversal',
      occurredAt: noonOf(input.paidOn),
      currency: input.currency,
      periodStart: first,
      periodEnd: last,
      affiliateId: input.affiliateId,
      description: `Per-capita payment to ${input.affiliate} for ${input.month} (ref ${input.reference}) reversed`,
      entries: [
        { account: 'bank', amountCents: input.amountCents },
        { account: 'per_capita_payable', amountCents: -input.amountCents },
      ],
    },
  ];
}

/**
 * A money figure a person typed, in the currency's minor units: a decimal point or comma,
 * thousands separators, a currency sign; no more decimals than the currency has. Null when
 * it is not one (or is negative).
 */
export function typedMinorUnits(text: string, currency: string): number | null {
  const digits = minorUnitDigits(currency);
  const value = text.replace(/[\s\u00a0]/g, '').replace(/^[^\d-]+|[^\d]+$/g, '');
  const fraction = digits === 0 ? '' : `(?:D\\d{1,${digits}})?`;
  for (const [thousands, decimal] of [
    [',', '.'],
    ['.', ','],
  ] as const) {
    const pattern = new RegExp(`^(?:\\d{1,3}(?:T\\d{3})+|\\d+)${fraction}$`.replace(/T/g, `\\${thousands}`).replace(/D/g, `\\${decimal}`));
    if (!pattern.test(value)) continue;
    const [whole, part = ''] = value.split(thousands).join('').split(decimal) as [string, string?];
    const units = Number(whole) * 10 ** digits + Number(part.padEnd(digits, '0') || '0');
    return Number.isSafeInteger(units) ? units : null;
  }
  return null;
}

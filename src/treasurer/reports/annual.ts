import { moneyFigures, type AccountMovement, type MoneyFigures } from './totals';

export type LaborForm = 'LM-2' | 'LM-3' | 'LM-4';

/** Total annual receipts under $10,000 file LM-4, under $250,000 LM-3, otherwise LM-2 (29 CFR 403.4). */
export function formFor(totalReceiptsCents: number): LaborForm {
  if (totalReceiptsCents < 1_000_000) return 'LM-4';
  if (totalReceiptsCents < 25_000_000) return 'LM-3';
  return 'LM-2';
}

/**
 * A fiscal year named by the calendar year it ends in (as the US government names its
 * own): with a July start, fiscal year 2026 runs 2025-07-01 to 2026-06-30. With the
 * default January start it is the calendar year.
 */
export function fiscalYearRange(fiscalYear: number, startMonth: number): { from: string; until: string; to: string } {
  const startYear = startMonth === 1 ? fiscalYear : fiscalYear - 1;
  const month = String(startMonth).padStart(2, '0');
  const until = `${startYear + 1}-${month}-01`;
  const last = new Date(Date.UTC(startYear + 1, startMonth - 1, 0)).toISOString().slice(0, 10);
  return { from: `${startYear}-${month}-01`, until, to: last };
}

export interface AnnualReceipts extends MoneyFigures {
  fiscalYear: number;
  from: string;
  to: string;
  currency: string;
  /** The "Dues and Agency Fees" line: dues and initiation fees received, less payments that failed after succeeding. */
  duesAndAgencyFeesCents: number;
  /** Per-capita tax owed to affiliates for the year's months, from the rates in force. */
  perCapitaTaxCents: number;
  totalReceiptsCents: number;
  form: LaborForm;
}

export function annualReceipts(input: { fiscalYear: number; from: string; to: string; currency: string; movements: readonly AccountMovement[]; perCapitaTaxCents: number }): AnnualReceipts {
  const money = moneyFigures(input.movements);
  const duesAndAgencyFeesCents = money.duesReceivedCents + money.initiationFeesCents - money.paymentReversalsCents;
  return {
    fiscalYear: input.fiscalYear,
    from: input.from,
    to: input.to,
    currency: input.currency,
    ...money,
    duesAndAgencyFeesCents,
    perCapitaTaxCents: input.perCapitaTaxCents,
    totalReceiptsCents: duesAndAgencyFeesCents,
    form: formFor(duesAndAgencyFeesCents),
  };
}

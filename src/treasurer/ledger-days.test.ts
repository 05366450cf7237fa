import { balancesThrough, foldDaySums, moneyByMonthAndMethod, type LedgerDaySum } from './ledger-days';

const sum = (day: string, account: LedgerDaySum['account'], kind: LedgerDaySum['kind'], method: LedgerDaySum['method'], cents: number): LedgerDaySum => ({ day, account, kind, method, cents });

const sums: LedgerDaySum[] = [
  sum('2026-09-30', 'dues_income', 'dues_payment', 'card', -2500),
  sum('2026-10-01', 'dues_income', 'dues_payment', 'card', -2500),
  sum('2026-10-01', 'stripe_balance', 'dues_payment', 'card', 2500),
  sum('2026-10-01', 'processing_fees', 'processing_fee', 'card', 103),
  sum('2026-10-02', 'processing_fees', 'refund', 'card', -103),
  sum('2026-10-02', 'dues_income', 'payment_reversal', 'card', 2500),
  sum('2026-10-03', 'dues_income', 'manual_payment', 'check', -4000),
  sum('2026-10-03', 'cash_on_hand', 'manual_payment', 'check', 4000),
  sum('2026-10-04', 'initiation_fees', 'dues_payment', 'card', -1000),
  sum('2026-11-01', 'bank', 'payout', null, 2397),
];

describe('figures from the ledger day sums', () => {
  test.each([
    ['October only', ['2026-10'], [
      { month: '2026-10', method: 'card', dues_cents: 2500, fee_cents: 0 },
      { month: '2026-10', method: 'check', dues_cents: 4000, fee_cents: 0 },
    ]],
    ['September and October', ['2026-09', '2026-10'], [
      { month: '2026-09', method: 'card', dues_cents: 2500, fee_cents: 0 },
      { month: '2026-10', method: 'card', dues_cents: 2500, fee_cents: 0 },
      { month: '2026-10', method: 'check', dues_cents: 4000, fee_cents: 0 },
    ]],
    ['a month with no dues', ['2026-11'], []],
  ])('dues (charges and manual payments, not reversals or initiation fees) and fees net of those returned, by month and method: %s', (_name, months, expected) => {
    expect(moneyByMonthAndMethod(sums, months)).toEqual(expected);
  });

  test.each([
    ['every day', undefined, { stripe_balance: 2500, dues_income: -6500, processing_fees: 0, cash_on_hand: 4000, initiation_fees: -1000, bank: 2397, refunds: 0 }],
    ['through October 1', '2026-10-01', { stripe_balance: 2500, dues_income: -5000, processing_fees: 103, cash_on_hand: 0, initiation_fees: 0, bank: 0, refunds: 0 }],
    ['before any day', '2026-01-01', { stripe_balance: 0, dues_income: 0, processing_fees: 0, cash_on_hand: 0, initiation_fees: 0, bank: 0, refunds: 0 }],
  ] as const)('balances at the end of a day, every account listed: %s', (_name, lastDay, expected) => {
    const accounts = Object.keys(expected) as LedgerDaySum['account'][];
    expect(Object.fromEntries(balancesThrough(sums, accounts, lastDay).map((row) => [row.code, row.balance]))).toEqual(expected);
  });

  test('folding adds rows to the sum of their day, account, kind and method, and leaves the sums it started from as they were', () => {
    const base = [sum('2026-10-01', 'dues_income', 'dues_payment', 'card', -2500)];
    const folded = foldDaySums(base, [sum('2026-10-01', 'dues_income', 'dues_payment', 'card', -100), sum('2026-10-01', 'dues_income', 'dues_payment', 'us_bank_account', -50)]);
    expect(folded).toEqual([sum('2026-10-01', 'dues_income', 'dues_payment', 'card', -2600), sum('2026-10-01', 'dues_income', 'dues_payment', 'us_bank_account', -50)]);
    expect(base).toEqual([sum('2026-10-01', 'dues_income', 'dues_payment', 'card', -2500)]);
  });
});

import { draftProblems } from '../ledger/postings';
import { monthDays, postingsForPerCapitaPayment, typedMinorUnits, type PerCapitaPostingInput } from './per-capita-payments';

describe('a typed amount in minor units', () => {
  test.each([
    ['125.50', 'usd', 12550],
    ['$1,234.5', 'usd', 123450],
    ['1.234,56', 'usd', 123456],
    ['12,5', 'usd', 1250],
    ['1,234', 'usd', 123400],
    [' 40 ', 'usd', 4000],
    ['1500', 'jpy', 1500],
    ['15.5', 'jpy', null],
    ['1.0055', 'usd', null],
    ['1.005', 'usd', 100500],
    ['-5', 'usd', null],
    ['', 'usd', null],
    ['abc', 'usd', null],
    ['1e3', 'usd', null],
  ])('%j in %s is %p', (text, currency, expected) => {
    expect(typedMinorUnits(text, currency)).toBe(expected);
  });
});

test.each([
  ['2026-02', '2026-02-01', '2026-02-28'],
  ['2028-02', '2028-02-01', '2028-02-29'],
  ['2026-12', '2026-12-01', '2026-12-31'],
])('the days of %s', (month, first, last) => {
  expect(monthDays(month)).toEqual({ first, last });
});

describe('the postings of a per-capita payment', () => {
  const base: PerCapitaPostingInput = { paymentId: 'p1', affiliateId: 'a1', affiliate: 'International', month: '2026-10', currency: 'usd', paidOn: '2026-11-10', reference: '1041', amountCents: 3000, owedCents: 5000, accruedCents: 0, accrualPosted: false };
  const summary = (input: PerCapitaPostingInput) => postingsForPerCapitaPayment(input).map((d) => [d.sourceKey, d.kind, d.entries.map((e) => `${e.account} ${e.amountCents}`).join(', ')]);

  test.each<[string, Partial<PerCapitaPostingInput>, string[][]]>([
    [
      'the first payment accrues the month',
      {},
      [
        ['per_capita:a1:2026-10:accrual', 'per_capita_accrual', 'per_capita_expense 5000, per_capita_payable -5000'],
        ['per_capita_payment:p1', 'per_capita_payment', 'per_capita_payable 3000, bank -3000'],
      ],
    ],
    ['accrued already: the payment alone', { accruedCents: 5000, accrualPosted: true }, [['per_capita_payment:p1', 'per_capita_payment', 'per_capita_payable 3000, bank -3000']]],
    [
      'owed more since: a correction keyed by the payment',
      { owedCents: 7500, accruedCents: 5000, accrualPosted: true },
      [
        ['per_capita:a1:2026-10:accrual:p1', 'per_capita_accrual', 'per_capita_expense 2500, per_capita_payable -2500'],
        ['per_capita_payment:p1', 'per_capita_payment', 'per_capita_payable 3000, bank -3000'],
      ],
    ],
    [
      'owed less since: the accrual taken back in part',
      { owedCents: 4000, accruedCents: 5000, accrualPosted: true },
      [
        ['per_capita:a1:2026-10:accrual:p1', 'per_capita_accrual', 'per_capita_expense -1000, per_capita_payable 1000'],
        ['per_capita_payment:p1', 'per_capita_payment', 'per_capita_payable 3000, bank -3000'],
      ],
    ],
  ])('%s', (_name, change, expected) => {
    expect(summary({ ...base, ...change })).toEqual(expected);
  });

  test('every draft may be posted: balanced, on its kind’s accounts, dated in the month and on the day paid', () => {
    const drafts = postingsForPerCapitaPayment(base);
    for (const draft of drafts) expect(draftProblems(draft)).toEqual([]);
    expect(drafts.map((d) => d.occurredAt.toISOString())).toEqual(['2026-10-31T12:00:00.000Z', '2026-11-10T12:00:00.000Z']);
  });

  test('a payment of nothing is refused', () => {
    expect(() => postingsForPerCapitaPayment({ ...base, amountCents: 0 })).toThrow(RangeError);
  });
});

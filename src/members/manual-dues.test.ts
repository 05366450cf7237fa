import type { BillingPeriod } from '../plans/dues';
import { allocateManualPayment, billingPeriods, duesOfPeriods, type Allocation, type AllocationInput, type PeriodDues, type RateVersion } from './manual-dues';

const MONTHLY: BillingPeriod = { interval: 'month', intervalCount: 1 };
const FLAT_15: RateVersion[] = [{ effectiveFrom: '2026-01-01', rule: { kind: 'flat', amountCents: 1500 } }];
// A dues increase voted for November: $15 a month, then $20.
const RAISED: RateVersion[] = [...FLAT_15, { effectiveFrom: '2026-11-01', rule: { kind: 'flat', amountCents: 2000 } }];

function dues(start: string, end: string, versions: RateVersion[] = FLAT_15): PeriodDues[] {
  const periods = billingPeriods({ start, end }, MONTHLY);
  if (!periods.ok) throw new Error(periods.message);
  const result = duesOfPeriods(periods.periods, versions, MONTHLY, {});
  if (!result.ok) throw new Error(result.message);
  return result.dues;
}

const input = (changes: Partial<AllocationInput>): AllocationInput => ({ periods: dues('2026-09-01', '2026-12-31'), alreadyPaid: new Map(), paidThrough: '2026-08-31', amountCents: 6000, creditCents: 0, partial: false, ...changes });
const summary = (allocation: Allocation) =>
  allocation.ok
    ? { ok: true, applied: allocation.lines.map((l) => l.appliedCents), owed: allocation.owedCents, credit: allocation.creditCents, creditUsed: allocation.creditUsedCents, through: allocation.paidThroughPeriods }
    : { ok: false, owed: allocation.owedCents, short: allocation.shortCents };

describe('billing periods named by a manual payment', () => {
  test.each<[string, string, string, BillingPeriod, string[] | string]>([
    ['September to December, monthly', '2026-09-01', '2026-12-31', MONTHLY, ['2026-09-30', '2026-10-31', '2026-11-30', '2026-12-31']],
    ['one month from the 5th', '2026-02-05', '2026-03-04', MONTHLY, ['2026-03-04']],
    ['from January 31: February is shorter', '2026-01-31', '2026-03-30', MONTHLY, ['2026-02-27', '2026-03-30']],
    ['two weeks, weekly', '2026-11-02', '2026-11-15', { interval: 'week', intervalCount: 1 }, ['2026-11-08', '2026-11-15']],
    ['a year', '2026-01-01', '2026-12-31', { interval: 'year', intervalCount: 1 }, ['2026-12-31']],
    ['a range that stops mid-period', '2026-09-01', '2026-10-15', MONTHLY, 'periods from 2026-09-01 end on 2026-09-30 or 2026-10-31'],
    ['a range shorter than one period', '2026-09-01', '2026-09-10', MONTHLY, 'end on 2026-09-30'],
  ])('%s', (_name, start, end, billing, expected) => {
    const result = billingPeriods({ start, end }, billing);
    if (typeof expected === 'string') expect(result).toEqual({ ok: false, message: expect.stringContaining(expected) });
    else expect(result.ok && result.periods.map((p) => p.end)).toEqual(expected);
  });

  test('each period’s dues come from the rate in force when it begins', () => {
    expect(dues('2026-09-01', '2026-12-31', RAISED).map((p) => p.duesCents)).toEqual([1500, 1500, 2000, 2000]);
    expect(duesOfPeriods([{ start: '2025-12-01', end: '2025-12-31' }], FLAT_15, MONTHLY, {})).toEqual({ ok: false, message: 'the plan has no rate for the period starting 2025-12-01' });
    const percent: RateVersion[] = [{ effectiveFrom: '2026-01-01', rule: { kind: 'percent_of_wages', basisPoints: 200 } }];
    expect(duesOfPeriods([{ start: '2026-09-01', end: '2026-09-30' }], percent, MONTHLY, {})).toMatchObject({ ok: false, message: expect.stringContaining('grossWageCents') });
  });
});

describe('allocateManualPayment', () => {
  test.each<[string, AllocationInput, ReturnType<typeof summary>]>([
    ['exactly what four months owe', input({}), { ok: true, applied: [1500, 1500, 1500, 1500], owed: 6000, credit: 0, creditUsed: 0, through: '2026-12-31' }],
    ['one cent for four months: refused, $59.99 short', input({ amountCents: 1 }), { ok: false, owed: 6000, short: 5999 }],
    ['one cent recorded as partial: towards September, nothing fully paid', input({ amountCents: 1, partial: true }), { ok: true, applied: [1, 0, 0, 0], owed: 6000, credit: 0, creditUsed: 0, through: null }],
    ['$40 as partial: two months paid, the third in part', input({ amountCents: 4000, partial: true }), { ok: true, applied: [1500, 1500, 1000, 0], owed: 6000, credit: 0, creditUsed: 0, through: '2026-10-31' }],
    ['$70 for $60 owed: $10 kept as credit', input({ amountCents: 7000 }), { ok: true, applied: [1500, 1500, 1500, 1500], owed: 6000, credit: 1000, creditUsed: 0, through: '2026-12-31' }],
    ['$50 and $10 of credit from before', input({ amountCents: 5000, creditCents: 1000 }), { ok: true, applied: [1500, 1500, 1500, 1500], owed: 6000, credit: 0, creditUsed: 1000, through: '2026-12-31' }],
    ['$55 and $10 of credit: $5 of the credit used', input({ amountCents: 5500, creditCents: 1000 }), { ok: true, applied: [1500, 1500, 1500, 1500], owed: 6000, credit: 0, creditUsed: 500, through: '2026-12-31' }],
    ['across a dues increase: $15, $15, $20, $20', input({ periods: dues('2026-09-01', '2026-12-31', RAISED), amountCents: 7000 }), { ok: true, applied: [1500, 1500, 2000, 2000], owed: 7000, credit: 0, creditUsed: 0, through: '2026-12-31' }],
    ['across a dues increase, the old rate for every month is short', input({ periods: dues('2026-09-01', '2026-12-31', RAISED), amountCents: 6000 }), { ok: false, owed: 7000, short: 1000 }],
    ['September paid in part before: the rest of it is owed', input({ alreadyPaid: new Map([['2026-09-01/2026-09-30', 1000]]), amountCents: 5000 }), { ok: true, applied: [500, 1500, 1500, 1500], owed: 5000, credit: 0, creditUsed: 0, through: '2026-12-31' }],
    ['months the roll recorded as paid: the payment is credit', input({ paidThrough: '2026-12-31', amountCents: 6000 }), { ok: true, applied: [0, 0, 0, 0], owed: 0, credit: 6000, creditUsed: 0, through: '2026-12-31' }],
  ])('%s', (_name, given, expected) => {
    expect(summary(allocateManualPayment(given))).toEqual(expected);
  });
});

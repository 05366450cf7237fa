import { nextDuesDay } from './welcome';

describe('nextDuesDay: one billing period after the first payment, as Stripe bills again', () => {
  test.each([
    ['2026-01-05', { interval: 'month', intervalCount: 1 }, '2026-02-05'],
    ['2026-01-31', { interval: 'month', intervalCount: 1 }, '2026-02-28'],
    ['2028-01-31', { interval: 'month', intervalCount: 1 }, '2028-02-29'],
    ['2026-11-15', { interval: 'month', intervalCount: 3 }, '2027-02-15'],
    ['2026-12-30', { interval: 'week', intervalCount: 2 }, '2027-01-13'],
    ['2028-02-29', { interval: 'year', intervalCount: 1 }, '2029-02-28'],
  ] as const)('%s every %j → %s', (first, period, next) => {
    expect(nextDuesDay(first, period)).toBe(next);
  });
});

import { firstOpenMonthAfter, monthIn, monthsUpTo, nextMonth, previousMonth } from './calendar';

test.each([
  ['2026-01', '2026-02'],
  ['2026-12', '2027-01'],
])('the month after %s is %s', (month, next) => {
  expect(nextMonth(month)).toBe(next);
  expect(previousMonth(next)).toBe(month);
});

test('a month is read in the organization time zone', () => {
  const instant = new Date('2026-03-01T03:00:00Z');
  expect(monthIn('America/Los_Angeles', instant)).toBe('2026-02');
  expect(monthIn('UTC', instant)).toBe('2026-03');
});

test.each([
  ['2026-01', [], '2026-02'],
  ['2026-01', ['2026-01', '2026-02', '2026-03'], '2026-04'],
  ['2026-01', ['2026-01', '2026-03'], '2026-02'],
  ['2026-12', ['2026-12', '2027-01'], '2027-02'],
])('the first open month after %s with %j closed is %s', (month, closed, open) => {
  expect(firstOpenMonthAfter(month, new Set(closed))).toBe(open);
});

test('the last months, newest first', () => {
  expect(monthsUpTo('2026-02', 3)).toEqual(['2026-02', '2026-01', '2025-12']);
});

test('a malformed month is refused', () => {
  expect(() => nextMonth('2026-13')).toThrow(RangeError);
});

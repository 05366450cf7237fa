import { lastDayCovered, localDay } from './dates';

const unix = (iso: string) => Date.parse(iso) / 1000;

describe('billing period days in the organization time zone', () => {
  test.each([
    ['a period ending mid-afternoon in Chicago covers that day', '2026-12-24T21:00:00Z', 'America/Chicago', '2026-12-24'],
    ['a period ending at local midnight covers the day before', '2027-01-01T06:00:00Z', 'America/Chicago', '2026-12-31'],
    ['UTC 03:00 is still the previous day in New York', '2026-12-01T03:00:00Z', 'America/New_York', '2026-11-30'],
    ['a leap day', '2028-02-29T18:00:00Z', 'America/Los_Angeles', '2028-02-29'],
  ])('%s', (_name, end, zone, expected) => {
    expect(lastDayCovered(unix(end), zone)).toBe(expected);
  });

  test('localDay is the calendar day at that instant', () => {
    expect(localDay(unix('2026-11-24T02:00:00Z'), 'America/Chicago')).toBe('2026-11-23');
  });
});

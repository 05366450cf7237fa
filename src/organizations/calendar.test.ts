import { todayIn } from './calendar';

describe('todayIn', () => {
  test.each([
    ['2026-11-24T04:59:00Z', 'America/New_York', '2026-11-23'],
    ['2026-11-24T05:00:00Z', 'America/New_York', '2026-11-24'],
    ['2026-11-24T05:59:00Z', 'America/Chicago', '2026-11-23'],
    ['2026-12-31T23:30:00Z', 'Pacific/Auckland', '2027-01-01'],
    ['2028-02-29T12:00:00Z', 'UTC', '2028-02-29'],
    ['2026-03-08T07:30:00Z', 'America/Los_Angeles', '2026-03-07'],
  ])('%s in %s is %s', (instant, zone, day) => {
    expect(todayIn(zone, new Date(instant))).toBe(day);
  });
});

import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import fc from 'fast-check';
import { todayIn } from './calendar';

describe('todayIn', () => {
  test.each([
    ['2026-11-24T04:59:00Z', 'America/New_York', '2026-11-23'],
    ['2026-11-24T05:00:00Z', 'America/New_York', '2026-11-24'],
    ['2026-11-24T05:59:00Z', 'America/Chicago', '2026-11-23'],
    ['2026-12-31T23:30:00Z', 'Pacific/Auckland', '2027-01-01'],
    ['2028-02-29T12:00:00Z', 'UTC', '2028-02-29'],
    ['2026-03-08T07:30:00Z', 'America/Los_Angeles', '2026-03-07'],
    ['2026-11-24T02:59:59Z', 'America/St_Johns', '2026-11-23'],
    ['2026-11-24T03:30:00Z', 'America/St_Johns', '2026-11-24'],
    ['2026-04-05T13:44:59Z', 'Pacific/Chatham', '2026-04-06'],
  ])('%s in %s is %s', (instant, zone, day) => {
    expect(todayIn(zone, new Date(instant))).toBe(day);
  });

  test('agrees with @date-fns/tz on any instant from 1950 to 2100, in zones with odd offsets and DST', () => {
    const zones = ['America/Chicago', 'America/St_Johns', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Europe/Dublin', 'UTC'];
    fc.assert(
      fc.property(fc.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), fc.constantFrom(...zones), (instant, zone) => {
        expect(todayIn(zone, instant)).toBe(format(new TZDate(instant.getTime(), zone), 'yyyy-MM-dd'));
      }),
      { numRuns: 2000 },
    );
  });
});

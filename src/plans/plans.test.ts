import { newPlanSchema, versionOn } from './plans';

describe('versionOn', () => {
  const versions = [
    { version: 1, effective_from: '2025-01-01' },
    { version: 3, effective_from: '2027-01-01' },
    { version: 2, effective_from: '2026-07-01' },
  ];
  test.each([
    ['2024-12-31', undefined],
    ['2025-01-01', 1],
    ['2026-06-30', 1],
    ['2026-07-01', 2],
    ['2026-12-31', 2],
    ['2027-01-01', 3],
    ['2030-01-01', 3],
  ])('on %s the version in force is %s', (day, expected) => {
    expect(versionOn(versions, day)?.version).toBe(expected);
  });
});

describe('newPlanSchema', () => {
  const base = { name: 'Regular', interval: 'month', amountRule: { kind: 'flat', amountCents: 2500 }, authorizationNote: 'Membership vote of 2026-10-01' };
  test.each([
    ['a flat monthly plan', base, true],
    ['biweekly is week × 2', { ...base, interval: 'week', intervalCount: 2 }, true],
    ['monthly × 2 is refused', { ...base, intervalCount: 2 }, false],
    ['hours of pay must be monthly', { ...base, interval: 'year', amountRule: { kind: 'hours_of_pay', hoursHundredths: 250 } }, false],
    ['a maximum below the minimum is refused', { ...base, amountRule: { kind: 'percent_of_wages', basisPoints: 210, minimumCents: 7500, maximumCents: 2500 } }, false],
    ['a rate without the vote that set it is refused', { ...base, authorizationNote: '' }, false],
    ['money as a float is refused', { ...base, amountRule: { kind: 'flat', amountCents: 25.5 } }, false],
  ])('%s', (_name, input, valid) => {
    expect(newPlanSchema.safeParse(input).success).toBe(valid);
  });
});

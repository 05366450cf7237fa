import { increaseRows, noticeDayFor, noticeStillPossible, type IncreaseCandidate } from './increases';

const month = { interval: 'month', intervalCount: 1 } as const;
const FLAT_25 = { rule: { kind: 'flat', amountCents: 2500 }, period: month } as const;
const FLAT_28 = { rule: { kind: 'flat', amountCents: 2800 }, period: month } as const;
const PERCENT_2 = { rule: { kind: 'percent_of_wages', basisPoints: 200 }, period: month } as const;
const PERCENT_2_2 = { rule: { kind: 'percent_of_wages', basisPoints: 220 }, period: month } as const;

const member = (wageFacts: IncreaseCandidate['wageFacts'], currentCents: number | null = null): IncreaseCandidate => ({ memberId: 'm', name: 'Rosa', language: 'es', subscriptionId: 'sub_1', wageFacts, currentCents });

describe('increaseRows: before and after per member', () => {
  test.each([
    ['flat to flat', FLAT_25, FLAT_28, member({}), 2500, 2800],
    ['the subscription’s own amount wins for before', FLAT_25, FLAT_28, member({}, 2400), 2400, 2800],
    ['percent of wages, recomputed from the member’s wages', PERCENT_2, PERCENT_2_2, member({ grossWageCents: 100_000, payFrequency: 'biweekly' }), 4333, 4767],
    ['percent of wages without wages on file: no after', PERCENT_2, PERCENT_2_2, member({}), null, null],
  ] as const)('%s', (_name, oldTerms, newTerms, candidate, before, after) => {
    const [row] = increaseRows([candidate], newTerms, oldTerms);
    expect([row!.beforeCents, row!.afterCents]).toEqual([before, after]);
  });
});

describe('the notice day', () => {
  test.each([
    ['2027-01-01', 30, '2026-12-02'],
    ['2027-03-01', 30, '2027-01-30'],
    ['2027-01-01', 0, '2027-01-01'],
  ])('effective %s with %i days of notice: told on %s', (effective, days, told) => {
    expect(noticeDayFor(effective, days)).toBe(told);
  });
  test('too late for the full notice once its day has passed', () => {
    expect(noticeStillPossible('2027-01-01', 30, '2026-12-02')).toBe(true);
    expect(noticeStillPossible('2027-01-01', 30, '2026-12-03')).toBe(false);
  });
});

import { dashboardFigures, lastMonths } from './dashboard';

describe('lastMonths: the twelve months ending with today’s, oldest first', () => {
  test.each([
    ['2026-11-24', '2025-12', '2026-11'],
    ['2026-01-01', '2025-02', '2026-01'],
    ['2026-12-31', '2026-01', '2026-12'],
  ])('%s → %s … %s', (today, first, last) => {
    const months = lastMonths(today);
    expect(months).toHaveLength(12);
    expect([months[0], months[11]]).toEqual([first, last]);
    expect(new Set(months).size).toBe(12);
  });
});

describe('dashboardFigures', () => {
  const months = ['2026-10', '2026-11'];
  test('methods grouped as a board reads them; months outside the range ignored', () => {
    const figures = dashboardFigures(
      months,
      [
        { month: '2026-10', method: 'cash', dues_cents: 1000, fee_cents: 0 },
        { month: '2026-10', method: 'check', dues_cents: 2500, fee_cents: 0 },
        { month: '2026-11', method: 'payroll_deduction', dues_cents: 700, fee_cents: 0 },
        { month: '2026-09', method: 'card', dues_cents: 9999, fee_cents: 999 },
      ],
      [],
      [],
    );
    expect(figures.dues.map((d) => [d.month, d.byGroup, d.totalCents])).toEqual([
      ['2026-10', { card: 0, bank_debit: 0, cash_check: 3500, employer: 0 }, 3500],
      ['2026-11', { card: 0, bank_debit: 0, cash_check: 0, employer: 700 }, 700],
    ]);
    expect(figures.duesTotalCents).toBe(4200);
    expect(figures.fees.map((f) => f.shareBasisPoints)).toEqual([null, null, 0, 0]);
    expect(figures.bankDebitSaving).toBeNull();
  });

  test.each([
    // card dues, card fees, bank dues, bank fees → card bp, bank bp, saving
    [9000, 352, 5000, 40, 391, 80, 280],
    [10000, 320, 10000, 80, 320, 80, 240],
    // Half a basis point rounds up; bank's own rate, not its rounded share, prices the saving.
    [20000, 1, 3, 1, 1, 3333, 0],
    [3, 1, 20000, 1, 3333, 1, 1],
  ])('card %i/%i, bank %i/%i → %i bp, %i bp, saves %i', (cardDues, cardFees, bankDues, bankFees, cardBp, bankBp, saving) => {
    const figures = dashboardFigures(
      months,
      [
        { month: '2026-11', method: 'card', dues_cents: cardDues, fee_cents: cardFees },
        { month: '2026-11', method: 'us_bank_account', dues_cents: bankDues, fee_cents: bankFees },
      ],
      [],
      [],
    );
    expect(figures.bankDebitSaving).toEqual({ cardShareBasisPoints: cardBp, bankShareBasisPoints: bankBp, savingCents: saving });
  });

  test('standing counts per month with only the standings anyone held; months without lapses are zeros', () => {
    const figures = dashboardFigures(
      months,
      [],
      [
        { month: '2026-10', standing: 'active', members: 5 },
        { month: '2026-11', standing: 'active', members: 4 },
        { month: '2026-11', standing: 'lapsed', members: 1 },
      ],
      [{ month: '2026-11', lapsed: 1, recovered: 0 }],
    );
    expect(figures.standingsShown).toEqual(['active', 'lapsed']);
    expect(figures.standing.map((s) => [s.month, s.counts.active, s.counts.lapsed, s.total])).toEqual([
      ['2026-10', 5, 0, 5],
      ['2026-11', 4, 1, 5],
    ]);
    expect(figures.lapses).toEqual([
      { month: '2026-10', lapsed: 0, recovered: 0 },
      { month: '2026-11', lapsed: 1, recovered: 0 },
    ]);
  });
});

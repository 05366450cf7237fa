import { inWindow, matchDeposits, type Deposit, type LineToMatch } from './matcher';

const payout = (id: string, amountCents: number, day: string): Deposit => ({ kind: 'payout', id, amountCents, day });
const batch = (id: string, amountCents: number, day: string): Deposit => ({ kind: 'batch', id, amountCents, day });
const line = (id: string, amountCents: number, bookedOn: string): LineToMatch => ({ id, amountCents, bookedOn });

describe('the bank matcher', () => {
  test.each([
    ['same day', '2026-11-03', '2026-11-03', true],
    ['five days after', '2026-11-08', '2026-11-03', true],
    ['six days after', '2026-11-09', '2026-11-03', false],
    ['a day before', '2026-11-02', '2026-11-03', false],
    ['across a month end', '2026-12-02', '2026-11-29', true],
  ])('window: %s', (_name, bookedOn, day, expected) => {
    expect(inWindow(bookedOn, day)).toBe(expected);
  });

  test.each<[string, LineToMatch[], Deposit[], { matches: Array<[string, string]>; proposals: Array<[string, string[]]>; unmatchedLines: string[]; unmatchedDeposits: string[] }]>([
    ['an exact match: same amount, in the window', [line('L1', 12_345, '2026-11-04')], [payout('po_1', 12_345, '2026-11-03')], { matches: [['L1', 'po_1']], proposals: [], unmatchedLines: [], unmatchedDeposits: [] }],
    ['a batch matches like a payout', [line('L1', 9_000, '2026-11-05')], [batch('b1', 9_000, '2026-11-05')], { matches: [['L1', 'b1']], proposals: [], unmatchedLines: [], unmatchedDeposits: [] }],
    [
      'two candidates of the same amount: proposed, not made',
      [line('L1', 5_000, '2026-11-05')],
      [payout('po_1', 5_000, '2026-11-03'), batch('b1', 5_000, '2026-11-04')],
      { matches: [], proposals: [['L1', ['po_1', 'b1']]], unmatchedLines: [], unmatchedDeposits: ['po_1', 'b1'] },
    ],
    [
      'two lines for one payout: proposed to both, made for neither',
      [line('L1', 5_000, '2026-11-04'), line('L2', 5_000, '2026-11-05')],
      [payout('po_1', 5_000, '2026-11-03')],
      { matches: [], proposals: [['L1', ['po_1']], ['L2', ['po_1']]], unmatchedLines: [], unmatchedDeposits: ['po_1'] },
    ],
    ['outside the window: unmatched both sides', [line('L1', 5_000, '2026-11-10')], [payout('po_1', 5_000, '2026-11-03')], { matches: [], proposals: [], unmatchedLines: ['L1'], unmatchedDeposits: ['po_1'] }],
    ['a cent apart: no match', [line('L1', 5_001, '2026-11-03')], [payout('po_1', 5_000, '2026-11-03')], { matches: [], proposals: [], unmatchedLines: ['L1'], unmatchedDeposits: ['po_1'] }],
    [
      'same amounts told apart by their days',
      [line('L1', 5_000, '2026-11-04'), line('L2', 5_000, '2026-11-20')],
      [payout('po_1', 5_000, '2026-11-03'), payout('po_2', 5_000, '2026-11-18')],
      { matches: [['L1', 'po_1'], ['L2', 'po_2']], proposals: [], unmatchedLines: [], unmatchedDeposits: [] },
    ],
    ['nothing to match', [], [], { matches: [], proposals: [], unmatchedLines: [], unmatchedDeposits: [] }],
  ])('%s', (_name, lines, deposits, expected) => {
    const result = matchDeposits(lines, deposits);
    expect({
      matches: result.matches.map((m) => [m.lineId, m.deposit.id]),
      proposals: result.proposals.map((p) => [p.lineId, p.candidates.map((c) => c.id)]),
      unmatchedLines: result.unmatchedLines,
      unmatchedDeposits: result.unmatchedDeposits.map((d) => d.id),
    }).toEqual(expected);
  });
});

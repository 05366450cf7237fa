import { remittanceExceptions, type DuesExpectation, type ExceptionInput } from './exceptions';
import type { RemittanceLine } from './parse';

const line = (row: number, amountCents: number | null, extra: Partial<RemittanceLine> = {}): RemittanceLine => ({ row, employeeNumber: `E${row}`, name: `Person ${row}`, amountCents, hoursHundredths: null, wagesCents: null, period: null, problem: null, ...extra });
const ok = (cents: number): DuesExpectation => ({ ok: true, cents });

function run(partial: Partial<ExceptionInput>) {
  return remittanceExceptions({ lines: [], matches: new Map(), expected: new Map(), onDeduction: [], amountReceivedCents: 0, ...partial });
}

describe('remittanceExceptions', () => {
  test('a clean remittance has none, and all of it is dues', () => {
    const summary = run({
      lines: [line(2, 2500), line(3, 2500)],
      matches: new Map([[2, { memberId: 'a', proposed: [], reason: null }], [3, { memberId: 'b', proposed: [], reason: null }]]),
      expected: new Map([['a', ok(2500)], ['b', ok(2500)]]),
      onDeduction: [{ id: 'a', employeeNumber: 'E2' }, { id: 'b', employeeNumber: 'E3' }],
      amountReceivedCents: 5000,
    });
    expect(summary).toEqual({ lines: 2, fileTotalCents: 5000, matchedCents: 5000, suspenseCents: 0, exceptions: [] });
  });

  test.each<[string, Partial<ExceptionInput>, unknown[]]>([
    ['an unmatched line', { lines: [line(2, 2500)], amountReceivedCents: 2500 }, [{ kind: 'unmatched', row: 2, name: 'Person 2', employeeNumber: 'E2', amountCents: 2500 }]],
    ['a proposed match', { lines: [line(2, 2500)], matches: new Map([[2, { memberId: null, proposed: ['a', 'b'], reason: 'same_name' as const }]]), amountReceivedCents: 2500 }, [{ kind: 'proposed', row: 2, name: 'Person 2', employeeNumber: 'E2', candidates: ['a', 'b'], reason: 'same_name' }]],
    ['an amount other than the dues (wages changed, or an old rate)', { lines: [line(2, 1500)], matches: new Map([[2, { memberId: 'a', proposed: [], reason: null }]]), expected: new Map([['a', ok(2000)]]), onDeduction: [{ id: 'a', employeeNumber: 'E2' }], amountReceivedCents: 1500 }, [{ kind: 'amount_differs', rows: [2], memberId: 'a', expectedCents: 2000, amountCents: 1500 }]],
    ['dues that cannot be worked out', { lines: [line(2, 2500)], matches: new Map([[2, { memberId: 'a', proposed: [], reason: null }]]), expected: new Map([['a', { ok: false, message: 'the member has no dues plan' } as const]]), onDeduction: [{ id: 'a', employeeNumber: 'E2' }], amountReceivedCents: 2500 }, [{ kind: 'dues_unknown', rows: [2], memberId: 'a', message: 'the member has no dues plan' }]],
    ['a member on two lines: their sum is compared with the dues', { lines: [line(2, 1250), line(3, 1250)], matches: new Map([[2, { memberId: 'a', proposed: [], reason: null }], [3, { memberId: 'a', proposed: [], reason: null }]]), expected: new Map([['a', ok(2500)]]), onDeduction: [{ id: 'a', employeeNumber: 'E2' }], amountReceivedCents: 2500 }, [{ kind: 'member_twice', rows: [2, 3], memberId: 'a' }]],
    ['a member on deduction missing from the file', { onDeduction: [{ id: 'gone', employeeNumber: 'E9' }], lines: [], amountReceivedCents: 0 }, [{ kind: 'missing_member', memberId: 'gone', employeeNumber: 'E9' }]],
    ['a file total other than the money received', { lines: [line(2, 2500)], matches: new Map([[2, { memberId: 'a', proposed: [], reason: null }]]), expected: new Map([['a', ok(2500)]]), onDeduction: [{ id: 'a', employeeNumber: 'E2' }], amountReceivedCents: 2400 }, [{ kind: 'total_differs', fileTotalCents: 2500, receivedCents: 2400 }]],
    ['an unreadable line: listed, unmatched, adds nothing to the total', { lines: [line(2, null, { problem: 'the amount "n/a" is not a number' })], amountReceivedCents: 0 }, [{ kind: 'bad_line', row: 2, message: 'the amount "n/a" is not a number' }, { kind: 'unmatched', row: 2, name: 'Person 2', employeeNumber: 'E2', amountCents: null }]],
  ])('%s', (_title, input, expected) => {
    expect(run(input).exceptions).toEqual(expected);
  });

  test('what the matched lines do not account for is suspense, either way', () => {
    const matched = { lines: [line(2, 2500), line(3, 2500)], matches: new Map([[2, { memberId: 'a', proposed: [], reason: null }]]), expected: new Map([['a', ok(2500)]]), onDeduction: [{ id: 'a', employeeNumber: 'E2' }] };
    expect(run({ ...matched, amountReceivedCents: 5000 })).toMatchObject({ fileTotalCents: 5000, matchedCents: 2500, suspenseCents: 2500 });
    expect(run({ ...matched, amountReceivedCents: 2000 })).toMatchObject({ matchedCents: 2500, suspenseCents: -500 });
  });
});

import { draftProblems } from '../ledger/postings';
import { postingsForSuspenseClearing, postingsForSuspenseClearingReversal } from './postings';

const base = { remittanceId: 'r1', employerName: 'Acme', currency: 'usd', receivedOn: '2026-10-20', periodStart: '2026-10-01', periodEnd: '2026-10-31' };

describe('a remittance’s payroll suspense cleared', () => {
  test.each([
    ['more received, kept as dues', 9000, 'dues_income', 'dues_income', 'cleared to dues income'],
    ['more received, owed back to the employer', 9000, 'employer', 'due_to_employers', 'a refund owed to the employer'],
    ['less received, dues not received', -2500, 'dues_income', 'dues_income', 'cleared to dues income'],
    ['less received, the employer still owes it', -2500, 'employer', 'due_to_employers', 'a shortfall the employer still owes'],
  ] as const)('%s', (_case, heldCents, resolution, counter, words) => {
    const [draft] = postingsForSuspenseClearing({ ...base, heldCents, resolution });
    expect(draftProblems(draft!)).toEqual([]);
    expect(draft).toMatchObject({ sourceKey: 'remittance:r1:suspense', kind: 'payroll_suspense_clearing', occurredAt: new Date('2026-10-20T12:00:00Z'), remittanceId: 'r1' });
    expect(draft!.entries).toEqual([
      { account: 'payroll_suspense', amountCents: heldCents },
      { account: counter, amountCents: -heldCents },
    ]);
    expect(draft!.description).toContain(words);
    const [reversal] = postingsForSuspenseClearingReversal({ ...base, heldCents, resolution, reversedOn: '2026-11-24' });
    expect(draftProblems(reversal!)).toEqual([]);
    expect(reversal).toMatchObject({ sourceKey: 'remittance:r1:suspense:reversal', occurredAt: new Date('2026-11-24T12:00:00Z') });
    expect(reversal!.entries.map((e) => e.amountCents)).toEqual([-heldCents, heldCents]);
  });

  test('nothing held is nothing to clear', () => {
    expect(() => postingsForSuspenseClearing({ ...base, heldCents: 0, resolution: 'dues_income' })).toThrow(RangeError);
  });
});

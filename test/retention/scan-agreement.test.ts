import type { Standing } from '../../db/database';
import { DEFAULT_POLICY, memberStanding, type Exemption, type MemberFacts, type RetentionPolicy } from '../../src/retention/policy';
import { computeVerdicts, readVerdicts } from '../../src/retention/scan';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, TEST_NOW, testContext } from '../support/app';

// The scan's SQL and memberStanding() must agree on every member: a grid of facts
// (paid-through days at month ends and leap days, every standing, arrangements,
// failing payments, exemptions) judged under several policies on several days.
let testDb: TestDatabase;
let organizationId: string;
const expected = new Map<string, MemberFacts>();

const PAID_THROUGH = [null, '2026-01-31', '2026-02-28', '2025-12-15', '2028-02-29', '2026-03-10', '2025-06-30'];
const STANDINGS: Standing[] = ['pending', 'active', 'past_due', 'lapsed', 'exempt', 'resigned', 'suspended', 'dropped'];
const ARRANGEMENTS = ['none', 'subscription', 'payroll'] as const;
const EXEMPTIONS: Record<string, Exemption[]> = {
  none: [],
  layoffFromPaidThrough: [{ kind: 'layoff', startsOn: '2026-02-01', endsOn: '2026-04-30' }],
  ongoingLeave: [{ kind: 'leave', startsOn: '2026-01-01', endsOn: null }],
  hardshipInArrears: [{ kind: 'hardship', startsOn: '2026-03-15', endsOn: '2026-05-14' }],
  twoEnded: [
    { kind: 'hardship', startsOn: '2025-08-01', endsOn: '2025-08-31' },
    { kind: 'layoff', startsOn: '2026-02-10', endsOn: '2026-03-09' },
  ],
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  const ctx = testContext(testDb.db);
  organizationId = (await createOrganizationWithStaff(ctx, 'agree-local')).id;
  let n = 0;
  for (const paidThrough of PAID_THROUGH) {
    for (const current of STANDINGS) {
      for (const arrangement of ARRANGEMENTS) {
        for (const failing of [false, true]) {
          for (const [exemptionName, exemptions] of Object.entries(EXEMPTIONS)) {
            n += 1;
            const member = await testDb.db
              .insertInto('members')
              .values({ organization_id: organizationId, name: `Member ${n}`, email: `m${n}@example.org`, standing: current, paid_through: paidThrough, ...memberTimes() })
              .returning('id')
              .executeTakeFirstOrThrow();
            if (arrangement === 'subscription') {
              await testDb.db.insertInto('stripe_subscriptions').values({ organization_id: organizationId, id: `sub_${n}`, member_id: member.id, customer_id: `cus_${n}`, status: 'active', cancel_at_period_end: false, collection_paused: false, updated_at: TEST_NOW }).execute();
            }
            if (arrangement === 'payroll' && paidThrough !== null) {
              await testDb.db
                .insertInto('manual_payments')
                .values({ organization_id: organizationId, member_id: member.id, method: 'payroll_deduction', amount_cents: 2500, currency: 'usd', period_start: paidThrough.slice(0, 8) + '01', period_end: paidThrough, received_on: paidThrough, created_at: TEST_NOW })
                .execute();
            }
            if (failing) {
              await testDb.db.insertInto('stripe_invoices').values({ organization_id: organizationId, id: `in_${n}`, member_id: member.id, status: 'open', currency: 'usd', amount_due: 2500, amount_paid: 0, attempt_count: 1, updated_at: TEST_NOW }).execute();
            }
            for (const exemption of exemptions) {
              await testDb.db.insertInto('member_exemptions').values({ organization_id: organizationId, member_id: member.id, kind: exemption.kind, starts_on: exemption.startsOn, ends_on: exemption.endsOn, created_at: TEST_NOW }).execute();
            }
            expected.set(member.id, {
              current,
              paidThrough,
              exemptions: exemptionName === 'none' ? [] : exemptions,
              hasArrangement: arrangement === 'subscription' || (arrangement === 'payroll' && paidThrough !== null),
              paymentFailing: failing,
            });
          }
        }
      }
    }
  }
});
afterAll(async () => {
  await testDb.drop();
});

const POLICIES: Array<[string, RetentionPolicy]> = [
  ['default', DEFAULT_POLICY],
  ['NewsGuild', { ...DEFAULT_POLICY, suspendAtMonthsOwed: 2, dropAtMonthsOwed: null }],
  ['no suspension, grace 10, strict retries', { ...DEFAULT_POLICY, graceDays: 10, suspendAtMonthsOwed: null, dropAtMonthsOwed: null, arrangementKeepsGoodStanding: false }],
  ['reinstatement by fee, grace 0', { ...DEFAULT_POLICY, graceDays: 0, reinstatement: 'fee', reinstatementFeeCents: 5000 }],
];
const DAYS = ['2026-01-31', '2026-02-01', '2026-03-04', '2026-04-01', '2026-06-15', '2026-12-31', '2028-03-01'];

describe('the scan SQL and memberStanding agree', () => {
  test('the grid has every combination', () => {
    expect(expected.size).toBe(PAID_THROUGH.length * STANDINGS.length * ARRANGEMENTS.length * 2 * Object.keys(EXEMPTIONS).length);
  });

  test.each(POLICIES.flatMap(([name, policy]) => DAYS.map((day) => [name, day, policy] as const)))('%s policy on %s', async (_name, today, policy) => {
    const verdicts = await testDb.db.transaction().execute(async (trx) => {
      await computeVerdicts(trx, organizationId, policy, today);
      return readVerdicts(trx);
    });
    expect(verdicts).toHaveLength(expected.size);
    const disagreements = verdicts.flatMap((row) => {
      const facts = expected.get(row.member_id)!;
      const pure = memberStanding(facts, policy, today);
      // Where the rules do not count arrears the pure function names no day to count from.
      const sqlVerdict = { standing: row.standing, reason: row.reason, monthsInArrears: row.months_in_arrears, arrearsFrom: pure.arrearsFrom === null ? null : row.arrears_from };
      return JSON.stringify(sqlVerdict) === JSON.stringify(pure) ? [] : [{ facts, sql: sqlVerdict, pure }];
    });
    expect(disagreements.slice(0, 3)).toEqual([]);
  });
});

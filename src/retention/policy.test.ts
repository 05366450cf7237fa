import { todayIn } from '../organizations/calendar';
import {
  addMonthsKeepingEnd,
  applyPolicyChanges,
  DEFAULT_POLICY,
  memberStanding,
  monthsOwed,
  policyFrom,
  policyProblems,
  type MemberFacts,
  type RetentionPolicy,
} from './policy';

// Real unions' rules, written as policies (docs/retention.md explains each).
const IBEW: RetentionPolicy = { ...DEFAULT_POLICY, graceDays: 31, suspendAtMonthsOwed: 3, dropAtMonthsOwed: 6 };
const NEWSGUILD: RetentionPolicy = { ...DEFAULT_POLICY, graceDays: 31, suspendAtMonthsOwed: 2, dropAtMonthsOwed: null };
const AFSCME_2018: RetentionPolicy = { ...DEFAULT_POLICY, graceDays: 31, suspendAtMonthsOwed: 3, dropAtMonthsOwed: null };
const STRICT_RETRIES: RetentionPolicy = { ...DEFAULT_POLICY, arrangementKeepsGoodStanding: false };
const BY_FEE: RetentionPolicy = { ...DEFAULT_POLICY, reinstatement: 'fee', reinstatementFeeCents: 5000 };

const facts = (overrides: Partial<MemberFacts>): MemberFacts => ({ current: 'active', decision: null, paidThrough: '2026-01-31', exemptions: [], hasArrangement: false, paymentFailing: false, ...overrides });

describe('months owed and month arithmetic', () => {
  test.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2026-02-28', 1, '2026-03-31'],
    ['2028-02-29', 12, '2029-02-28'],
    ['2027-02-28', 12, '2028-02-29'],
    ['2026-01-30', 1, '2026-02-28'],
    ['2026-01-30', 2, '2026-03-30'],
    ['2026-01-15', 0, '2026-01-15'],
    ['2026-11-30', 3, '2027-02-28'],
    ['2026-12-15', 1, '2027-01-15'],
  ])('%s + %i months = %s', (day, count, expected) => {
    expect(addMonthsKeepingEnd(day, count)).toBe(expected);
  });

  test.each([
    ['2026-01-31', '2026-01-31', 0],
    ['2026-01-31', '2026-02-01', 1],
    ['2026-01-31', '2026-02-28', 1],
    ['2026-01-31', '2026-03-01', 2],
    ['2026-01-31', '2026-03-31', 2],
    ['2026-01-31', '2026-04-01', 3],
    ['2026-01-15', '2026-01-16', 1],
    ['2026-01-15', '2026-02-15', 1],
    ['2026-01-15', '2026-02-16', 2],
    ['2028-02-29', '2028-03-01', 1],
    ['2028-02-29', '2028-03-31', 1],
    ['2028-02-29', '2028-04-01', 2],
    ['2026-12-31', '2027-01-01', 1],
    ['2026-12-31', '2027-07-01', 7],
    ['2026-03-10', '2026-01-01', 0],
  ])('paid through %s, on %s owes %i', (paidThrough, today, expected) => {
    expect(monthsOwed(paidThrough, today)).toBe(expected);
  });
});

type Case = [name: string, policy: RetentionPolicy, facts: MemberFacts, today: string, standing: string, reason: string, months: number];

const cases: Case[] = [
  // Default policy: a month's grace, suspended at 3 months owed, dropped at 6.
  ['paid up on the last covered day', DEFAULT_POLICY, facts({}), '2026-01-31', 'active', 'paid_up', 0],
  ['manual payer a day past paid-through owes and is past due', DEFAULT_POLICY, facts({}), '2026-02-01', 'past_due', 'dues_overdue', 1],
  ['subscriber whose renewal has not been charged yet stays active', DEFAULT_POLICY, facts({ hasArrangement: true }), '2026-02-01', 'active', 'renewal_pending', 1],
  ['subscriber whose payment is being retried stays active (policy keeps arrangements)', DEFAULT_POLICY, facts({ hasArrangement: true, paymentFailing: true }), '2026-02-10', 'active', 'payment_retrying', 1],
  ['the same member is past due when the policy does not keep arrangements', STRICT_RETRIES, facts({ hasArrangement: true, paymentFailing: true }), '2026-02-10', 'past_due', 'payment_failed', 1],
  ['a failing payment without an arrangement is past due', DEFAULT_POLICY, facts({ paymentFailing: true }), '2026-02-10', 'past_due', 'payment_failed', 1],
  ['the 31st day of grace is still grace', DEFAULT_POLICY, facts({}), '2026-03-03', 'past_due', 'dues_overdue', 2],
  ['the 32nd day lapses', DEFAULT_POLICY, facts({}), '2026-03-04', 'lapsed', 'grace_ended', 2],
  ['a retried payment beyond grace lapses all the same', DEFAULT_POLICY, facts({ hasArrangement: true, paymentFailing: true }), '2026-03-04', 'lapsed', 'grace_ended', 2],
  ['grace 0 lapses the day after', { ...DEFAULT_POLICY, graceDays: 0 }, facts({}), '2026-02-01', 'lapsed', 'grace_ended', 1],
  // IBEW: suspended when 3 months are owed, dropped at 6.
  ['IBEW: 2 months owed is lapsed', IBEW, facts({}), '2026-03-31', 'lapsed', 'grace_ended', 2],
  ['IBEW: 3 months owed is suspended', IBEW, facts({}), '2026-04-01', 'suspended', 'months_owed_suspend', 3],
  ['IBEW: 5 months owed is still suspended', IBEW, facts({ current: 'suspended' }), '2026-06-30', 'suspended', 'months_owed_suspend', 5],
  ['IBEW: 6 months owed is dropped', IBEW, facts({ current: 'suspended' }), '2026-07-01', 'dropped', 'months_owed_drop', 6],
  ['IBEW: dropped by an officer stays dropped whatever is paid', IBEW, facts({ current: 'dropped', decision: 'dropped', paidThrough: '2026-12-31' }), '2026-07-02', 'dropped', 'dropped_by_officer', 0],
  ['IBEW: dropped for arrears and then paid up: reinstated', IBEW, facts({ current: 'dropped', paidThrough: '2026-12-31' }), '2026-07-02', 'active', 'paid_up', 0],
  ['dropped for arrears and paid up where reinstatement takes an officer: waits', { ...DEFAULT_POLICY, reinstatement: 'fee', reinstatementFeeCents: 5000 }, facts({ current: 'dropped', paidThrough: '2026-12-31' }), '2026-07-02', 'dropped', 'reinstatement_fee_due', 0],
  ['dropped for arrears, paid part: still dropped', IBEW, facts({ current: 'dropped', paidThrough: '2026-04-30' }), '2026-07-02', 'dropped', 'arrears_unpaid', 3],
  ['suspended by an officer: payments do not lift it', IBEW, facts({ current: 'suspended', decision: 'suspended', paidThrough: '2026-12-31' }), '2026-07-02', 'suspended', 'suspended_by_officer', 0],
  // The NewsGuild: one month in arrears is allowed; the next month owed suspends.
  ['NewsGuild: one month owed is allowed', NEWSGUILD, facts({}), '2026-02-20', 'past_due', 'dues_overdue', 1],
  ['NewsGuild: a second month owed suspends, grace or not', NEWSGUILD, facts({}), '2026-03-01', 'suspended', 'months_owed_suspend', 2],
  ['NewsGuild: never dropped automatically', NEWSGUILD, facts({ current: 'suspended' }), '2027-03-01', 'suspended', 'months_owed_suspend', 14],
  // AFSCME (2018 amendment): suspended after two consecutive unpaid months, i.e. once the third is owed.
  ['AFSCME 2018: the last day of the second unpaid month is lapsed', AFSCME_2018, facts({}), '2026-03-31', 'lapsed', 'grace_ended', 2],
  ['AFSCME 2018: the day after two unpaid months suspends', AFSCME_2018, facts({}), '2026-04-01', 'suspended', 'months_owed_suspend', 3],
  ['AFSCME 2018: paying one month back leaves the suspension (all arrears are needed)', AFSCME_2018, facts({ current: 'suspended', paidThrough: '2026-02-28' }), '2026-04-02', 'suspended', 'arrears_unpaid', 2],
  // Reinstatement.
  ['reinstated by paying all arrears', DEFAULT_POLICY, facts({ current: 'suspended', paidThrough: '2026-04-30' }), '2026-04-02', 'active', 'paid_up', 0],
  ['with a reinstatement fee, paying arrears is not enough', BY_FEE, facts({ current: 'suspended', paidThrough: '2026-04-30' }), '2026-04-02', 'suspended', 'reinstatement_fee_due', 0],
  ['a lapsed member who pays recovers', DEFAULT_POLICY, facts({ current: 'lapsed', paidThrough: '2026-03-31' }), '2026-03-10', 'active', 'paid_up', 0],
  ['a lapsed member who pays one month is back in grace', DEFAULT_POLICY, facts({ current: 'lapsed', paidThrough: '2026-02-28' }), '2026-03-10', 'past_due', 'dues_overdue', 1],
  // Exemptions pause arrears.
  ['exempt while an exemption runs', DEFAULT_POLICY, facts({ exemptions: [{ kind: 'layoff', startsOn: '2026-02-01', endsOn: '2026-05-31' }] }), '2026-05-31', 'exempt', 'exemption', 0],
  ['open-ended retirement exemption', DEFAULT_POLICY, facts({ exemptions: [{ kind: 'retired', startsOn: '2026-01-15', endsOn: null }] }), '2030-01-01', 'exempt', 'exemption', 0],
  ['after a layoff from the paid-through day, arrears start at its end', DEFAULT_POLICY, facts({ current: 'exempt', exemptions: [{ kind: 'layoff', startsOn: '2026-02-01', endsOn: '2026-05-31' }] }), '2026-06-01', 'past_due', 'dues_overdue', 1],
  ['an exemption started in arrears pauses the count for its length', IBEW, facts({ current: 'lapsed', exemptions: [{ kind: 'hardship', startsOn: '2026-03-10', endsOn: '2026-06-09' }] }), '2026-06-20', 'lapsed', 'grace_ended', 2],
  ['without the pause the same member would be dropped soon after', IBEW, facts({ current: 'lapsed' }), '2026-06-20', 'suspended', 'months_owed_suspend', 5],
  ['a future exemption changes nothing yet', DEFAULT_POLICY, facts({ exemptions: [{ kind: 'leave', startsOn: '2026-03-01', endsOn: '2026-04-01' }] }), '2026-02-10', 'past_due', 'dues_overdue', 1],
  ['an officer-set exemption without dates stands', DEFAULT_POLICY, facts({ current: 'exempt' }), '2027-01-01', 'exempt', 'exempt_by_officer', 0],
  // Standings the scan leaves alone.
  ['resigned stays resigned', DEFAULT_POLICY, facts({ current: 'resigned' }), '2027-01-01', 'resigned', 'resigned', 0],
  ['a pending signup who never paid stays pending', DEFAULT_POLICY, facts({ current: 'pending', paidThrough: null }), '2027-01-01', 'pending', 'no_payment_record', 0],
  ['an imported member with no paid-through day is kept as imported', DEFAULT_POLICY, facts({ current: 'active', paidThrough: null }), '2027-01-01', 'active', 'no_payment_record', 0],
  // Month ends and leap days.
  ['paid through Feb 29 (leap year), on Mar 31 owes one month', DEFAULT_POLICY, facts({ paidThrough: '2028-02-29' }), '2028-03-31', 'past_due', 'dues_overdue', 1],
  ['paid through Feb 29, on Apr 1 grace (31 days) has ended', DEFAULT_POLICY, facts({ paidThrough: '2028-02-29' }), '2028-04-01', 'lapsed', 'grace_ended', 2],
  ['paid through Jan 31 of a leap year: Feb 29 still owes one month', IBEW, facts({ paidThrough: '2028-01-31' }), '2028-02-29', 'past_due', 'dues_overdue', 1],
  ['paid through Jan 30: Feb 28 is within the month, Mar 1 owes two (IBEW lapsed)', IBEW, facts({ paidThrough: '2026-01-30' }), '2026-03-03', 'lapsed', 'grace_ended', 2],
];

describe('memberStanding: the table', () => {
  test.each(cases)('%s', (_name, policy, memberFacts, today, standing, reason, months) => {
    expect(memberStanding(memberFacts, policy, today)).toMatchObject({ standing, reason, monthsInArrears: months });
  });
});

describe('time-zone edges: today is the organization’s day, not the server’s', () => {
  // Paid through Feb 28 with grace 0: lapsed from Mar 1, local time.
  const policy = { ...DEFAULT_POLICY, graceDays: 0 };
  const member = facts({ paidThrough: '2026-02-28' });
  test.each([
    ['2026-03-01T05:59:00Z', 'America/Chicago', 'active'], // 23:59 Feb 28 in Chicago
    ['2026-03-01T06:00:00Z', 'America/Chicago', 'lapsed'], // midnight Mar 1 in Chicago
    ['2026-02-28T10:59:00Z', 'Pacific/Auckland', 'active'], // 23:59 Feb 28 in Auckland
    ['2026-02-28T11:00:00Z', 'Pacific/Auckland', 'lapsed'], // midnight Mar 1 in Auckland (UTC is still Feb 28)
    ['2026-03-01T09:59:00Z', 'Pacific/Honolulu', 'active'],
    ['2026-03-01T10:00:00Z', 'Pacific/Honolulu', 'lapsed'],
  ])('at %s in %s the member is %s', (instant, zone, standing) => {
    expect(memberStanding(member, policy, todayIn(zone, new Date(instant))).standing).toBe(standing);
  });

  test('the day clocks spring forward is one day (no day skipped or doubled)', () => {
    const before = todayIn('America/New_York', new Date('2026-03-08T04:59:00Z'));
    const after = todayIn('America/New_York', new Date('2026-03-08T05:00:00Z'));
    expect([before, after]).toEqual(['2026-03-07', '2026-03-08']);
  });
});

describe('the policy as data', () => {
  test('stored fields over the defaults; an unreadable stored policy reads as the defaults', () => {
    expect(policyFrom({ graceDays: 10, notices: { cardExpiring: false } })).toEqual({ ...DEFAULT_POLICY, graceDays: 10, notices: { ...DEFAULT_POLICY.notices, cardExpiring: false } });
    expect(policyFrom({ graceDays: 'soon' })).toEqual(DEFAULT_POLICY);
  });

  test('dropping before suspension, or a fee with no amount, is refused', () => {
    expect(policyProblems(applyPolicyChanges(DEFAULT_POLICY, { dropAtMonthsOwed: 2 })).map((p) => p.path)).toEqual(['body.dropAtMonthsOwed']);
    expect(policyProblems(applyPolicyChanges(DEFAULT_POLICY, { reinstatement: 'fee' })).map((p) => p.path)).toEqual(['body.reinstatementFeeCents']);
    expect(policyProblems(NEWSGUILD)).toEqual([]);
  });
});

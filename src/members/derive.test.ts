import { DEFAULT_POLICY, type RetentionPolicy } from '../retention/policy';
import { deriveStanding, factsWith, type InvoiceFact, type PaymentFact, type StandingFacts } from './derive';

// Monthly dues from Stripe, billed on the 5th (periods in the organization's days).
const JAN: InvoiceFact = { id: 'in_jan', status: 'paid', periodStart: '2026-01-05', periodEnd: '2026-02-05', attemptCount: 1 };
const FEB: InvoiceFact = { id: 'in_feb', status: 'paid', periodStart: '2026-02-05', periodEnd: '2026-03-05', attemptCount: 1 };
const MAR: InvoiceFact = { id: 'in_mar', status: 'paid', periodStart: '2026-03-05', periodEnd: '2026-04-05', attemptCount: 1 };
const open = (invoice: InvoiceFact, attemptCount = 1): InvoiceFact => ({ ...invoice, status: 'open', attemptCount });
const paidBy = (invoice: InvoiceFact, changes: Partial<PaymentFact> = {}): PaymentFact => ({
  chargeId: `ch_${invoice.id}`,
  invoiceId: invoice.id,
  amountCents: 2500,
  refundedCents: 0,
  failedAfterSuccess: false,
  dispute: 'none',
  ...changes,
});

const facts = (changes: Partial<StandingFacts> = {}): StandingFacts => factsWith({ current: 'active', ...changes });
const card = (invoices: InvoiceFact[], subscription = 'active', payments = invoices.filter((i) => i.status === 'paid').map((i) => paidBy(i))): Partial<StandingFacts> => ({
  invoices,
  payments,
  subscriptionStatuses: [subscription],
  checkout: { startedOn: '2026-01-05', completedOn: '2026-01-05', paymentStatus: 'paid', asyncResult: null },
});

const STRICT: RetentionPolicy = { ...DEFAULT_POLICY, arrangementKeepsGoodStanding: false };
const BY_OFFICER: RetentionPolicy = { ...DEFAULT_POLICY, reinstatement: 'fee', reinstatementFeeCents: 2500 };
const PARTIAL_UNPAYS: RetentionPolicy = { ...DEFAULT_POLICY, partialRefundUnpaysPeriod: true };

type Case = [string, StandingFacts, RetentionPolicy, string, string, string, string | null, number];

// [case, facts, policy, today, standing, reason, paid-through, months in arrears]
const CASES: Case[] = [
  // The late invoice.paid: whatever order the two invoices' events came in, the facts are the same.
  ['renewal failed after a paid first month: past due (policy strict), paid through January’s period', facts(card([JAN, open(FEB)], 'past_due')), STRICT, '2026-02-10', 'past_due', 'payment_failed', '2026-02-05', 1],
  ['the same member when the policy keeps arrangements in good standing while Stripe retries', facts(card([JAN, open(FEB)], 'past_due')), DEFAULT_POLICY, '2026-02-10', 'active', 'payment_retrying', '2026-02-05', 1],
  ['the same member with a paid-through stored from a late event: the facts decide, not what was stored', facts({ ...card([JAN, open(FEB)], 'past_due'), current: 'active' }), STRICT, '2026-02-10', 'past_due', 'payment_failed', '2026-02-05', 1],
  ['the failed renewal retried and paid: active, paid through February’s period', facts(card([JAN, FEB])), STRICT, '2026-02-10', 'active', 'paid_up', '2026-03-05', 0],
  ['retries exhausted and the subscription canceled: the open invoice still owed, no arrangement', facts(card([JAN, open(FEB, 4)], 'canceled')), DEFAULT_POLICY, '2026-02-20', 'past_due', 'payment_failed', '2026-02-05', 1],
  ['canceled, the last invoice voided: not owed, but time runs on past the paid period', facts(card([JAN, { ...FEB, status: 'void' }], 'canceled')), DEFAULT_POLICY, '2026-03-10', 'lapsed', 'grace_ended', '2026-02-05', 2],
  ['canceled three months ago: suspended', facts(card([JAN], 'canceled')), DEFAULT_POLICY, '2026-04-10', 'suspended', 'months_owed_suspend', '2026-02-05', 3],

  // A first payment that never succeeded: pending, never past due.
  ['first bank debit failed (subscription incomplete): pending, first payment failed', facts({ current: 'pending', invoices: [open(JAN)], subscriptionStatuses: ['incomplete'], checkout: { startedOn: '2026-01-05', completedOn: '2026-01-05', paymentStatus: 'unpaid', asyncResult: 'failed' } }), DEFAULT_POLICY, '2026-01-12', 'pending', 'first_payment_failed', null, 0],
  ['first bank debit failed, shown past due by older code: back to pending', facts({ current: 'past_due', invoices: [open(JAN)], subscriptionStatuses: ['past_due'], checkout: { startedOn: '2026-01-05', completedOn: '2026-01-05', paymentStatus: 'unpaid', asyncResult: 'failed' } }), DEFAULT_POLICY, '2026-03-12', 'pending', 'first_payment_failed', null, 0],
  ['first payment failed, its subscription expired', facts({ current: 'pending', invoices: [{ ...open(JAN), status: 'void' }], subscriptionStatuses: ['incomplete_expired'] }), DEFAULT_POLICY, '2026-02-12', 'pending', 'first_payment_failed', null, 0],
  ['a bank debit processing since checkout', facts({ current: 'pending', subscriptionStatuses: ['active'], checkout: { startedOn: '2026-01-05', completedOn: '2026-01-05', paymentStatus: 'unpaid', asyncResult: null } }), DEFAULT_POLICY, '2026-01-08', 'pending', 'payment_processing', null, 0],
  ['the debit cleared: active', facts({ current: 'pending', invoices: [JAN], payments: [paidBy(JAN)], subscriptionStatuses: ['active'], checkout: { startedOn: '2026-01-05', completedOn: '2026-01-05', paymentStatus: 'paid', asyncResult: 'succeeded' } }), DEFAULT_POLICY, '2026-01-09', 'active', 'paid_up', '2026-02-05', 0],
  ['checkout started and never completed', facts({ current: 'pending', checkout: { startedOn: '2026-01-05', completedOn: null, paymentStatus: null, asyncResult: null } }), DEFAULT_POLICY, '2026-01-20', 'pending', 'checkout_not_completed', null, 0],
  ['a card checkout completed, its invoice not reported yet', facts({ current: 'pending', subscriptionStatuses: ['active'], checkout: { startedOn: '2026-01-05', completedOn: '2026-01-05', paymentStatus: 'paid', asyncResult: null } }), DEFAULT_POLICY, '2026-01-05', 'pending', 'awaiting_first_payment', null, 0],
  ['a member added by staff, no payment and no signup: as stated', facts({ current: 'active' }), DEFAULT_POLICY, '2026-01-20', 'active', 'no_payment_record', null, 0],

  // Reversed payments un-pay their period.
  ['the latest month fully refunded: paid through the month before, one owed', facts(card([JAN, FEB], 'active', [paidBy(JAN), paidBy(FEB, { refundedCents: 2500 })])), DEFAULT_POLICY, '2026-02-20', 'active', 'renewal_pending', '2026-02-05', 1],
  ['a partial refund keeps the period paid', facts(card([JAN, FEB], 'active', [paidBy(JAN), paidBy(FEB, { refundedCents: 1000 })])), DEFAULT_POLICY, '2026-02-20', 'active', 'paid_up', '2026-03-05', 0],
  ['unless the policy says a partial refund un-pays it', facts(card([JAN, FEB], 'active', [paidBy(JAN), paidBy(FEB, { refundedCents: 1000 })])), PARTIAL_UNPAYS, '2026-02-20', 'active', 'renewal_pending', '2026-02-05', 1],
  ['a dispute lost un-pays the period', facts(card([JAN, FEB], 'active', [paidBy(JAN), paidBy(FEB, { dispute: 'lost' })])), STRICT, '2026-02-20', 'active', 'renewal_pending', '2026-02-05', 1],
  ['a dispute won restores it', facts(card([JAN, FEB], 'active', [paidBy(JAN), paidBy(FEB, { dispute: 'won' })])), STRICT, '2026-02-20', 'active', 'paid_up', '2026-03-05', 0],
  ['a dispute still open leaves it paid until it is decided', facts(card([JAN, FEB], 'active', [paidBy(JAN), paidBy(FEB, { dispute: 'open' })])), STRICT, '2026-02-20', 'active', 'paid_up', '2026-03-05', 0],
  ['a bank debit returned after it had succeeded un-pays it', facts(card([JAN, FEB], 'active', [paidBy(JAN), paidBy(FEB, { failedAfterSuccess: true })])), STRICT, '2026-02-20', 'active', 'renewal_pending', '2026-02-05', 1],
  ['a middle month refunded: later payments pay the oldest dues first', facts(card([JAN, FEB, MAR], 'active', [paidBy(JAN), paidBy(FEB, { refundedCents: 2500 }), paidBy(MAR)])), DEFAULT_POLICY, '2026-03-20', 'active', 'renewal_pending', '2026-03-05', 1],
  ['the only payment disputed and lost, subscription canceled: owed from the first day', facts({ ...card([JAN], 'canceled', [paidBy(JAN, { dispute: 'lost' })]), current: 'active' }), DEFAULT_POLICY, '2026-02-20', 'lapsed', 'grace_ended', '2026-01-04', 2],

  // Manual payments: a partial one pays towards its period without covering it.
  ['cash for a month in full', facts({ recordedPaidThrough: '2026-08-31', manualPeriods: [{ start: '2026-09-01', end: '2026-09-30', duesCents: 1500, appliedCents: 1500, method: 'cash' }] }), DEFAULT_POLICY, '2026-09-20', 'active', 'paid_up', '2026-09-30', 0],
  ['a partial payment towards September does not cover it', facts({ current: 'past_due', recordedPaidThrough: '2026-08-31', manualPeriods: [{ start: '2026-09-01', end: '2026-09-30', duesCents: 1500, appliedCents: 1, method: 'cash' }] }), DEFAULT_POLICY, '2026-09-20', 'past_due', 'dues_overdue', '2026-08-31', 1],
  ['two part payments make the month', facts({ recordedPaidThrough: '2026-08-31', manualPeriods: [{ start: '2026-09-01', end: '2026-09-30', duesCents: 1500, appliedCents: 1000, method: 'cash' }, { start: '2026-09-01', end: '2026-09-30', duesCents: 1500, appliedCents: 500, method: 'check' }] }), DEFAULT_POLICY, '2026-09-20', 'active', 'paid_up', '2026-09-30', 0],
  ['payroll deduction through the paid-through day is an arrangement', facts({ recordedPaidThrough: '2026-08-31', manualPeriods: [{ start: '2026-09-01', end: '2026-09-30', duesCents: 1500, appliedCents: 1500, method: 'payroll_deduction' }] }), DEFAULT_POLICY, '2026-10-10', 'active', 'renewal_pending', '2026-09-30', 1],

  // Imported rolls: the recorded paid-through date is a fact; the rules apply at once.
  ['imported active, paid through four months ago: suspended', facts({ recordedPaidThrough: '2026-07-31' }), DEFAULT_POLICY, '2026-11-24', 'suspended', 'months_owed_suspend', '2026-07-31', 4],
  ['imported active, paid through seven months ago: dropped', facts({ recordedPaidThrough: '2026-04-30' }), DEFAULT_POLICY, '2026-11-24', 'dropped', 'months_owed_drop', '2026-04-30', 7],
  ['imported, paid through last month: past due within grace', facts({ recordedPaidThrough: '2026-10-31' }), DEFAULT_POLICY, '2026-11-24', 'past_due', 'dues_overdue', '2026-10-31', 1],

  // Reinstatement: out for arrears by the rules, back when what is owed is paid, by the policy.
  ['dropped by the scan, then paid everything owed: reinstated at once', facts({ current: 'dropped', recordedPaidThrough: '2026-04-30', manualPeriods: [{ start: '2026-05-01', end: '2026-11-30', duesCents: 10500, appliedCents: 10500, method: 'check' }] }), DEFAULT_POLICY, '2026-11-24', 'active', 'paid_up', '2026-11-30', 0],
  ['dropped by the scan and paid up, where an officer reinstates after a fee: waits for the officer', facts({ current: 'dropped', recordedPaidThrough: '2026-11-30' }), BY_OFFICER, '2026-11-24', 'dropped', 'reinstatement_fee_due', '2026-11-30', 0],
  ['suspended, paid part of the arrears: still suspended', facts({ current: 'suspended', recordedPaidThrough: '2026-09-30' }), DEFAULT_POLICY, '2026-11-24', 'suspended', 'arrears_unpaid', '2026-09-30', 2],
  ['dropped by an officer: paying does not undo it', facts({ current: 'dropped', decision: 'dropped', recordedPaidThrough: '2026-11-30' }), DEFAULT_POLICY, '2026-11-24', 'dropped', 'dropped_by_officer', '2026-11-30', 0],
  ['resigned: stays resigned', facts({ ...card([JAN, FEB]), current: 'resigned', decision: 'resigned' }), DEFAULT_POLICY, '2026-02-20', 'resigned', 'resigned', '2026-03-05', 0],
  ['exempt by an officer with no dates: stays exempt', facts({ current: 'exempt', decision: 'exempt', recordedPaidThrough: '2026-01-31' }), DEFAULT_POLICY, '2026-11-24', 'exempt', 'exempt_by_officer', '2026-01-31', 0],
];

describe('deriveStanding', () => {
  test.each(CASES)('%s', (_name, given, policy, today, standing, reason, paidThrough, months) => {
    const derived = deriveStanding(given, policy, today);
    expect([derived.standing, derived.reason, derived.paidThrough, derived.monthsInArrears]).toEqual([standing, reason, paidThrough, months]);
  });

  test('facts in any order give the same result', () => {
    const given = facts(card([JAN, FEB, MAR, open({ ...MAR, id: 'in_apr', periodStart: '2026-04-05', periodEnd: '2026-05-05' })], 'past_due', [paidBy(JAN), paidBy(FEB, { dispute: 'lost' }), paidBy(MAR)]));
    const expected = deriveStanding(given, STRICT, '2026-04-20');
    const reversed = { ...given, invoices: [...given.invoices].reverse(), payments: [...given.payments].reverse() };
    expect(deriveStanding(reversed, STRICT, '2026-04-20')).toEqual(expected);
    expect(expected).toMatchObject({ standing: 'lapsed', paidThrough: '2026-03-05', monthsInArrears: 2 });
  });

  test('the day a bank debit started processing is kept as the reason’s day', () => {
    const derived = deriveStanding(facts({ current: 'pending', subscriptionStatuses: ['active'], checkout: { startedOn: '2026-01-04', completedOn: '2026-01-05', paymentStatus: 'unpaid', asyncResult: null } }), DEFAULT_POLICY, '2026-01-08');
    expect(derived).toMatchObject({ reason: 'payment_processing', reasonSince: '2026-01-05' });
    const abandoned = deriveStanding(facts({ current: 'pending', checkout: { startedOn: '2026-01-04', completedOn: null, paymentStatus: null, asyncResult: null } }), DEFAULT_POLICY, '2026-01-08');
    expect(abandoned).toMatchObject({ reason: 'checkout_not_completed', reasonSince: '2026-01-04' });
  });
});

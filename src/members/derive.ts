import type { ManualPaymentMethod, Standing, StandingDecision } from '../../db/database';
import { addDays, memberStanding, type Exemption, type RetentionPolicy, type StandingReason, type StandingVerdict } from '../retention/policy';

/**
 * A member's standing, paid-through date and arrears, derived by one pure function from
 * the member's facts. Every path that learns a fact (the webhook processor after each
 * batch, manual payments, imports, officers' decisions) calls deriveStanding and writes
 * what it says with the cause; nothing sets a standing directly. Facts only accumulate and
 * each is kept in its latest state (an invoice's status, a payment's refunds, a dispute's
 * outcome), so the order in which they were learnt cannot change the result.
 */

/** A Stripe invoice as last mirrored: its dues period (organization days) and state. */
export interface InvoiceFact {
  id: string;
  status: string;
  periodStart: string | null;
  periodEnd: string | null;
  attemptCount: number;
}

/** A payment by card or bank (a Stripe charge) with what has happened to it since. */
export interface PaymentFact {
  chargeId: string;
  invoiceId: string | null;
  amountCents: number;
  refundedCents: number;
  /** A bank debit that failed after it had succeeded (its postings were reversed). */
  failedAfterSuccess: boolean;
  /** The outcome of a dispute of the payment, if there is one. */
  dispute: 'none' | 'open' | 'won' | 'lost';
}

/** What manual payments paid towards one dues period, summed over the payments. */
export interface ManualPeriodFact {
  start: string;
  end: string;
  duesCents: number;
  appliedCents: number;
  method: ManualPaymentMethod;
}

export interface CheckoutFact {
  /** The day the member accepted the dues authorization and was sent to checkout. */
  startedOn: string | null;
  /** The day Stripe reported the checkout completed; null if it has not. */
  completedOn: string | null;
  /** At completion: 'paid', or 'unpaid' while a bank debit processes. */
  paymentStatus: string | null;
  /** The bank debit's outcome, once Stripe reports it. */
  asyncResult: 'succeeded' | 'failed' | null;
}

export interface StandingFacts {
  /** The standing recorded now: what an officer or a roll stated before any payment, and whether a member is out for arrears. */
  current: Standing;
  decision: StandingDecision | null;
  /** The paid-through date a roll or staff recorded for payments made before they were kept here. */
  recordedPaidThrough: string | null;
  exemptions: readonly Exemption[];
  invoices: readonly InvoiceFact[];
  payments: readonly PaymentFact[];
  manualPeriods: readonly ManualPeriodFact[];
  /** Statuses of the member's Stripe subscriptions. */
  subscriptionStatuses: readonly string[];
  checkout: CheckoutFact | null;
}

/** A member's facts when nothing has been learnt of them but what is given (a row of a roll, a test case). */
export function factsWith(given: Partial<StandingFacts> & Pick<StandingFacts, 'current'>): StandingFacts {
  return { decision: null, recordedPaidThrough: null, exemptions: [], invoices: [], payments: [], manualPeriods: [], subscriptionStatuses: [], checkout: null, ...given };
}

export type DerivedReason = StandingReason | 'payment_processing' | 'first_payment_failed' | 'awaiting_first_payment' | 'checkout_not_completed';

export interface DerivedStanding extends Omit<StandingVerdict, 'reason'> {
  reason: DerivedReason;
  /** When the reason began, where the day matters: the day a bank debit started processing, or a checkout was started. */
  reasonSince: string | null;
  /** The last day paid for; null when the member has never paid. */
  paidThrough: string | null;
  /** The first day of the earliest period a card or bank payment paid (for the member's joining day). */
  firstPaidOn: string | null;
}

/** Subscription statuses under which Stripe goes on collecting: the member pays automatically. */
export const LIVE_SUBSCRIPTION: readonly string[] = ['active', 'trialing', 'past_due'];
/** Invoice statuses that bill a period (a void invoice no longer asks for it). */
const BILLING: readonly string[] = ['open', 'paid', 'uncollectible'];

/** Whether what happened to a payment since takes its period back. */
export function unpaysPeriod(payment: PaymentFact, policy: Pick<RetentionPolicy, 'partialRefundUnpaysPeriod'>): boolean {
  if (payment.dispute === 'lost' || payment.failedAfterSuccess) return true;
  if (payment.refundedCents >= payment.amountCents) return true;
  return policy.partialRefundUnpaysPeriod && payment.refundedCents > 0;
}

interface Slot {
  start: string;
  end: string;
  paid: boolean;
  /** Paid at some point, even if taken back since. */
  everPaid: boolean;
  byInvoice: boolean;
}

/** The dues periods the member was billed or paid for, each once, in order. */
function duesPeriods(facts: StandingFacts, policy: RetentionPolicy): Slot[] {
  const slots = new Map<string, Slot>();
  const add = (slot: Slot) => {
    const key = `${slot.start}/${slot.end}`;
    const kept = slots.get(key);
    slots.set(key, kept ? { ...kept, paid: kept.paid || slot.paid, everPaid: kept.everPaid || slot.everPaid, byInvoice: kept.byInvoice || slot.byInvoice } : slot);
  };
  for (const invoice of facts.invoices) {
    if (invoice.periodStart === null || invoice.periodEnd === null || !BILLING.includes(invoice.status)) continue;
    const everPaid = invoice.status === 'paid';
    const takenBack = facts.payments.some((payment) => payment.invoiceId === invoice.id && unpaysPeriod(payment, policy));
    add({ start: invoice.periodStart, end: invoice.periodEnd, paid: everPaid && !takenBack, everPaid, byInvoice: everPaid });
  }
  const manual = new Map<string, ManualPeriodFact>();
  for (const period of facts.manualPeriods) {
    const key = `${period.start}/${period.end}`;
    const kept = manual.get(key);
    manual.set(key, kept ? { ...kept, duesCents: Math.max(kept.duesCents, period.duesCents), appliedCents: kept.appliedCents + period.appliedCents } : period);
  }
  for (const period of manual.values()) {
    const paid = period.appliedCents >= period.duesCents;
    add({ start: period.start, end: period.end, paid, everPaid: paid, byInvoice: false });
  }
  return [...slots.values()].sort((a, b) => (a.start === b.start ? a.end.localeCompare(b.end) : a.start.localeCompare(b.start)));
}

/**
 * The last day paid for. Payments pay the oldest dues first, as a union's dues card
 * does: counted from the recorded paid-through date, each period still standing paid
 * covers the earliest period billed or named that is not yet covered. So a period taken
 * back (a full refund, a dispute lost) is owed again, and a later period's payment fills
 * it: paid Jan, Feb (refunded), Mar is paid through February's end, one period owed. A
 * member who paid and had every payment taken back is paid through the day before their
 * first period; one who never paid has no paid-through date.
 */
export function paidThroughOf(facts: StandingFacts, policy: RetentionPolicy): { paidThrough: string | null; firstPaidOn: string | null } {
  const slots = duesPeriods(facts, policy);
  let cursor = facts.recordedPaidThrough;
  const owed = slots.filter((slot) => cursor === null || slot.end > cursor);
  let payments = owed.filter((slot) => slot.paid).length;
  for (const slot of owed) {
    if (payments === 0) break;
    if (cursor !== null && slot.end <= cursor) continue;
    cursor = slot.end;
    payments -= 1;
  }
  const firstPaidOn = slots.find((slot) => slot.byInvoice)?.start ?? null;
  if (cursor !== null) return { paidThrough: cursor, firstPaidOn };
  const first = slots.find((slot) => slot.everPaid) ? slots[0] : undefined;
  return { paidThrough: first ? addDays(first.start, -1) : null, firstPaidOn };
}

const PENDING_REASONS: readonly DerivedReason[] = ['payment_processing', 'first_payment_failed', 'awaiting_first_payment', 'checkout_not_completed'];
export const isPendingReason = (reason: string): boolean => (PENDING_REASONS as readonly string[]).includes(reason);

/**
 * Why a member who has never paid is pending: a bank debit processing since checkout, a
 * first payment that failed (organizers call them: they never were a paying member), a
 * checkout completed whose payment is not reported yet, or a checkout never completed.
 */
function pendingReason(facts: StandingFacts): { reason: DerivedReason; since: string | null } | undefined {
  const checkout = facts.checkout;
  const stripeSignup = (checkout !== null && checkout.completedOn !== null) || facts.invoices.length > 0 || facts.subscriptionStatuses.length > 0;
  const failedAttempt = facts.invoices.some((invoice) => invoice.attemptCount > 0 && invoice.status !== 'paid');
  if (stripeSignup) {
    if (checkout?.asyncResult === 'failed') return { reason: 'first_payment_failed', since: null };
    if (checkout?.paymentStatus === 'unpaid' && checkout.asyncResult === null) return { reason: 'payment_processing', since: checkout.completedOn };
    // Checkout says the first payment went through: its invoice is still to be reported (a later one may have failed).
    if (checkout?.paymentStatus === 'paid' || checkout?.asyncResult === 'succeeded') return { reason: 'awaiting_first_payment', since: checkout.completedOn };
    if (failedAttempt) return { reason: 'first_payment_failed', since: null };
    return { reason: 'awaiting_first_payment', since: checkout?.completedOn ?? null };
  }
  if (facts.current === 'pending' && checkout?.startedOn) return { reason: 'checkout_not_completed', since: checkout.startedOn };
  return undefined;
}

/** The member's standing on `today` (the organization's day) from their facts and the policy. */
export function deriveStanding(facts: StandingFacts, policy: RetentionPolicy, today: string): DerivedStanding {
  const { paidThrough, firstPaidOn } = paidThroughOf(facts, policy);
  const subscribed = facts.subscriptionStatuses.some((status) => LIVE_SUBSCRIPTION.includes(status));
  const payroll = paidThrough !== null && facts.manualPeriods.some((period) => period.method === 'payroll_deduction' && period.end === paidThrough);
  const verdict = memberStanding(
    {
      current: facts.current,
      decision: facts.decision,
      paidThrough,
      exemptions: facts.exemptions,
      hasArrangement: subscribed || payroll,
      paymentFailing: facts.invoices.some((invoice) => invoice.status === 'open' && invoice.attemptCount > 0),
    },
    policy,
    today,
  );
  const derived: DerivedStanding = { ...verdict, reasonSince: null, paidThrough, firstPaidOn };
  if (verdict.reason !== 'no_payment_record') return derived;
  const pending = pendingReason(facts);
  return pending ? { ...derived, standing: 'pending', reason: pending.reason, reasonSince: pending.since } : derived;
}

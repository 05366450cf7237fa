import { z } from 'zod';
import type { ExemptionKind, Standing, StandingDecision } from '../../db/database';

/**
 * An organization's good-standing rules. Defaults follow the common case (a month's grace,
 * suspension at 3 months owed, dropped at 6); docs/retention.md shows real unions' rules
 * written as these fields.
 */
export interface RetentionPolicy {
  /** Days after the paid-through date before a member who still owes is `lapsed`. */
  graceDays: number;
  /** Months owed at which a member is suspended; null: never automatically. */
  suspendAtMonthsOwed: number | null;
  /** Months owed at which a member is dropped from membership; null: never automatically. */
  dropAtMonthsOwed: number | null;
  /** A member paying by subscription or payroll deduction stays `active` while a failed payment is retried (within grace). */
  arrangementKeepsGoodStanding: boolean;
  /**
   * How a member suspended or dropped for arrears is reinstated once they have paid what
   * they owe: at once (`pay_arrears`), or by an officer after a reinstatement fee (`fee`:
   * they wait in the officers' queue until then).
   */
  reinstatement: 'pay_arrears' | 'fee';
  reinstatementFeeCents: number | null;
  /** A partial refund of a dues payment un-pays its period too (a full refund, or a dispute lost, always does). */
  partialRefundUnpaysPeriod: boolean;
  /** Local hour (0-23) at which the daily scan runs and organizers' digests go out. */
  dailyHour: number;
  /** Where alerts go when neither the member nor their worksite has an organizer; empty: the organization's admins. */
  alertEmails: string[];
  /** Email the routed organizer at once when a payment fails, besides the digest. */
  immediateFailureAlert: boolean;
  notices: { paymentFailed: boolean; cardExpiring: boolean; beforeSuspension: boolean };
  /** How many days before suspension the member is told. */
  noticeDaysBeforeSuspension: number;
  /** The person members are told to contact, named in every notice. */
  contact: { name: string; email: string | null; phone: string | null };
}

export const DEFAULT_POLICY: RetentionPolicy = {
  graceDays: 31,
  suspendAtMonthsOwed: 3,
  dropAtMonthsOwed: 6,
  arrangementKeepsGoodStanding: true,
  reinstatement: 'pay_arrears',
  reinstatementFeeCents: null,
  partialRefundUnpaysPeriod: false,
  dailyHour: 7,
  alertEmails: [],
  immediateFailureAlert: false,
  notices: { paymentFailed: true, cardExpiring: true, beforeSuspension: true },
  noticeDaysBeforeSuspension: 7,
  contact: { name: 'your steward', email: null, phone: null },
};

const noNul = (value: string) => !value.includes('\u0000');
const months = z.number().int().min(1).max(120).nullable();

/** A change to the policy: any subset of fields; the whole result is checked again. */
export const policyChangesSchema = z
  .object({
    graceDays: z.number().int().min(0).max(366),
    suspendAtMonthsOwed: months,
    dropAtMonthsOwed: months,
    arrangementKeepsGoodStanding: z.boolean(),
    reinstatement: z.enum(['pay_arrears', 'fee']),
    reinstatementFeeCents: z.number().int().min(1).max(10_000_000).nullable(),
    partialRefundUnpaysPeriod: z.boolean(),
    dailyHour: z.number().int().min(0).max(23),
    alertEmails: z.array(z.email().max(320)).max(20),
    immediateFailureAlert: z.boolean(),
    notices: z.object({ paymentFailed: z.boolean(), cardExpiring: z.boolean(), beforeSuspension: z.boolean() }).partial().strict(),
    noticeDaysBeforeSuspension: z.number().int().min(1).max(60),
    contact: z
      .object({
        name: z.string().trim().min(1).max(200).refine(noNul, 'contains a NUL character'),
        email: z.email().max(320).nullable(),
        phone: z.string().trim().min(1).max(40).refine(noNul, 'contains a NUL character').nullable(),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();
export type PolicyChanges = z.infer<typeof policyChangesSchema>;

/** The stored policy over the defaults, so a field added later reads as its default. */
export function policyFrom(stored: Record<string, unknown> | undefined): RetentionPolicy {
  const parsed = policyChangesSchema.safeParse(stored ?? {});
  return parsed.success ? applyPolicyChanges(DEFAULT_POLICY, parsed.data) : DEFAULT_POLICY;
}

export function applyPolicyChanges(policy: RetentionPolicy, changes: PolicyChanges): RetentionPolicy {
  return {
    ...policy,
    ...changes,
    notices: { ...policy.notices, ...changes.notices },
    contact: { ...policy.contact, ...changes.contact },
  } as RetentionPolicy;
}

/** Rules that span fields, as field-named problems. */
export function policyProblems(policy: RetentionPolicy): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (policy.suspendAtMonthsOwed !== null && policy.dropAtMonthsOwed !== null && policy.dropAtMonthsOwed <= policy.suspendAtMonthsOwed) {
    problems.push({ path: 'body.dropAtMonthsOwed', message: 'members are dropped after they are suspended: give more months than suspendAtMonthsOwed' });
  }
  if (policy.reinstatement === 'fee' && policy.reinstatementFeeCents === null) {
    problems.push({ path: 'body.reinstatementFeeCents', message: 'reinstatement by fee needs the fee' });
  }
  return problems;
}

/** How many days back a signal still puts a member on the call list. */
export const CALL_SIGNAL_DAYS = 30;

// ---- Calendar days as 'YYYY-MM-DD', computed in UTC so no machine zone can shift them.

const MS_PER_DAY = 86_400_000;
const toUtc = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
const fromUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const addDays = (day: string, days: number): string => fromUtc(toUtc(day) + days * MS_PER_DAY);
export const daysBetween = (from: string, to: string): number => Math.round((toUtc(to) - toUtc(from)) / MS_PER_DAY);

function lastDayOfMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/**
 * The paid-through day moved on by whole months. A paid-through at a month's end stays at
 * month ends (Feb 28 → Mar 31), otherwise the day is kept and clamped (Jan 31 → Feb 28/29),
 * as PostgreSQL's date + interval does. Always counted from the original day, never chained.
 */
export function addMonthsKeepingEnd(day: string, count: number): string {
  const year = Number(day.slice(0, 4));
  const monthIndex = Number(day.slice(5, 7)) - 1;
  const dayOfMonth = Number(day.slice(8, 10));
  const targetYear = year + Math.floor((monthIndex + count) / 12);
  const targetMonth = (((monthIndex + count) % 12) + 12) % 12;
  const atMonthEnd = dayOfMonth === lastDayOfMonth(year, monthIndex);
  const targetLast = lastDayOfMonth(targetYear, targetMonth);
  return fromUtc(Date.UTC(targetYear, targetMonth, atMonthEnd ? targetLast : Math.min(dayOfMonth, targetLast)));
}

/**
 * Months owed on `today` by a member paid through `paidThrough`: the monthly periods that
 * have begun since then. Paid through Jan 31: Feb 1 owes 1, Mar 1 owes 2.
 */
export function monthsOwed(paidThrough: string, today: string): number {
  if (today <= paidThrough) return 0;
  const candidate = (Number(today.slice(0, 4)) - Number(paidThrough.slice(0, 4))) * 12 + Number(today.slice(5, 7)) - Number(paidThrough.slice(5, 7));
  return addMonthsKeepingEnd(paidThrough, candidate) >= today ? candidate : candidate + 1;
}

// ---- The standing function.

export interface Exemption {
  kind: ExemptionKind;
  startsOn: string;
  /** null: open-ended until an officer ends it. */
  endsOn: string | null;
}

export interface MemberFacts {
  current: Standing;
  /** An officer's (or the member's) decision: it stands whatever is paid. */
  decision: StandingDecision | null;
  paidThrough: string | null;
  exemptions: readonly Exemption[];
  /** A live subscription or payroll deduction: the member is paying automatically. */
  hasArrangement: boolean;
  /** A payment has failed and is being retried (an open invoice with attempts). */
  paymentFailing: boolean;
}

export type StandingReason =
  | 'resigned'
  | 'dropped_by_officer'
  | 'suspended_by_officer'
  | 'exemption'
  | 'exempt_by_officer'
  | 'no_payment_record'
  | 'paid_up'
  | 'reinstatement_fee_due'
  | 'arrears_unpaid'
  | 'months_owed_drop'
  | 'months_owed_suspend'
  | 'grace_ended'
  | 'payment_retrying'
  | 'payment_failed'
  | 'renewal_pending'
  | 'dues_overdue';

export interface StandingVerdict {
  standing: Standing;
  reason: StandingReason;
  monthsInArrears: number;
  /** The paid-through day moved on by the days spent exempt: arrears are counted from here. */
  arrearsFrom: string | null;
}

/** Days of ended exemptions after the paid-through day: arrears do not run while exempt. */
export function pausedDays(paidThrough: string, exemptions: readonly Exemption[], today: string): number {
  let total = 0;
  for (const exemption of exemptions) {
    if (exemption.endsOn === null || exemption.endsOn >= today) continue;
    const from = exemption.startsOn > paidThrough ? exemption.startsOn : addDays(paidThrough, 1);
    total += Math.max(0, daysBetween(from, exemption.endsOn) + 1);
  }
  return total;
}

/**
 * A member's standing on a day from their paid-through date and the facts that change
 * with time: the rules of the policy, applied to `today` in the organization's zone. This
 * is the part of deriveStanding (src/members/derive.ts) that moves with the calendar; the
 * daily scan applies the same rules in SQL (scan.ts) to the paid-through dates
 * deriveStanding stored, and a test holds the two together.
 */
export function memberStanding(facts: MemberFacts, policy: RetentionPolicy, today: string): StandingVerdict {
  const verdict = (standing: Standing, reason: StandingReason, monthsInArrears = 0, arrearsFrom: string | null = null): StandingVerdict => ({ standing, reason, monthsInArrears, arrearsFrom });
  // Decisions people made stand whatever is paid: resigning is the member's; dropping, suspending and exempting an officer's.
  if (facts.decision === 'resigned' || facts.current === 'resigned') return verdict('resigned', 'resigned');
  if (facts.decision === 'dropped') return verdict('dropped', 'dropped_by_officer');
  if (facts.decision === 'suspended') return verdict('suspended', 'suspended_by_officer');
  const exemptNow = facts.exemptions.find((e) => e.startsOn <= today && (e.endsOn === null || e.endsOn >= today));
  if (exemptNow) return verdict('exempt', 'exemption');
  // An officer's exemption with no dates on record stands until an officer lifts it.
  if (facts.decision === 'exempt' || (facts.current === 'exempt' && facts.exemptions.length === 0)) return verdict('exempt', 'exempt_by_officer');
  // Never paid (a pending signup) or imported without a paid-through day: nothing to count from.
  if (facts.paidThrough === null) return verdict(facts.current, 'no_payment_record');

  const arrearsFrom = addDays(facts.paidThrough, pausedDays(facts.paidThrough, facts.exemptions, today));
  const owed = monthsOwed(arrearsFrom, today);
  const daysOverdue = daysBetween(arrearsFrom, today);
  // Suspended or dropped for arrears, by the rules (not by an officer's decision): paying
  // what is owed reinstates at once, or queues the member for an officer when the policy asks for a fee.
  const outForArrears = facts.current === 'suspended' || facts.current === 'dropped';
  if (daysOverdue <= 0) {
    if (outForArrears && policy.reinstatement === 'fee') return verdict(facts.current, 'reinstatement_fee_due', 0, arrearsFrom);
    return verdict('active', 'paid_up', 0, arrearsFrom);
  }
  if (policy.dropAtMonthsOwed !== null && owed >= policy.dropAtMonthsOwed) return verdict('dropped', 'months_owed_drop', owed, arrearsFrom);
  // Reinstatement takes the whole arrears: a part payment leaves a drop (or a suspension) in place.
  if (facts.current === 'dropped') return verdict('dropped', 'arrears_unpaid', owed, arrearsFrom);
  if (policy.suspendAtMonthsOwed !== null && owed >= policy.suspendAtMonthsOwed) return verdict('suspended', 'months_owed_suspend', owed, arrearsFrom);
  if (facts.current === 'suspended') return verdict('suspended', 'arrears_unpaid', owed, arrearsFrom);
  if (daysOverdue > policy.graceDays) return verdict('lapsed', 'grace_ended', owed, arrearsFrom);
  if (facts.paymentFailing) {
    return facts.hasArrangement && policy.arrangementKeepsGoodStanding ? verdict('active', 'payment_retrying', owed, arrearsFrom) : verdict('past_due', 'payment_failed', owed, arrearsFrom);
  }
  if (facts.hasArrangement) return verdict('active', 'renewal_pending', owed, arrearsFrom);
  return verdict('past_due', 'dues_overdue', owed, arrearsFrom);
}

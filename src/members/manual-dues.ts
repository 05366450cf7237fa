import { computeDues, type AmountRule, type BillingPeriod, type WageFacts } from '../plans/dues';
import { addDays, addMonthsKeepingEnd } from '../retention/policy';

/**
 * What a manual payment (cash, a check, a payroll remittance) pays for: the dues of each
 * billing period it names, from the plan version in force when that period begins,
 * checked against the amount. Pure functions; the route reads the plan and the member.
 */

export interface Period {
  start: string;
  end: string;
}

export interface PeriodDues extends Period {
  duesCents: number;
}

/** The day `count` months after `day`, counted from `day` itself and clamped to shorter months (Jan 31 + 1 = Feb 28). */
function addMonthsClamped(day: string, count: number): string {
  const atEnd = addMonthsKeepingEnd(day, count);
  // addMonthsKeepingEnd keeps month ends (Feb 28 + 1 = Mar 31); a period that starts on the 28th renews on the 28th.
  const dayOfMonth = Number(day.slice(8, 10));
  return Number(atEnd.slice(8, 10)) > dayOfMonth ? `${atEnd.slice(0, 8)}${day.slice(8, 10)}` : atEnd;
}

/** The first day of the n-th billing period after the one starting on `start`. */
function periodStart(start: string, billing: BillingPeriod, n: number): string {
  if (billing.interval === 'week') return addDays(start, 7 * billing.intervalCount * n);
  return addMonthsClamped(start, (billing.interval === 'year' ? 12 : 1) * billing.intervalCount * n);
}

export const MAX_PERIODS = 60;

/**
 * The plan's billing periods from `start` through `end`: `end` must close one (a month
 * from September 1 ends September 30). Otherwise the message names the period ends around it.
 */
export function billingPeriods(range: Period, billing: BillingPeriod): { ok: true; periods: Period[] } | { ok: false; message: string } {
  const periods: Period[] = [];
  for (let n = 0; n < MAX_PERIODS; n += 1) {
    const period = { start: periodStart(range.start, billing, n), end: addDays(periodStart(range.start, billing, n + 1), -1) };
    if (period.end > range.end) {
      const before = periods.at(-1)?.end;
      const nearest = before ? `${before} or ${period.end}` : period.end;
      return { ok: false, message: `the plan bills every ${billing.intervalCount === 1 ? '' : `${billing.intervalCount} `}${billing.interval}${billing.intervalCount === 1 ? '' : 's'}: periods from ${range.start} end on ${nearest}` };
    }
    periods.push(period);
    if (period.end === range.end) return { ok: true, periods };
  }
  return { ok: false, message: `at most ${MAX_PERIODS} billing periods in one payment` };
}

export interface RateVersion {
  effectiveFrom: string;
  rule: AmountRule;
}

/** The dues of each period at the rate in force on its first day, from the member's wage facts. */
export function duesOfPeriods(periods: readonly Period[], versions: readonly RateVersion[], billing: BillingPeriod, facts: WageFacts): { ok: true; dues: PeriodDues[] } | { ok: false; message: string } {
  const byDate = [...versions].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const dues: PeriodDues[] = [];
  for (const period of periods) {
    const version = byDate.filter((v) => v.effectiveFrom <= period.start).at(-1);
    if (!version) return { ok: false, message: `the plan has no rate for the period starting ${period.start}` };
    const computed = computeDues(version.rule, billing, facts);
    if (!computed.ok) return { ok: false, message: `the dues of the period starting ${period.start} need the member's ${computed.field} (${computed.message})` };
    dues.push({ ...period, duesCents: computed.amountCents });
  }
  return { ok: true, dues };
}

export interface AllocationInput {
  /** The periods named, with their dues. */
  periods: readonly PeriodDues[];
  /** What earlier manual payments already paid towards each period, by `start/end`. */
  alreadyPaid: ReadonlyMap<string, number>;
  /** The paid-through date a roll recorded: periods ending by then were paid before payments were kept here. */
  paidThrough: string | null;
  amountCents: number;
  /** Credit left from earlier overpayments. */
  creditCents: number;
  /** Recorded as a partial payment: less than owed is taken, towards the periods in order. */
  partial: boolean;
}

export interface AllocationLine extends PeriodDues {
  appliedCents: number;
}

export type Allocation =
  | {
      ok: true;
      /** The periods paid towards, in order, with what went to each (none for a period already paid). */
      lines: AllocationLine[];
      owedCents: number;
      /** Credit from earlier payments used here. */
      creditUsedCents: number;
      /** What this payment paid beyond the dues owed: the member's credit. */
      creditCents: number;
      /** The last day of the periods now paid in full, in an unbroken run from the first; null if none. */
      paidThroughPeriods: string | null;
    }
  | { ok: false; owedCents: number; shortCents: number };

export const periodKey = (period: Period) => `${period.start}/${period.end}`;

/**
 * Applies a payment (and the member's credit) to the periods it names, oldest first. Less
 * than owed is refused unless the payment is recorded as partial; more than owed is kept
 * as credit. A period already paid (before the recorded paid-through date, or by earlier
 * manual payments) owes only what is left of it.
 */
export function allocateManualPayment(input: AllocationInput): Allocation {
  const owed = input.periods.map((period) => {
    if (input.paidThrough !== null && period.end <= input.paidThrough) return 0;
    return Math.max(0, period.duesCents - (input.alreadyPaid.get(periodKey(period)) ?? 0));
  });
  const owedCents = owed.reduce((sum, cents) => sum + cents, 0);
  const available = input.amountCents + input.creditCents;
  if (available < owedCents && !input.partial) return { ok: false, owedCents, shortCents: owedCents - available };
  let left = available;
  let paidThroughPeriods: string | null = null;
  let unbroken = true;
  const lines: AllocationLine[] = input.periods.map((period, i) => {
    const applied = Math.min(owed[i]!, left);
    left -= applied;
    const settled = applied === owed[i]!;
    if (unbroken && settled) paidThroughPeriods = period.end;
    else unbroken = false;
    return { ...period, appliedCents: applied };
  });
  const appliedCents = available - left;
  return {
    ok: true,
    lines,
    owedCents,
    creditUsedCents: Math.max(0, appliedCents - input.amountCents),
    creditCents: Math.max(0, input.amountCents - appliedCents),
    paidThroughPeriods,
  };
}

import { z } from 'zod';

// Dues arithmetic: integer minor units and basis points only, BigInt in the middle so
// large wages cannot lose precision, one rounding (half up) at the end, then the clamp.

const cents = z.number().int().min(0).max(100_000_000);
const positiveCents = z.number().int().min(1).max(100_000_000);

export const amountRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('flat'), amountCents: cents }),
  z.object({
    kind: z.literal('percent_of_wages'),
    basisPoints: z.number().int().min(1).max(10_000),
    minimumCents: cents.optional(),
    maximumCents: positiveCents.optional(),
  }),
  // N hours of the member's hourly wage per month, N in hundredths (2.5 hours = 250).
  z.object({ kind: z.literal('hours_of_pay'), hoursHundredths: z.number().int().min(1).max(100_000) }),
  z.object({
    kind: z.literal('income_brackets'),
    brackets: z.array(z.object({ label: z.string().trim().min(1).max(100), amountCents: cents })).min(1).max(20),
  }),
  z.object({
    kind: z.literal('member_chosen'),
    minimumCents: positiveCents,
    maximumCents: positiveCents.optional(),
    suggestedCents: z.array(positiveCents).max(10).default([]),
  }),
]).superRefine((rule, ctx) => {
  if ((rule.kind === 'percent_of_wages' || rule.kind === 'member_chosen') && rule.maximumCents !== undefined && rule.minimumCents !== undefined && rule.maximumCents < rule.minimumCents) {
    ctx.addIssue({ code: 'custom', path: ['maximumCents'], message: 'the maximum is below the minimum' });
  }
  if (rule.kind === 'member_chosen' && rule.suggestedCents.some((s) => s < rule.minimumCents || (rule.maximumCents !== undefined && s > rule.maximumCents))) {
    ctx.addIssue({ code: 'custom', path: ['suggestedCents'], message: 'every suggested amount must lie between the minimum and the maximum' });
  }
});
export type AmountRule = z.infer<typeof amountRuleSchema>;
export type AmountRuleKind = AmountRule['kind'];

export const PAY_FREQUENCIES = { weekly: 52, biweekly: 26, semimonthly: 24, monthly: 12, annually: 1 } as const;
export type PayFrequency = keyof typeof PAY_FREQUENCIES;

/** Own keys only: `in` would also take `constructor`, `toString` or `__proto__` for a frequency. */
export const isPayFrequency = (text: string): text is PayFrequency => Object.hasOwn(PAY_FREQUENCIES, text);

/** What a member states at signup; which fields matter depends on the plan's rule. */
export const wageFactsSchema = z
  .object({
    grossWageCents: cents.optional(),
    payFrequency: z.enum(Object.keys(PAY_FREQUENCIES) as [PayFrequency, ...PayFrequency[]]).optional(),
    hourlyWageCents: cents.optional(),
    bracket: z.number().int().min(0).max(19).optional(),
    chosenAmountCents: positiveCents.optional(),
  })
  .strict();
export type WageFacts = z.infer<typeof wageFactsSchema>;

export interface BillingPeriod {
  interval: 'week' | 'month' | 'year';
  intervalCount: number;
}

export type DuesResult = { ok: true; amountCents: number } | { ok: false; field: keyof WageFacts; message: string };

/** Billing periods per year as a fraction: every 3 weeks is 52/3 a year. */
function periodsPerYear(period: BillingPeriod): { numerator: bigint; denominator: bigint } {
  const perYear = { week: 52n, month: 12n, year: 1n }[period.interval];
  return { numerator: perYear, denominator: BigInt(period.intervalCount) };
}

/** numerator / denominator rounded half up (both non-negative). */
function roundHalfUp(numerator: bigint, denominator: bigint): number {
  const rounded = (2n * numerator + denominator) / (2n * denominator);
  if (rounded > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('dues amount out of range');
  return Number(rounded);
}

function clamp(amount: number, minimum: number | undefined, maximum: number | undefined): number {
  const atLeast = minimum === undefined ? amount : Math.max(amount, minimum);
  return maximum === undefined ? atLeast : Math.min(atLeast, maximum);
}

/**
 * The dues a member owes per billing period under one plan version's rule, from the wage
 * facts they stated. The signup page, the API and the Stripe sync all call this.
 */
export function computeDues(rule: AmountRule, period: BillingPeriod, facts: WageFacts): DuesResult {
  const perYear = periodsPerYear(period);
  switch (rule.kind) {
    case 'flat':
      return { ok: true, amountCents: rule.amountCents };
    case 'percent_of_wages': {
      if (facts.grossWageCents === undefined) return { ok: false, field: 'grossWageCents', message: 'state your gross wages' };
      if (facts.payFrequency === undefined) return { ok: false, field: 'payFrequency', message: 'say how often you are paid' };
      // wages per year = wage × pay periods; per billing period = that ÷ billing periods a year.
      const numerator = BigInt(facts.grossWageCents) * BigInt(PAY_FREQUENCIES[facts.payFrequency]) * BigInt(rule.basisPoints) * perYear.denominator;
      const denominator = 10_000n * perYear.numerator;
      return { ok: true, amountCents: clamp(roundHalfUp(numerator, denominator), rule.minimumCents, rule.maximumCents) };
    }
    case 'hours_of_pay': {
      if (facts.hourlyWageCents === undefined) return { ok: false, field: 'hourlyWageCents', message: 'state your hourly wage' };
      // The rule is per month: 12 months' worth spread over the plan's billing periods.
      const numerator = BigInt(facts.hourlyWageCents) * BigInt(rule.hoursHundredths) * 12n * perYear.denominator;
      const denominator = 100n * perYear.numerator;
      return { ok: true, amountCents: roundHalfUp(numerator, denominator) };
    }
    case 'income_brackets': {
      if (facts.bracket === undefined) return { ok: false, field: 'bracket', message: 'choose your income bracket' };
      const bracket = rule.brackets[facts.bracket];
      if (!bracket) return { ok: false, field: 'bracket', message: 'choose one of the listed brackets' };
      return { ok: true, amountCents: bracket.amountCents };
    }
    case 'member_chosen': {
      if (facts.chosenAmountCents === undefined) return { ok: false, field: 'chosenAmountCents', message: 'choose an amount' };
      if (facts.chosenAmountCents < rule.minimumCents) return { ok: false, field: 'chosenAmountCents', message: `the minimum is ${rule.minimumCents} cents` };
      if (rule.maximumCents !== undefined && facts.chosenAmountCents > rule.maximumCents) {
        return { ok: false, field: 'chosenAmountCents', message: `the maximum is ${rule.maximumCents} cents` };
      }
      return { ok: true, amountCents: facts.chosenAmountCents };
    }
  }
}

/** The wage facts a rule reads, so forms and imports ask for exactly those. */
export function wageFactsNeeded(rule: AmountRule): Array<keyof WageFacts> {
  switch (rule.kind) {
    case 'flat':
      return [];
    case 'percent_of_wages':
      return ['grossWageCents', 'payFrequency'];
    case 'hours_of_pay':
      return ['hourlyWageCents'];
    case 'income_brackets':
      return ['bracket'];
    case 'member_chosen':
      return ['chosenAmountCents'];
  }
}

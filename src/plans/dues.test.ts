import { computeDues, type AmountRule, type BillingPeriod, type WageFacts } from './dues';

const MONTHLY: BillingPeriod = { interval: 'month', intervalCount: 1 };
const YEARLY: BillingPeriod = { interval: 'year', intervalCount: 1 };
const WEEKLY: BillingPeriod = { interval: 'week', intervalCount: 1 };
const BIWEEKLY: BillingPeriod = { interval: 'week', intervalCount: 2 };
const EVERY_3_WEEKS: BillingPeriod = { interval: 'week', intervalCount: 3 };

// 2.1% of gross wages, minimum $25, maximum $75 a month.
const PERCENT_2_1: AmountRule = { kind: 'percent_of_wages', basisPoints: 210, minimumCents: 2500, maximumCents: 7500 };
const PERCENT_1_5_OPEN: AmountRule = { kind: 'percent_of_wages', basisPoints: 150 };
const HOURS_2_5: AmountRule = { kind: 'hours_of_pay', hoursHundredths: 250 };
const BRACKETS: AmountRule = {
  kind: 'income_brackets',
  brackets: [
    { label: 'under $20,000 a year', amountCents: 500 },
    { label: '$20,000 to $40,000', amountCents: 6000 },
    { label: 'over $40,000', amountCents: 24000 },
  ],
};
const CHOSEN: AmountRule = { kind: 'member_chosen', minimumCents: 500, maximumCents: 24000, suggestedCents: [1200, 6000] };

// [case, rule, billing period, wage facts, expected cents or the field at fault]
const CASES: Array<[string, AmountRule, BillingPeriod, WageFacts, number | string]> = [
  ['flat $25 a month', { kind: 'flat', amountCents: 2500 }, MONTHLY, {}, 2500],
  ['flat $35 a year', { kind: 'flat', amountCents: 3500 }, YEARLY, {}, 3500],
  ['flat ignores stated wages', { kind: 'flat', amountCents: 2500 }, MONTHLY, { grossWageCents: 999_999 }, 2500],
  ['2.1%: $2,000 monthly wages → $42.00', PERCENT_2_1, MONTHLY, { grossWageCents: 200_000, payFrequency: 'monthly' }, 4200],
  ['2.1%: $900 biweekly → $900×26/12×2.1% = $40.95', PERCENT_2_1, MONTHLY, { grossWageCents: 90_000, payFrequency: 'biweekly' }, 4095],
  ['2.1%: $600 weekly → $600×52/12×2.1% = $54.60', PERCENT_2_1, MONTHLY, { grossWageCents: 60_000, payFrequency: 'weekly' }, 5460],
  ['2.1%: $1,500 semimonthly → $63.00', PERCENT_2_1, MONTHLY, { grossWageCents: 150_000, payFrequency: 'semimonthly' }, 6300],
  ['2.1%: $48,000 a year → $84 clamps to the $75 maximum', PERCENT_2_1, MONTHLY, { grossWageCents: 4_800_000, payFrequency: 'annually' }, 7500],
  ['2.1%: zero wages → the $25 minimum', PERCENT_2_1, MONTHLY, { grossWageCents: 0, payFrequency: 'monthly' }, 2500],
  ['2.1%: exactly at the minimum ($1,190.48 → $25.00)', PERCENT_2_1, MONTHLY, { grossWageCents: 119_048, payFrequency: 'monthly' }, 2500],
  ['2.1%: just under the minimum ($1,190.00 → $24.99 → $25)', PERCENT_2_1, MONTHLY, { grossWageCents: 119_000, payFrequency: 'monthly' }, 2500],
  ['2.1%: exactly at the maximum ($3,571.43 → $75.00)', PERCENT_2_1, MONTHLY, { grossWageCents: 357_143, payFrequency: 'monthly' }, 7500],
  ['2.1%: just over the maximum ($3,572.00 → $75.01 → $75)', PERCENT_2_1, MONTHLY, { grossWageCents: 357_200, payFrequency: 'monthly' }, 7500],
  ['1.5% no clamp: half a cent rounds up ($1,003.00 → $15.045 → $15.05)', PERCENT_1_5_OPEN, MONTHLY, { grossWageCents: 100_300, payFrequency: 'monthly' }, 1505],
  ['1.5%: just under half a cent rounds down ($1,002.99 → $15.04485 → $15.04)', PERCENT_1_5_OPEN, MONTHLY, { grossWageCents: 100_299, payFrequency: 'monthly' }, 1504],
  ['1.5%: odd cents ($1,234.57 → $18.51855 → $18.52)', PERCENT_1_5_OPEN, MONTHLY, { grossWageCents: 123_457, payFrequency: 'monthly' }, 1852],
  ['1.5%: zero wages and no minimum → $0', PERCENT_1_5_OPEN, MONTHLY, { grossWageCents: 0, payFrequency: 'weekly' }, 0],
  ['1.5%: large wages ($1,000,000.00 a month → $15,000.00)', PERCENT_1_5_OPEN, MONTHLY, { grossWageCents: 100_000_000, payFrequency: 'monthly' }, 1_500_000],
  ['1.5% billed weekly of $600 weekly wages → $9.00', PERCENT_1_5_OPEN, WEEKLY, { grossWageCents: 60_000, payFrequency: 'weekly' }, 900],
  ['1.5% billed biweekly of $600 weekly wages → $18.00', PERCENT_1_5_OPEN, BIWEEKLY, { grossWageCents: 60_000, payFrequency: 'weekly' }, 1800],
  ['1.5% billed every 3 weeks of $2,000 monthly wages → $2,000×12×3/52×1.5% = $20.77', PERCENT_1_5_OPEN, EVERY_3_WEEKS, { grossWageCents: 200_000, payFrequency: 'monthly' }, 2077],
  ['1.5% billed yearly of $3,000 monthly → $540.00', PERCENT_1_5_OPEN, YEARLY, { grossWageCents: 300_000, payFrequency: 'monthly' }, 54_000],
  ['percent without wages names the field', PERCENT_2_1, MONTHLY, { payFrequency: 'monthly' }, 'grossWageCents'],
  ['percent without a pay frequency names the field', PERCENT_2_1, MONTHLY, { grossWageCents: 100_000 }, 'payFrequency'],
  ['2.5 hours of $22.00/hour a month → $55.00', HOURS_2_5, MONTHLY, { hourlyWageCents: 2200 }, 5500],
  ['2.5 hours of $17.33/hour → $43.325 → $43.33', HOURS_2_5, MONTHLY, { hourlyWageCents: 1733 }, 4333],
  ['2.5 hours of $0/hour → $0', HOURS_2_5, MONTHLY, { hourlyWageCents: 0 }, 0],
  ['2.5 hours a month billed yearly at $20/hour → $600', HOURS_2_5, YEARLY, { hourlyWageCents: 2000 }, 60_000],
  ['hours without an hourly wage names the field', HOURS_2_5, MONTHLY, {}, 'hourlyWageCents'],
  ['bracket 0 → $5 a year', BRACKETS, YEARLY, { bracket: 0 }, 500],
  ['bracket 2 → $240 a year', BRACKETS, YEARLY, { bracket: 2 }, 24_000],
  ['a bracket that does not exist names the field', BRACKETS, YEARLY, { bracket: 3 }, 'bracket'],
  ['no bracket chosen names the field', BRACKETS, YEARLY, {}, 'bracket'],
  ['member-chosen $5 minimum exactly', CHOSEN, YEARLY, { chosenAmountCents: 500 }, 500],
  ['member-chosen $60', CHOSEN, YEARLY, { chosenAmountCents: 6000 }, 6000],
  ['member-chosen $240 maximum exactly', CHOSEN, YEARLY, { chosenAmountCents: 24_000 }, 24_000],
  ['member-chosen below the minimum is refused', CHOSEN, YEARLY, { chosenAmountCents: 499 }, 'chosenAmountCents'],
  ['member-chosen above the maximum is refused', CHOSEN, YEARLY, { chosenAmountCents: 24_001 }, 'chosenAmountCents'],
];

describe('computeDues', () => {
  test.each(CASES)('%s', (_name, rule, period, facts, expected) => {
    const result = computeDues(rule, period, facts);
    if (typeof expected === 'number') {
      expect(result).toEqual({ ok: true, amountCents: expected });
    } else {
      expect(result).toMatchObject({ ok: false, field: expected });
    }
  });

  test('every amount is a whole number of cents', () => {
    for (const [, rule, period, facts] of CASES) {
      const result = computeDues(rule, period, facts);
      if (result.ok) expect(Number.isSafeInteger(result.amountCents)).toBe(true);
    }
  });
});

import { z } from 'zod';
import { amountRuleSchema } from './dues';
import type { Language, Plan, PlanVersion } from '../../db/database';
import type { PlanTranslations } from '../../db/database-admin';
import type { AmountRule } from './dues';

const isoDate = z.iso.date();

const versionFields = {
  amountRule: amountRuleSchema,
  initiationFeeCents: z.number().int().min(1).max(100_000_00).optional(),
  authorizationNote: z.string().trim().min(3, 'say which vote or decision set this rate').max(2000),
};

export const newPlanSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    memberClass: z.string().trim().min(1).max(60).default('regular'),
    currency: z.string().trim().toLowerCase().regex(/^[a-z]{3}$/).optional(),
    interval: z.enum(['week', 'month', 'year']),
    intervalCount: z.number().int().min(1).max(52).default(1),
    effectiveFrom: isoDate.optional(),
    ...versionFields,
  })
  .strict()
  .superRefine((plan, ctx) => {
    if (plan.interval !== 'week' && plan.intervalCount !== 1) {
      ctx.addIssue({ code: 'custom', path: ['intervalCount'], message: 'only weekly plans bill every N periods (biweekly is week × 2)' });
    }
    if (plan.amountRule.kind === 'hours_of_pay' && plan.interval !== 'month') {
      ctx.addIssue({ code: 'custom', path: ['interval'], message: 'hours-of-pay dues are set per month' });
    }
  });
export type NewPlan = z.infer<typeof newPlanSchema>;

export const newVersionSchema = z.object({ effectiveFrom: isoDate, ...versionFields }).strict();
export type NewPlanVersion = z.infer<typeof newVersionSchema>;

const planTranslationSchema = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    description: z.string().trim().min(1).max(500).optional(),
    bracketLabels: z.array(z.string().trim().min(1).max(100)).min(1).max(20).optional(),
  })
  .strict();
export const planTranslationsSchema = z.object({ en: planTranslationSchema.optional(), es: planTranslationSchema.optional() }).strict();

/** How a plan shows on the signup page: its words in each language, its place, whether it shows, whether it is chosen already. */
export const planPresentationSchema = z
  .object({
    description: z.string().trim().max(500).nullable().optional(),
    translations: planTranslationsSchema.optional(),
    displayOrder: z.number().int().min(0).max(10_000).optional(),
    visibleOnSignup: z.boolean().optional(),
    preselected: z.boolean().optional(),
  })
  .strict();
export type PlanPresentation = z.infer<typeof planPresentationSchema>;

export const planChangesSchema = z
  .object({ name: z.string().trim().min(1).max(120).optional(), memberClass: z.string().trim().min(1).max(60).optional(), ...planPresentationSchema.shape })
  .strict();

/** Translated bracket labels must name every bracket of the rule in force, in order: one label per bracket. */
export function bracketLabelProblems(translations: PlanTranslations, rule: AmountRule | undefined): Language[] {
  const count = rule?.kind === 'income_brackets' ? rule.brackets.length : 0;
  return (['en', 'es'] as const).filter((language) => {
    const labels = translations[language]?.bracketLabels;
    return labels !== undefined && labels.length !== count;
  });
}

/** A plan's words in a language: its translation where there is one, the base text elsewhere. */
export function planInLanguage(plan: { name: string; description: string | null; translations: PlanTranslations }, rule: AmountRule, language: Language): { name: string; description: string | null; rule: AmountRule } {
  const words = plan.translations[language] ?? {};
  const labels = words.bracketLabels;
  const translatedRule: AmountRule =
    rule.kind === 'income_brackets' && labels && labels.length === rule.brackets.length ? { ...rule, brackets: rule.brackets.map((bracket, i) => ({ ...bracket, label: labels[i]! })) } : rule;
  return { name: words.name ?? plan.name, description: words.description ?? plan.description, rule: translatedRule };
}

/** The version in force on a day: the latest effective on or before it. */
export function versionOn<V extends { effective_from: string }>(versions: readonly V[], day: string): V | undefined {
  let found: V | undefined;
  for (const version of versions) {
    if (version.effective_from <= day && (!found || version.effective_from > found.effective_from)) found = version;
  }
  return found;
}

export function presentPlan(plan: Plan, versions: PlanVersion[], today: string) {
  const current = versionOn(versions, today);
  return {
    id: plan.id,
    name: plan.name,
    memberClass: plan.member_class,
    currency: plan.currency,
    interval: plan.billing_interval,
    intervalCount: plan.billing_interval_count,
    status: plan.status,
    archivedAt: plan.archived_at,
    stripeProductId: plan.stripe_product_id,
    description: plan.description,
    translations: plan.translations,
    displayOrder: plan.display_order,
    visibleOnSignup: plan.visible_on_signup,
    preselected: plan.preselected,
    currentVersion: current?.version ?? null,
    versions: versions.map((v) => ({
      id: v.id,
      version: v.version,
      effectiveFrom: v.effective_from,
      amountRule: v.amount_rule,
      initiationFeeCents: v.initiation_fee_cents,
      authorizationNote: v.authorization_note,
      stripePriceId: v.stripe_price_id,
      createdAt: v.created_at,
    })),
    createdAt: plan.created_at,
  };
}

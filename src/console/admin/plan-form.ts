import type { Plan } from '../../../db/database';
import type { PlanTranslations } from '../../../db/database-admin';
import type { AmountRule } from '../../plans/dues';
import { newPlanSchema, type NewPlan, type PlanPresentation } from '../../plans/plans';
import { readAmount } from '../../signup/amounts';
import type { Messages } from '../i18n';
import type { PlanErrors, PlanField, PlanValues } from '../pages/plans';

// Reading the plan forms: every problem at once, under its field, and the values as typed
// so the page can show them again.

const PRESENTATION_FIELDS: readonly PlanField[] = ['name', 'nameEs', 'description', 'descriptionEs', 'bracketsEn', 'bracketsEs', 'displayOrder', 'visibleOnSignup', 'preselected'];
const RATE_FIELDS: readonly PlanField[] = ['interval', 'kind', 'amount', 'percent', 'brackets', 'authorizationNote', 'effectiveFrom'];

export function planValuesFrom(body: unknown, withRate: boolean): PlanValues {
  const source = (body ?? {}) as Record<string, unknown>;
  const values: PlanValues = {};
  for (const field of withRate ? [...PRESENTATION_FIELDS, ...RATE_FIELDS] : PRESENTATION_FIELDS) {
    const value = source[field];
    if (typeof value === 'string') values[field] = value;
  }
  return values;
}

const bracketLabelsOf = (rule: AmountRule | undefined) => (rule?.kind === 'income_brackets' ? rule.brackets.map((b) => b.label) : []);

/** The edit form as the plan stands: its translations, or the base labels where none is written. */
export function planValuesOf(plan: Plan, rule: AmountRule | undefined): PlanValues {
  const t = plan.translations;
  return {
    name: plan.name,
    nameEs: t.es?.name ?? '',
    description: plan.description ?? '',
    descriptionEs: t.es?.description ?? '',
    bracketsEn: (t.en?.bracketLabels ?? bracketLabelsOf(rule)).join('\n'),
    bracketsEs: (t.es?.bracketLabels ?? []).join('\n'),
    displayOrder: String(plan.display_order),
    visibleOnSignup: plan.visible_on_signup ? 'yes' : '',
    preselected: plan.preselected ? 'yes' : '',
  };
}

const hasNul = (value: string) => value.includes('\u0000');
const lines = (value: string | undefined) => (value ?? '').split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);

export type PresentationReading = { ok: true; name: string; presentation: PlanPresentation } | { ok: false; errors: PlanErrors };

/** The words, place and visibility of a plan; bracket labels must be one per bracket of `rule`. */
export function readPresentation(m: Messages, values: PlanValues, rule: AmountRule | undefined): PresentationReading {
  const a = m.admin;
  const errors: PlanErrors = {};
  const text = (field: PlanField, max: number, required = false): string | undefined => {
    const value = (values[field] ?? '').trim();
    if (hasNul(value) || value.length > max) errors[field] = a.errTooLong(max);
    else if (required && value.length === 0) errors[field] = a.errPlanName;
    return value.length > 0 ? value : undefined;
  };
  const name = text('name', 120, true);
  const nameEs = text('nameEs', 120);
  const description = text('description', 500);
  const descriptionEs = text('descriptionEs', 500);
  const base = bracketLabelsOf(rule);
  const labels = (field: 'bracketsEn' | 'bracketsEs'): string[] | undefined => {
    const given = lines(values[field]);
    if (given.length === 0 || base.length === 0) return undefined;
    if (given.length !== base.length) errors[field] = a.errBracketCount(base.length);
    else if (given.some((label) => label.length > 100 || hasNul(label))) errors[field] = a.errTooLong(100);
    return given;
  };
  const en = labels('bracketsEn');
  const es = labels('bracketsEs');
  const order = (values.displayOrder ?? '').trim();
  if (!/^\d{1,5}$/.test(order) || Number(order) > 10_000) errors.displayOrder = a.errOrder;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const translations: PlanTranslations = {};
  // English labels the same as the rule's are no translation: a new version's labels then show as they are.
  if (en && en.join('\n') !== base.join('\n')) translations.en = { bracketLabels: en };
  if (nameEs || descriptionEs || es) translations.es = { ...(nameEs ? { name: nameEs } : {}), ...(descriptionEs ? { description: descriptionEs } : {}), ...(es ? { bracketLabels: es } : {}) };
  return {
    ok: true,
    name: name!,
    presentation: { description: description ?? null, translations, displayOrder: Number(order), visibleOnSignup: values.visibleOnSignup === 'yes', preselected: values.preselected === 'yes' },
  };
}

/** "1.5" or "1,5" percent → 150 basis points; undefined for anything else. */
export function readPercent(value: string): number | undefined {
  const match = /^(\d{1,2})(?:[.,](\d{1,2}))?\s*%?$/.exec(value.trim());
  if (!match) return undefined;
  const basisPoints = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return basisPoints > 0 ? basisPoints : undefined;
}

/** "Under $25,000 a year | 10.00" per line: the label, then after the last bar the amount. */
export function readBrackets(value: string): Array<{ label: string; amountCents: number }> | undefined {
  const brackets = [];
  for (const line of lines(value)) {
    const bar = line.lastIndexOf('|');
    if (bar <= 0) return undefined;
    const amount = readAmount(line.slice(bar + 1));
    const label = line.slice(0, bar).trim();
    if (!amount.ok || label.length === 0) return undefined;
    brackets.push({ label, amountCents: amount.cents });
  }
  return brackets.length > 0 ? brackets : undefined;
}

export type NewPlanReading = { ok: true; plan: NewPlan; presentation: PlanPresentation } | { ok: false; errors: PlanErrors };

/** A new plan: its rate (checked by the API's own schema) and how it shows on the signup page. */
export function readNewPlan(m: Messages, values: PlanValues): NewPlanReading {
  const a = m.admin;
  const shown = readPresentation(m, values, undefined);
  const errors: PlanErrors = shown.ok ? {} : { ...shown.errors };
  const kind = values.kind;
  let amountRule: AmountRule | undefined;
  if (kind === 'flat') {
    const amount = readAmount(values.amount ?? '');
    if (amount.ok && amount.cents > 0) amountRule = { kind: 'flat', amountCents: amount.cents };
    else errors.amount = a.errAmount;
  } else if (kind === 'percent_of_wages') {
    const basisPoints = readPercent(values.percent ?? '');
    if (basisPoints !== undefined) amountRule = { kind: 'percent_of_wages', basisPoints };
    else errors.percent = a.errPercent;
  } else if (kind === 'income_brackets') {
    const brackets = readBrackets(values.brackets ?? '');
    if (brackets) amountRule = { kind: 'income_brackets', brackets };
    else errors.brackets = a.errBrackets;
  } else {
    errors.kind = a.errKind;
  }
  const effectiveFrom = (values.effectiveFrom ?? '').trim();
  const parsed = newPlanSchema.safeParse({
    name: shown.ok ? shown.name : 'placeholder',
    interval: values.interval,
    amountRule: amountRule ?? { kind: 'flat', amountCents: 1 },
    authorizationNote: values.authorizationNote ?? '',
    ...(effectiveFrom ? { effectiveFrom } : {}),
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const top = String(issue.path[0]);
      if (top === 'authorizationNote') errors.authorizationNote ??= a.errAuthorization;
      else if (top === 'effectiveFrom') errors.effectiveFrom ??= a.errDay;
      else if (top === 'interval' || top === 'intervalCount') errors.interval ??= a.errInterval;
      else if (top === 'amountRule') errors[kind === 'income_brackets' ? 'brackets' : kind === 'percent_of_wages' ? 'percent' : 'amount'] ??= a.errAmount;
      else if (top === 'name') errors.name ??= a.errPlanName;
    }
  }
  if (!shown.ok || !parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, plan: parsed.data, presentation: shown.presentation };
}

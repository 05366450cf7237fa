import { z } from 'zod';
import type { Language, SignupPaymentMethod } from '../../db/database';
import { isPayFrequency, wageFactsNeeded, type AmountRule, type BillingPeriod, type WageFacts } from '../plans/dues';
import { checkWageFacts } from '../members/members';
import { readAmount } from './amounts';
import { formatBasisPoints, formatMoney, type Messages } from './i18n';

/** A plan as the signup page offers it, in the visitor's language: the plan and the version in force today. */
export interface SignupPlan {
  id: string;
  name: string;
  description?: string | null;
  /** The plan the form starts with chosen (at most one). */
  preselected?: boolean;
  currency: string;
  period: BillingPeriod;
  rule: AmountRule;
  initiationFeeCents: number | null;
  stripeProductId: string | null;
  stripePriceId: string | null;
}

export const PAYMENT_METHODS: readonly SignupPaymentMethod[] = ['us_bank_account', 'card'];

/** ?lang= wins, then the first of en/es the browser prefers (by q), then English. */
export function pickLanguage(requested: unknown, acceptLanguage: string | undefined): Language {
  if (requested === 'en' || requested === 'es') return requested;
  let best: { language: Language; q: number } | undefined;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const primary = tag?.split('-')[0];
    if (primary !== 'en' && primary !== 'es') continue;
    const qParam = params.find((p) => p.trim().startsWith('q='));
    const q = qParam ? Number(qParam.trim().slice(2)) : 1;
    if (Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { language: primary, q };
  }
  return best?.language ?? 'en';
}

// Stripe's US fees (the sandbox charges the same): card 2.9% + 30¢; ACH debit 0.8% capped at $5.
const roundedBasisPoints = (amountCents: number, basisPoints: number) => Math.floor((amountCents * basisPoints * 2 + 10_000) / 20_000);

export function processingFeeCents(method: SignupPaymentMethod, amountCents: number): number {
  return method === 'card' ? roundedBasisPoints(amountCents, 290) + 30 : Math.min(roundedBasisPoints(amountCents, 80), 500);
}

/** A fee as a share of the dues, to a tenth of a percent, in basis points rounded half up ($0.39 of $3.00 → 1300). */
export const feeShareBasisPoints = (feeCents: number, duesCents: number): number => (duesCents === 0 ? 0 : 10 * Math.floor((feeCents * 2000 + duesCents) / (2 * duesCents)));

export function feeComparison(m: Messages, duesCents: number, currency: string): string {
  const bank = processingFeeCents('us_bank_account', duesCents);
  const card = processingFeeCents('card', duesCents);
  return m.feeCompare(
    formatMoney(duesCents, currency),
    formatMoney(bank, currency),
    formatBasisPoints(feeShareBasisPoints(bank, duesCents)),
    formatMoney(card, currency),
    formatBasisPoints(feeShareBasisPoints(card, duesCents)),
  );
}

/** How a plan's rate reads on the page, e.g. "1.5% of your gross wages, a month (at least $15.00)". */
export function describeRule(m: Messages, plan: SignupPlan): string {
  const money = (cents: number) => formatMoney(cents, plan.currency);
  const period = m.period(plan.period);
  const rule = plan.rule;
  switch (rule.kind) {
    case 'flat':
      return m.ruleFlat(money(rule.amountCents), period);
    case 'percent_of_wages': {
      const limits = [
        ...(rule.minimumCents !== undefined ? [m.ruleMinimum(money(rule.minimumCents))] : []),
        ...(rule.maximumCents !== undefined ? [m.ruleMaximum(money(rule.maximumCents))] : []),
      ];
      return `${m.rulePercent(formatBasisPoints(rule.basisPoints), period)}${limits.length ? ` (${limits.join(', ')})` : ''}`;
    }
    case 'hours_of_pay':
      return m.ruleHours(rule.hoursHundredths, period);
    case 'income_brackets':
      return m.ruleBrackets(period);
    case 'member_chosen':
      return m.ruleChosen(money(rule.minimumCents), period);
  }
}

/** The form field that holds one wage fact of one plan: each plan's facts are separate inputs. */
export const factField = (planId: string, fact: keyof WageFacts): string => `${fact}_${planId}`;

export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;

/**
 * The url-encoded body as plain strings (a repeated field keeps its last value); NULs
 * cannot reach PostgreSQL. Nothing is cut: a value over its field's limit comes back whole,
 * with a message naming the limit (the body's own limit bounds them all).
 */
export function formValues(body: unknown): FormValues {
  const values: FormValues = {};
  if (typeof body !== 'object' || body === null) return values;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const text = Array.isArray(value) ? value[value.length - 1] : value;
    if (typeof text === 'string' && key.length <= 100) values[key] = text.replaceAll('\u0000', '');
  }
  return values;
}

const MAX_CENTS = 100_000_000;

/** The longest each text field may be: checked here, and the inputs' maxlength. */
export const FIELD_LIMITS = { name: 200, email: 320, phone: 40, employer: 200, worksite: 200 } as const;

// The example an amount error gives, as each language writes money on the form.
const AMOUNT_EXAMPLES: Record<keyof WageFacts, string> = { grossWageCents: '850.00', hourlyWageCents: '18.50', chosenAmountCents: '25.00', payFrequency: '', bracket: '' };

/** 85000 → "850.00": how an amount goes back into a form field. */
export const centsAsDecimal = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** One wage fact as typed, or the message that says what is wrong with it. */
function readFact(m: Messages, fact: keyof WageFacts, raw: string | undefined, currency: string): { ok: true; value: WageFacts[keyof WageFacts] } | { ok: false; message: string } {
  const text = raw?.trim() ?? '';
  const missing = { ok: false as const, message: m.errors[fact] };
  if (text === '') return missing;
  switch (fact) {
    case 'payFrequency':
      return isPayFrequency(text) ? { ok: true, value: text } : missing;
    case 'bracket':
      return /^\d{1,2}$/.test(text) ? { ok: true, value: Number(text) } : missing;
    default: {
      const amount = readAmount(text);
      if (!amount.ok) {
        if (amount.problem === 'too_precise') return { ok: false, message: m.errors.amountTooPrecise };
        if (amount.problem === 'too_large') return { ok: false, message: m.errors.amountTooLarge(formatMoney(MAX_CENTS, currency)) };
        return { ok: false, message: m.errors.amountUnreadable(AMOUNT_EXAMPLES[fact]) };
      }
      if (amount.cents > MAX_CENTS) return { ok: false, message: m.errors.amountTooLarge(formatMoney(MAX_CENTS, currency)) };
      return fact === 'chosenAmountCents' && amount.cents === 0 ? missing : { ok: true, value: amount.cents };
    }
  }
}

/** The dues a plan gives for the facts typed into its fields, or the field and message that stop it. */
export function duesFromForm(m: Messages, plan: SignupPlan, values: FormValues): { ok: true; wageFacts: WageFacts; duesCents: number } | { ok: false; field: string; message: string } {
  const stated: WageFacts = {};
  for (const fact of wageFactsNeeded(plan.rule)) {
    const read = readFact(m, fact, values[factField(plan.id, fact)], plan.currency);
    if (!read.ok) return { ok: false, field: factField(plan.id, fact), message: read.message };
    Object.assign(stated, { [fact]: read.value });
  }
  const rule = plan.rule;
  if (rule.kind === 'member_chosen' && stated.chosenAmountCents !== undefined) {
    const field = factField(plan.id, 'chosenAmountCents');
    if (stated.chosenAmountCents < rule.minimumCents) return { ok: false, field, message: m.errors.belowMinimum(formatMoney(rule.minimumCents, plan.currency)) };
    if (rule.maximumCents !== undefined && stated.chosenAmountCents > rule.maximumCents) {
      return { ok: false, field, message: m.errors.aboveMaximum(formatMoney(rule.maximumCents, plan.currency)) };
    }
  }
  const checked = checkWageFacts({ rule, period: plan.period }, stated);
  return checked.ok ? checked : { ok: false, field: factField(plan.id, checked.field), message: m.errors[checked.field] };
}

export interface SignupInput {
  name: string;
  email: string;
  phone: string | null;
  employer: string | null;
  worksite: string | null;
  plan: SignupPlan;
  wageFacts: WageFacts;
  duesCents: number;
  paymentMethod: SignupPaymentMethod;
}

const emailSchema = z.email().max(320);
export const isEmail = (value: string): boolean => emailSchema.safeParse(value).success;
const optional = (value: string | undefined) => (value?.trim() ? value.trim() : null);

/**
 * Every error of a submitted form at once, each under the name of its field, so the page
 * can show them all beside their fields; or the input a signup needs.
 */
export function readSignupForm(
  m: Messages,
  values: FormValues,
  plans: readonly SignupPlan[],
  authorizationVersion: number,
): { ok: true; input: SignupInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const tooLong = (field: keyof typeof FIELD_LIMITS, value: string | null) => value !== null && value.length > FIELD_LIMITS[field];
  const lengthError = (field: keyof typeof FIELD_LIMITS, label: string, value: string) => m.errors.tooLong(label, FIELD_LIMITS[field], value.length);
  const name = values.name?.trim() ?? '';
  if (name.length === 0) errors.name = m.errors.name;
  else if (tooLong('name', name)) errors.name = lengthError('name', m.name, name);
  const email = values.email?.trim() ?? '';
  if (tooLong('email', email)) errors.email = lengthError('email', m.email, email);
  else if (!isEmail(email)) errors.email = m.errors.email;
  const phone = optional(values.phone);
  if (tooLong('phone', phone)) errors.phone = m.errors.phone;
  const employer = optional(values.employer);
  if (tooLong('employer', employer)) errors.employer = lengthError('employer', m.employer, employer!);
  const worksite = optional(values.worksite);
  if (tooLong('worksite', worksite)) errors.worksite = lengthError('worksite', m.worksite, worksite!);

  const plan = plans.find((p) => p.id === values.plan);
  let dues: { wageFacts: WageFacts; duesCents: number } | undefined;
  if (!plan) errors.plan = m.errors.plan;
  else {
    const result = duesFromForm(m, plan, values);
    if (result.ok) dues = result;
    else errors[result.field] = result.message;
  }
  const paymentMethod = PAYMENT_METHODS.find((method) => method === values.paymentMethod);
  if (!paymentMethod) errors.paymentMethod = m.errors.paymentMethod;
  if (values.authorization !== 'yes') errors.authorization = m.errors.authorization;
  else if (values.authorizationVersion !== String(authorizationVersion)) errors.authorization = m.errors.authorizationChanged;

  if (Object.keys(errors).length > 0 || !plan || !dues || !paymentMethod) return { ok: false, errors };
  return { ok: true, input: { name, email, phone, employer, worksite, plan, wageFacts: dues.wageFacts, duesCents: dues.duesCents, paymentMethod } };
}

/** A signup's facts in the shape of a member row, to fill a form back in from. */
export const signupFacts = (input: SignupInput) => ({
  name: input.name,
  email: input.email,
  phone: input.phone,
  employer: input.employer,
  worksite: input.worksite,
  plan_id: input.plan.id,
  wage_facts: input.wageFacts,
});

/** The form values a stored signup attempt fills back in (after Checkout was cancelled, or from an emailed link's draft). */
export function valuesFromSignup(
  member: { name: string; email: string; phone: string | null; employer: string | null; worksite: string | null; plan_id: string | null; wage_facts: WageFacts },
  paymentMethod: SignupPaymentMethod,
): FormValues {
  const values: FormValues = {
    name: member.name,
    email: member.email,
    phone: member.phone ?? '',
    employer: member.employer ?? '',
    worksite: member.worksite ?? '',
    plan: member.plan_id ?? '',
    paymentMethod,
  };
  if (member.plan_id) {
    for (const [fact, value] of Object.entries(member.wage_facts) as Array<[keyof WageFacts, string | number]>) {
      values[factField(member.plan_id, fact)] = typeof value === 'number' && fact !== 'bracket' ? centsAsDecimal(value) : String(value);
    }
  }
  return values;
}

/** The dues a plan gives for what the form holds now, for the preview beside the plan (no errors shown). */
export function previewDues(m: Messages, plan: SignupPlan, values: FormValues): number | undefined {
  if (plan.rule.kind === 'flat') return plan.rule.amountCents;
  const result = duesFromForm(m, plan, values);
  return result.ok ? result.duesCents : undefined;
}

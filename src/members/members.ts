import type { Selectable } from 'kysely';
import { z } from 'zod';
import { STANDINGS, type Language, type ManualPaymentMethod, type ManualPaymentsTable, type Member, type Standing, type StaffRole } from '../../db/database';
import { ApiError } from '../http/errors';
import { computeDues, wageFactsNeeded, wageFactsSchema, type AmountRule, type BillingPeriod, type WageFacts } from '../plans/dues';

export const LANGUAGES: readonly Language[] = ['en', 'es'];
export const MANUAL_PAYMENT_METHODS: readonly ManualPaymentMethod[] = ['cash', 'check', 'payroll_deduction'];

export const standing = z.enum(STANDINGS as [Standing, ...Standing[]]);
// Year 0000 passes the format but not PostgreSQL; no member's dates lie outside these.
export const calendarDay = z.iso.date({ message: 'a calendar day as YYYY-MM-DD', abort: true }).refine((day) => day >= '1900-01-01' && day <= '2999-12-31', 'a day between 1900 and 2999');
const language = z.enum(LANGUAGES as [Language, ...Language[]]);
// PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
const noNul = (value: string) => !value.includes('\u0000');
const NUL_MESSAGE = 'contains a NUL character';
const text = (max: number) => z.string().trim().min(1).max(max).refine(noNul, NUL_MESSAGE);
// An optional text field: a blank string clears it, like an omitted one on creation.
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine(noNul, NUL_MESSAGE)
    .transform((value) => (value === '' ? null : value))
    .nullable()
    .optional();

export const memberParams = z.object({ memberId: z.uuid() });

const memberFields = {
  name: text(200),
  email: z.email().max(320),
  phone: optionalText(40),
  preferredLanguage: language.optional(),
  employer: optionalText(200),
  worksite: optionalText(200),
  memberClass: text(60).optional(),
  organizerStaffUserId: z.uuid().nullable().optional(),
  externalId: optionalText(100),
  planId: z.uuid().nullable().optional(),
  wageFacts: wageFactsSchema.optional(),
  joinedOn: calendarDay.nullable().optional(),
};

export const newMemberSchema = z.object({ ...memberFields, standing: standing.default('pending') }).strict();

export const memberChangesSchema = z
  .object({ ...memberFields, standing: standing.optional(), standingReason: text(500).optional() })
  .partial()
  .strict()
  .refine((changes) => changes.standingReason === undefined || changes.standing !== undefined, {
    path: ['standingReason'],
    message: 'a reason goes with a change of standing',
  });
export type MemberChanges = z.infer<typeof memberChangesSchema>;

/**
 * Organizers keep contact details current and hand members between organizers; anything
 * touching money, identity on the roll or standing needs a treasurer or an admin.
 */
export const ORGANIZER_EDITABLE = ['phone', 'preferredLanguage', 'worksite', 'organizerStaffUserId'] as const;

/** The fields of a change that the caller's roles do not allow, by body path. */
export function fieldsNotAllowed(roles: readonly StaffRole[], changes: MemberChanges): string[] {
  const changed = Object.keys(changes).filter((key) => changes[key as keyof MemberChanges] !== undefined);
  if (roles.includes('admin')) return [];
  const allowed: readonly string[] = roles.includes('treasurer') ? changed.filter((key) => key !== 'standing' && key !== 'standingReason') : ORGANIZER_EDITABLE;
  return changed.filter((key) => !allowed.includes(key));
}

/** A 400 for one field, in the same shape as zod's. */
export function fieldError(path: string, message: string): ApiError {
  return new ApiError('validation_failed', 'the request has invalid fields', { fields: [{ path, message }] });
}

export const manualPaymentSchema = z
  .object({
    method: z.enum(MANUAL_PAYMENT_METHODS as [ManualPaymentMethod, ...ManualPaymentMethod[]]),
    amountCents: z.number().int().min(1).max(100_000_000),
    periodStart: calendarDay,
    periodEnd: calendarDay,
    receivedOn: calendarDay.optional(),
    reference: text(100).optional(),
    note: text(1000).optional(),
    /** Less than the periods' dues, taken towards them in order (without it, less than owed is refused). */
    partial: z.boolean().optional(),
  })
  .strict()
  .refine((payment) => payment.periodEnd >= payment.periodStart, { path: ['periodEnd'], message: 'the period ends before it starts' });
export type ManualPaymentInput = z.infer<typeof manualPaymentSchema>;

// The keyset position after the last member of a page; opaque to clients.
export interface ListCursor {
  name: string;
  id: string;
}

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.name, cursor.id])).toString('base64url');
}

const cursorPosition = z.tuple([z.string().refine(noNul), z.uuid()]);

export function decodeCursor(value: string): ListCursor | undefined {
  try {
    const parsed = cursorPosition.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return parsed.success ? { name: parsed.data[0], id: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}

// A search box sent empty means no search.
const searchText = z
  .string()
  .trim()
  .max(200)
  .refine(noNul, NUL_MESSAGE)
  .transform((value) => (value === '' ? undefined : value))
  .optional();

export const memberListQuery = z
  .object({
    standing: standing.optional(),
    planId: z.uuid().optional(),
    worksite: searchText,
    organizerId: z.uuid().optional(),
    q: searchText,
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .max(1000)
      .transform((value, ctx) => {
        const cursor = decodeCursor(value);
        if (!cursor) ctx.addIssue({ code: 'custom', message: 'not a cursor this API handed out' });
        return cursor ?? z.NEVER;
      })
      .optional(),
  })
  .strict();
export type MemberListQuery = z.infer<typeof memberListQuery>;

/** Which projection of a member a caller sees: organizers get contact and standing, not money. */
export type MemberView = 'full' | 'contact';

export function memberViewFor(roles: readonly StaffRole[]): MemberView {
  return roles.includes('admin') || roles.includes('treasurer') ? 'full' : 'contact';
}

function contactProjection(member: Member) {
  return {
    id: member.id,
    name: member.name,
    email: member.email,
    phone: member.phone,
    preferredLanguage: member.preferred_language,
    employer: member.employer,
    worksite: member.worksite,
    memberClass: member.member_class,
    organizerStaffUserId: member.organizer_staff_user_id,
    standing: member.standing,
    /** Why: paid_up, payment_retrying, grace_ended, payment_processing (since standingReasonSince), checkout_not_completed, first_payment_failed, ... */
    standingReason: member.standing_reason,
    standingReasonSince: member.standing_reason_since,
    standingChangedAt: member.standing_changed_at,
    paidThrough: member.paid_through,
    joinedOn: member.joined_on,
  };
}

/** The one place that decides what of a member each role sees. */
export function presentMember(member: Member, view: MemberView) {
  const contact = contactProjection(member);
  if (view === 'contact') return contact;
  return {
    ...contact,
    externalId: member.external_id,
    planId: member.plan_id,
    wageFacts: member.wage_facts,
    stripeCustomerId: member.stripe_customer_id,
    createdAt: member.created_at,
    updatedAt: member.updated_at,
  };
}

export interface StandingChangeRow {
  id: number;
  from_standing: Standing | null;
  to_standing: Standing;
  cause: string;
  cause_reference: string | null;
  reason: string | null;
  staff_user_id: string | null;
  created_at: Date;
}

/** A change of standing; its reference (a payment, a Stripe event, an officer's reason) is not for organizers. */
export function presentStandingChange(change: StandingChangeRow, view: MemberView) {
  return {
    id: change.id,
    from: change.from_standing,
    to: change.to_standing,
    cause: change.cause,
    reason: change.reason,
    ...(view === 'full' ? { causeReference: change.cause_reference } : {}),
    staffUserId: change.staff_user_id,
    at: change.created_at,
  };
}

export type ManualPayment = Selectable<ManualPaymentsTable>;

export function presentManualPayment(payment: ManualPayment) {
  return {
    id: payment.id,
    method: payment.method,
    amountCents: payment.amount_cents,
    currency: payment.currency,
    periodStart: payment.period_start,
    periodEnd: payment.period_end,
    receivedOn: payment.received_on,
    reference: payment.reference,
    note: payment.note,
    partial: payment.partial,
    creditCents: Number(payment.credit_cents),
    creditUsedCents: Number(payment.credit_used_cents),
    recordedByStaffUserId: payment.recorded_by_staff_user_id,
    createdAt: payment.created_at,
  };
}

/** The money side of a member: only ever shown to treasurers and admins. */
export interface MemberMoney {
  /** What the member owes per billing period at today's rate; null without a plan or the facts for it. */
  duesCents: number | null;
  currency: string;
  manualPayments: ManualPayment[];
  /** What manual payments paid beyond the dues they named, not used yet. */
  creditCents: number;
}

/** One member with their months in arrears today and their history: the projection by role, plus the money for those who may see it. */
export function presentMemberRecord(member: Member & { monthsInArrears?: number }, view: MemberView, history: StandingChangeRow[], money: MemberMoney | undefined) {
  const record = {
    ...presentMember(member, view),
    ...(member.monthsInArrears === undefined ? {} : { monthsInArrears: member.monthsInArrears }),
    standingHistory: history.map((change) => presentStandingChange(change, view)),
  };
  if (view === 'contact' || money === undefined) return record;
  return { ...record, duesCents: money.duesCents, currency: money.currency, creditCents: money.creditCents, manualPayments: money.manualPayments.map(presentManualPayment) };
}

/** "25.00", "$1,234.5", "40" → integer cents, from the decimal string (no floats). */
export function parseDollars(value: string): number | undefined {
  const match = /^\$?(\d{1,3}(?:,\d{3})+|\d{1,9})(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!match) return undefined;
  const whole = Number(match[1]!.replaceAll(',', ''));
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  const cents = whole * 100 + fraction;
  return Number.isSafeInteger(cents) ? cents : undefined;
}

export interface PlanTerms {
  rule: AmountRule;
  period: BillingPeriod;
}

export type WageFactsCheck = { ok: true; wageFacts: WageFacts; duesCents: number } | { ok: false; field: keyof WageFacts; message: string };

/**
 * Whether the stated wage facts are enough for the plan's rate in force, keeping only the
 * facts that rate reads: wages are sensitive, so nothing the dues do not need is stored.
 */
export function checkWageFacts(terms: PlanTerms, stated: WageFacts): WageFactsCheck {
  const wageFacts: WageFacts = {};
  for (const field of wageFactsNeeded(terms.rule)) {
    if (stated[field] !== undefined) Object.assign(wageFacts, { [field]: stated[field] });
  }
  const dues = computeDues(terms.rule, terms.period, wageFacts);
  return dues.ok ? { ok: true, wageFacts, duesCents: dues.amountCents } : dues;
}

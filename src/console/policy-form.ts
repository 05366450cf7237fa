import { parseDollars } from '../members/members';
import { applyPolicyChanges, DEFAULT_POLICY, policyChangesSchema, policyProblems, type RetentionPolicy } from '../retention/policy';
import type { PolicyField } from './i18n/policy';

/** The policy form's fields as the browser sends them: text, and checkboxes present only when ticked. */
export type PolicyForm = Partial<Record<PolicyField | 'arrangementKeepsGoodStanding' | 'partialRefundUnpaysPeriod' | 'immediateFailureAlert' | 'noticePaymentFailed' | 'noticeCardExpiring' | 'noticeBeforeSuspension', string>>;

export type PolicyFormError = PolicyField | 'dropAfterSuspend' | 'feeNeeded';

/** The policy as the form shows it. */
export function policyToForm(policy: RetentionPolicy): PolicyForm {
  const ticked = (on: boolean) => (on ? 'on' : undefined);
  return {
    graceDays: String(policy.graceDays),
    suspendAtMonthsOwed: policy.suspendAtMonthsOwed === null ? '' : String(policy.suspendAtMonthsOwed),
    dropAtMonthsOwed: policy.dropAtMonthsOwed === null ? '' : String(policy.dropAtMonthsOwed),
    arrangementKeepsGoodStanding: ticked(policy.arrangementKeepsGoodStanding),
    reinstatement: policy.reinstatement,
    reinstatementFee: policy.reinstatementFeeCents === null ? '' : (policy.reinstatementFeeCents / 100).toFixed(2),
    partialRefundUnpaysPeriod: ticked(policy.partialRefundUnpaysPeriod),
    dailyHour: String(policy.dailyHour),
    alertEmails: policy.alertEmails.join('\n'),
    immediateFailureAlert: ticked(policy.immediateFailureAlert),
    noticePaymentFailed: ticked(policy.notices.paymentFailed),
    noticeCardExpiring: ticked(policy.notices.cardExpiring),
    noticeBeforeSuspension: ticked(policy.notices.beforeSuspension),
    noticeDaysBeforeSuspension: String(policy.noticeDaysBeforeSuspension),
    contactName: policy.contact.name,
    contactEmail: policy.contact.email ?? '',
    contactPhone: policy.contact.phone ?? '',
  };
}

// Where the schema's and the cross-field checks' complaints land on the form.
const FIELD_OF_PATH: Record<string, PolicyField> = {
  graceDays: 'graceDays',
  suspendAtMonthsOwed: 'suspendAtMonthsOwed',
  dropAtMonthsOwed: 'dropAtMonthsOwed',
  reinstatement: 'reinstatement',
  reinstatementFeeCents: 'reinstatementFee',
  dailyHour: 'dailyHour',
  alertEmails: 'alertEmails',
  noticeDaysBeforeSuspension: 'noticeDaysBeforeSuspension',
  'contact.name': 'contactName',
  'contact.email': 'contactEmail',
  'contact.phone': 'contactPhone',
};

const wholeNumber = (text: string | undefined): number | undefined => (text !== undefined && /^\s*\d{1,6}\s*$/.test(text) ? Number(text) : undefined);
/** A number the schema will range-check, or a value it refuses when the text is not a whole number. */
const numberOrInvalid = (text: string | undefined) => wholeNumber(text) ?? Number.NaN;
const numberOrNever = (text: string | undefined) => (text === undefined || text.trim() === '' ? null : numberOrInvalid(text));
const textOrNull = (text: string | undefined) => (text === undefined || text.trim() === '' ? null : text.trim());

/**
 * Reads the form into a whole policy, checked by the same schema and cross-field rules as
 * the API; or the fields in error, each once (the page words them in the staff member's language).
 */
export function policyFromForm(form: PolicyForm): { ok: true; policy: RetentionPolicy } | { ok: false; errors: Partial<Record<PolicyField, PolicyFormError>> } {
  const errors: Partial<Record<PolicyField, PolicyFormError>> = {};
  const fee = form.reinstatementFee?.trim() ? parseDollars(form.reinstatementFee) : null;
  if (fee === undefined) errors.reinstatementFee = 'reinstatementFee';
  const candidate = {
    graceDays: numberOrInvalid(form.graceDays),
    suspendAtMonthsOwed: numberOrNever(form.suspendAtMonthsOwed),
    dropAtMonthsOwed: numberOrNever(form.dropAtMonthsOwed),
    arrangementKeepsGoodStanding: form.arrangementKeepsGoodStanding !== undefined,
    reinstatement: form.reinstatement,
    reinstatementFeeCents: fee ?? null,
    partialRefundUnpaysPeriod: form.partialRefundUnpaysPeriod !== undefined,
    dailyHour: numberOrInvalid(form.dailyHour),
    alertEmails: (form.alertEmails ?? '').split(/[\s,;]+/).filter(Boolean),
    immediateFailureAlert: form.immediateFailureAlert !== undefined,
    notices: { paymentFailed: form.noticePaymentFailed !== undefined, cardExpiring: form.noticeCardExpiring !== undefined, beforeSuspension: form.noticeBeforeSuspension !== undefined },
    noticeDaysBeforeSuspension: numberOrInvalid(form.noticeDaysBeforeSuspension),
    contact: { name: form.contactName ?? '', email: textOrNull(form.contactEmail), phone: textOrNull(form.contactPhone) },
  };
  const parsed = policyChangesSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((part) => typeof part === 'string').join('.');
      const field = FIELD_OF_PATH[path];
      if (field !== undefined) errors[field] ??= field;
    }
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  // The form carries every field, so the result does not depend on what was stored before.
  const policy = applyPolicyChanges(DEFAULT_POLICY, parsed.data);
  for (const problem of policyProblems(policy)) {
    if (problem.path === 'body.dropAtMonthsOwed') errors.dropAtMonthsOwed = 'dropAfterSuspend';
    if (problem.path === 'body.reinstatementFeeCents') errors.reinstatementFee = 'feeNeeded';
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, policy };
}

import { z } from 'zod';
import { day, id, instant } from '../http/response-schemas';
import { standing } from '../members/members';

/** One member of the lapsed or at-risk list: who, why, since when, and the last outreach. */
export const callListResponse = z
  .object({
    data: z.array(
      z
        .object({
          memberId: id,
          name: z.string(),
          phone: z.string().nullable(),
          email: z.string(),
          preferredLanguage: z.enum(['en', 'es']),
          worksite: z.string().nullable(),
          organizerStaffUserId: id.nullable(),
          organizerName: z.string().nullable(),
          standing,
          standingReason: z.string().nullable(),
          reason: z.string(),
          monthsInArrears: z.number().int(),
          paidThrough: day.nullable(),
          since: day.nullable(),
          lastOutreachOutcome: z.string().nullable(),
          lastOutreachOn: day.nullable(),
          followUpOn: day.nullable(),
        })
        .strict(),
    ),
  })
  .strict();

export const outreachEntry = z
  .object({
    id,
    memberId: id,
    staffUserId: id.nullable(),
    episodeId: id.nullable(),
    channel: z.enum(['call', 'text', 'visit', 'email']),
    outcome: z.enum(['no_answer', 'left_message', 'wrong_number', 'reached', 'recommitted', 'promised_to_pay', 'hardship_exemption_requested', 'changed_jobs', 'resigned']),
    note: z.string().nullable(),
    followUpOn: day.nullable(),
    promisedOn: day.nullable(),
    contactedOn: day,
    createdAt: instant,
  })
  .strict();

/** POST …/outreach: the entry, and the member's standing after it (a resignation changes it). */
export const outreachRecordedResponse = outreachEntry.extend({ memberStanding: standing });

export const outreachListResponse = z.object({ data: z.array(outreachEntry) }).strict();

export const exemptionEntry = z
  .object({ id, memberId: id, kind: z.enum(['hardship', 'layoff', 'leave', 'retired']), startsOn: day, endsOn: day.nullable(), note: z.string().nullable(), createdAt: instant })
  .strict();

export const exemptionListResponse = z.object({ data: z.array(exemptionEntry) }).strict();

/** The organization's good-standing rules (RetentionPolicy), as stored with the defaults filled in. */
export const policyResponse = z
  .object({
    graceDays: z.number().int(),
    suspendAtMonthsOwed: z.number().int().nullable(),
    dropAtMonthsOwed: z.number().int().nullable(),
    arrangementKeepsGoodStanding: z.boolean(),
    reinstatement: z.enum(['pay_arrears', 'fee']),
    reinstatementFeeCents: z.number().int().nullable(),
    partialRefundUnpaysPeriod: z.boolean(),
    dailyHour: z.number().int(),
    alertEmails: z.array(z.string()),
    immediateFailureAlert: z.boolean(),
    notices: z.object({ paymentFailed: z.boolean(), cardExpiring: z.boolean(), beforeSuspension: z.boolean() }).strict(),
    noticeDaysBeforeSuspension: z.number().int(),
    contact: z.object({ name: z.string(), email: z.string().nullable(), phone: z.string().nullable() }).strict(),
  })
  .strict();

export const worksiteOrganizerListResponse = z
  .object({ data: z.array(z.object({ worksite: z.string(), organizerStaffUserId: id, organizerName: z.string(), organizerEmail: z.string() }).strict()) })
  .strict();

const recoveryFigures = {
  lapsed: z.number().int(),
  recovered: z.number().int(),
  /** Recovered of those lapsed; null when none lapsed. */
  recoveryRate: z.number().nullable(),
  medianDaysToRecovery: z.number().nullable(),
  outreach: z.object({ contacts: z.number().int(), reached: z.number().int(), recommitted: z.number().int(), resigned: z.number().int() }).strict(),
};

/** A month's lapses and recoveries, for the organization, each worksite and each organizer. */
export const retentionMetricsResponse = z
  .object({
    month: z.string().regex(/^\d{4}-\d{2}$/),
    organization: z.object(recoveryFigures).strict(),
    byWorksite: z.array(z.object({ worksite: z.string().nullable(), ...recoveryFigures }).strict()),
    byOrganizer: z.array(z.object({ organizerStaffUserId: id.nullable(), ...recoveryFigures }).strict()),
  })
  .strict();

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

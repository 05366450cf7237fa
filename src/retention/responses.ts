import { z } from 'zod';
import { day, id } from '../http/response-schemas';
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

import { z } from 'zod';
import { day, id, instant, listOf } from '../http/response-schemas';
import { standing } from './members';

const contactFields = {
  id,
  name: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  preferredLanguage: z.enum(['en', 'es']),
  employer: z.string().nullable(),
  worksite: z.string().nullable(),
  memberClass: z.string(),
  organizerStaffUserId: id.nullable(),
  standing,
  standingReason: z.string().nullable(),
  standingReasonSince: day.nullable(),
  standingChangedAt: instant,
  paidThrough: day.nullable(),
  joinedOn: day.nullable(),
};

/** A member as presentMember shows them: organizers see the contact view, treasurers and admins the full one. */
export const memberResponse = z.union([
  z
    .object({
      ...contactFields,
      externalId: z.string().nullable(),
      planId: id.nullable(),
      wageFacts: z.record(z.string(), z.unknown()),
      stripeCustomerId: z.string().nullable(),
      createdAt: instant,
      updatedAt: instant,
    })
    .strict(),
  z.object(contactFields).strict(),
]);

export const memberListResponse = listOf(memberResponse, { nextCursor: z.string().nullable() });

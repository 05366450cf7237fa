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

const fullMember = z.object({
  ...contactFields,
  externalId: z.string().nullable(),
  planId: id.nullable(),
  wageFacts: z.record(z.string(), z.unknown()),
  stripeCustomerId: z.string().nullable(),
  createdAt: instant,
  updatedAt: instant,
});

/** A member as presentMember shows them: organizers see the contact view, treasurers and admins the full one. */
export const memberResponse = z.union([fullMember.strict(), z.object(contactFields).strict()]);

export const memberListResponse = listOf(memberResponse, { nextCursor: z.string().nullable() });

export const manualPaymentResponse = z
  .object({
    id,
    method: z.enum(['cash', 'check', 'payroll_deduction']),
    amountCents: z.number().int(),
    currency: z.string(),
    periodStart: day,
    periodEnd: day,
    receivedOn: day,
    reference: z.string().nullable(),
    note: z.string().nullable(),
    partial: z.boolean(),
    creditCents: z.number().int(),
    creditUsedCents: z.number().int(),
    recordedByStaffUserId: id.nullable(),
    createdAt: instant,
  })
  .strict();

/** POST …/payments: the payment, what it paid of each period, the member's credit and the member after it. */
export const manualPaymentRecordedResponse = manualPaymentResponse.extend({
  periods: z.array(z.object({ start: day, end: day, duesCents: z.number().int(), appliedCents: z.number().int() }).strict()),
  memberCreditCents: z.number().int(),
  member: fullMember.strict(),
});

const standingChange = z.object({
  id: z.union([z.number().int(), z.string()]),
  from: standing.nullable(),
  to: standing,
  cause: z.string(),
  reason: z.string().nullable(),
  causeReference: z.string().nullable().optional(),
  staffUserId: id.nullable(),
  at: instant,
});

/** GET /api/members/:id: the member by role, months in arrears, standing history; the money only for treasurers and admins. */
export const memberRecordResponse = z.union([
  fullMember
    .extend({
      monthsInArrears: z.number().int().optional(),
      standingHistory: z.array(standingChange.strict()),
      duesCents: z.number().int().nullable(),
      currency: z.string(),
      creditCents: z.number().int(),
      manualPayments: z.array(manualPaymentResponse),
    })
    .strict(),
  fullMember.extend({ monthsInArrears: z.number().int().optional(), standingHistory: z.array(standingChange.strict()) }).strict(),
  z.object({ ...contactFields, monthsInArrears: z.number().int().optional(), standingHistory: z.array(standingChange.strict()) }).strict(),
]);

/** What the next daily scan will make of an imported roll: the day, counts, and each member's standing. */
const nextScan = z
  .object({
    on: day,
    lapsed: z.number().int(),
    suspended: z.number().int(),
    dropped: z.number().int(),
    standings: z.partialRecord(standing, z.number().int()),
    members: z.array(
      z.object({ row: z.number().int(), email: z.string(), standing, reason: z.string(), monthsInArrears: z.number().int(), paidThrough: day.nullable() }).strict(),
    ),
  })
  .strict();

export const importCheckedResponse = z
  .object({ dryRun: z.literal(true), accepted: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), rejected: z.array(z.object({ row: z.number().int(), field: z.string(), reason: z.string() }).strict()), nextScan })
  .strict();
export const importedResponse = z.object({ imported: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), nextScan }).strict();

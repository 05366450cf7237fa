import { z } from 'zod';
import { id, instant } from '../http/response-schemas';

const role = z.enum(['admin', 'treasurer', 'organizer']);

export const staffMemberResponse = z.object({ id, email: z.string(), name: z.string(), roles: z.array(role) }).strict();
export const staffListResponse = z.object({ data: z.array(staffMemberResponse) }).strict();

/** GET /api/me: the signed-in staff member, their roles here, and the organization. */
export const meResponse = z
  .object({
    staffUser: z.object({ id, email: z.string().optional(), name: z.string().optional() }).strict(),
    roles: z.array(role),
    organization: z.object({ id, slug: z.string(), name: z.string() }).strict().nullable(),
  })
  .strict();

/** POST /api/staff for someone not on this organization's staff: only what the admin entered. */
export const invitationResponse = z
  .object({ id, email: z.string(), name: z.string(), role, status: z.literal('invited'), invitedAt: instant, expiresAt: instant })
  .strict();
export const invitedResponse = z.object({ invitation: invitationResponse }).strict();
export const invitationListResponse = z.object({ data: z.array(invitationResponse) }).strict();

export const rolesResponse = z.object({ id, roles: z.array(role) }).strict();
export const sessionsEndedResponse = z.object({ id, sessionsEnded: z.number().int() }).strict();
export const mySessionsEndedResponse = z.object({ sessionsEnded: z.number().int() }).strict();

/** The audit log, newest first, paged by id. */
export const auditListResponse = z
  .object({
    data: z.array(
      z
        .object({
          id: z.number().int(),
          action: z.string(),
          actor_staff_user_id: id.nullable(),
          subject_type: z.string().nullable(),
          subject_id: z.string().nullable(),
          details: z.record(z.string(), z.unknown()),
          request_id: z.string().nullable(),
          ip: z.string().nullable(),
          created_at: instant,
        })
        .strict(),
    ),
    nextBefore: z.number().int().nullable(),
  })
  .strict();

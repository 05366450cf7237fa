import { z } from 'zod';
import { id } from '../http/response-schemas';

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

import { z } from 'zod';
import { id, instant } from '../http/response-schemas';

export const organizationResponse = z
  .object({
    id,
    slug: z.string(),
    name: z.string(),
    timeZone: z.string(),
    currency: z.string(),
    settings: z.record(z.string(), z.unknown()),
    contactPhone: z.string().nullable(),
    contactEmail: z.string().nullable(),
    contactAddress: z.string().nullable(),
    privacyNotice: z.object({ en: z.string().optional(), es: z.string().optional() }).strict(),
    createdAt: instant,
  })
  .strict();

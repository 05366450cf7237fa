import { z } from 'zod';
import { id, instant } from '../http/response-schemas';

export const organizationResponse = z
  .object({ id, slug: z.string(), name: z.string(), timeZone: z.string(), currency: z.string(), settings: z.record(z.string(), z.unknown()), createdAt: instant })
  .strict();

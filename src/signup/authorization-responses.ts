import { z } from 'zod';

export const authorizationResponse = z.object({ version: z.number().int(), builtIn: z.boolean(), en: z.string(), es: z.string() }).strict();
export const authorizationPublishedResponse = z.object({ version: z.number().int(), en: z.string(), es: z.string() }).strict();

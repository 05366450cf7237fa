import { z } from 'zod';
import { day, id, instant } from '../http/response-schemas';

export const perCapitaRateResponse = z.object({ id, rateCents: z.number().int(), effectiveFrom: day }).strict();

/** An affiliate the organization remits per-capita tax to, with its rates by effective day. */
export const affiliateResponse = z.object({ id, name: z.string(), kind: z.enum(['international_union', 'state_federation', 'central_labor_council', 'other']), createdAt: instant, rates: z.array(perCapitaRateResponse) }).strict();
export const affiliateListResponse = z.object({ affiliates: z.array(affiliateResponse) }).strict();
export const rateCreatedResponse = perCapitaRateResponse.extend({ affiliateId: id });

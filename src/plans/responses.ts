import { z } from 'zod';
import { day, id, instant } from '../http/response-schemas';
import { amountRuleSchema } from './dues';
import { planTranslationsSchema } from './plans';

export const planResponseSchema = z
  .object({
    id,
    name: z.string(),
    memberClass: z.string(),
    currency: z.string(),
    interval: z.enum(['week', 'month', 'year']),
    intervalCount: z.number().int(),
    status: z.enum(['active', 'archived']),
    archivedAt: instant.nullable(),
    stripeProductId: z.string().nullable(),
    description: z.string().nullable(),
    translations: planTranslationsSchema,
    displayOrder: z.number().int(),
    visibleOnSignup: z.boolean(),
    preselected: z.boolean(),
    currentVersion: z.number().int().nullable(),
    versions: z.array(
      z
        .object({
          id,
          version: z.number().int(),
          effectiveFrom: day,
          amountRule: amountRuleSchema,
          initiationFeeCents: z.number().int().nullable(),
          authorizationNote: z.string().nullable(),
          stripePriceId: z.string().nullable(),
          createdAt: instant,
        })
        .strict(),
    ),
    createdAt: instant,
  })
  .strict();

export const planListResponseSchema = z.object({ data: z.array(planResponseSchema) }).strict();

/** A change that Stripe is told of after our commit: whether it was, and why not. */
const stripeSync = z.object({ synced: z.boolean(), error: z.string().optional() }).strict();
export const planSyncedResponseSchema = planResponseSchema.extend({ stripe: stripeSync });

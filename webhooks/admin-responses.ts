import { z } from 'zod';
import { instant } from '../src/http/response-schemas';

export const webhookEventListResponse = z
  .object({
    data: z.array(
      z
        .object({
          id: z.string(),
          type: z.string(),
          account: z.string().nullable(),
          status: z.enum(['pending', 'processed', 'ignored', 'failed']),
          attempts: z.number().int(),
          last_error: z.string().nullable(),
          outcome: z.string().nullable(),
          stripe_created_at: instant,
          received_at: instant,
          processed_at: instant.nullable(),
          next_attempt_at: instant.nullable(),
        })
        .strict(),
    ),
    nextBefore: instant.nullable(),
  })
  .strict();

/** POST /api/webhook-events/:eventId/retry: the event is back in line. */
export const webhookEventRequeuedResponse = z.object({ id: z.string(), status: z.literal('pending') }).strict();

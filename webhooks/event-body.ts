import type Stripe from 'stripe';
import { z } from 'zod';
import { ApiError } from '../src/http/errors';
import { hasUnreadableCharacter } from '../src/http/input-guard';

// Stripe's events nest a few levels (event → data → object → lines → data → item → price …);
// a body far deeper is no event, and later code that walks it recursively must not meet one.
const MAX_DEPTH = 64;

// 2000-01-01 .. 2100-01-01 in unix seconds: `created` becomes a timestamptz and a Date.
const created = z.number().int().min(946_684_800).max(4_102_444_800);

/** What the receiver stores and routes by; the rest of the object is the handlers' to read. */
const eventShape = z.looseObject({
  id: z.string().regex(/^evt_[A-Za-z0-9_]{1,250}$/),
  object: z.literal('event').optional(),
  type: z.string().min(1).max(200),
  created,
  livemode: z.boolean(),
  account: z.string().min(1).max(255).optional(),
  api_version: z.string().max(100).nullish(),
  data: z.looseObject({
    object: z.looseObject({ object: z.string().min(1).max(100).optional(), id: z.string().max(255).optional() }),
  }),
});

function notAnEvent(reason: string): ApiError {
  return new ApiError('bad_request', `the webhook body is not a Stripe event: ${reason}`);
}

/** Depth of nesting, and whether any key or string holds NUL or an unpaired surrogate; iterative, for any depth. */
function inspect(value: unknown): { depth: number; unreadable: boolean } {
  let depth = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [current, level] = pending.pop()!;
    if (typeof current === 'string') {
      if (hasUnreadableCharacter(current)) return { depth, unreadable: true };
    } else if (typeof current === 'object' && current !== null) {
      depth = Math.max(depth, level);
      if (depth > MAX_DEPTH) return { depth, unreadable: false };
      for (const [key, inner] of Object.entries(current)) {
        if (hasUnreadableCharacter(key)) return { depth, unreadable: true };
        pending.push([inner, level + 1]);
      }
    }
  }
  return { depth, unreadable: false };
}

/** The 400 for a signature-verified body that is not JSON at all. */
export const notJson = (): ApiError => notAnEvent('not JSON');

/**
 * Checks a signature-verified body, as parsed, for being a Stripe event, or throws the 400
 * that says why it is none, so that nothing the database or a handler would choke on is stored.
 */
export function asStripeEvent(parsed: unknown): Stripe.Event {
  const { depth, unreadable } = inspect(parsed);
  if (depth > MAX_DEPTH) throw notAnEvent(`nested deeper than ${MAX_DEPTH} levels`);
  if (unreadable) throw notAnEvent('it holds NUL or an unpaired surrogate');
  const result = eventShape.safeParse(parsed);
  if (!result.success) throw notAnEvent(result.error.issues.map((issue) => `${issue.path.join('.') || 'the body'}: ${issue.message}`).join('; '));
  return parsed as Stripe.Event;
}

import type { Request, Response } from 'express';
import Stripe from 'stripe';
import type { AppContext } from '../src/context';
import { ApiError } from '../src/http/errors';
import type { RouteDefinition } from '../src/http/routes';
import { asStripeEvent, notJson } from './event-body';
import { eventInbox } from './events';
import { webhookDeliveries } from '../src/metrics/metrics';

export const SIGNATURE_TOLERANCE_SECONDS = 300;
export const WEBHOOK_BODY_LIMIT = '512kb';

const badSignature = (reason: string) => new ApiError('bad_request', `webhook signature verification failed: ${reason}`);

/**
 * Verifies the signature on the raw body against each accepted secret (several while a
 * secret rotates), and its timestamp against our clock both ways (Stripe's library refuses
 * only old ones), so that nothing unverified is ever stored; then reads the body as an event.
 */
function verifiedEvent(ctx: AppContext, body: Buffer, signature: string, receivedAt: Date): Stripe.Event {
  const timestamp = /(?:^|,)t=(\d{1,12})(?:,|$)/.exec(signature)?.[1];
  if (timestamp === undefined) throw badSignature('the header has no timestamp');
  if (Math.abs(receivedAt.getTime() / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) throw badSignature('timestamp outside the tolerance zone');
  let lastError: unknown;
  for (const secret of ctx.webhookSecrets) {
    let parsed: unknown;
    try {
      parsed = Stripe.webhooks.constructEvent(body, signature, secret, SIGNATURE_TOLERANCE_SECONDS, undefined, receivedAt.getTime());
    } catch (error) {
      // Its JSON.parse runs only once the signature matched.
      if (error instanceof SyntaxError) throw notJson();
      // Anything else it throws (an empty `v1=` makes it fail comparing) means this secret did not match.
      lastError = error;
      continue;
    }
    return asStripeEvent(parsed);
  }
  throw badSignature(lastError instanceof Stripe.errors.StripeSignatureVerificationError ? lastError.message.split('\n')[0]!.trim() : 'no secret matched');
}

/** POST /webhooks/stripe: verify, store, acknowledge. No Stripe calls and no reconciliation here. */
export function webhookRoutes(ctx: AppContext): RouteDefinition[] {
  const inbox = eventInbox(ctx.db);
  return [
    {
      method: 'post',
      path: '/webhooks/stripe',
      access: 'public',
      early: true,
      summary: 'Receives Stripe events (signature-verified, stored, processed later)',
      handler: async (req, res) => {
        try {
          await receive(req, res);
        } catch (error) {
          webhookDeliveries.inc({ result: error instanceof ApiError ? 'refused' : 'failed' });
          throw error;
        }
      },
    },
  ];

  async function receive(req: Request, res: Response): Promise<void> {
    const signature = req.headers['stripe-signature'];
    if (typeof signature !== 'string' || signature.length === 0) throw new ApiError('bad_request', 'the Stripe-Signature header is missing');
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new ApiError('bad_request', 'the webhook body is empty');
    const receivedAt = ctx.now();
    const event = verifiedEvent(ctx, req.body, signature, receivedAt);
    const stored = await inbox.store(event, receivedAt, req.body);
    webhookDeliveries.inc({ result: stored ? 'stored' : 'duplicate' });
    if (stored) ctx.notifyWebhooks();
    res.json({ received: true, duplicate: !stored });
  }
}

import type { Request, Response } from 'express';
import Stripe from 'stripe';
import type { AppContext } from '../src/context';
import { ApiError } from '../src/http/errors';
import type { RouteDefinition } from '../src/http/routes';
import { eventInbox } from './events';
import { webhookDeliveries } from '../src/metrics/metrics';

export const SIGNATURE_TOLERANCE_SECONDS = 300;
export const WEBHOOK_BODY_LIMIT = '512kb';

/**
 * Verifies the signature on the raw body against each accepted secret (several while a
 * secret rotates), so that nothing unverified is ever stored.
 */
function verifiedEvent(ctx: AppContext, body: Buffer, signature: string, receivedAt: Date): Stripe.Event {
  let lastError: unknown;
  for (const secret of ctx.webhookSecrets) {
    try {
      return Stripe.webhooks.constructEvent(body, signature, secret, SIGNATURE_TOLERANCE_SECONDS, undefined, receivedAt.getTime());
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) {
        // The signature matched; the body itself is not an event.
        throw new ApiError('bad_request', 'the webhook body is not a JSON event');
      }
      lastError = error;
    }
  }
  throw new ApiError('bad_request', `webhook signature verification failed: ${lastError instanceof Error ? lastError.message.split('\n')[0] : 'no secret matched'}`);
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
    if (typeof event.id !== 'string' || typeof event.type !== 'string' || typeof event.data?.object !== 'object') {
      throw new ApiError('bad_request', 'the webhook body is not a Stripe event');
    }
    const stored = await inbox.store(event, receivedAt, req.body);
    webhookDeliveries.inc({ result: stored ? 'stored' : 'duplicate' });
    if (stored) ctx.notifyWebhooks();
    res.json({ received: true, duplicate: !stored });
  }
}

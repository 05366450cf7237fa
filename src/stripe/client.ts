import Stripe from 'stripe';

/** The API version this code is written against; the webhook endpoint is registered with it too. */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

export type StripeClient = Stripe;

/**
 * The one place a Stripe client is built. With an API base (the offline sandbox) the
 * client talks to it over plain HTTP; without one, to Stripe itself.
 */
export function createStripeClient(options: { secretKey: string; apiBase?: string | undefined; maxNetworkRetries?: number; timeoutMs?: number }): StripeClient {
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  return new Stripe(options.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 20_000,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? 443 : 80),
          protocol: base.protocol === 'https:' ? ('https' as const) : ('http' as const),
        }
      : {}),
  });
}

/**
 * Per-request options for an organization's calls: its connected account, if it has one,
 * and an idempotency key derived from our own ids, so a retried call never creates twice.
 */
export function requestOptions(organization: { stripe_account_id: string | null }, idempotencyKey?: string): Stripe.RequestOptions {
  return {
    ...(organization.stripe_account_id ? { stripeAccount: organization.stripe_account_id } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
}

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Database } from '../db/database';
import type { StripeClient } from '../src/stripe/client';

/** What a handler gets: the event, a transaction that commits with the event's processed mark, and Stripe to re-read from. */
export interface HandlerContext {
  event: Stripe.Event;
  trx: Kysely<Database>;
  stripe: StripeClient;
  logger: Logger;
  now: Date;
}

export interface HandlerOutcome {
  organizationId: string | null;
  /** A short note kept on the stored event, for people reading the event log. */
  outcome: string;
}

export type EventHandler = (ctx: HandlerContext) => Promise<HandlerOutcome>;

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Database } from '../db/database';
import type { LedgerTransactionDraft } from '../src/ledger/postings';
import type { StripeClient } from '../src/stripe/client';
import type { BatchMirrors } from './batch-mirrors';

/** What a handler gets: the event, a transaction that commits with the event's processed mark, and Stripe to re-read from. */
export interface HandlerContext {
  event: Stripe.Event;
  trx: Kysely<Database>;
  stripe: StripeClient;
  logger: Logger;
  now: Date;
  /**
   * Queues ledger postings (keyed, so a repeat posts nothing new). They are written in the
   * same transaction once every event of the batch has been handled; the processor adds
   * how many were new to the event's outcome.
   */
  post: (organizationId: string, drafts: LedgerTransactionDraft[]) => void;
  /** Mirror rows (invoices, disputes, payouts), written with the batch's postings. */
  mirror: BatchMirrors;
  /** The service's address, for links in the emails a handler queues. */
  publicUrl?: string | undefined;
}

export interface HandlerOutcome {
  organizationId: string | null;
  /** A short note kept on the stored event, for people reading the event log. */
  outcome: string;
}

export type EventHandler = (ctx: HandlerContext) => Promise<HandlerOutcome>;

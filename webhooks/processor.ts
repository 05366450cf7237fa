import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Database, StoredStripeEvent } from '../db/database';
import type { StripeClient } from '../src/stripe/client';
import { idsFromMetadata } from '../src/stripe/metadata';
import { NotOurs, RetryLater } from './errors';
import { handlerFor } from './handlers';

export const MAX_ATTEMPTS = 10;

/** Back-off after the n-th failed attempt: 15 s doubling, at most 2 hours (10 tries span about 4 hours). */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(15 * 2 ** Math.max(0, attempts - 1), 7200);
}

export interface ProcessorDeps {
  db: Kysely<Database>;
  stripe: StripeClient;
  logger: Logger;
  now: () => Date;
  /** Throws inside the event's transaction after its handler ran: for crash drills in tests. */
  failAfterHandler?: (event: StoredStripeEvent) => boolean;
}

export interface ProcessReport {
  processed: number;
  ignored: number;
  retried: number;
  failed: number;
}

type Claimed = { kind: 'done'; status: 'processed' | 'ignored' } | { kind: 'none' } | { kind: 'error'; event: StoredStripeEvent; error: unknown };

/**
 * Takes one due event and processes it in one transaction: the handler's state changes,
 * its ledger postings and the processed mark commit together or not at all. SKIP LOCKED
 * lets several processors share the stream; the advisory lock on the event's serial key,
 * held to the end of the transaction, keeps two events of the same customer from being
 * processed at once.
 */
async function processOne(deps: ProcessorDeps): Promise<Claimed> {
  const now = deps.now();
  let claimed: StoredStripeEvent | undefined;
  try {
    return await deps.db.transaction().execute(async (trx) => {
      // Safe without waiting for the disk: the stored event is durable, and a commit lost in
      // a crash leaves it pending, so it is processed again, all or nothing, with keyed postings.
      await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      // The serial key's lock is tried inside the claim: a processor passes over events
      // whose customer another processor is busy with, instead of queueing behind it.
      const event = await trx
        .selectFrom('stripe_events')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where(sql<boolean>`pg_try_advisory_xact_lock(hashtextextended(serial_key, 0))`)
        .orderBy('next_attempt_at')
        .orderBy('stripe_created_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!event) return { kind: 'none' } as const;
      claimed = event;

      const handler = handlerFor(event.type);
      let status: 'processed' | 'ignored' = 'processed';
      let outcome: string;
      let organizationId: string | null = null;
      if (!handler) {
        status = 'ignored';
        outcome = 'no handler for this event type';
      } else {
        try {
          const result = await handler({ event: event.payload as unknown as Stripe.Event, trx, stripe: deps.stripe, logger: deps.logger, now });
          outcome = result.outcome;
          organizationId = result.organizationId;
        } catch (error) {
          if (!(error instanceof NotOurs)) throw error;
          status = 'ignored';
          outcome = `not ours: ${error.message}`;
        }
      }
      if (deps.failAfterHandler?.(event)) throw new Error('simulated crash after the handler ran');
      await trx
        .updateTable('stripe_events')
        .set({ status, outcome, organization_id: organizationId, processed_at: now, attempts: event.attempts + 1, last_error: null })
        .where('id', '=', event.id)
        .execute();
      return { kind: 'done', status } as const;
    });
  } catch (error) {
    if (!claimed) throw error;
    return { kind: 'error', event: claimed, error };
  }
}

/**
 * The organization an event names in its own payload (its connected account, or our
 * metadata), so that an event failing before it was linked still shows to that
 * organization's admins.
 */
async function organizationNamedBy(deps: ProcessorDeps, event: StoredStripeEvent): Promise<string | null> {
  const payload = event.payload as unknown as Stripe.Event;
  if (payload.account) {
    const byAccount = await deps.db.selectFrom('organizations').select('id').where('stripe_account_id', '=', payload.account).executeTakeFirst();
    return byAccount?.id ?? null;
  }
  const object = payload.data.object as { metadata?: Record<string, string> | null; parent?: { subscription_details?: { metadata?: Record<string, string> | null } | null } | null };
  const named = idsFromMetadata(object.metadata ?? object.parent?.subscription_details?.metadata)?.organizationId;
  if (!named || !/^[0-9a-f-]{36}$/i.test(named)) return null;
  const organization = await deps.db.selectFrom('organizations').select('id').where('id', '=', named).executeTakeFirst();
  return organization?.id ?? null;
}

/** Records a failed attempt outside the rolled-back transaction: retry later, or park as failed after the last try. */
async function recordFailure(deps: ProcessorDeps, event: StoredStripeEvent, error: unknown): Promise<'retried' | 'failed'> {
  const attempts = event.attempts + 1;
  const parked = attempts >= MAX_ATTEMPTS;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  await deps.db
    .updateTable('stripe_events')
    .set({
      status: parked ? 'failed' : 'pending',
      attempts,
      organization_id: event.organization_id ?? (error instanceof RetryLater ? error.organizationId : undefined) ?? (await organizationNamedBy(deps, event)),
      last_error: message.slice(0, 2000),
      next_attempt_at: sql<Date>`${deps.now()}::timestamptz + make_interval(secs => ${retryDelaySeconds(attempts)})`,
    })
    .where('id', '=', event.id)
    .where('status', '=', 'pending')
    .execute();
  const log = error instanceof RetryLater ? deps.logger.info.bind(deps.logger) : deps.logger.warn.bind(deps.logger);
  log({ eventId: event.id, type: event.type, attempts, err: error }, parked ? 'webhook event parked as failed' : 'webhook event will be retried');
  return parked ? 'failed' : 'retried';
}

/** Processes due events until none is left (or `maxEvents` were handled). */
export async function processDueEvents(deps: ProcessorDeps, options: { maxEvents?: number } = {}): Promise<ProcessReport> {
  const report: ProcessReport = { processed: 0, ignored: 0, retried: 0, failed: 0 };
  const limit = options.maxEvents ?? Number.POSITIVE_INFINITY;
  for (let handled = 0; handled < limit; handled += 1) {
    const result = await processOne(deps);
    if (result.kind === 'none') break;
    if (result.kind === 'done') report[result.status] += 1;
    else report[await recordFailure(deps, result.event, result.error)] += 1;
  }
  return report;
}

/** Puts a parked (or any) event back in line to be processed now. */
export async function requeueEvents(db: Kysely<Database>, filter: { ids?: string[] | undefined; from?: Date | undefined; to?: Date | undefined; status?: 'failed' | 'processed' | 'ignored' | undefined }, now: Date): Promise<number> {
  if (filter.ids?.length === 0) return 0;
  let query = db.updateTable('stripe_events').set({ status: 'pending', next_attempt_at: now, last_error: null });
  if (filter.ids) query = query.where('id', 'in', filter.ids);
  if (filter.from) query = query.where('stripe_created_at', '>=', filter.from);
  if (filter.to) query = query.where('stripe_created_at', '<', filter.to);
  if (filter.status) query = query.where('status', '=', filter.status);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Database, StoredStripeEvent } from '../db/database';
import { webhookBatchSeconds, webhookEvents } from '../src/metrics/metrics';
import type { StripeClient } from '../src/stripe/client';
import type { LedgerTransactionDraft } from '../src/ledger/postings';
import { idsFromMetadata, isOurIdShape } from '../src/stripe/metadata';
import { BatchMirrors, subscriptionsNamedBy } from './batch-mirrors';
import { queuePaymentEmails } from '../src/members/payment-emails';
import { BatchPostings } from './batch-postings';
import { Ambiguous, NotOurs, RetryLater } from './errors';
import { handlerFor } from './handlers';
import { rederiveMembers } from '../src/members/derivation';
import { lockMembersNamedBy, membersTouched, untouchByEvent } from './linking';

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
  /** The service's address, for the links in the receipts and notices processing queues (none without it). */
  publicUrl?: string;
  /** Throws inside the batch's transaction after the event's handler ran and the batch's ledger postings were written: for crash drills in tests. */
  failAfterHandler?: (event: StoredStripeEvent) => boolean;
}

export interface ProcessReport {
  processed: number;
  ignored: number;
  retried: number;
  failed: number;
}

/**
 * Most events one transaction takes; a failed batch shrinks the next one, down to one
 * event. A batch's own statements (claim, reads, one write per table, marks) are now
 * most of the statements: 50 events share them at half the cost per event of 25.
 */
export const MAX_BATCH = 50;

type Outcome = { status: 'processed' | 'ignored'; outcome: string; organizationId: string | null };

type BatchResult =
  | { kind: 'done'; statuses: Array<'processed' | 'ignored'>; types: string[]; cursor: ClaimCursor }
  | { kind: 'none' }
  /** `event` is the one that failed; undefined when a batch's commit failed (smaller batches will tell). */
  | { kind: 'error'; event: StoredStripeEvent | undefined; error: unknown };

async function handle(deps: ProcessorDeps, trx: Kysely<Database>, postings: BatchPostings, mirror: BatchMirrors, event: StoredStripeEvent, now: Date): Promise<Outcome> {
  const handler = handlerFor(event.type);
  if (!handler) return { status: 'ignored', outcome: 'no handler for this event type', organizationId: null };
  try {
    const post = (organizationId: string, drafts: LedgerTransactionDraft[]) => postings.post(event.id, organizationId, drafts);
    const result = await handler({ event: event.payload as unknown as Stripe.Event, trx, stripe: deps.stripe, logger: deps.logger, now, post, mirror, publicUrl: deps.publicUrl });
    return { status: 'processed', outcome: result.outcome, organizationId: result.organizationId };
  } catch (error) {
    if (!(error instanceof NotOurs)) throw error;
    postings.discard(event.id);
    untouchByEvent(trx, event.id);
    return { status: 'ignored', outcome: `not ours: ${error.message}`, organizationId: null };
  }
}

/** How far down the due events a claim looks for ones whose customer no other processor holds. */
const CLAIM_WINDOW = 1000;

/** Where a claim starts in the stream of due events: at the times of the last event a processor's previous claim took. */
export interface ClaimCursor {
  nextAttemptAt: Date;
  createdAt: Date;
}

/**
 * Claims up to `size` due events, oldest first, whose serial keys this transaction can
 * lock. The advisory lock is tried on the due events in order, one at a time, only until
 * `size` are taken: the window is a subquery with its own ORDER BY and LIMIT, which
 * PostgreSQL reads lazily and never pushes the filter into. (With the filter on the table
 * itself, a plan that sorts after filtering tries the lock on every due event, and one
 * processor would hold every customer's key while the others wait.) 'pending' is written
 * out so that the partial index of due events serves any plan, generic ones too. The
 * outer conditions are checked again on the row as locked: another processor may have
 * processed it, or put it off after a failure, since this statement's snapshot.
 *
 * With `after`, the claim starts at that point of the stream. Events processed since the
 * last vacuum stay in the index of due events as dead entries, at its front, and a claim
 * from the start walks all of them: over a large backlog that walk was most of the
 * database's work. Events before the cursor are only delayed: see processDueEvents.
 */
export async function claimDueEvents(trx: Kysely<Database>, now: Date, size: number, after?: ClaimCursor): Promise<StoredStripeEvent[]> {
  // From the cursor's own point on (not past it): events after the last one taken may share its times.
  const pastCursor = after ? sql`AND (next_attempt_at, stripe_created_at) >= (${after.nextAttemptAt}, ${after.createdAt})` : sql``;
  const { rows } = await sql<StoredStripeEvent>`
    SELECT e.* FROM stripe_events e
    WHERE e.id IN (
      SELECT due.id FROM (
        SELECT id, serial_key FROM stripe_events
        WHERE status = 'pending' AND next_attempt_at <= ${now} ${pastCursor}
        ORDER BY next_attempt_at, stripe_created_at
        LIMIT ${CLAIM_WINDOW}) due
      WHERE pg_try_advisory_xact_lock(hashtextextended(due.serial_key, 0))
      LIMIT ${size})
    AND e.status = 'pending' AND e.next_attempt_at <= ${now}
    ORDER BY e.next_attempt_at, e.stripe_created_at
    FOR UPDATE SKIP LOCKED`.execute(trx);
  return rows;
}

/**
 * Takes up to `size` due events and processes them, in order, in one transaction: their
 * state changes, ledger postings and processed marks commit together or not at all (one
 * commit for many events is most of the throughput). SKIP LOCKED lets several processors
 * share the stream; the advisory lock on each event's serial key, held to the end of the
 * transaction, keeps two processors off the same customer at once, while one batch may
 * hold several events of a customer and handles them in stream order. Handlers mirror and
 * post; the standing, paid-through date and arrears of every member the batch touched are
 * then derived from all their facts (deriveStanding), so no event's order or repetition
 * can change them. If any event fails, the whole batch rolls back: that event's failure is
 * recorded and the rest are taken again.
 */
async function processBatch(deps: ProcessorDeps, size: number, after: ClaimCursor | undefined): Promise<BatchResult> {
  const now = deps.now();
  let current: StoredStripeEvent | undefined;
  let claimed: StoredStripeEvent[] = [];
  try {
    return await deps.db.transaction().execute(async (trx) => {
      // Safe without waiting for the disk: the stored events are durable, and a commit lost in
      // a crash leaves them pending, so they are processed again, all or nothing, with keyed postings.
      await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      const events = await claimDueEvents(trx, now, size, after);
      if (events.length === 0) return { kind: 'none' } as const;
      claimed = events;

      const payloads = events.map((event) => event.payload as unknown as Stripe.Event);
      const members = await lockMembersNamedBy(trx, payloads);
      const postings = new BatchPostings();
      const mirror = new BatchMirrors();
      await mirror.readSubscriptionVersions(trx, [...new Set(members.map((member) => member.organization_id))], subscriptionsNamedBy(payloads));
      const outcomes: Outcome[] = [];
      for (const event of events) {
        current = event;
        outcomes.push(await handle(deps, trx, postings, mirror, event, now));
      }
      current = undefined;
      await mirror.write(trx);
      await postings.write(trx, now);
      await queuePaymentEmails(trx, postings.newlyPosted(), { now, publicUrl: deps.publicUrl });
      // Every member the batch's events linked to, derived once from all their facts as the
      // batch leaves them (a fixed number of statements), the change caused by the last event.
      const touched = membersTouched(trx);
      await rederiveMembers(trx, touched.map((t) => ({ organizationId: t.organizationId, memberId: t.memberId, cause: 'stripe_event', causeReference: t.eventId })), now);
      events.forEach((event, i) => {
        current = event;
        if (deps.failAfterHandler?.(event)) throw new Error('simulated crash after the handler ran');
        const posted = postings.postedBy(event.id);
        if (posted !== undefined) outcomes[i]!.outcome += `; ${posted} ledger transaction(s) posted`;
      });
      current = undefined;
      await sql`
        UPDATE stripe_events e
        SET status = done.status, outcome = done.outcome, organization_id = done.organization_id,
            processed_at = ${now}, attempts = e.attempts + 1, last_error = NULL
        FROM unnest(${events.map((e) => e.id)}::text[], ${outcomes.map((o) => o.status)}::text[], ${outcomes.map((o) => o.outcome)}::text[], ${outcomes.map((o) => o.organizationId)}::uuid[])
          AS done (id, status, outcome, organization_id)
        WHERE e.id = done.id`.execute(trx);
      const last = events.at(-1)!;
      return { kind: 'done', statuses: outcomes.map((o) => o.status), types: events.map((e) => e.type), cursor: { nextAttemptAt: new Date(last.next_attempt_at), createdAt: new Date(last.stripe_created_at) } } as const;
    });
  } catch (error) {
    if (claimed.length === 0) throw error;
    return { kind: 'error', event: current ?? (claimed.length === 1 ? claimed[0] : undefined), error };
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
  if (!named || !isOurIdShape(named)) return null;
  const organization = await deps.db.selectFrom('organizations').select('id').where('id', '=', named).executeTakeFirst();
  return organization?.id ?? null;
}

/** Records a failed attempt outside the rolled-back transaction: retry later, or park as failed after the last try. */
async function recordFailure(deps: ProcessorDeps, event: StoredStripeEvent, error: unknown): Promise<'retried' | 'failed'> {
  const attempts = event.attempts + 1;
  // An ambiguous link stays ambiguous until a person resolves it: no point retrying.
  const parked = attempts >= MAX_ATTEMPTS || error instanceof Ambiguous;
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
  webhookEvents.inc({ type: event.type, result: parked ? 'parked' : 'retried' });
  const log = error instanceof RetryLater ? deps.logger.info.bind(deps.logger) : deps.logger.warn.bind(deps.logger);
  log({ eventId: event.id, type: event.type, attempts, err: error }, parked ? 'webhook event parked as failed' : 'webhook event will be retried');
  return parked ? 'failed' : 'retried';
}

const WAIT_FOR_HELD_EVENTS_MS = 2000;

async function anyEventDue(deps: ProcessorDeps): Promise<boolean> {
  const due = await deps.db.selectFrom('stripe_events').select('id').where('status', '=', 'pending').where('next_attempt_at', '<=', deps.now()).limit(1).executeTakeFirst();
  return due !== undefined;
}

/**
 * How often a processor claims from the start of the due events rather than from where its
 * last claim ended: events it passed over (held by another processor then, or put back by a
 * batch that failed) wait at most this many claims, and a claim from the cursor that finds
 * nothing is followed by one from the start at once.
 */
const CLAIMS_FROM_CURSOR = 20;

/** Processes due events until none is left (or `maxEvents` were handled). */
export async function processDueEvents(deps: ProcessorDeps, options: { maxEvents?: number } = {}): Promise<ProcessReport> {
  const report: ProcessReport = { processed: 0, ignored: 0, retried: 0, failed: 0 };
  const limit = options.maxEvents ?? Number.POSITIVE_INFINITY;
  let size = MAX_BATCH;
  let idleSince: number | undefined;
  let cursor: ClaimCursor | undefined;
  let claimsFromCursor = 0;
  for (let handled = 0; handled < limit; ) {
    const after = cursor !== undefined && claimsFromCursor < CLAIMS_FROM_CURSOR ? cursor : undefined;
    claimsFromCursor = after ? claimsFromCursor + 1 : 0;
    cursor = undefined;
    const started = performance.now();
    const result = await processBatch(deps, Math.min(size, limit - handled), after);
    if (result.kind !== 'none') webhookBatchSeconds.observe((performance.now() - started) / 1000);
    if (result.kind === 'none') {
      if (after) continue;
      // Events still due but all held by other processors (their customers are busy): wait
      // for them rather than leave, so every processor keeps working through a backlog.
      if (idleSince === undefined) idleSince = performance.now();
      if (performance.now() - idleSince > WAIT_FOR_HELD_EVENTS_MS || !(await anyEventDue(deps))) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
      continue;
    }
    idleSince = undefined;
    if (result.kind === 'done') {
      result.statuses.forEach((status, i) => {
        report[status] += 1;
        webhookEvents.inc({ type: result.types[i]!, result: status });
      });
      handled += result.statuses.length;
      size = Math.min(MAX_BATCH, size * 2);
      cursor = result.cursor;
      continue;
    }
    // A failed batch: smaller batches until the stream flows again, so one failing event
    // does not keep taking its neighbours' work down with it.
    size = Math.max(1, Math.floor(size / 4));
    if (result.event) {
      report[await recordFailure(deps, result.event, result.error)] += 1;
      handled += 1;
    }
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

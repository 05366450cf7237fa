import type { Insertable, Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { Database, StripeEventsTable } from '../db/database';

/**
 * Events touching the same Stripe customer are processed one at a time; the key names
 * that customer, or else the object itself (a payout, a customer-less charge).
 */
export function serialKeyOf(event: Stripe.Event): string {
  const object = event.data.object as { object?: string; id?: string; customer?: unknown };
  const account = event.account ?? 'platform';
  if (typeof object.customer === 'string') return `${account}:customer:${object.customer}`;
  if (object.object === 'customer' && object.id) return `${account}:customer:${object.id}`;
  return `${account}:${object.object ?? 'object'}:${object.id ?? event.id}`;
}

function eventRow(event: Stripe.Event, receivedAt: Date, rawBody?: Buffer): Insertable<StripeEventsTable> {
  return {
    id: event.id,
    type: event.type,
    account: event.account ?? null,
    api_version: event.api_version ?? null,
    stripe_created_at: new Date(event.created * 1000),
    livemode: event.livemode,
    payload: rawBody ? rawBody.toString('utf8') : JSON.stringify(event),
    serial_key: serialKeyOf(event),
    received_at: receivedAt,
    next_attempt_at: receivedAt,
  };
}

/** Inserts events, each id once; returns the ids that were new. */
async function insertEvents(db: Kysely<Database>, rows: Insertable<StripeEventsTable>[]): Promise<Set<string>> {
  const inserted = await db.insertInto('stripe_events').values(rows).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
  return new Set(inserted.map((row) => row.id));
}

/**
 * Stores a verified event once; false when its id was already stored (a redelivery). The
 * raw body, when given, is stored as it came (PostgreSQL parses it), sparing a re-serialisation.
 */
export async function storeEvent(db: Kysely<Database>, event: Stripe.Event, receivedAt: Date, rawBody?: Buffer): Promise<boolean> {
  return (await insertEvents(db, [eventRow(event, receivedAt, rawBody)])).has(event.id);
}

const INBOX_BATCH = 200;
const INBOX_INSERTS_IN_FLIGHT = 2;

/**
 * Stores events for the receiver with group commit: deliveries that arrive while inserts
 * are under way wait for the next insert, which takes them all in one statement and one
 * commit. Each delivery is answered only after its own row has committed, so nothing
 * acknowledged is lost; an idle inbox inserts a lone delivery at once.
 */
export function eventInbox(db: Kysely<Database>) {
  interface Waiting {
    row: Insertable<StripeEventsTable>;
    settle: (error: unknown, stored?: boolean) => void;
  }
  const waiting: Waiting[] = [];
  let inFlight = 0;

  async function insertBatch(batch: Waiting[]): Promise<void> {
    try {
      const fresh = await insertEvents(db, batch.map((w) => w.row));
      // A delivery repeated within one batch is new only the first time.
      for (const w of batch) w.settle(undefined, fresh.delete(w.row.id));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.settle(error);
      // One row the database refuses must not fail the deliveries it happened to share a statement with.
      await Promise.all(batch.map((w) => insertBatch([w])));
    }
  }

  function flush(): void {
    while (inFlight < INBOX_INSERTS_IN_FLIGHT && waiting.length > 0) {
      inFlight += 1;
      void insertBatch(waiting.splice(0, INBOX_BATCH)).finally(() => {
        inFlight -= 1;
        flush();
      });
    }
  }

  return {
    /** Resolves true once the event is stored, false if its id already was. */
    store(event: Stripe.Event, receivedAt: Date, rawBody?: Buffer): Promise<boolean> {
      return new Promise((resolve, reject) => {
        waiting.push({ row: eventRow(event, receivedAt, rawBody), settle: (error, stored) => (error === undefined ? resolve(stored === true) : reject(error)) });
        flush();
      });
    },
  };
}

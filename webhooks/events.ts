import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { Database } from '../db/database';

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

/**
 * Stores a verified event once; false when its id was already stored (a redelivery). The
 * raw body, when given, is stored as it came (PostgreSQL parses it), sparing a re-serialisation.
 */
export async function storeEvent(db: Kysely<Database>, event: Stripe.Event, rawBody?: Buffer): Promise<boolean> {
  const inserted = await db
    .insertInto('stripe_events')
    .values({
      id: event.id,
      type: event.type,
      account: event.account ?? null,
      api_version: event.api_version ?? null,
      stripe_created_at: new Date(event.created * 1000),
      livemode: event.livemode,
      payload: rawBody ? rawBody.toString('utf8') : JSON.stringify(event),
      serial_key: serialKeyOf(event),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

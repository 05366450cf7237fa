import { sql, type Kysely } from 'kysely';
import type { Database, StripeEventStatus } from '../db/database';

// The admin's view of an organization's Stripe events: the ones that failed or still wait,
// and one event whole. Every read is scoped to the organization.

export const UNSETTLED: readonly StripeEventStatus[] = ['failed', 'pending'];

export async function unsettledEvents(db: Kysely<Database>, organizationId: string, status: StripeEventStatus | undefined, limit: number) {
  return db
    .selectFrom('stripe_events')
    .select(['id', 'type', 'status', 'attempts', 'last_error', 'received_at', 'next_attempt_at'])
    .where('organization_id', '=', organizationId)
    .where('status', 'in', status ? [status] : [...UNSETTLED])
    // Failed first (they wait for a person), then the oldest.
    .orderBy('status')
    .orderBy('received_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function countFailedEvents(db: Kysely<Database>, organizationId: string): Promise<number> {
  const row = await db.selectFrom('stripe_events').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', organizationId).where('status', '=', 'failed').executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function failedEventIds(db: Kysely<Database>, organizationId: string): Promise<string[]> {
  return (await db.selectFrom('stripe_events').select('id').where('organization_id', '=', organizationId).where('status', '=', 'failed').execute()).map((row) => row.id);
}

export async function findOrganizationEvent(db: Kysely<Database>, organizationId: string, eventId: string) {
  return db
    .selectFrom('stripe_events')
    .select(['id', 'type', 'status', 'attempts', 'last_error', 'outcome', 'payload', 'received_at', 'processed_at', 'next_attempt_at', 'stripe_created_at'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', eventId)
    .executeTakeFirst();
}

/** The events Stripe sent about a member's customer records, newest first (the payload's customer, indexed by migration 0030). */
export async function memberEvents(db: Kysely<Database>, organizationId: string, customerIds: readonly string[], limit: number) {
  if (customerIds.length === 0) return [];
  return db
    .selectFrom('stripe_events')
    .select(['id', 'type', 'status', 'attempts', 'last_error', 'received_at', 'next_attempt_at'])
    .where('organization_id', '=', organizationId)
    .where(sql<string>`payload #>> '{data,object,customer}'`, 'in', [...customerIds])
    .orderBy('received_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

import type { Kysely } from 'kysely';
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

import { Kysely, sql } from 'kysely';

// A member's Stripe events are found by the customer their payload names: an index on it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX stripe_events_by_customer ON stripe_events (organization_id, (payload #>> '{data,object,customer}'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX stripe_events_by_customer`.execute(db);
}

import { Kysely, sql } from 'kysely';

// Webhook events name a Stripe customer, not our organization (on the platform account),
// so members are looked up by customer id alone; the unique index leads with the
// organization and served those lookups only by reading all of it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX members_stripe_customer_idx ON members (stripe_customer_id) WHERE stripe_customer_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX members_stripe_customer_idx`.execute(db);
}

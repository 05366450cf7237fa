import { Kysely } from 'kysely';

// When the mirrored subscription state is from (the created time of the event that brought
// it): a subscription event's own copy is applied only if it is newer than what is stored,
// so most events need no Stripe read and an old event processed late changes nothing.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('stripe_subscriptions').addColumn('state_as_of', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('stripe_subscriptions').dropColumn('state_as_of').execute();
}

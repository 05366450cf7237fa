import { Kysely, sql } from 'kysely';

// A dispute names only its charge, not our organization, so the webhook processor finds
// the member a dispute belongs to by the charge's postings with the charge id alone. A
// charge id is Stripe's and names one charge anywhere, so the index on it alone serves
// the organization's own lookups (exports, payouts) as well as the old one did.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX ledger_transactions_stripe_charge_idx ON ledger_transactions (stripe_charge_id) WHERE stripe_charge_id IS NOT NULL`.execute(db);
  await sql`DROP INDEX ledger_transactions_charge_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX ledger_transactions_charge_idx ON ledger_transactions (organization_id, stripe_charge_id) WHERE stripe_charge_id IS NOT NULL`.execute(db);
  await sql`DROP INDEX ledger_transactions_stripe_charge_idx`.execute(db);
}

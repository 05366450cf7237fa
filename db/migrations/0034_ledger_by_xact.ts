import { Kysely, sql } from 'kysely';

// The ledger's day sums (src/treasurer/ledger-days.ts) remember what older database
// transactions posted and read only what was posted since: an index on the posting's
// database transaction, per organization.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX ledger_transactions_by_xact ON ledger_transactions (organization_id, posted_in_xact)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX ledger_transactions_by_xact`.execute(db);
}

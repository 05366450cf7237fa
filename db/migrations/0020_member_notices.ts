import { Kysely, sql } from 'kysely';

// Receipts and payment notices are queued by webhook processing, which may see the same
// fact more than once and in any order: each message carries a key saying what it reports
// (a charge's receipt, a debit started, a refund), and the outbox holds one per key.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('email_outbox').addColumn('dedupe_key', 'text').execute();
  await sql`CREATE UNIQUE INDEX email_outbox_dedupe_key ON email_outbox (organization_id, dedupe_key) WHERE dedupe_key IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('email_outbox').dropColumn('dedupe_key').execute();
}

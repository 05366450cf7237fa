import { Kysely, sql } from 'kysely';

// The call list reads the recent signals of an organization (by day) and its standing
// promises to pay (by the day promised) for the member each names: both indexes now carry
// what the list reads of them, so neither is read from the table.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX retention_signals_detected_idx`.execute(db);
  await sql`CREATE INDEX retention_signals_detected_idx ON retention_signals (organization_id, detected_on) INCLUDE (member_id, signal, signal_key)`.execute(db);
  await sql`DROP INDEX outreach_log_promised_idx`.execute(db);
  await sql`CREATE INDEX outreach_log_promised_idx ON outreach_log (organization_id, promised_on) INCLUDE (member_id) WHERE outcome = 'promised_to_pay'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX outreach_log_promised_idx`.execute(db);
  await sql`CREATE INDEX outreach_log_promised_idx ON outreach_log (organization_id, promised_on) WHERE outcome = 'promised_to_pay'`.execute(db);
  await sql`DROP INDEX retention_signals_detected_idx`.execute(db);
  await sql`CREATE INDEX retention_signals_detected_idx ON retention_signals (organization_id, detected_on)`.execute(db);
}

import { Kysely, sql } from 'kysely';

// An employer's payroll remittance is money the bank receives as one deposit: a bank line
// can be matched to it, as to a payout or a deposit batch (one of the three at most).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('bank_lines').addColumn('matched_remittance_id', 'uuid').execute();
  await sql`ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_remittance FOREIGN KEY (organization_id, matched_remittance_id) REFERENCES remittances (organization_id, id)`.execute(db);
  await sql`ALTER TABLE bank_lines DROP CONSTRAINT bank_lines_one_match, DROP CONSTRAINT bank_lines_matched_at`.execute(db);
  await sql`ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_one_match CHECK (num_nonnulls(matched_payout_id, matched_batch_id, matched_remittance_id) <= 1)`.execute(db);
  await sql`ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_matched_at CHECK ((num_nonnulls(matched_payout_id, matched_batch_id, matched_remittance_id) = 0) = (matched_at IS NULL))`.execute(db);
  await sql`CREATE UNIQUE INDEX bank_lines_one_line_per_remittance ON bank_lines (organization_id, matched_remittance_id) WHERE matched_remittance_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE bank_lines DROP CONSTRAINT bank_lines_one_match, DROP CONSTRAINT bank_lines_matched_at`.execute(db);
  await db.schema.alterTable('bank_lines').dropColumn('matched_remittance_id').execute();
  await sql`ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_one_match CHECK (matched_payout_id IS NULL OR matched_batch_id IS NULL)`.execute(db);
  await sql`ALTER TABLE bank_lines ADD CONSTRAINT bank_lines_matched_at CHECK ((matched_payout_id IS NULL AND matched_batch_id IS NULL) = (matched_at IS NULL))`.execute(db);
}

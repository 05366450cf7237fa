import { Kysely, sql } from 'kysely';

// The treasurer's bank: statements imported from any bank's CSV (the column mapping kept
// per organization), their deposit lines matched to Stripe payouts and deposit batches,
// and deposit batches (checks and cash taken to the bank on one slip).
// The ledger kinds of migration 0004, and the deposit of a slip's checks and cash in the bank.
const KINDS = ['dues_payment', 'initiation_fee', 'processing_fee', 'refund', 'dispute', 'dispute_fee', 'dispute_reversal', 'payout', 'payout_failed', 'manual_payment', 'payment_reversal'];
const kindCheck = (kinds: string[]) => sql`ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN (${sql.join(kinds.map((kind) => sql.lit(kind)))}))`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`.execute(db);
  await kindCheck([...KINDS, 'bank_deposit']).execute(db);

  await db.schema
    .createTable('bank_statement_mappings')
    .addColumn('organization_id', 'uuid', (c) => c.primaryKey().references('organizations.id'))
    .addColumn('mapping', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .execute();

  await db.schema
    .createTable('bank_imports')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('file_name', 'text')
    .addColumn('rows_read', 'integer', (c) => c.notNull())
    .addColumn('deposits_new', 'integer', (c) => c.notNull())
    .addColumn('deposits_known', 'integer', (c) => c.notNull())
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull())
    .addColumn('imported_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .execute();
  await sql`CREATE UNIQUE INDEX bank_imports_id_org ON bank_imports (organization_id, id)`.execute(db);

  await db.schema
    .createTable('deposit_batches')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('deposited_on', 'date', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .addColumn('posted_at', 'timestamptz')
    .addColumn('posted_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .execute();
  await sql`CREATE UNIQUE INDEX deposit_batches_id_org ON deposit_batches (organization_id, id)`.execute(db);

  await db.schema
    .createTable('deposit_batch_items')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // The order the items were added in (several can share the clock's instant): the slip's order and the posting's.
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('batch_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id'))
    .addColumn('payer', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method IN ('cash', 'check')`))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn('check_number', 'text')
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('period_end', 'date', (c) => c.notNull())
    .addColumn('partial', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('manual_payment_id', 'uuid', (c) => c.references('manual_payments.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addForeignKeyConstraint('deposit_batch_items_batch', ['organization_id', 'batch_id'], 'deposit_batches', ['organization_id', 'id'])
    .execute();
  await sql`CREATE INDEX deposit_batch_items_batch_idx ON deposit_batch_items (organization_id, batch_id)`.execute(db);

  // Only deposits (positive amounts) are kept: withdrawals are not the treasurer's to explain here.
  await db.schema
    .createTable('bank_lines')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('import_id', 'uuid', (c) => c.notNull())
    .addColumn('booked_on', 'date', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn('description', 'text', (c) => c.notNull())
    // sha256 of day, amount, description and the line's occurrence among identical ones in its file.
    .addColumn('line_hash', 'text', (c) => c.notNull())
    .addColumn('matched_payout_id', 'text')
    .addColumn('matched_batch_id', 'uuid')
    .addColumn('matched_at', 'timestamptz')
    // Null for a match the matcher made; the staff member for one chosen by hand.
    .addColumn('matched_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    // A match undone by hand is not made again automatically.
    .addColumn('unmatched_by_hand', 'boolean', (c) => c.notNull().defaultTo(false))
    .addForeignKeyConstraint('bank_lines_import', ['organization_id', 'import_id'], 'bank_imports', ['organization_id', 'id'])
    .addForeignKeyConstraint('bank_lines_batch', ['organization_id', 'matched_batch_id'], 'deposit_batches', ['organization_id', 'id'])
    .addForeignKeyConstraint('bank_lines_payout', ['organization_id', 'matched_payout_id'], 'stripe_payouts', ['organization_id', 'id'])
    .addCheckConstraint('bank_lines_one_match', sql`matched_payout_id IS NULL OR matched_batch_id IS NULL`)
    .addCheckConstraint('bank_lines_matched_at', sql`(matched_payout_id IS NULL AND matched_batch_id IS NULL) = (matched_at IS NULL)`)
    .execute();
  await sql`CREATE UNIQUE INDEX bank_lines_dedupe ON bank_lines (organization_id, line_hash)`.execute(db);
  await sql`CREATE UNIQUE INDEX bank_lines_one_line_per_payout ON bank_lines (organization_id, matched_payout_id) WHERE matched_payout_id IS NOT NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX bank_lines_one_line_per_batch ON bank_lines (organization_id, matched_batch_id) WHERE matched_batch_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX bank_lines_by_day ON bank_lines (organization_id, booked_on)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bank_lines').execute();
  await db.schema.dropTable('deposit_batch_items').execute();
  await db.schema.dropTable('deposit_batches').execute();
  await db.schema.dropTable('bank_imports').execute();
  await db.schema.dropTable('bank_statement_mappings').execute();
  await sql`ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`.execute(db);
  await kindCheck(KINDS).execute(db);
}

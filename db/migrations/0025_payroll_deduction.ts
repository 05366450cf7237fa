import { Kysely, sql } from 'kysely';

const inList = (values: string[]) => sql.join(values.map((value) => sql.lit(value)));
const ACCOUNT_CODES = ['stripe_balance', 'bank', 'cash_on_hand', 'dues_income', 'initiation_fees', 'refunds', 'processing_fees', 'dispute_losses', 'dispute_fees'];
// The kinds as migration 0023 left them.
const KINDS = ['dues_payment', 'initiation_fee', 'processing_fee', 'refund', 'dispute', 'dispute_fee', 'dispute_reversal', 'payout', 'payout_failed', 'manual_payment', 'payment_reversal', 'bank_deposit'];

// Employer payroll deduction (dues checkoff): employers, the members they deduct for,
// remittances with their lines. A posted remittance is one ledger transaction (bank against
// dues income, the difference to payroll suspense); each matched line is also a manual
// payment by payroll deduction, the fact a member's standing is derived from. A correction
// reverses: the manual payments are marked reversed (standing stops counting them) and the
// ledger gets a reversing transaction; nothing is edited or deleted.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('employers')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) BETWEEN 1 AND 200`))
    .addColumn('contact_name', 'text')
    .addColumn('contact_email', 'text')
    .addColumn('contact_phone', 'text')
    .addColumn('pay_frequency', 'text', (c) => c.notNull().check(sql`pay_frequency IN ('weekly', 'biweekly', 'semimonthly', 'monthly')`))
    .addColumn('worksites', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    // The columns of this employer's remittance files, set with the first file and kept.
    .addColumn('column_mapping', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('employers_pkey', ['organization_id', 'id'])
    .execute();
  await sql`CREATE UNIQUE INDEX employers_name_key ON employers (organization_id, lower(name))`.execute(db);

  await db.schema
    .createTable('member_payroll_deductions')
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('employer_id', 'uuid', (c) => c.notNull())
    .addColumn('employee_number', 'text', (c) => c.check(sql`length(employee_number) BETWEEN 1 AND 64`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_payroll_deductions_pkey', ['organization_id', 'member_id'])
    .addForeignKeyConstraint('member_payroll_deductions_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'])
    .addForeignKeyConstraint('member_payroll_deductions_employer_fkey', ['organization_id', 'employer_id'], 'employers', ['organization_id', 'id'])
    .execute();
  await sql`CREATE UNIQUE INDEX member_payroll_deductions_number_key ON member_payroll_deductions (organization_id, employer_id, employee_number) WHERE employee_number IS NOT NULL`.execute(db);
  await sql`CREATE INDEX member_payroll_deductions_employer_idx ON member_payroll_deductions (organization_id, employer_id)`.execute(db);

  await db.schema
    .createTable('remittances')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('employer_id', 'uuid', (c) => c.notNull())
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('period_end', 'date', (c) => c.notNull())
    .addColumn('pay_date', 'date')
    .addColumn('received_on', 'date', (c) => c.notNull())
    .addColumn('amount_received_cents', 'bigint', (c) => c.notNull().check(sql`amount_received_cents > 0`))
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[a-z]{3}$'`))
    .addColumn('file_name', 'text')
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('draft', 'replaced', 'posted', 'reversed')`))
    .addColumn('corrects_remittance_id', 'uuid')
    .addColumn('uploaded_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('posted_at', 'timestamptz')
    .addColumn('posted_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .addColumn('reversed_at', 'timestamptz')
    .addPrimaryKeyConstraint('remittances_pkey', ['organization_id', 'id'])
    .addForeignKeyConstraint('remittances_employer_fkey', ['organization_id', 'employer_id'], 'employers', ['organization_id', 'id'])
    .addForeignKeyConstraint('remittances_corrects_fkey', ['organization_id', 'corrects_remittance_id'], 'remittances', ['organization_id', 'id'])
    .addCheckConstraint('remittances_period_check', sql`period_end >= period_start`)
    .execute();
  // One file awaiting confirmation and one posted per employer and pay period.
  await sql`CREATE UNIQUE INDEX remittances_one_draft ON remittances (organization_id, employer_id, period_start, period_end) WHERE status = 'draft'`.execute(db);
  await sql`CREATE UNIQUE INDEX remittances_one_posted ON remittances (organization_id, employer_id, period_start, period_end) WHERE status = 'posted'`.execute(db);

  await db.schema
    .createTable('remittance_lines')
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('remittance_id', 'uuid', (c) => c.notNull())
    // The row number a spreadsheet shows for the line.
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addColumn('employee_number', 'text')
    .addColumn('name', 'text')
    .addColumn('amount_cents', 'bigint')
    .addColumn('hours_hundredths', 'bigint')
    .addColumn('wages_cents', 'bigint')
    .addColumn('period_text', 'text')
    .addColumn('problem', 'text')
    .addColumn('member_id', 'uuid')
    .addColumn('matched_by', 'text', (c) => c.check(sql`matched_by IN ('employee_number', 'name', 'treasurer')`))
    .addColumn('proposed_member_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('proposal_reason', 'text')
    .addPrimaryKeyConstraint('remittance_lines_pkey', ['organization_id', 'remittance_id', 'row_number'])
    .addForeignKeyConstraint('remittance_lines_remittance_fkey', ['organization_id', 'remittance_id'], 'remittances', ['organization_id', 'id'])
    .addForeignKeyConstraint('remittance_lines_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'])
    .execute();

  await db.schema.alterTable('manual_payments').addColumn('remittance_id', 'uuid').addColumn('remittance_row', 'integer').addColumn('reversed_at', 'timestamptz').execute();
  await sql`ALTER TABLE manual_payments ADD CONSTRAINT manual_payments_remittance_fkey FOREIGN KEY (organization_id, remittance_id) REFERENCES remittances (organization_id, id)`.execute(db);
  await sql`CREATE INDEX manual_payments_remittance_idx ON manual_payments (organization_id, remittance_id) WHERE remittance_id IS NOT NULL`.execute(db);

  await sql`ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_code_check`.execute(db);
  await sql`ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_code_check CHECK (code IN (${inList([...ACCOUNT_CODES, 'payroll_suspense'])}))`.execute(db);
  await sql`ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`.execute(db);
  await sql`ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN (${inList([...KINDS, 'payroll_remittance', 'payroll_remittance_reversal'])}))`.execute(db);
  await db.schema.alterTable('ledger_transactions').addColumn('remittance_id', 'uuid').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ledger_transactions').dropColumn('remittance_id').execute();
  await sql`ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`.execute(db);
  await sql`ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN (${inList(KINDS)}))`.execute(db);
  await sql`ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_code_check`.execute(db);
  await sql`ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_code_check CHECK (code IN (${inList(ACCOUNT_CODES)}))`.execute(db);
  await db.schema.alterTable('manual_payments').dropConstraint('manual_payments_remittance_fkey').execute();
  await db.schema.alterTable('manual_payments').dropColumn('remittance_id').dropColumn('remittance_row').dropColumn('reversed_at').execute();
  await db.schema.dropTable('remittance_lines').execute();
  await db.schema.dropTable('remittances').execute();
  await db.schema.dropTable('member_payroll_deductions').execute();
  await db.schema.dropTable('employers').execute();
}

import { Kysely, sql } from 'kysely';

const inList = (values: string[]) => sql.join(values.map((value) => sql.lit(value)));
// The accounts and kinds as migration 0031 left them.
const ACCOUNT_CODES = ['stripe_balance', 'bank', 'cash_on_hand', 'dues_income', 'initiation_fees', 'refunds', 'processing_fees', 'dispute_losses', 'dispute_fees', 'payroll_suspense', 'due_to_employers'];
const KINDS = [
  'dues_payment',
  'initiation_fee',
  'processing_fee',
  'refund',
  'dispute',
  'dispute_fee',
  'dispute_reversal',
  'payout',
  'payout_failed',
  'manual_payment',
  'payment_reversal',
  'bank_deposit',
  'payroll_remittance',
  'payroll_remittance_reversal',
  'payroll_suspense_clearing',
];

// Per-capita tax paid to affiliates. Each payment is recorded once per affiliate, month and
// reference (a check number); the ledger accrues what the month owes (per-capita expense
// against per-capita payable) and posts the payment (payable against the bank), so the
// payable's balance is what is still outstanding. Ledger postings name their affiliate.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('per_capita_payments')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('affiliate_id', 'uuid', (c) => c.notNull())
    // 'YYYY-MM' in the organization's time zone: the month the tax is for.
    .addColumn('month', 'text', (c) => c.notNull().check(sql`month ~ '^\\d{4}-(0[1-9]|1[0-2])$'`))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[a-z]{3}$'`))
    .addColumn('paid_on', 'date', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull().check(sql`length(reference) BETWEEN 1 AND 100`))
    .addColumn('recorded_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // A payment recorded by mistake is reversed in the ledger, never deleted.
    .addColumn('reversed_at', 'timestamptz')
    .addColumn('reversed_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .addPrimaryKeyConstraint('per_capita_payments_pkey', ['organization_id', 'id'])
    .addForeignKeyConstraint('per_capita_payments_affiliate_fkey', ['organization_id', 'affiliate_id'], 'affiliates', ['organization_id', 'id'])
    .execute();
  // One standing payment per reference: once reversed, the reference can be recorded again.
  await sql`CREATE UNIQUE INDEX per_capita_payments_reference_key ON per_capita_payments (organization_id, affiliate_id, month, reference) WHERE reversed_at IS NULL`.execute(db);

  await db.schema.alterTable('ledger_transactions').addColumn('affiliate_id', 'uuid').execute();
  await sql`ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_affiliate_fkey FOREIGN KEY (organization_id, affiliate_id) REFERENCES affiliates (organization_id, id)`.execute(db);
  await sql`CREATE INDEX ledger_transactions_by_affiliate ON ledger_transactions (organization_id, affiliate_id, period_start) WHERE affiliate_id IS NOT NULL`.execute(db);

  await sql`ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_code_check`.execute(db);
  await sql`ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_code_check CHECK (code IN (${inList([...ACCOUNT_CODES, 'per_capita_payable', 'per_capita_expense'])}))`.execute(db);
  await sql`ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`.execute(db);
  await sql`ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN (${inList([...KINDS, 'per_capita_accrual', 'per_capita_payment', 'per_capita_payment_reversal'])}))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`.execute(db);
  await sql`ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN (${inList(KINDS)}))`.execute(db);
  await sql`ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_code_check`.execute(db);
  await sql`ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_code_check CHECK (code IN (${inList(ACCOUNT_CODES)}))`.execute(db);
  await sql`DROP INDEX ledger_transactions_by_affiliate`.execute(db);
  await db.schema.alterTable('ledger_transactions').dropConstraint('ledger_transactions_affiliate_fkey').execute();
  await db.schema.alterTable('ledger_transactions').dropColumn('affiliate_id').execute();
  await db.schema.dropTable('per_capita_payments').execute();
}

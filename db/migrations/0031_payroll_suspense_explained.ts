import { Kysely, sql } from 'kysely';

const inList = (values: string[]) => sql.join(values.map((value) => sql.lit(value)));
// The account codes and ledger kinds as migration 0025 left them.
const ACCOUNT_CODES = ['stripe_balance', 'bank', 'cash_on_hand', 'dues_income', 'initiation_fees', 'refunds', 'processing_fees', 'dispute_losses', 'dispute_fees', 'payroll_suspense'];
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
];

// A month closes only when the payroll suspense of its remittances is zero or explained. A
// treasurer explains a remittance's difference with a note and what it is: dues income, or
// money owed between the union and the employer (a refund owed to it, or a shortfall it
// still owes), in an account of its own. The explanation is a clearing posting of its own
// kind; the note and who gave it are kept on the remittance.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_code_check`.execute(db);
  await sql`ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_code_check CHECK (code IN (${inList([...ACCOUNT_CODES, 'due_to_employers'])}))`.execute(db);
  await sql`ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`.execute(db);
  await sql`ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN (${inList([...KINDS, 'payroll_suspense_clearing'])}))`.execute(db);
  await db.schema
    .alterTable('remittances')
    .addColumn('suspense_resolution', 'text', (c) => c.check(sql`suspense_resolution IN ('dues_income', 'employer')`))
    .addColumn('suspense_note', 'text', (c) => c.check(sql`length(suspense_note) BETWEEN 1 AND 1000`))
    .addColumn('suspense_explained_at', 'timestamptz')
    .addColumn('suspense_explained_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .execute();
  await sql`ALTER TABLE remittances ADD CONSTRAINT remittances_suspense_explained_check CHECK ((suspense_explained_at IS NULL) = (suspense_resolution IS NULL) AND (suspense_explained_at IS NULL) = (suspense_note IS NULL))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('remittances').dropConstraint('remittances_suspense_explained_check').execute();
  await db.schema.alterTable('remittances').dropColumn('suspense_resolution').dropColumn('suspense_note').dropColumn('suspense_explained_at').dropColumn('suspense_explained_by_staff_user_id').execute();
  await sql`ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check`.execute(db);
  await sql`ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN (${inList(KINDS)}))`.execute(db);
  await sql`ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_code_check`.execute(db);
  await sql`ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_code_check CHECK (code IN (${inList(ACCOUNT_CODES)}))`.execute(db);
}

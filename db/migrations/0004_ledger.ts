import { Kysely, sql } from 'kysely';

const ACCOUNT_CODES = ['stripe_balance', 'bank', 'cash_on_hand', 'dues_income', 'initiation_fees', 'refunds', 'processing_fees', 'dispute_losses', 'dispute_fees'];
const KINDS = ['dues_payment', 'initiation_fee', 'processing_fee', 'refund', 'dispute', 'dispute_fee', 'dispute_reversal', 'payout', 'payout_failed', 'manual_payment', 'payment_reversal'];
const PAYMENT_METHODS = ['card', 'us_bank_account', 'cash', 'check', 'payroll_deduction'];

const inList = (values: string[]) => sql.join(values.map((value) => sql.lit(value)));

// The double-entry ledger. Append-only, balanced, and keyed by organization throughout
// (primary and foreign keys lead with organization_id, ready for sharding by it).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ledger_accounts')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('code', 'text', (c) => c.notNull().check(sql`code IN (${inList(ACCOUNT_CODES)})`))
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[a-z]{3}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('ledger_accounts_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('ledger_accounts_code_key', ['organization_id', 'code', 'currency'])
    // Target of the entries' foreign key, which pins an entry's currency to its account's.
    .addUniqueConstraint('ledger_accounts_currency_key', ['organization_id', 'id', 'currency'])
    .execute();

  await db.schema
    .createTable('ledger_transactions')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('source_key', 'text', (c) => c.notNull().check(sql`length(source_key) BETWEEN 1 AND 255`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN (${inList(KINDS)})`))
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[a-z]{3}$'`))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('member_id', 'uuid')
    .addColumn('plan_id', 'uuid')
    .addColumn('period_start', 'date')
    .addColumn('period_end', 'date')
    .addColumn('payment_method', 'text', (c) => c.check(sql`payment_method IN (${inList(PAYMENT_METHODS)})`))
    .addColumn('stripe_invoice_id', 'text')
    .addColumn('stripe_charge_id', 'text')
    .addColumn('stripe_refund_id', 'text')
    .addColumn('stripe_dispute_id', 'text')
    .addColumn('stripe_payout_id', 'text')
    .addColumn('payout_arrival_date', 'date')
    .addColumn('stripe_event_id', 'text')
    .addColumn('gross_cents', 'bigint')
    .addColumn('fee_cents', 'bigint')
    .addColumn('net_cents', 'bigint')
    // The database transaction that posted it (set by trigger): entries may only be added
    // in that same database transaction, so a committed posting can never be extended.
    .addColumn('posted_in_xact', sql`xid8`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('ledger_transactions_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('ledger_transactions_source_key', ['organization_id', 'source_key'])
    .addUniqueConstraint('ledger_transactions_currency_key', ['organization_id', 'id', 'currency'])
    .addForeignKeyConstraint('ledger_transactions_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'])
    .addForeignKeyConstraint('ledger_transactions_plan_fkey', ['organization_id', 'plan_id'], 'plans', ['organization_id', 'id'])
    .addCheckConstraint('ledger_transactions_period_check', sql`period_end >= period_start`)
    .addCheckConstraint(
      'ledger_transactions_amounts_check',
      sql`(gross_cents IS NULL AND fee_cents IS NULL AND net_cents IS NULL) OR (gross_cents IS NOT NULL AND fee_cents IS NOT NULL AND net_cents IS NOT NULL AND net_cents = gross_cents - fee_cents)`,
    )
    .execute();
  await sql`CREATE INDEX ledger_transactions_occurred_idx ON ledger_transactions (organization_id, occurred_at)`.execute(db);
  await sql`CREATE INDEX ledger_transactions_member_idx ON ledger_transactions (organization_id, member_id) WHERE member_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX ledger_transactions_charge_idx ON ledger_transactions (organization_id, stripe_charge_id) WHERE stripe_charge_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX ledger_transactions_payout_idx ON ledger_transactions (organization_id, stripe_payout_id) WHERE stripe_payout_id IS NOT NULL`.execute(db);

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'bigserial', (c) => c.notNull())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('transaction_id', 'uuid', (c) => c.notNull())
    .addColumn('account_id', 'uuid', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull().check(sql`amount_cents <> 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_entries_pkey', ['organization_id', 'id'])
    // Composite keys: an entry shares its organization and currency with both its
    // transaction and its account.
    .addForeignKeyConstraint('ledger_entries_transaction_fkey', ['organization_id', 'transaction_id', 'currency'], 'ledger_transactions', ['organization_id', 'id', 'currency'])
    .addForeignKeyConstraint('ledger_entries_account_fkey', ['organization_id', 'account_id', 'currency'], 'ledger_accounts', ['organization_id', 'id', 'currency'])
    .execute();
  await sql`CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (organization_id, transaction_id)`.execute(db);
  await sql`CREATE INDEX ledger_entries_account_idx ON ledger_entries (organization_id, account_id)`.execute(db);

  // Nothing in the ledger is ever rewritten: a correction is a new reversing transaction.
  for (const table of ['ledger_accounts', 'ledger_transactions', 'ledger_entries']) {
    await sql`CREATE TRIGGER ${sql.id(`${table}_append_only`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)} FOR EACH ROW EXECUTE FUNCTION refuse_change()`.execute(db);
    await sql`CREATE TRIGGER ${sql.id(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)} FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`.execute(db);
  }

  await sql`
    CREATE FUNCTION ledger_transaction_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.posted_in_xact := pg_current_xact_id();
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER ledger_transactions_stamp BEFORE INSERT ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_stamp()`.execute(db);

  await sql`
    CREATE FUNCTION ledger_entry_same_posting() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      posted xid8;
      key text;
    BEGIN
      SELECT posted_in_xact, source_key INTO posted, key FROM ledger_transactions
       WHERE organization_id = NEW.organization_id AND id = NEW.transaction_id;
      -- A missing transaction is the foreign key's to report.
      IF FOUND AND posted <> pg_current_xact_id() THEN
        RAISE EXCEPTION 'ledger transaction % (%) was posted earlier: entries cannot be added to it', NEW.transaction_id, key
          USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER ledger_entries_same_posting BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_same_posting()`.execute(db);

  // Checked at COMMIT (deferred), once the whole posting is in: at least two entries, and
  // a zero sum per currency. Fired by the transaction's insert too, so a transaction
  // inserted with no entries at all is also refused.
  await sql`
    CREATE FUNCTION ledger_assert_balanced(org uuid, txn uuid) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      key text;
      entry_count integer;
      unbalanced text;
    BEGIN
      SELECT source_key INTO key FROM ledger_transactions WHERE organization_id = org AND id = txn;
      SELECT count(*) INTO entry_count FROM ledger_entries WHERE organization_id = org AND transaction_id = txn;
      IF entry_count < 2 THEN
        RAISE EXCEPTION 'ledger transaction % (%) has % entries: at least 2 are required', txn, key, entry_count
          USING ERRCODE = 'check_violation';
      END IF;
      SELECT string_agg(currency || ' ' || total, ', ') INTO unbalanced FROM (
        SELECT currency, sum(amount_cents) AS total FROM ledger_entries
         WHERE organization_id = org AND transaction_id = txn
         GROUP BY currency HAVING sum(amount_cents) <> 0
      ) AS sums;
      IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % (%) does not balance: entries sum to %', txn, key, unbalanced
          USING ERRCODE = 'check_violation';
      END IF;
    END $$`.execute(db);
  await sql`
    CREATE FUNCTION ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM ledger_assert_balanced(NEW.organization_id, NEW.transaction_id);
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE FUNCTION ledger_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM ledger_assert_balanced(NEW.organization_id, NEW.id);
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced()`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balanced()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ledger_entries').execute();
  await db.schema.dropTable('ledger_transactions').execute();
  await db.schema.dropTable('ledger_accounts').execute();
  for (const fn of ['ledger_transaction_balanced', 'ledger_entry_balanced', 'ledger_entry_same_posting', 'ledger_transaction_stamp']) {
    await sql`DROP FUNCTION ${sql.id(fn)}()`.execute(db);
  }
  await sql`DROP FUNCTION ledger_assert_balanced(uuid, uuid)`.execute(db);
}

import { Kysely, sql } from 'kysely';

// Closing a month: its ledger figures never change again. A month is closed by a row here
// with no reopened_at; reopening stamps the row (the history stays), closing again adds one.
// The trigger on ledger_transactions is the last line of defence: the posting code moves a
// late posting out of a closed month before it gets there (keeping its date in
// original_occurred_at), so the trigger only fires for code that forgot to.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('closed_months')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('month', 'text', (c) => c.notNull().check(sql`month ~ '^\\d{4}-(0[1-9]|1[0-2])$'`))
    .addColumn('closed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .addColumn('reopened_at', 'timestamptz')
    .addColumn('reopened_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    // The member counts of the monthly report as they stood at the close: they come from the
    // member roll (a join date set by a late first payment, an edit), not the ledger.
    .addColumn('member_counts', 'jsonb', (c) => c.notNull())
    .addCheckConstraint('closed_months_reopened_after_closed', sql`reopened_at IS NULL OR reopened_at >= closed_at`)
    .execute();
  await sql`CREATE UNIQUE INDEX closed_months_one_closing ON closed_months (organization_id, month) WHERE reopened_at IS NULL`.execute(db);

  await db.schema.alterTable('ledger_transactions').addColumn('original_occurred_at', 'timestamptz').execute();
  await sql`ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_original_before_check CHECK (original_occurred_at IS NULL OR original_occurred_at < occurred_at)`.execute(db);

  // Posters take the organization's lock shared and closing takes it exclusive, so a month
  // cannot be closed under a posting in flight. The lookup runs after the lock, in a
  // snapshot of its own (a volatile function's statement), so it sees a close that committed while it waited.
  await sql`
    CREATE FUNCTION ledger_refuse_closed_month() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
      closed text;
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(hashtextextended('closed_months:' || NEW.organization_id::text, 0));
      SELECT c.month INTO closed FROM closed_months c JOIN organizations o ON o.id = c.organization_id
       WHERE c.organization_id = NEW.organization_id AND c.reopened_at IS NULL
         AND c.month = to_char(NEW.occurred_at AT TIME ZONE o.time_zone, 'YYYY-MM');
      IF closed IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % is dated in %, a closed month', NEW.source_key, closed
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER ledger_transactions_closed_month BEFORE INSERT ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_closed_month()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER ledger_transactions_closed_month ON ledger_transactions`.execute(db);
  await sql`DROP FUNCTION ledger_refuse_closed_month()`.execute(db);
  await sql`ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_original_before_check`.execute(db);
  await db.schema.alterTable('ledger_transactions').dropColumn('original_occurred_at').execute();
  await db.schema.dropTable('closed_months').execute();
}

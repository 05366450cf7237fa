import { Kysely, sql } from 'kysely';

// Standing derived from facts (issue 17). A member's standing, paid-through date and
// arrears are worked out by one pure function from facts kept here: what a roll or staff
// recorded (recorded_paid_through), an officer's decision (standing_decision), manual
// payments split into the dues periods they pay for, the checkout a signup went through,
// and Stripe's invoices, payments and reversals. members.paid_through, .standing and
// .standing_reason are what that function last said, written with its cause.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('members')
    // The paid-through date an imported roll (or staff) recorded for payments made before
    // the member's payments were kept here: coverage up to it needs no payment of ours.
    .addColumn('recorded_paid_through', 'date')
    // An officer's (or the member's) decision that payments do not undo.
    .addColumn('standing_decision', 'text', (c) => c.check(sql`standing_decision IN ('resigned', 'dropped', 'suspended', 'exempt')`))
    // Why the member has the standing they have (paid_up, payment_retrying, first_payment_failed, ...), and since when where that matters.
    .addColumn('standing_reason', 'text')
    .addColumn('standing_reason_since', 'date')
    .execute();
  // Paid-through dates no payment here explains came from a roll or from staff: they are facts now.
  await sql`
    UPDATE members m SET recorded_paid_through = m.paid_through
    WHERE m.paid_through IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM stripe_invoices i WHERE i.organization_id = m.organization_id AND i.member_id = m.id AND i.status = 'paid')
      AND NOT EXISTS (SELECT 1 FROM manual_payments p WHERE p.organization_id = m.organization_id AND p.member_id = m.id)`.execute(db);
  // Standings set by people stay decisions: resigning is always the member's; dropping,
  // suspending and exempting are decisions when staff (not the scan or a payment) made them.
  await sql`
    UPDATE members m SET standing_decision = m.standing
    WHERE m.standing = 'resigned'
       OR (m.standing IN ('dropped', 'suspended', 'exempt') AND coalesce((
            SELECT c.cause IN ('staff', 'outreach', 'created_by_staff', 'import') FROM member_standing_changes c
            WHERE c.organization_id = m.organization_id AND c.member_id = m.id ORDER BY c.id DESC LIMIT 1), false))`.execute(db);

  await db.schema.alterTable('member_standing_changes').addColumn('reason', 'text').execute();

  // A manual payment is checked against the dues of the periods it names; what it paid
  // towards each period is kept, and what it paid beyond them is the member's credit.
  await db.schema
    .alterTable('manual_payments')
    .addColumn('partial', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('credit_cents', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`credit_cents >= 0`))
    .addColumn('credit_used_cents', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`credit_used_cents >= 0`))
    .execute();
  await db.schema
    .createTable('manual_payment_periods')
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('manual_payment_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('period_end', 'date', (c) => c.notNull())
    .addColumn('dues_cents', 'bigint', (c) => c.notNull().check(sql`dues_cents >= 0`))
    .addColumn('applied_cents', 'bigint', (c) => c.notNull().check(sql`applied_cents > 0`))
    .addPrimaryKeyConstraint('manual_payment_periods_pkey', ['organization_id', 'manual_payment_id', 'period_start'])
    .addForeignKeyConstraint('manual_payment_periods_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'])
    .addCheckConstraint('manual_payment_periods_period_check', sql`period_end >= period_start`)
    .execute();
  await db.schema.createIndex('manual_payment_periods_member_idx').on('manual_payment_periods').columns(['organization_id', 'member_id']).execute();
  // Payments recorded before the check covered what they named, as they were taken to.
  await sql`
    INSERT INTO manual_payment_periods (organization_id, manual_payment_id, member_id, period_start, period_end, dues_cents, applied_cents)
    SELECT organization_id, id, member_id, period_start, period_end, amount_cents, amount_cents FROM manual_payments`.execute(db);

  // The checkout a signup went through, as its events report it: completed (paid, or a
  // bank debit processing), then the debit's outcome.
  await db.schema
    .createTable('stripe_checkout_sessions')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'uuid')
    .addColumn('subscription_id', 'text')
    .addColumn('payment_status', 'text', (c) => c.notNull())
    .addColumn('async_result', 'text', (c) => c.check(sql`async_result IN ('succeeded', 'failed')`))
    // When Stripe reported it completed: the earliest of its events (they may come in any order).
    .addColumn('completed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('stripe_checkout_sessions_pkey', ['organization_id', 'id'])
    .addForeignKeyConstraint('stripe_checkout_sessions_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'])
    .execute();
  await db.schema.createIndex('stripe_checkout_sessions_member_idx').on('stripe_checkout_sessions').columns(['organization_id', 'member_id']).execute();
  await db.schema.createIndex('stripe_disputes_member_idx').on('stripe_disputes').columns(['organization_id', 'member_id']).execute();

  // Each posting from Stripe names the balance transaction (txn_…) it records, so a
  // payout's balance transactions are matched to postings one by one.
  await db.schema.alterTable('ledger_transactions').addColumn('stripe_balance_transaction_id', 'text').execute();
  await sql`CREATE INDEX ledger_transactions_balance_txn_idx ON ledger_transactions (organization_id, stripe_balance_transaction_id) WHERE stripe_balance_transaction_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX ledger_transactions_balance_txn_idx`.execute(db);
  await db.schema.alterTable('ledger_transactions').dropColumn('stripe_balance_transaction_id').execute();
  await db.schema.dropIndex('stripe_disputes_member_idx').execute();
  await db.schema.dropTable('stripe_checkout_sessions').execute();
  await db.schema.dropTable('manual_payment_periods').execute();
  await db.schema.alterTable('manual_payments').dropColumn('partial').dropColumn('credit_cents').dropColumn('credit_used_cents').execute();
  await db.schema.alterTable('member_standing_changes').dropColumn('reason').execute();
  await db.schema.alterTable('members').dropColumn('recorded_paid_through').dropColumn('standing_decision').dropColumn('standing_reason').dropColumn('standing_reason_since').execute();
}

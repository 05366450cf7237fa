import { Kysely, sql } from 'kysely';

// One clock: every time the service later compares with its own clock (`ctx.now()`) is
// written from that clock. A column default of now() is the database's clock, which in
// tests (and on a server whose clock drifts from the service's) is a different one, so
// every such default goes: an insert that forgets a time now fails instead of quietly
// taking the wrong clock. test/one-clock.test.ts keeps new ones from coming back.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    DECLARE c record;
    BEGIN
      FOR c IN
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_default ILIKE '%now()%'
      LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I DROP DEFAULT', c.table_name, c.column_name);
      END LOOP;
    END $$`.execute(db);
}

// The defaults as 0001–0011 created them.
const DEFAULTS: Record<string, string[]> = {
  affiliates: ['created_at'],
  audit_log: ['created_at'],
  dues_authorizations: ['created_at'],
  email_outbox: ['created_at', 'next_attempt_at'],
  lapse_episodes: ['created_at'],
  ledger_accounts: ['created_at'],
  ledger_transactions: ['created_at'],
  login_tokens: ['created_at'],
  manage_links: ['created_at'],
  manual_payments: ['created_at'],
  member_card_expiries: ['updated_at'],
  member_exemptions: ['created_at'],
  member_standing_changes: ['created_at'],
  members: ['created_at', 'standing_changed_at', 'updated_at'],
  organizations: ['created_at', 'updated_at'],
  organizer_digests: ['created_at'],
  outreach_log: ['created_at'],
  per_capita_rates: ['created_at'],
  plan_versions: ['created_at'],
  plans: ['created_at', 'updated_at'],
  retention_policies: ['updated_at'],
  retention_signals: ['created_at'],
  staff_roles: ['created_at'],
  staff_users: ['created_at'],
  stripe_disputes: ['updated_at'],
  stripe_events: ['next_attempt_at', 'received_at'],
  stripe_invoices: ['updated_at'],
  stripe_payouts: ['updated_at'],
  stripe_subscriptions: ['updated_at'],
  worksite_organizers: ['updated_at'],
};

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, columns] of Object.entries(DEFAULTS)) {
    for (const column of columns) {
      await db.schema.alterTable(table).alterColumn(column, (c) => c.setDefault(sql`now()`)).execute();
    }
  }
}

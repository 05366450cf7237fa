import { Kysely, sql } from 'kysely';

const inList = (values: string[]) => sql.join(values.map((value) => sql.lit(value)));
const EXEMPTION_KINDS = ['hardship', 'layoff', 'leave', 'retired'];
const CLOSE_REASONS = ['recovered', 'dropped', 'resigned', 'exempted'];
const CHANNELS = ['call', 'text', 'visit', 'email'];
const OUTCOMES = ['no_answer', 'reached', 'recommitted', 'hardship_exemption_requested', 'changed_jobs', 'resigned'];

// Retention: the lapse policy as data, exemptions, lapse episodes, the signals a daily scan
// finds (each alerted once), organizer digests and the outreach log. Every table leads its
// keys with organization_id.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('retention_policies')
    .addColumn('organization_id', 'uuid', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('policy', 'jsonb', (c) => c.notNull())
    .addColumn('updated_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('member_exemptions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN (${inList(EXEMPTION_KINDS)})`))
    .addColumn('starts_on', 'date', (c) => c.notNull())
    .addColumn('ends_on', 'date')
    .addColumn('note', 'text')
    .addColumn('created_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('member_exemptions_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'], (c) => c.onDelete('cascade'))
    .addCheckConstraint('member_exemptions_dates_check', sql`ends_on IS NULL OR ends_on >= starts_on`)
    .execute();
  await db.schema.createIndex('member_exemptions_member_idx').on('member_exemptions').columns(['organization_id', 'member_id']).execute();

  await db.schema
    .createTable('worksite_organizers')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('worksite', 'text', (c) => c.notNull())
    .addColumn('organizer_staff_user_id', 'uuid', (c) => c.notNull().references('staff_users.id').onDelete('cascade'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('worksite_organizers_pkey', ['organization_id', 'worksite'])
    .execute();

  // What Stripe reports of a member's default card, for "card expiring" signals.
  await db.schema
    .createTable('member_card_expiries')
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('exp_month', 'integer', (c) => c.notNull().check(sql`exp_month BETWEEN 1 AND 12`))
    .addColumn('exp_year', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('member_card_expiries_pkey', ['organization_id', 'member_id'])
    .addForeignKeyConstraint('member_card_expiries_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('lapse_episodes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('opened_on', 'date', (c) => c.notNull())
    .addColumn('closed_on', 'date')
    .addColumn('close_reason', 'text', (c) => c.check(sql`close_reason IN (${inList(CLOSE_REASONS)})`))
    // Who and where at the time it opened, so metrics do not move when a member changes worksite.
    .addColumn('worksite', 'text')
    .addColumn('organizer_staff_user_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('lapse_episodes_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'], (c) => c.onDelete('cascade'))
    .addUniqueConstraint('lapse_episodes_org_id_key', ['organization_id', 'id'])
    .addCheckConstraint('lapse_episodes_closed_check', sql`(closed_on IS NULL) = (close_reason IS NULL) AND (closed_on IS NULL OR closed_on >= opened_on)`)
    .execute();
  await sql`CREATE UNIQUE INDEX lapse_episodes_one_open_key ON lapse_episodes (organization_id, member_id) WHERE closed_on IS NULL`.execute(db);
  await db.schema.createIndex('lapse_episodes_opened_idx').on('lapse_episodes').columns(['organization_id', 'opened_on']).execute();

  // One row per organization per local day: the second scan of a day, from any instance, finds it and stops.
  await db.schema
    .createTable('retention_scan_runs')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('scan_on', 'date', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('report', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addPrimaryKeyConstraint('retention_scan_runs_pkey', ['organization_id', 'scan_on'])
    .execute();

  await db.schema
    .createTable('organizer_digests')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('organizer_staff_user_id', 'uuid')
    .addColumn('digest_on', 'date', (c) => c.notNull())
    .addColumn('item_count', 'integer', (c) => c.notNull())
    .addColumn('outbox_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('organizer_digests_day_key', ['organization_id', 'recipient', 'digest_on'])
    .execute();

  // Each (member, signal, key) once: the key is the episode for lapses, the invoice for a
  // failure, the month for a card, so the same fact found again adds nothing.
  await db.schema
    .createTable('retention_signals')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('signal', 'text', (c) => c.notNull())
    .addColumn('signal_key', 'text', (c) => c.notNull())
    .addColumn('episode_id', 'uuid')
    .addColumn('detected_on', 'date', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('months_in_arrears', 'integer', (c) => c.notNull())
    .addColumn('digest_id', 'uuid')
    .addColumn('immediate_outbox_id', 'uuid')
    .addColumn('notice_outbox_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('retention_signals_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'], (c) => c.onDelete('cascade'))
    .addUniqueConstraint('retention_signals_once_key', ['organization_id', 'member_id', 'signal', 'signal_key'])
    .execute();
  await sql`CREATE INDEX retention_signals_undigested_idx ON retention_signals (organization_id) WHERE digest_id IS NULL`.execute(db);
  await db.schema.createIndex('retention_signals_detected_idx').on('retention_signals').columns(['organization_id', 'detected_on']).execute();

  // The scan looks for payments being retried: a handful of rows among years of paid invoices.
  await sql`CREATE INDEX stripe_invoices_retrying_idx ON stripe_invoices (organization_id, member_id) WHERE status = 'open' AND attempt_count > 0`.execute(db);

  await db.schema
    .createTable('outreach_log')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('staff_user_id', 'uuid', (c) => c.references('staff_users.id').onDelete('set null'))
    .addColumn('episode_id', 'uuid')
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel IN (${inList(CHANNELS)})`))
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome IN (${inList(OUTCOMES)})`))
    .addColumn('note', 'text')
    .addColumn('follow_up_on', 'date')
    .addColumn('contacted_on', 'date', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('outreach_log_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('outreach_log_member_idx').on('outreach_log').columns(['organization_id', 'member_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('stripe_invoices_retrying_idx').execute();
  for (const table of ['outreach_log', 'retention_signals', 'organizer_digests', 'retention_scan_runs', 'lapse_episodes', 'member_card_expiries', 'worksite_organizers', 'member_exemptions', 'retention_policies']) {
    await db.schema.dropTable(table).execute();
  }
}

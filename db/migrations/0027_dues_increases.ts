import { Kysely, sql } from 'kysely';

// A dues increase carried to Stripe: one row per confirmed increase (a plan's new rate
// version with the notice members are owed), and one per subscription it changes, with
// what the member paid before and will pay after. The item rows are the job's state: a
// notice or a change is done once its timestamp is set, so a restarted job resumes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dues_increases')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('plan_id', 'uuid', (c) => c.notNull().references('plans.id'))
    .addColumn('plan_version_id', 'uuid', (c) => c.notNull().unique().references('plan_versions.id'))
    .addColumn('notice_days', 'integer', (c) => c.notNull().check(sql`notice_days BETWEEN 0 AND 365`))
    .addColumn('notice_on', 'date', (c) => c.notNull())
    .addColumn('effective_from', 'date', (c) => c.notNull())
    .addColumn('confirmed_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .addColumn('confirmed_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('dues_increases_notice_before_effect', sql`notice_on <= effective_from`)
    .execute();
  await db.schema
    .createTable('dues_increase_items')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('increase_id', 'uuid', (c) => c.notNull().references('dues_increases.id'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id'))
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('before_cents', 'integer')
    // Null: the member's dues cannot be computed under the new rate (wage facts missing); nothing is sent or changed.
    .addColumn('after_cents', 'integer')
    .addColumn('notice_sent_at', 'timestamptz')
    .addColumn('applied_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addUniqueConstraint('dues_increase_items_one_per_subscription', ['increase_id', 'subscription_id'])
    .execute();
  await sql`CREATE INDEX dues_increase_items_pending ON dues_increase_items (increase_id) WHERE applied_at IS NULL OR notice_sent_at IS NULL`.execute(db);
  await sql`CREATE INDEX dues_increase_items_by_member ON dues_increase_items (organization_id, member_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dues_increase_items').execute();
  await db.schema.dropTable('dues_increases').execute();
}

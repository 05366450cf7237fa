import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('plans')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('member_class', 'text', (c) => c.notNull().defaultTo('regular'))
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency ~ '^[a-z]{3}$'`))
    .addColumn('billing_interval', 'text', (c) => c.notNull().check(sql`billing_interval IN ('week', 'month', 'year')`))
    .addColumn('billing_interval_count', 'integer', (c) => c.notNull().defaultTo(1).check(sql`billing_interval_count BETWEEN 1 AND 52`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status IN ('active', 'archived')`))
    .addColumn('stripe_product_id', 'text')
    .addColumn('archived_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('plans_org_id_key', ['organization_id', 'id'])
    .execute();
  await sql`CREATE UNIQUE INDEX plans_org_name_key ON plans (organization_id, lower(name))`.execute(db);

  // A rate changes only by a new version with an effective date and the vote that
  // authorized it; versions are never edited, so the history stays.
  await db.schema
    .createTable('plan_versions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('plan_id', 'uuid', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('effective_from', 'date', (c) => c.notNull())
    .addColumn('amount_rule', 'jsonb', (c) => c.notNull())
    .addColumn('initiation_fee_cents', 'integer', (c) => c.check(sql`initiation_fee_cents > 0`))
    .addColumn('authorization_note', 'text', (c) => c.notNull())
    .addColumn('stripe_price_id', 'text')
    .addColumn('created_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('plan_versions_plan_fkey', ['organization_id', 'plan_id'], 'plans', ['organization_id', 'id'], (c) => c.onDelete('cascade'))
    .addUniqueConstraint('plan_versions_plan_version_key', ['plan_id', 'version'])
    .addUniqueConstraint('plan_versions_plan_effective_key', ['plan_id', 'effective_from'])
    .execute();

  await db.schema
    .createTable('members')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('preferred_language', 'text', (c) => c.notNull().defaultTo('en').check(sql`preferred_language IN ('en', 'es')`))
    .addColumn('employer', 'text')
    .addColumn('worksite', 'text')
    .addColumn('member_class', 'text', (c) => c.notNull().defaultTo('regular'))
    .addColumn('organizer_staff_user_id', 'uuid', (c) => c.references('staff_users.id').onDelete('set null'))
    .addColumn('external_id', 'text')
    .addColumn('stripe_customer_id', 'text')
    .addColumn('plan_id', 'uuid')
    .addColumn('wage_facts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('joined_on', 'date')
    .addColumn('paid_through', 'date')
    .addColumn('standing', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`standing IN ('pending', 'active', 'past_due', 'lapsed', 'exempt', 'resigned', 'suspended', 'dropped')`),
    )
    .addColumn('standing_changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('members_org_id_key', ['organization_id', 'id'])
    .addForeignKeyConstraint('members_plan_fkey', ['organization_id', 'plan_id'], 'plans', ['organization_id', 'id'])
    .execute();
  await sql`CREATE UNIQUE INDEX members_org_email_key ON members (organization_id, lower(email))`.execute(db);
  await sql`CREATE UNIQUE INDEX members_org_external_id_key ON members (organization_id, external_id) WHERE external_id IS NOT NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX members_org_stripe_customer_key ON members (organization_id, stripe_customer_id) WHERE stripe_customer_id IS NOT NULL`.execute(db);
  await db.schema.createIndex('members_org_standing_idx').on('members').columns(['organization_id', 'standing']).execute();
  await db.schema.createIndex('members_org_name_idx').on('members').columns(['organization_id', 'name', 'id']).execute();

  // Every change of standing, with its cause (a staff action, a payment, a Stripe event id).
  await db.schema
    .createTable('member_standing_changes')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('from_standing', 'text')
    .addColumn('to_standing', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('cause_reference', 'text')
    .addColumn('staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('member_standing_changes_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('member_standing_changes_member_idx').on('member_standing_changes').columns(['organization_id', 'member_id', 'id']).execute();

  // Cash, checks and payroll deductions remitted by an employer, recorded by a treasurer.
  await db.schema
    .createTable('manual_payments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method IN ('cash', 'check', 'payroll_deduction')`))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('period_end', 'date', (c) => c.notNull())
    .addColumn('received_on', 'date', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('note', 'text')
    .addColumn('recorded_by_staff_user_id', 'uuid', (c) => c.references('staff_users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('manual_payments_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'])
    .addCheckConstraint('manual_payments_period_check', sql`period_end >= period_start`)
    .execute();
  await db.schema.createIndex('manual_payments_member_idx').on('manual_payments').columns(['organization_id', 'member_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('manual_payments').execute();
  await db.schema.dropTable('member_standing_changes').execute();
  await db.schema.dropTable('members').execute();
  await db.schema.dropTable('plan_versions').execute();
  await db.schema.dropTable('plans').execute();
}

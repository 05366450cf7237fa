import { Kysely, sql } from 'kysely';

// The hosted signup page: the dues authorization members accept (versioned per
// organization and language), the record of each acceptance, and single-use links that
// open the billing portal. Keys lead with organization_id, like every tenant table.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dues_authorizations')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language IN ('en', 'es')`))
    .addColumn('text', 'text', (c) => c.notNull().check(sql`length(text) BETWEEN 1 AND 5000`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('dues_authorizations_pkey', ['organization_id', 'version', 'language'])
    .execute();

  await db.schema
    .createTable('signup_consents')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('authorization_version', 'integer', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'uuid', (c) => c.notNull())
    .addColumn('dues_cents', 'integer', (c) => c.notNull().check(sql`dues_cents >= 0`))
    .addColumn('payment_method', 'text', (c) => c.notNull().check(sql`payment_method IN ('us_bank_account', 'card')`))
    .addColumn('accepted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('checkout_session_id', 'text')
    .addPrimaryKeyConstraint('signup_consents_pkey', ['organization_id', 'id'])
    .addForeignKeyConstraint('signup_consents_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('signup_consents_plan_fkey', ['organization_id', 'plan_id'], 'plans', ['organization_id', 'id'])
    .addForeignKeyConstraint(
      'signup_consents_authorization_fkey',
      ['organization_id', 'authorization_version', 'language'],
      'dues_authorizations',
      ['organization_id', 'version', 'language'],
    )
    .execute();
  await sql`CREATE INDEX signup_consents_member_idx ON signup_consents (organization_id, member_id)`.execute(db);

  await db.schema
    .createTable('manage_links')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('manage_links_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('manage_links_token_key', ['organization_id', 'token_hash'])
    .addForeignKeyConstraint('manage_links_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('manage_links').execute();
  await db.schema.dropTable('signup_consents').execute();
  await db.schema.dropTable('dues_authorizations').execute();
}

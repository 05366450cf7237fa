import { Kysely, sql } from 'kysely';

// Nothing about a person is created or changed until they prove they hold the email: a
// signup or a request to manage one's dues first emails a link, and what the form said
// waits here (not in a member row) until the link is used. A row is written for every
// request, known address or not, so that the request does the same work either way.
// The emailed link carries the token; only its hash is stored. Rows are short-lived and
// are purged once expired. Manage links become rows of this table, so manage_links goes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signup_confirmations')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    // join: continue a signup to Checkout; manage: open the billing portal once.
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose IN ('join', 'manage')`))
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull().check(sql`length(email) <= 320`))
    // The signup form as typed (join only), cleared once the signup it started is recorded.
    .addColumn('draft', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addPrimaryKeyConstraint('signup_confirmations_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('signup_confirmations_token_key', ['organization_id', 'token_hash'])
    .addCheckConstraint('signup_confirmations_draft_check', sql`purpose = 'join' OR draft IS NULL`)
    .execute();
  await sql`CREATE INDEX signup_confirmations_expiry_idx ON signup_confirmations (organization_id, expires_at)`.execute(db);
  await db.schema.dropTable('manage_links').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('manage_links')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('manage_links_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('manage_links_token_key', ['organization_id', 'token_hash'])
    .addForeignKeyConstraint('manage_links_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.dropTable('signup_confirmations').execute();
}

import { Kysely, sql } from 'kysely';

// The admin's settings: how plans show on the signup page (translations, order, visibility,
// the one preselected), and what the signup page says about the organization (its contact,
// privacy notice and logo).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('plans')
    .addColumn('description', 'text')
    // { "es": { "name": "...", "description": "...", "bracketLabels": ["..."] }, "en": {...} }: the base text where a language has none.
    .addColumn('translations', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('display_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('visible_on_signup', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('preselected', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`ALTER TABLE plans ADD CONSTRAINT plans_translations_object CHECK (jsonb_typeof(translations) = 'object')`.execute(db);
  await sql`CREATE UNIQUE INDEX plans_one_preselected ON plans (organization_id) WHERE preselected`.execute(db);

  await db.schema
    .alterTable('organizations')
    .addColumn('contact_phone', 'text')
    .addColumn('contact_email', 'text')
    .addColumn('contact_address', 'text')
    // { "en": "...", "es": "..." }
    .addColumn('privacy_notice', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();

  // Apart from organizations, so that reading an organization never drags its picture along.
  await db.schema
    .createTable('organization_logos')
    .addColumn('organization_id', 'uuid', (c) => c.primaryKey().references('organizations.id'))
    .addColumn('content_type', 'text', (c) => c.notNull().check(sql`content_type IN ('image/png', 'image/jpeg')`))
    .addColumn('bytes', 'bytea', (c) => c.notNull().check(sql`octet_length(bytes) BETWEEN 1 AND 204800`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('organization_logos').execute();
  await db.schema.alterTable('organizations').dropColumn('contact_phone').dropColumn('contact_email').dropColumn('contact_address').dropColumn('privacy_notice').execute();
  await sql`DROP INDEX plans_one_preselected`.execute(db);
  await db.schema.alterTable('plans').dropConstraint('plans_translations_object').execute();
  await db.schema.alterTable('plans').dropColumn('description').dropColumn('translations').dropColumn('display_order').dropColumn('visible_on_signup').dropColumn('preselected').execute();
}

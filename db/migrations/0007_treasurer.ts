import { Kysely, sql } from 'kysely';

// Affiliates the organization pays per-capita tax to, and their rates as data with
// effective dates: a rate changes by a new row, so past months keep the rate they had.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('affiliates')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) BETWEEN 1 AND 200`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('international_union', 'state_federation', 'central_labor_council', 'other')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('affiliates_pkey', ['organization_id', 'id'])
    .execute();
  await sql`CREATE UNIQUE INDEX affiliates_name_key ON affiliates (organization_id, lower(name))`.execute(db);

  await db.schema
    .createTable('per_capita_rates')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('affiliate_id', 'uuid', (c) => c.notNull())
    .addColumn('rate_cents', 'integer', (c) => c.notNull().check(sql`rate_cents >= 0`))
    .addColumn('effective_from', 'date', (c) => c.notNull())
    .addColumn('created_by_staff_user_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('per_capita_rates_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('per_capita_rates_effective_key', ['organization_id', 'affiliate_id', 'effective_from'])
    .addForeignKeyConstraint('per_capita_rates_affiliate_fkey', ['organization_id', 'affiliate_id'], 'affiliates', ['organization_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('per_capita_rates').execute();
  await db.schema.dropTable('affiliates').execute();
}

import { Kysely, sql } from 'kysely';

// A roll checked in the console waits here between its preview and its confirmation (a
// browser does not send a file twice). The text holds people's details: it is emptied when
// the roll is imported, and rows older than a day are deleted at the next check.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('roll_uploads')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('staff_user_id', 'uuid', (c) => c.notNull().references('staff_users.id'))
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode IN ('add', 'update')`))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('imported_at', 'timestamptz')
    .execute();
  await sql`CREATE INDEX roll_uploads_by_organization ON roll_uploads (organization_id, created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('roll_uploads').execute();
}

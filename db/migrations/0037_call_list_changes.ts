import { Kysely, sql } from 'kysely';

// The call list's ranking of an organizer's ~1,000 candidates is remembered by each process
// (src/console/call-ranking.ts) with the snapshot it was read in. Every transaction that
// changes a fact the ranking reads — members, their signals, outreach, exemptions, worksite
// routing, staff roles — leaves one row here, whichever code writes it: a remembered ranking
// still holds exactly when every such row the reader can see was visible in its snapshot.
// Rows are only appended (one per organization and transaction), so writers never wait on
// each other. The daily scan deletes old rows and raises the organization's horizon: a
// ranking read before the horizon is never trusted again.
const SOURCES = ['members', 'retention_signals', 'outreach_log', 'member_exemptions', 'worksite_organizers', 'staff_roles'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE call_list_changes (
      -- No foreign key: deleting an organization deletes its members, whose trigger writes here.
      organization_id uuid NOT NULL,
      xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
      PRIMARY KEY (organization_id, xact)
    )`.execute(db);
  await sql`
    CREATE TABLE call_list_horizons (
      organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
      pruned_before xid8 NOT NULL
    )`.execute(db);
  await sql`
    CREATE FUNCTION call_list_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO call_list_changes (organization_id) SELECT DISTINCT organization_id FROM changed ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$`.execute(db);
  for (const table of SOURCES) {
    // Statement triggers with the changed rows: one insert per statement, not per row.
    await sql`CREATE TRIGGER ${sql.raw(`${table}_call_list_insert`)} AFTER INSERT ON ${sql.table(table)}
              REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION call_list_note_change()`.execute(db);
    await sql`CREATE TRIGGER ${sql.raw(`${table}_call_list_update`)} AFTER UPDATE ON ${sql.table(table)}
              REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION call_list_note_change()`.execute(db);
    await sql`CREATE TRIGGER ${sql.raw(`${table}_call_list_delete`)} AFTER DELETE ON ${sql.table(table)}
              REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION call_list_note_change()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of SOURCES) {
    for (const event of ['insert', 'update', 'delete']) await sql`DROP TRIGGER ${sql.raw(`${table}_call_list_${event}`)} ON ${sql.table(table)}`.execute(db);
  }
  await sql`DROP FUNCTION call_list_note_change()`.execute(db);
  await sql`DROP TABLE call_list_horizons`.execute(db);
  await sql`DROP TABLE call_list_changes`.execute(db);
}

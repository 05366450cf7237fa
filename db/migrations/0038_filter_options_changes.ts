import { Kysely, sql } from 'kysely';

// The members list's filter options (worksites, organizers, plans) are remembered by each
// process with the snapshot they were read in, as the call list's ranking is, and checked
// against the same log of changes (migration 0037). That log already hears of members
// (their worksites), worksite routing and staff roles; what the options also read is the
// plans' names and the staff's names, so their writes are noted too. A staff member has no
// organization of their own: a renaming is noted for each organization they hold a role in.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TRIGGER plans_call_list_insert AFTER INSERT ON plans
            REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION call_list_note_change()`.execute(db);
  await sql`CREATE TRIGGER plans_call_list_update AFTER UPDATE ON plans
            REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION call_list_note_change()`.execute(db);
  await sql`CREATE TRIGGER plans_call_list_delete AFTER DELETE ON plans
            REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION call_list_note_change()`.execute(db);
  await sql`
    CREATE FUNCTION call_list_note_staff_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- A role being granted meanwhile, not yet committed, would be missed below: its foreign
      -- key holds a key-share lock on this row, so waiting for it lets the insert see the role.
      PERFORM 1 FROM staff_users WHERE id = NEW.id FOR UPDATE;
      INSERT INTO call_list_changes (organization_id)
      SELECT DISTINCT r.organization_id FROM staff_roles r WHERE r.staff_user_id = NEW.id
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$`.execute(db);
  // A row trigger: staff rows change rarely, and only a new name matters.
  await sql`CREATE TRIGGER staff_users_call_list_renamed AFTER UPDATE OF name ON staff_users
            FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION call_list_note_staff_renamed()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER staff_users_call_list_renamed ON staff_users`.execute(db);
  await sql`DROP FUNCTION call_list_note_staff_renamed()`.execute(db);
  for (const event of ['insert', 'update', 'delete']) await sql`DROP TRIGGER ${sql.raw(`plans_call_list_${event}`)} ON plans`.execute(db);
}

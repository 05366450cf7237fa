import { Kysely, sql } from 'kysely';

// The call list's candidates are the members behind and those with a recent signal. Each
// member now carries the last day a retention signal was recorded for them, kept by a
// trigger in the transaction that records the signal (whichever code records it), so an
// organizer's candidates come from one small partial index instead of every member in
// their scope being intersected with the organization's recent signals. The daily scan
// clears the day once it is long past the list's window, which keeps the index small.
const MAY_BE_CALLED = sql`standing IN ('past_due', 'lapsed', 'suspended', 'dropped') OR last_signal_on IS NOT NULL`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE members ADD COLUMN last_signal_on date`.execute(db);
  await sql`
    CREATE FUNCTION members_note_signals() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE members m SET last_signal_on = recorded.detected_on
      FROM (SELECT organization_id, member_id, max(detected_on) AS detected_on FROM new_signals GROUP BY organization_id, member_id) recorded
      WHERE m.organization_id = recorded.organization_id AND m.id = recorded.member_id
        AND (m.last_signal_on IS NULL OR m.last_signal_on < recorded.detected_on);
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER retention_signals_noted_on_members AFTER INSERT ON retention_signals
    REFERENCING NEW TABLE AS new_signals FOR EACH STATEMENT EXECUTE FUNCTION members_note_signals()`.execute(db);
  // Every member's last signal: the next daily scan clears those long past.
  await sql`
    UPDATE members m SET last_signal_on = recorded.detected_on
    FROM (SELECT organization_id, member_id, max(detected_on) AS detected_on FROM retention_signals GROUP BY organization_id, member_id) recorded
    WHERE m.organization_id = recorded.organization_id AND m.id = recorded.member_id`.execute(db);
  await sql`CREATE INDEX members_call_organizer_idx ON members (organization_id, organizer_staff_user_id)
            INCLUDE (id, standing, name, paid_through, standing_changed_at, last_signal_on)
            WHERE organizer_staff_user_id IS NOT NULL AND (${MAY_BE_CALLED})`.execute(db);
  await sql`CREATE INDEX members_call_worksite_idx ON members (organization_id, worksite)
            INCLUDE (id, organizer_staff_user_id, standing, name, paid_through, standing_changed_at, last_signal_on)
            WHERE ${MAY_BE_CALLED}`.execute(db);
  // What the daily scan clears, found by day rather than by reading every member.
  await sql`CREATE INDEX members_last_signal_idx ON members (organization_id, last_signal_on) WHERE last_signal_on IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX members_last_signal_idx`.execute(db);
  await sql`DROP INDEX members_call_worksite_idx`.execute(db);
  await sql`DROP INDEX members_call_organizer_idx`.execute(db);
  await sql`DROP TRIGGER retention_signals_noted_on_members ON retention_signals`.execute(db);
  await sql`DROP FUNCTION members_note_signals()`.execute(db);
  await sql`ALTER TABLE members DROP COLUMN last_signal_on`.execute(db);
}

import { Kysely, sql } from 'kysely';

// The call list ranks an organizer's members (their own and their worksites' unassigned
// ones) by standing, months owed and name: the members-by-organizer and by-worksite indexes
// now carry what that needs (paid-through day, name, when the standing changed), so the
// ranking reads no member rows — only the page shown does. And the month's recoveries
// are found by their day.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX members_org_organizer_idx`.execute(db);
  await sql`DROP INDEX members_org_worksite_idx`.execute(db);
  await sql`CREATE INDEX members_org_organizer_idx ON members (organization_id, organizer_staff_user_id, standing)
            INCLUDE (id, name, paid_through, standing_changed_at) WHERE organizer_staff_user_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX members_org_worksite_idx ON members (organization_id, worksite, standing)
            INCLUDE (id, organizer_staff_user_id, name, paid_through, standing_changed_at)`.execute(db);
  // The workspace's recovery this month: lapses recovered in a month, beside those opened in it (lapse_episodes_opened_idx).
  await sql`CREATE INDEX lapse_episodes_recovered_idx ON lapse_episodes (organization_id, closed_on) WHERE close_reason = 'recovered'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX lapse_episodes_recovered_idx`.execute(db);
  await sql`DROP INDEX members_org_organizer_idx`.execute(db);
  await sql`DROP INDEX members_org_worksite_idx`.execute(db);
  await sql`CREATE INDEX members_org_organizer_idx ON members (organization_id, organizer_staff_user_id, standing) INCLUDE (id) WHERE organizer_staff_user_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX members_org_worksite_idx ON members (organization_id, worksite, standing) INCLUDE (id, organizer_staff_user_id)`.execute(db);
}

import { Kysely, sql } from 'kysely';

const OUTCOMES = ['no_answer', 'left_message', 'wrong_number', 'reached', 'recommitted', 'promised_to_pay', 'hardship_exemption_requested', 'changed_jobs', 'resigned'];
const inList = (values: string[]) => sql.join(values.map((value) => sql.lit(value)));

// The staff console: each staff member's language; the outreach outcomes an organizer
// records from the call list (a promise to pay carries its date); and the indexes the
// console's pages read through (search by any part of a name, email or phone number,
// members by organizer and worksite, by months owed).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE staff_users ADD COLUMN preferred_language text NOT NULL DEFAULT 'en' CHECK (preferred_language IN ('en', 'es'))`.execute(db);

  await sql`ALTER TABLE outreach_log DROP CONSTRAINT outreach_log_outcome_check`.execute(db);
  await sql`ALTER TABLE outreach_log ADD CONSTRAINT outreach_log_outcome_check CHECK (outcome IN (${inList(OUTCOMES)}))`.execute(db);
  await sql`ALTER TABLE outreach_log ADD COLUMN promised_on date`.execute(db);
  await sql`ALTER TABLE outreach_log ADD CONSTRAINT outreach_log_promise_check CHECK ((outcome = 'promised_to_pay') = (promised_on IS NOT NULL))`.execute(db);

  // pg_trgm is a trusted extension: the database's owner may create it.
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
  await sql`CREATE INDEX members_name_trgm_idx ON members USING gin (name gin_trgm_ops)`.execute(db);
  await sql`CREATE INDEX members_email_trgm_idx ON members USING gin (email gin_trgm_ops)`.execute(db);
  await sql`CREATE INDEX members_phone_digits_trgm_idx ON members USING gin ((regexp_replace(phone, '\\D', '', 'g')) gin_trgm_ops) WHERE phone IS NOT NULL`.execute(db);
  // Covering: an organizer's or a worksite's members and their standings without reading the table.
  await sql`CREATE INDEX members_org_organizer_idx ON members (organization_id, organizer_staff_user_id, standing) INCLUDE (id) WHERE organizer_staff_user_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX members_org_worksite_idx ON members (organization_id, worksite, standing) INCLUDE (id, organizer_staff_user_id)`.execute(db);
  // A member's lapses, for their timeline.
  await sql`CREATE INDEX lapse_episodes_member_idx ON lapse_episodes (organization_id, member_id)`.execute(db);
  // Standing promises to pay, for the call list.
  await sql`CREATE INDEX outreach_log_promised_idx ON outreach_log (organization_id, promised_on) WHERE outcome = 'promised_to_pay'`.execute(db);
  await sql`CREATE INDEX members_org_paid_through_idx ON members (organization_id, paid_through, name, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['outreach_log_promised_idx', 'lapse_episodes_member_idx', 'members_org_paid_through_idx', 'members_org_worksite_idx', 'members_org_organizer_idx', 'members_phone_digits_trgm_idx', 'members_email_trgm_idx', 'members_name_trgm_idx']) {
    await sql`DROP INDEX ${sql.ref(index)}`.execute(db);
  }
  await sql`ALTER TABLE outreach_log DROP CONSTRAINT outreach_log_promise_check`.execute(db);
  await sql`ALTER TABLE outreach_log DROP COLUMN promised_on`.execute(db);
  await sql`DELETE FROM outreach_log WHERE outcome NOT IN ('no_answer', 'reached', 'recommitted', 'hardship_exemption_requested', 'changed_jobs', 'resigned')`.execute(db);
  await sql`ALTER TABLE outreach_log DROP CONSTRAINT outreach_log_outcome_check`.execute(db);
  await sql`ALTER TABLE outreach_log ADD CONSTRAINT outreach_log_outcome_check CHECK (outcome IN ('no_answer', 'reached', 'recommitted', 'hardship_exemption_requested', 'changed_jobs', 'resigned'))`.execute(db);
  await sql`ALTER TABLE staff_users DROP COLUMN preferred_language`.execute(db);
}

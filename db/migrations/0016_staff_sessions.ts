import { Kysely, sql } from 'kysely';

// Staff sessions that the server can end: every staff token names its session (`sid`), and
// a request is served only while that session stands (not revoked, not expired). Sign-out,
// an admin's "sign out everywhere" and a change of roles revoke rows here.
//
// Staff invitations: adding someone to an organization's staff no longer looks them up
// platform-wide; it emails an invitation that the holder of the address accepts, so the
// inviting organization learns nothing about the address's other accounts.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE staff_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      staff_user_id uuid NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
      via text NOT NULL CHECK (via IN ('sign_in_link', 'invitation', 'issued_token')),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_reason text CHECK (revoked_reason IN ('signed_out', 'signed_out_everywhere', 'roles_changed')),
      CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
    )`.execute(db);
  // The guard's lookup is by primary key; revoking a person's sessions in one organization reads this.
  await sql`CREATE INDEX staff_sessions_member_idx ON staff_sessions (organization_id, staff_user_id) WHERE revoked_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE staff_invitations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      email text NOT NULL,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'treasurer', 'organizer')),
      token_hash text NOT NULL UNIQUE,
      invited_by_staff_user_id uuid REFERENCES staff_users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      accepted_by_staff_user_id uuid REFERENCES staff_users (id) ON DELETE SET NULL,
      withdrawn_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX staff_invitations_open_idx ON staff_invitations (organization_id, created_at) WHERE accepted_at IS NULL AND withdrawn_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE staff_invitations`.execute(db);
  await sql`DROP TABLE staff_sessions`.execute(db);
}

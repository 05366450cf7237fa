import { sql, type Kysely } from 'kysely';
import { KEEP_PREPARED } from '../../db/connection';
import type { Database, Language, StaffRole, StaffSessionEnd, StaffSessionVia } from '../../db/database';
import { signStaffToken } from './tokens';

/**
 * Opens a server-side session and signs the token that names it. The token is good until
 * its `exp` or until the session is revoked, whichever comes first.
 */
export async function openStaffSession(
  db: Kysely<Database>,
  secret: string,
  session: { staffUserId: string; organizationId: string; roles: StaffRole[]; via: StaffSessionVia },
  seconds: number,
  now: Date,
): Promise<{ sessionId: string; token: string }> {
  const row = await db
    .insertInto('staff_sessions')
    .values({
      organization_id: session.organizationId,
      staff_user_id: session.staffUserId,
      via: session.via,
      created_at: now,
      expires_at: new Date(now.getTime() + seconds * 1000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const token = signStaffToken(secret, { staffUserId: session.staffUserId, organizationId: session.organizationId, sessionId: row.id, roles: session.roles }, seconds, now);
  return { sessionId: row.id, token };
}

/** Who a staff principal is, for the console's page frame. */
export interface PrincipalFrame {
  staffName: string;
  language: Language;
  organization: { slug: string; name: string; timeZone: string; currency: string };
}

/**
 * The roles a staff member holds in an organization, provided the session their token names
 * still stands, with their name and language and the organization's (the console's page
 * frame): one statement, the same round trip the guard always made for the roles.
 * Undefined (so no roles) for a revoked, expired or someone else's session.
 */
export async function principalInSession(
  db: Kysely<Database>,
  session: { organizationId: string; staffUserId: string; sessionId: string },
  now: Date,
): Promise<{ roles: StaffRole[]; frame: PrincipalFrame } | undefined> {
  // Written as SQL rather than built: this runs on every staff request, and building the
  // nested query cost more CPU than the database spends answering it (scripts/bench/sessions.ts).
  // Kept prepared: planning it cost more than answering it.
  const { rows } = await sql<{ role: StaffRole; staff_name: string; preferred_language: Language; slug: string; organization_name: string; time_zone: string; currency: string }>`${sql.raw(KEEP_PREPARED)}
    SELECT r.role, s.name AS staff_name, s.preferred_language, o.slug, o.name AS organization_name, o.time_zone, o.currency
    FROM staff_roles r
    JOIN staff_users s ON s.id = r.staff_user_id
    JOIN organizations o ON o.id = r.organization_id
    WHERE r.organization_id = ${session.organizationId} AND r.staff_user_id = ${session.staffUserId}
      AND EXISTS (
        SELECT 1 FROM staff_sessions
        WHERE id = ${session.sessionId} AND organization_id = ${session.organizationId} AND staff_user_id = ${session.staffUserId}
          AND revoked_at IS NULL AND expires_at > ${now})
    ORDER BY r.role`.execute(db);
  const first = rows[0];
  if (first === undefined) return undefined;
  return {
    roles: rows.map((row) => row.role),
    frame: {
      staffName: first.staff_name,
      language: first.preferred_language,
      organization: { slug: first.slug, name: first.organization_name, timeZone: first.time_zone, currency: first.currency },
    },
  };
}

/** Ends one session (sign-out). Only the session's own holder's id matches, so a guessed id ends nothing. */
export async function revokeStaffSession(db: Kysely<Database>, session: { sessionId: string; staffUserId: string }, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('staff_sessions')
    .set({ revoked_at: now, revoked_reason: 'signed_out' })
    .where('id', '=', session.sessionId)
    .where('staff_user_id', '=', session.staffUserId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ends every session a staff member has in one organization (their sessions elsewhere are another organization's business); the number ended. */
export async function revokeStaffSessionsIn(
  db: Kysely<Database>,
  organizationId: string,
  staffUserId: string,
  reason: Exclude<StaffSessionEnd, 'signed_out'>,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable('staff_sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('organization_id', '=', organizationId)
    .where('staff_user_id', '=', staffUserId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

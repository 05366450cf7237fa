import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, StaffRole } from '../../db/database';
import { enqueueEmail } from '../email/outbox';
import { staffInvitationEmail } from '../email/templates';
import { grantRole, upsertStaffUser } from './queries';

// Adding someone to an organization's staff never looks their address up across the
// platform: the organization learns nothing about accounts it does not hold (whether the
// address has one, its name, its id). Whoever holds the address gets an emailed invitation
// and accepts it; the link proves the address, as a sign-in link does.

export const INVITATION_DAYS = 7;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface InvitationView {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  status: 'invited';
  invitedAt: Date;
  expiresAt: Date;
}

const view = (row: { id: string; email: string; name: string; role: StaffRole; created_at: Date; expires_at: Date }): InvitationView => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  status: 'invited',
  invitedAt: row.created_at,
  expiresAt: row.expires_at,
});

/** Records an invitation and queues its email; what the inviting admin entered, and nothing else, comes back. */
export async function inviteStaff(
  db: Kysely<Database>,
  invitation: { organizationId: string; organizationName: string; email: string; name: string; role: StaffRole; invitedBy: string; publicUrl: string; now: Date },
): Promise<InvitationView> {
  const token = randomBytes(32).toString('base64url');
  const row = await db
    .insertInto('staff_invitations')
    .values({
      organization_id: invitation.organizationId,
      email: invitation.email.trim(),
      name: invitation.name,
      role: invitation.role,
      token_hash: hashToken(token),
      invited_by_staff_user_id: invitation.invitedBy,
      created_at: invitation.now,
      expires_at: new Date(invitation.now.getTime() + INVITATION_DAYS * 86_400_000),
    })
    .returning(['id', 'email', 'name', 'role', 'created_at', 'expires_at'])
    .executeTakeFirstOrThrow();
  const link = `${invitation.publicUrl}/staff/invitations/accept?token=${encodeURIComponent(token)}`;
  const message = staffInvitationEmail({ inviteeName: invitation.name, organizationName: invitation.organizationName, role: invitation.role, link, days: INVITATION_DAYS });
  await enqueueEmail(db, { organizationId: invitation.organizationId, kind: 'staff_invitation', to: row.email, ...message, queuedAt: invitation.now });
  return view(row);
}

export async function openInvitations(db: Kysely<Database>, organizationId: string, now: Date): Promise<InvitationView[]> {
  const rows = await db
    .selectFrom('staff_invitations')
    .select(['id', 'email', 'name', 'role', 'created_at', 'expires_at'])
    .where('organization_id', '=', organizationId)
    .where('accepted_at', 'is', null)
    .where('withdrawn_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(view);
}

/** Withdraws an open invitation of this organization; false when there is none by that id. */
export async function withdrawInvitation(db: Kysely<Database>, organizationId: string, invitationId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('staff_invitations')
    .set({ withdrawn_at: now })
    .where('id', '=', invitationId)
    .where('organization_id', '=', organizationId)
    .where('accepted_at', 'is', null)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** An invitation a link would still accept, for the page it opens (which spends nothing). */
export async function liveInvitation(db: Kysely<Database>, token: string, now: Date) {
  return db
    .selectFrom('staff_invitations as i')
    .innerJoin('organizations as o', 'o.id', 'i.organization_id')
    .select(['i.id', 'i.role', 'o.name as organization_name'])
    .where('i.token_hash', '=', hashToken(token))
    .where('i.accepted_at', 'is', null)
    .where('i.withdrawn_at', 'is', null)
    .where('i.expires_at', '>', now)
    .executeTakeFirst();
}

/**
 * Spends an invitation: the holder of the address becomes staff with the role. An existing
 * account keeps its own name; a new one takes the name the admin entered. Undefined for a
 * used, withdrawn, expired or unknown token.
 */
export async function acceptInvitation(db: Kysely<Database>, token: string, now: Date): Promise<{ invitationId: string; organizationId: string; staffUserId: string; role: StaffRole } | undefined> {
  const spent = await db
    .updateTable('staff_invitations')
    .set({ accepted_at: now })
    .where('token_hash', '=', hashToken(token))
    .where('accepted_at', 'is', null)
    .where('withdrawn_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['id', 'organization_id', 'email', 'name', 'role'])
    .executeTakeFirst();
  if (!spent) return undefined;
  const user = await upsertStaffUser(db, { email: spent.email, name: spent.name }, now);
  await grantRole(db, spent.organization_id, user.id, spent.role, now);
  await db.updateTable('staff_invitations').set({ accepted_by_staff_user_id: user.id }).where('id', '=', spent.id).execute();
  return { invitationId: spent.id, organizationId: spent.organization_id, staffUserId: user.id, role: spent.role };
}

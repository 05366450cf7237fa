import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { STAFF_ROLES, type Database, type StaffRole } from '../../../db/database';
import { auditActor, recordAudit } from '../../audit/audit';
import { revokeStaffSessionsIn } from '../../auth/sessions';
import type { AppContext } from '../../context';
import { notFound } from '../../http/errors';
import type { RouteDefinition } from '../../http/routes';
import { inviteStaff, openInvitations, withdrawInvitation } from '../../staff/invitations';
import { findStaffMember, findStaffMemberByEmail, grantRole, listStaff, revokeRole } from '../../staff/queries';
import { roleChangeRefusal, type RoleRefusal } from '../../staff/roles';
import type { ConsoleRouteKit } from '../months';
import { StaffPage, type InviteField, type StaffPageProps } from '../pages/staff';
import { sendPage } from '../routes';
import type { ConsoleSession } from '../session';

const staffParams = z.object({ staffUserId: z.uuid() });
const invitationParams = z.object({ invitationId: z.uuid() });
const inviteSchema = z.object({
  name: z.string().trim().min(1).max(200).refine((value) => !value.includes('\u0000')),
  email: z.email().max(320),
  role: z.enum(STAFF_ROLES as [StaffRole, ...StaffRole[]]),
});

/** The organization's admins other than this person; their rows locked so two changes cannot each leave the other as the last. */
async function otherAdmins(trx: Kysely<Database>, organizationId: string, staffUserId: string): Promise<number> {
  const rows = await trx.selectFrom('staff_roles').select('staff_user_id').where('organization_id', '=', organizationId).where('role', '=', 'admin').forUpdate().execute();
  return rows.filter((row) => row.staff_user_id !== staffUserId).length;
}

/** Staff in the console (admins): invite by email, change roles, remove; never the last admin. */
export function staffConsoleRoutes(ctx: AppContext, kit: ConsoleRouteKit): RouteDefinition[] {
  async function renderStaff(req: Request, res: Response, session: ConsoleSession, status: number, extra: Partial<Pick<StaffPageProps, 'errors' | 'invite' | 'frame'>> = {}) {
    const [staff, invitations] = await Promise.all([listStaff(ctx.db, session.organization.id), openInvitations(ctx.db, session.organization.id, ctx.now())]);
    const frame = extra.frame ?? { ...kit.frameFor(req, res, session), path: '/console/staff' };
    sendPage(res, status, <StaffPage frame={frame} staff={staff} invitations={invitations} errors={extra.errors ?? []} invite={extra.invite ?? { values: {}, errors: {} }} />);
  }

  async function memberInPath(req: Request, session: ConsoleSession) {
    const parsed = staffParams.safeParse(req.params);
    const member = parsed.success ? await findStaffMember(ctx.db, session.organization.id, parsed.data.staffUserId) : undefined;
    if (!member) throw notFound('staff member');
    return member;
  }

  const audit = (db: Kysely<Database>, req: Request, action: string, subjectType: string, subjectId: string, details: Record<string, unknown>) =>
    recordAudit(db, { ...auditActor(req, ctx.now()), action, subjectType, subjectId, details: { ...details, via: 'console' } });

  const refusalText = (m: ConsoleSession['m'], refusal: RoleRefusal) => (refusal === 'no_roles' ? m.admin.errNoRoles : refusal === 'own_admin' ? m.admin.errOwnAdmin : m.admin.errLastAdmin);

  /** Sets a person's roles to `after` (none: removed), under the guard; the refusal, or undefined once done. */
  async function changeRoles(req: Request, session: ConsoleSession, person: { id: string; roles: StaffRole[] }, after: StaffRole[], removing: boolean): Promise<RoleRefusal | undefined> {
    return ctx.db.transaction().execute(async (trx) => {
      const refusal = roleChangeRefusal({ before: person.roles, after, self: person.id === session.staffUserId, otherAdmins: await otherAdmins(trx, session.organization.id, person.id), removing });
      if (refusal) return refusal;
      for (const role of after.filter((r) => !person.roles.includes(r))) {
        await grantRole(trx, session.organization.id, person.id, role, ctx.now());
        await audit(trx, req, 'staff.role_granted', 'staff_user', person.id, { role });
      }
      const revoked = person.roles.filter((r) => !after.includes(r));
      for (const role of revoked) await revokeRole(trx, session.organization.id, person.id, role);
      if (revoked.length > 0) {
        // As the API does: a change in what someone may do ends their sessions here.
        const sessionsEnded = await revokeStaffSessionsIn(trx, session.organization.id, person.id, 'roles_changed', ctx.now());
        await audit(trx, req, removing ? 'staff.removed' : 'staff.role_revoked', 'staff_user', person.id, { roles: revoked, sessionsEnded });
      }
      return undefined;
    });
  }

  return [
    kit.page('/console/staff', ['admin'], 'Staff and their roles, invitations, and the invitation form', async (req, res, frame) => {
      await renderStaff(req, res, frame.session, 200, { frame });
      return undefined;
    }),
    kit.action('/console/staff', ['admin'], 'Invite someone by email with a role (the invitation is a sign-in link), or give a colleague another role', async (req, res, session) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const values = Object.fromEntries((['name', 'email', 'role'] as const).map((field) => [field, typeof body[field] === 'string' ? (body[field] as string) : ''])) as Record<InviteField, string>;
      const parsed = inviteSchema.safeParse({ ...values, email: values.email.trim() });
      if (!parsed.success) {
        const a = session.m.admin;
        const errors: Partial<Record<InviteField, string>> = {};
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0]) as InviteField;
          errors[field] ??= field === 'name' ? a.errStaffName : field === 'email' ? a.errEmail : a.errRole;
        }
        return renderStaff(req, res, session, 400, { errors: Object.entries(errors).map(([field, message]) => ({ field, message })), invite: { values, errors } });
      }
      const input = parsed.data;
      const organization = await kit.organizationOf(session);
      await ctx.db.transaction().execute(async (trx) => {
        // Only this organization's staff are looked up: nothing is read about the address elsewhere.
        const colleague = await findStaffMemberByEmail(trx, organization.id, input.email);
        if (colleague) {
          await grantRole(trx, organization.id, colleague.id, input.role, ctx.now());
          return audit(trx, req, 'staff.role_granted', 'staff_user', colleague.id, { role: input.role });
        }
        const invitation = await inviteStaff(trx, { organizationId: organization.id, organizationName: organization.name, email: input.email, name: input.name, role: input.role, invitedBy: session.staffUserId, publicUrl: ctx.publicUrl, now: ctx.now() });
        await audit(trx, req, 'staff.invited', 'staff_invitation', invitation.id, { role: input.role });
      });
      ctx.notifyOutbox();
      kit.redirectWithFlash(res, '/console/staff', { kind: 'staffInvited', name: input.name });
    }),
    kit.action('/console/staff/:staffUserId/roles', ['admin'], "Change a staff member's roles (never leaving the organization without an admin)", async (req, res, session) => {
      const person = await memberInPath(req, session);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const after = STAFF_ROLES.filter((role) => body[role] === 'yes');
      const refusal = await changeRoles(req, session, person, after, false);
      if (refusal) return renderStaff(req, res, session, 400, { errors: [{ field: `staff-${person.id}`, message: refusalText(session.m, refusal) }] });
      kit.redirectWithFlash(res, '/console/staff', { kind: 'rolesSaved', name: person.name });
    }),
    kit.action('/console/staff/:staffUserId/remove', ['admin'], 'Remove someone from the staff: every role here, and their sessions here, end', async (req, res, session) => {
      const person = await memberInPath(req, session);
      const refusal = await changeRoles(req, session, person, [], true);
      if (refusal) return renderStaff(req, res, session, 400, { errors: [{ field: `staff-${person.id}`, message: refusalText(session.m, refusal) }] });
      kit.redirectWithFlash(res, '/console/staff', { kind: 'staffRemoved', name: person.name });
    }),
    kit.action('/console/staff/invitations/:invitationId/withdraw', ['admin'], 'Withdraw an invitation: its link stops working', async (req, res, session) => {
      const parsed = invitationParams.safeParse(req.params);
      if (!parsed.success) throw notFound('invitation');
      const invitation = (await openInvitations(ctx.db, session.organization.id, ctx.now())).find((open) => open.id === parsed.data.invitationId);
      if (!invitation) throw notFound('invitation');
      await ctx.db.transaction().execute(async (trx) => {
        if (await withdrawInvitation(trx, session.organization.id, invitation.id, ctx.now())) await audit(trx, req, 'staff.invitation_withdrawn', 'staff_invitation', invitation.id, {});
      });
      kit.redirectWithFlash(res, '/console/staff', { kind: 'invitationWithdrawn', name: invitation.name });
    }),
  ];
}

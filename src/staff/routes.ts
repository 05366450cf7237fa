import { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from '../../db/database';
import type { AppContext } from '../context';
import { revokeStaffSessionsIn } from '../auth/sessions';
import { listAudit, recordAudit } from '../audit/audit';
import { answerWith, apiRoute } from '../http/api-route';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { findStaffMember, findStaffMemberByEmail, grantRole, listStaff, revokeRole, rolesIn } from './queries';
import { acceptInvitation, inviteStaff, liveInvitation, openInvitations, withdrawInvitation } from './invitations';
import { openStaffSession } from '../auth/sessions';
import { SESSION_COOKIE } from '../auth/guard';
import { SESSION_SECONDS } from '../auth/tokens';
import { sendHtml } from '../console/routes';
import { pickLanguage } from '../signup/signup';
import { invitationPage, invitationUnusablePage } from './pages';
import { auditListResponse, invitationListResponse, invitedResponse, rolesResponse, sessionsEndedResponse, staffListResponse, staffMemberResponse } from './responses';

const role = z.enum(STAFF_ROLES as [StaffRole, ...StaffRole[]]);
const newStaffSchema = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  role,
});
const staffParams = z.object({ staffUserId: z.uuid() });
const invitationParams = z.object({ invitationId: z.uuid() });
const tokenIn = (source: unknown): string | undefined => {
  const token = (source as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token.length > 0 && token.length <= 200 ? token : undefined;
};
const roleParams = staffParams.extend({ role });
const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
  action: z.string().max(100).optional(),
});

export function staffRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/staff',
      responses: { 200: staffListResponse },
      access: ['admin'],
      summary: "The organization's staff and their roles",
      answer: async ({ me }) => ({ data: await listStaff(ctx.db, me.organizationId) }),
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/staff',
      responses: { 201: staffMemberResponse, 202: invitedResponse },
      requestBody: newStaffSchema,
      access: ['admin'],
      summary: 'Invite someone to the staff with a role (the answer is the same whether or not the address has an account anywhere), or give one of your staff another role',
      answer: async ({ me, body: input, organization, audit }) => {
        const organizationName = (await organization()).name;
        const result = await ctx.db.transaction().execute(async (trx) => {
          // Only this organization's own staff are looked up: nothing is read about the address elsewhere.
          const colleague = await findStaffMemberByEmail(trx, me.organizationId, input.email);
          if (colleague) {
            await grantRole(trx, me.organizationId, colleague.id, input.role, ctx.now());
            await audit('staff.role_granted', { subjectType: 'staff_user', subjectId: colleague.id, details: { role: input.role } }, trx);
            return { staff: await findStaffMember(trx, me.organizationId, colleague.id) };
          }
          const invitation = await inviteStaff(trx, {
            organizationId: me.organizationId,
            organizationName,
            email: input.email,
            name: input.name,
            role: input.role,
            invitedBy: me.staffUserId,
            publicUrl: ctx.publicUrl,
            now: ctx.now(),
          });
          await audit('staff.invited', { subjectType: 'staff_invitation', subjectId: invitation.id, details: { role: input.role } }, trx);
          return { invitation };
        });
        if (!('invitation' in result)) return answerWith(201, result.staff);
        ctx.notifyOutbox();
        return answerWith(202, { invitation: result.invitation });
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/staff/invitations',
      responses: { 200: invitationListResponse },
      access: ['admin'],
      summary: 'Invitations not yet accepted, withdrawn or expired',
      answer: async ({ me }) => ({ data: await openInvitations(ctx.db, me.organizationId, ctx.now()) }),
    }),
    apiRoute(ctx, {
      method: 'delete',
      path: '/api/staff/invitations/:invitationId',
      params: invitationParams,
      responses: { 204: 'no body' },
      access: ['admin'],
      summary: 'Withdraw an invitation: its link stops working',
      answer: async ({ me, params: { invitationId }, audit }) => {
        await ctx.db.transaction().execute(async (trx) => {
          if (!(await withdrawInvitation(trx, me.organizationId, invitationId, ctx.now()))) throw notFound('invitation');
          await audit('staff.invitation_withdrawn', { subjectType: 'staff_invitation', subjectId: invitationId }, trx);
        });
      },
    }),
    {
      method: 'get',
      path: '/staff/invitations/accept',
      access: 'public',
      summary: "Open an invitation's link: a page whose button accepts it (mail scanners that open links spend nothing)",
      handler: async (req, res) => {
        const language = pickLanguage(req.query.lang, req.headers['accept-language']);
        const token = tokenIn(req.query);
        const invitation = token ? await liveInvitation(ctx.db, token, ctx.now()) : undefined;
        if (!token || !invitation) return sendHtml(res, 404, invitationUnusablePage(language));
        sendHtml(res, 200, invitationPage(language, { token, organizationName: invitation.organization_name, role: invitation.role }));
      },
    },
    {
      method: 'post',
      path: '/staff/invitations/accept',
      access: 'public',
      body: 'form',
      summary: "Accept an invitation with its link's token: the address's holder joins the staff and is signed in",
      handler: async (req, res) => {
        const token = tokenIn(req.body);
        const accepted = token
          ? await ctx.db.transaction().execute(async (trx) => {
              const done = await acceptInvitation(trx, token, ctx.now());
              if (!done) return undefined;
              const actor = { organizationId: done.organizationId, actorStaffUserId: done.staffUserId, requestId: String(req.id), ip: req.ip, at: ctx.now() };
              await recordAudit(trx, { ...actor, action: 'staff.invitation_accepted', subjectType: 'staff_invitation', subjectId: done.invitationId });
              await recordAudit(trx, { ...actor, action: 'staff.role_granted', subjectType: 'staff_user', subjectId: done.staffUserId, details: { role: done.role, via: 'invitation' } });
              const roles = await rolesIn(trx, done.organizationId, done.staffUserId);
              return { ...done, session: await openStaffSession(trx, ctx.config.jwtSecret, { staffUserId: done.staffUserId, organizationId: done.organizationId, roles, via: 'invitation' }, SESSION_SECONDS, ctx.now()) };
            })
          : undefined;
        if (!accepted) return sendHtml(res, 404, invitationUnusablePage(pickLanguage(undefined, req.headers['accept-language'])));
        res.cookie(SESSION_COOKIE, accepted.session.token, { httpOnly: true, sameSite: 'lax', secure: ctx.publicUrl.startsWith('https:'), maxAge: SESSION_SECONDS * 1000, path: '/' });
        res.redirect(303, '/console');
      },
    },
    apiRoute(ctx, {
      method: 'get',
      path: '/api/staff/:staffUserId',
      responses: { 200: staffMemberResponse },
      params: staffParams,
      access: ['admin'],
      summary: 'One staff member of the organization',
      answer: async ({ me, params }) => {
        const staff = await findStaffMember(ctx.db, me.organizationId, params.staffUserId);
        if (!staff) throw notFound('staff member');
        return staff;
      },
    }),
    apiRoute(ctx, {
      method: 'delete',
      path: '/api/staff/:staffUserId/roles/:role',
      responses: { 200: rolesResponse },
      params: roleParams,
      access: ['admin'],
      summary: 'Take a role away from a staff member',
      answer: async ({ me, params, audit }) => {
        await ctx.db.transaction().execute(async (trx) => {
          const staff = await findStaffMember(trx, me.organizationId, params.staffUserId);
          if (!staff || !staff.roles.includes(params.role)) throw notFound('staff role');
          if (params.role === 'admin' && params.staffUserId === me.staffUserId) {
            throw new ApiError('conflict', 'you cannot remove your own admin role; ask another admin');
          }
          await revokeRole(trx, me.organizationId, params.staffUserId, params.role);
          // A change in what someone may do starts a new session: every session they hold in this
          // organization ends (a role given back later revives none of them, nor a long-lived
          // token); their sessions in other organizations are not this organization's to end.
          const sessionsEnded = await revokeStaffSessionsIn(trx, me.organizationId, params.staffUserId, 'roles_changed', ctx.now());
          await audit('staff.role_revoked', { subjectType: 'staff_user', subjectId: params.staffUserId, details: { role: params.role, sessionsEnded } }, trx);
        });
        return { id: params.staffUserId, roles: await rolesIn(ctx.db, me.organizationId, params.staffUserId) };
      },
    }),
    apiRoute(ctx, {
      method: 'delete',
      path: '/api/staff/:staffUserId/sessions',
      responses: { 200: sessionsEndedResponse },
      params: staffParams,
      access: ['admin'],
      summary: "Sign a staff member out everywhere: ends every session (and issued token) they hold in this organization",
      answer: async ({ me, params: { staffUserId }, audit }) => {
        const sessionsEnded = await ctx.db.transaction().execute(async (trx) => {
          if (!(await findStaffMember(trx, me.organizationId, staffUserId))) throw notFound('staff member');
          const ended = await revokeStaffSessionsIn(trx, me.organizationId, staffUserId, 'signed_out_everywhere', ctx.now());
          await audit('staff.signed_out_everywhere', { subjectType: 'staff_user', subjectId: staffUserId, details: { sessionsEnded: ended } }, trx);
          return ended;
        });
        return { id: staffUserId, sessionsEnded };
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/audit',
      responses: { 200: auditListResponse },
      query: auditQuery,
      access: ['admin'],
      summary: "The organization's audit log, newest first",
      answer: async ({ me, query }) => {
        const rows = await listAudit(ctx.db, me.organizationId, {
          limit: query.limit,
          beforeId: query.before === undefined ? undefined : String(query.before),
          action: query.action,
        });
        return { data: rows, nextBefore: rows.length === query.limit ? rows[rows.length - 1]!.id : null };
      },
    }),
  ];
}

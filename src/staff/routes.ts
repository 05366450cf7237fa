import { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from '../../db/database';
import type { AppContext } from '../context';
import { principal } from '../auth/guard';
import { revokeStaffSessionsIn } from '../auth/sessions';
import { auditActor, listAudit, recordAudit } from '../audit/audit';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { parseInput } from '../http/validate';
import { findStaffMember, grantRole, listStaff, revokeRole, rolesIn, upsertStaffUser } from './queries';

const role = z.enum(STAFF_ROLES as [StaffRole, ...StaffRole[]]);
const newStaffSchema = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  role,
});
const staffParams = z.object({ staffUserId: z.uuid() });
const roleParams = staffParams.extend({ role });
const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
  action: z.string().max(100).optional(),
});

export function staffRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/api/staff',
      access: ['admin'],
      summary: "The organization's staff and their roles",
      handler: async (req, res) => {
        res.json({ data: await listStaff(ctx.db, principal(req).organizationId) });
      },
    },
    {
      method: 'post',
      path: '/api/staff',
      access: ['admin'],
      summary: 'Add a staff member with a role (or give an existing one another role)',
      handler: async (req, res) => {
        const me = principal(req);
        const input = parseInput(newStaffSchema, req.body);
        const staff = await ctx.db.transaction().execute(async (trx) => {
          const user = await upsertStaffUser(trx, input, ctx.now());
          await grantRole(trx, me.organizationId, user.id, input.role, ctx.now());
          await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'staff.role_granted', subjectType: 'staff_user', subjectId: user.id, details: { role: input.role } });
          return findStaffMember(trx, me.organizationId, user.id);
        });
        res.status(201).json(staff);
      },
    },
    {
      method: 'get',
      path: '/api/staff/:staffUserId',
      access: ['admin'],
      summary: 'One staff member of the organization',
      handler: async (req, res) => {
        const { staffUserId } = parseInput(staffParams, req.params, 'params');
        const staff = await findStaffMember(ctx.db, principal(req).organizationId, staffUserId);
        if (!staff) throw notFound('staff member');
        res.json(staff);
      },
    },
    {
      method: 'delete',
      path: '/api/staff/:staffUserId/roles/:role',
      access: ['admin'],
      summary: 'Take a role away from a staff member',
      handler: async (req, res) => {
        const me = principal(req);
        const params = parseInput(roleParams, req.params, 'params');
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
          await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'staff.role_revoked', subjectType: 'staff_user', subjectId: params.staffUserId, details: { role: params.role, sessionsEnded } });
        });
        res.json({ id: params.staffUserId, roles: await rolesIn(ctx.db, me.organizationId, params.staffUserId) });
      },
    },
    {
      method: 'delete',
      path: '/api/staff/:staffUserId/sessions',
      access: ['admin'],
      summary: "Sign a staff member out everywhere: ends every session (and issued token) they hold in this organization",
      handler: async (req, res) => {
        const me = principal(req);
        const { staffUserId } = parseInput(staffParams, req.params, 'params');
        const sessionsEnded = await ctx.db.transaction().execute(async (trx) => {
          if (!(await findStaffMember(trx, me.organizationId, staffUserId))) throw notFound('staff member');
          const ended = await revokeStaffSessionsIn(trx, me.organizationId, staffUserId, 'signed_out_everywhere', ctx.now());
          await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'staff.signed_out_everywhere', subjectType: 'staff_user', subjectId: staffUserId, details: { sessionsEnded: ended } });
          return ended;
        });
        res.json({ id: staffUserId, sessionsEnded });
      },
    },
    {
      method: 'get',
      path: '/api/audit',
      access: ['admin'],
      summary: "The organization's audit log, newest first",
      handler: async (req, res) => {
        const query = parseInput(auditQuery, req.query, 'query');
        const rows = await listAudit(ctx.db, principal(req).organizationId, {
          limit: query.limit,
          beforeId: query.before === undefined ? undefined : String(query.before),
          action: query.action,
        });
        res.json({ data: rows, nextBefore: rows.length === query.limit ? rows[rows.length - 1]!.id : null });
      },
    },
  ];
}

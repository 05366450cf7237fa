import type { AppContext } from '../context';
import { principal } from '../auth/guard';
import { auditActor, recordAudit } from '../audit/audit';
import { notFound } from '../http/errors';
import { ALL_STAFF, type RouteDefinition } from '../http/routes';
import { parseInput } from '../http/validate';
import { organizationChangesSchema } from './organizations';
import { findOrganizationById, presentOrganization, updateOrganization } from './queries';
import { organizationResponse } from './responses';

export function organizationRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/api/organization',
      responses: { 200: organizationResponse },
      access: ALL_STAFF,
      summary: "The caller's organization",
      handler: async (req, res) => {
        const organization = await findOrganizationById(ctx.db, principal(req).organizationId);
        if (!organization) throw notFound('organization');
        res.json(presentOrganization(organization));
      },
    },
    {
      method: 'patch',
      path: '/api/organization',
      responses: { 200: organizationResponse },
      requestBody: organizationChangesSchema,
      access: ['admin'],
      summary: "Change the organization's name, time zone or settings",
      handler: async (req, res) => {
        const me = principal(req);
        const changes = parseInput(organizationChangesSchema, req.body);
        const organization = await ctx.db.transaction().execute(async (trx) => {
          const updated = await updateOrganization(trx, me.organizationId, changes, ctx.now());
          await recordAudit(trx, {
            ...auditActor(req, ctx.now()),
            action: 'organization.updated',
            subjectType: 'organization',
            subjectId: me.organizationId,
            details: { fields: Object.keys(changes) },
          });
          return updated;
        });
        res.json(presentOrganization(organization));
      },
    },
  ];
}

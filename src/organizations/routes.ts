import type { AppContext } from '../context';
import { apiRoute } from '../http/api-route';
import { ALL_STAFF, type RouteDefinition } from '../http/routes';
import { organizationChangesSchema } from './organizations';
import { presentOrganization, updateOrganization } from './queries';
import { organizationResponse } from './responses';

export function organizationRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/organization',
      responses: { 200: organizationResponse },
      access: ALL_STAFF,
      summary: "The caller's organization",
      answer: async ({ organization }) => presentOrganization(await organization()),
    }),
    apiRoute(ctx, {
      method: 'patch',
      path: '/api/organization',
      responses: { 200: organizationResponse },
      requestBody: organizationChangesSchema,
      access: ['admin'],
      summary: "Change the organization's name, time zone or settings",
      answer: async ({ me, body: changes, audit }) => {
        const organization = await ctx.db.transaction().execute(async (trx) => {
          const updated = await updateOrganization(trx, me.organizationId, changes, ctx.now());
          await audit('organization.updated', { subjectType: 'organization', subjectId: me.organizationId, details: { fields: Object.keys(changes) } }, trx);
          return updated;
        });
        return presentOrganization(organization);
      },
    }),
  ];
}

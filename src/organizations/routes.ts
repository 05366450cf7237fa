import type { AppContext } from '../context';
import { apiRoute } from '../http/api-route';
import { ALL_STAFF, type RouteDefinition } from '../http/routes';
import { organizationChangesSchema } from './organizations';
import { notFound } from '../http/errors';
import { findLogoBySlug, presentOrganization, updateOrganization } from './queries';
import { organizationResponse } from './responses';

export function organizationRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/join/:orgSlug/logo',
      access: 'public',
      summary: "The organization's logo on its signup page: a PNG or JPEG from our own origin, its address changing with the image",
      handler: async (req, res) => {
        const slug = String(req.params.orgSlug ?? '');
        const logo = /^[a-z0-9][a-z0-9-]{1,62}$/i.test(slug) ? await findLogoBySlug(ctx.db, slug) : undefined;
        if (!logo) throw notFound('logo');
        const etag = `"${logo.sha256}"`;
        // The bytes were checked to be an image when uploaded; nosniff and a closed policy keep it one.
        res.set({ 'Cache-Control': 'public, max-age=86400', ETag: etag, 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'", 'Cross-Origin-Resource-Policy': 'same-origin' });
        if (req.headers['if-none-match'] === etag) return void res.status(304).end();
        res.type(logo.content_type).send(logo.bytes);
      },
    },
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
      summary: "Change the organization's name, time zone, settings, or what its signup page says: the contact (phone, email, address) and the privacy notice per language",
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

import { z } from 'zod';
import type { AppContext } from '../context';
import { apiRoute } from '../http/api-route';
import { ApiError } from '../http/errors';
import { ALL_STAFF, type RouteDefinition } from '../http/routes';
import { currentAuthorization, publishAuthorization } from './queries';
import { authorizationPublishedResponse, authorizationResponse } from './authorization-responses';

const text = z
  .string()
  .trim()
  .min(20, 'write the whole authorization a member accepts')
  .max(5000)
  .refine((value) => !value.includes('\u0000'), 'contains a NUL character');

export const newAuthorizationSchema = z.object({ en: text, es: text }).strict();

/** The dues authorization members accept on the signup page: read by any staff, published (as a new version, both languages at once) by admins. */
export function authorizationRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/dues-authorization',
      responses: { 200: authorizationResponse },
      access: ALL_STAFF,
      summary: 'The dues authorization in force on the signup page, in English and Spanish',
      answer: async (call) => {
        const organization = await call.organization();
        const [en, es] = await Promise.all([currentAuthorization(ctx.db, organization, 'en'), currentAuthorization(ctx.db, organization, 'es')]);
        return { version: en.version, builtIn: !en.stored, en: en.text, es: es.text };
      },
    }),
    apiRoute(ctx, {
      method: 'put',
      path: '/api/dues-authorization',
      responses: { 201: authorizationPublishedResponse },
      requestBody: newAuthorizationSchema,
      access: ['admin'],
      summary: 'Publish a new version of the dues authorization (both languages); consents keep the version they accepted',
      answer: async ({ me: { organizationId }, body: input, audit }) => {
        const version = await ctx.db
          .transaction()
          .execute(async (trx) => {
            const published = await publishAuthorization(trx, organizationId, input, ctx.now());
            await audit('dues_authorization.published', { subjectType: 'dues_authorization', subjectId: String(published), details: { version: published } }, trx);
            return published;
          })
          .catch((error: { code?: string }) => {
            // Two admins publishing at the same moment: one wins the version number.
            if (error.code === '23505') throw new ApiError('conflict', 'another version was published at the same time; read it and try again');
            throw error;
          });
        return { version, en: input.en, es: input.es };
      },
    }),
  ];
}

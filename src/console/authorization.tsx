import { z } from 'zod';
import { auditActor, recordAudit, recordBulkRead } from '../audit/audit';
import type { AppContext } from '../context';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { newAuthorizationSchema } from '../signup/authorization-routes';
import { authorizationSigners, authorizationVersions, currentAuthorization, publishAuthorization } from '../signup/queries';
import type { ConsoleFormKit } from './bank';
import { AuthorizationPage, AuthorizationSignersPage } from './pages/authorization';
import type { ConsoleSession } from './session';

const SIGNERS_SHOWN = 200;
const versionParams = z.object({ version: z.coerce.number().int().min(1).max(100_000) });

/** The dues authorization in the console (admins, as the API's publish): the text in both languages, new versions, who signed which. */
export function authorizationConsoleRoutes(ctx: AppContext, kit: ConsoleFormKit): RouteDefinition[] {
  async function current(session: ConsoleSession) {
    const organization = await kit.organizationOf(session);
    const [en, es] = await Promise.all([currentAuthorization(ctx.db, organization, 'en'), currentAuthorization(ctx.db, organization, 'es')]);
    return { version: en.version, builtIn: !en.stored, texts: { en: en.text, es: es.text }, versions: await authorizationVersions(ctx.db, organization.id) };
  }

  return [
    kit.page('/console/authorization', ['admin'], 'The dues authorization: the text in force in both languages, publishing a new version, and who signed each version', async (_req, _res, frame) => {
      return <AuthorizationPage frame={frame} {...await current(frame.session)} errors={{}} />;
    }),
    kit.action('/console/authorization', ['admin'], 'Publish a new version of the dues authorization (both languages)', async (req, res, session) => {
      const body = req.body as Record<string, unknown>;
      const texts = { en: typeof body.en === 'string' ? body.en : '', es: typeof body.es === 'string' ? body.es : '' };
      const parsed = newAuthorizationSchema.safeParse(texts);
      if (!parsed.success) {
        const errors = Object.fromEntries(parsed.error.issues.map((issue) => [issue.path[0], session.m.authorization.textError]));
        const shown = await current(session);
        kit.sendPage(res, 400, <AuthorizationPage frame={kit.frameFor(req, res, session)} {...shown} texts={{ en: texts.en.slice(0, 6000), es: texts.es.slice(0, 6000) }} errors={errors} />);
        return;
      }
      const version = await ctx.db
        .transaction()
        .execute(async (trx) => {
          const published = await publishAuthorization(trx, session.organization.id, parsed.data, ctx.now());
          await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'dues_authorization.published', subjectType: 'dues_authorization', subjectId: String(published), details: { version: published, via: 'console' } });
          return published;
        })
        .catch((error: { code?: string }) => {
          // Two admins publishing at the same moment: one wins the version number.
          if (error.code === '23505') throw new ApiError('conflict', 'another version was published at the same time; read it and try again');
          throw error;
        });
      kit.redirectWithFlash(res, '/console/authorization', { kind: 'authorizationPublished', count: version });
    }),
    kit.page('/console/authorization/versions/:version', ['admin'], 'The members who signed one version of the dues authorization', async (req, _res, frame) => {
      const parsed = versionParams.safeParse(req.params);
      const organizationId = frame.session.organization.id;
      const version = parsed.success ? (await authorizationVersions(ctx.db, organizationId)).find((v) => v.version === parsed.data.version) : undefined;
      if (!version) throw notFound('authorization version');
      const signers = await authorizationSigners(ctx.db, organizationId, version.version, SIGNERS_SHOWN);
      await recordBulkRead(ctx.db, req, { action: 'dues_authorization.signers_listed', rows: signers.length, filters: { version: version.version }, at: ctx.now() });
      return <AuthorizationSignersPage frame={frame} version={version.version} total={version.signed} signers={signers} />;
    }),
  ];
}

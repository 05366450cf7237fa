import type { Request, Response } from 'express';
import type { Organization } from '../../../db/database';
import { auditActor, recordAudit } from '../../audit/audit';
import type { AppContext } from '../../context';
import type { RouteDefinition } from '../../http/routes';
import { checkLogo } from '../../organizations/logo';
import { uploadedFile } from '../../http/upload';
import { logoVersion, removeLogo, saveLogo, saveOrganizationSettings } from '../../organizations/queries';
import { ORGANIZATION_FIELDS, organizationSettingsSchema, settingsValuesOf, type OrganizationField } from '../../organizations/settings';
import type { ConsoleRouteKit } from '../months';
import { OrganizationPage, type OrganizationErrors } from '../pages/organization';
import { sendPage } from '../routes';
import type { ConsoleSession } from '../session';

/** The organization's settings in the console: name, calendar, contact, privacy notice and logo (admins). */
export function organizationConsoleRoutes(ctx: AppContext, kit: ConsoleRouteKit): RouteDefinition[] {
  const logoSrc = async (organization: Organization) => {
    const version = await logoVersion(ctx.db, organization.id);
    return version && `/join/${encodeURIComponent(organization.slug)}/logo?v=${version.slice(0, 12)}`;
  };
  const audit = (db: AppContext['db'], req: Request, action: string, details: Record<string, unknown>) =>
    recordAudit(db, { ...auditActor(req, ctx.now()), action, subjectType: 'organization', subjectId: req.staff?.organizationId, details: { ...details, via: 'console' } });

  async function sendForm(req: Request, res: Response, session: ConsoleSession, organization: Organization, values: Record<OrganizationField, string>, errors: OrganizationErrors) {
    sendPage(res, 400, <OrganizationPage frame={{ ...kit.frameFor(req, res, session), path: '/console/organization' }} values={values} errors={errors} logoSrc={await logoSrc(organization)} />);
  }

  function errorFor(m: ConsoleSession['m'], field: OrganizationField): string {
    const a = m.admin;
    switch (field) {
      case 'name':
        return a.errOrgName;
      case 'timeZone':
        return a.errTimeZone;
      case 'fiscalYearStartMonth':
        return a.errMonth;
      case 'contactPhone':
        return a.errPhone;
      case 'contactEmail':
        return a.errEmail;
      case 'contactAddress':
        return a.errTooLong(500);
      case 'privacyEn':
      case 'privacyEs':
        return a.errTooLong(4000);
    }
  }

  return [
    kit.page('/console/organization', ['admin'], "The organization's name, time zone, fiscal year, contact, privacy notice and logo", async (_req, _res, frame) => {
      const organization = await kit.organizationOf(frame.session);
      return <OrganizationPage frame={frame} values={settingsValuesOf(organization)} errors={{}} logoSrc={await logoSrc(organization)} />;
    }),
    kit.action('/console/organization', ['admin'], "Save the organization's settings", async (req, res, session) => {
      const organization = await kit.organizationOf(session);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const values = Object.fromEntries(ORGANIZATION_FIELDS.map((field) => [field, typeof body[field] === 'string' ? (body[field] as string) : ''])) as Record<OrganizationField, string>;
      const parsed = organizationSettingsSchema.safeParse(values);
      if (!parsed.success) {
        const errors: OrganizationErrors = {};
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0]) as OrganizationField;
          errors[field] ??= errorFor(session.m, field);
        }
        return sendForm(req, res, session, organization, values, errors);
      }
      await ctx.db.transaction().execute(async (trx) => {
        await saveOrganizationSettings(trx, organization, parsed.data, ctx.now());
        await audit(trx, req, 'organization.updated', { fields: ORGANIZATION_FIELDS.filter((field) => values[field] !== settingsValuesOf(organization)[field]) });
      });
      kit.redirectWithFlash(res, '/console/organization', { kind: 'organizationSaved', name: parsed.data.name });
    }),
    kit.action(
      '/console/organization/logo',
      ['admin'],
      "Upload the organization's logo: a PNG or JPEG of at most 200 KB, known by its first bytes",
      async (req, res, session) => {
        const organization = await kit.organizationOf(session);
        const file = uploadedFile(req, 'logo')?.bytes;
        const check = checkLogo(file);
        if (!check.ok) {
          const a = session.m.admin;
          const message = check.problem === 'missing' ? a.errLogoMissing : check.problem === 'too_large' ? a.errLogoSize : a.errLogoType;
          return sendForm(req, res, session, organization, settingsValuesOf(organization), { logo: message });
        }
        await ctx.db.transaction().execute(async (trx) => {
          await saveLogo(trx, organization.id, { type: check.type, bytes: file! }, ctx.now());
          await audit(trx, req, 'organization.logo_changed', { type: check.type, bytes: file!.length });
        });
        kit.redirectWithFlash(res, '/console/organization', { kind: 'logoSaved', name: organization.name });
      },
      'upload',
    ),
    kit.action('/console/organization/logo/remove', ['admin'], "Remove the organization's logo", async (req, res, session) => {
      const organization = await kit.organizationOf(session);
      await ctx.db.transaction().execute(async (trx) => {
        if (await removeLogo(trx, organization.id)) await audit(trx, req, 'organization.logo_removed', {});
      });
      kit.redirectWithFlash(res, '/console/organization', { kind: 'logoRemoved', name: organization.name });
    }),
  ];
}

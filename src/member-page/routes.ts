import type { Request, Response } from 'express';
import type { Language, Organization } from '../../db/database';
import type { AppContext } from '../context';
import { recordAudit } from '../audit/audit';
import type { RouteDefinition } from '../http/routes';
import { findOrganizationBySlug } from '../organizations/queries';
import { todayIn } from '../organizations/calendar';
import { updateMember } from '../members/queries';
import { requestOptions } from '../stripe/client';
import { messagesFor } from '../signup/i18n';
import { messagePage } from '../signup/page';
import { FIELD_LIMITS, formValues, pickLanguage } from '../signup/signup';
import { csrfPosted, issueCsrfToken, readCookie, readSignedReference, signedReference } from '../signup/tokens';
import { ownPageMessages } from './i18n';
import { cancelPage, ownPage, statementPage } from './page';
import { findOwnRecord, ownPayments } from './queries';

/** The member's own page stays open this long after their emailed link was used. */
export const MEMBER_SESSION_SECONDS = 30 * 60;
const MEMBER_COOKIE = 'gs_member';
// Signed per organization, so one union's session opens nothing at another's.
const purpose = (organizationId: string) => `member-session:${organizationId}`;

/** The member session cookie's name and value for a member of an organization. */
export function memberSessionCookie(ctx: AppContext, organizationId: string, memberId: string): { name: string; value: string } {
  return { name: MEMBER_COOKIE, value: signedReference(ctx.config.jwtSecret, purpose(organizationId), memberId, ctx.now(), MEMBER_SESSION_SECONDS) };
}

/** After a manage link is spent: the cookie that opens the member's own page at this organization. */
export function startMemberSession(ctx: AppContext, res: Response, organization: Organization, memberId: string): void {
  res.cookie(MEMBER_COOKIE, memberSessionCookie(ctx, organization.id, memberId).value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.publicUrl.startsWith('https:'),
    path: `/join/${encodeURIComponent(organization.slug)}`,
    maxAge: MEMBER_SESSION_SECONDS * 1000,
  });
}

export function memberPageRoutes(ctx: AppContext): RouteDefinition[] {
  const secure = ctx.publicUrl.startsWith('https:');
  const contentSecurityPolicy = `default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' https://billing.stripe.com${ctx.config.env === 'production' ? '' : ' http://127.0.0.1:* http://localhost:*'}; base-uri 'none'; frame-ancestors 'none'`;

  function send(res: Response, status: number, html: string): void {
    res.status(status).set({ 'Content-Security-Policy': contentSecurityPolicy, 'Cache-Control': 'no-store' }).type('html').send(html);
  }

  /** The organization of the page and the member whose session this browser holds; otherwise the page that says how to come back. */
  async function signedInMember(req: Request, res: Response) {
    const organization = await findOrganizationBySlug(ctx.db, String(req.params.orgSlug ?? ''));
    const memberId = organization ? readSignedReference(ctx.config.jwtSecret, purpose(organization.id), readCookie(req.headers.cookie, MEMBER_COOKIE), ctx.now()) : undefined;
    const member = organization && memberId ? await findOwnRecord(ctx.db, organization.id, memberId) : undefined;
    if (!organization || !member) {
      const language = pickLanguage(req.query.lang, req.headers['accept-language']);
      const m = ownPageMessages(language);
      const slug = encodeURIComponent(String(req.params.orgSlug ?? ''));
      send(res, 401, messagePage({ m: messagesFor(language), ...(organization ? { organizationName: organization.name } : {}), title: m.title }, [m.expired], { href: `/join/${slug}/manage?lang=${language}`, label: m.newLink }));
      return undefined;
    }
    return { organization, member, language: member.preferred_language };
  }

  const csrf = (req: Request, res: Response) => issueCsrfToken(req, res, { secret: ctx.config.jwtSecret, now: ctx.now(), secure });
  const posted = (req: Request) => csrfPosted(req, formValues(req.body).csrf, { secret: ctx.config.jwtSecret, now: ctx.now() });
  const home = (organization: Organization) => `/join/${encodeURIComponent(organization.slug)}/me`;
  const thisYear = (organization: Organization) => Number(todayIn(organization.time_zone, ctx.now()).slice(0, 4));

  async function renderOwnPage(req: Request, res: Response, status: number, found: NonNullable<Awaited<ReturnType<typeof signedInMember>>>, extra: { notice?: string; errors?: Record<string, string> } = {}) {
    const { organization, member, language } = found;
    const payments = await ownPayments(ctx.db, organization.id, member.id, organization.time_zone);
    send(res, status, ownPage({ language, organization, member, payments, csrf: csrf(req, res), year: thisYear(organization), ...extra }));
  }

  return [
    {
      method: 'get',
      path: '/join/:orgSlug/me',
      access: 'public',
      summary: "A member's own page, opened by their emailed link: standing, payments, details, how they pay",
      handler: async (req, res) => {
        const found = await signedInMember(req, res);
        if (!found) return;
        await renderOwnPage(req, res, 200, found, req.query.saved === '1' ? { notice: ownPageMessages(found.language).saved } : {});
      },
    },
    {
      method: 'post',
      path: '/join/:orgSlug/me',
      access: 'public',
      body: 'form',
      summary: 'A member keeps their own contact and workplace details current',
      handler: async (req, res) => {
        const found = await signedInMember(req, res);
        if (!found) return;
        const { organization, member, language } = found;
        const m = ownPageMessages(language);
        if (!posted(req)) return renderOwnPage(req, res, 403, found, { notice: messagesFor(language).errors.session });
        const values = formValues(req.body);
        const text = (name: 'phone' | 'employer' | 'worksite') => values[name]?.trim() || null;
        const labels = { phone: m.phone, employer: m.employer, worksite: m.worksite };
        const errors: Record<string, string> = {};
        for (const name of ['phone', 'employer', 'worksite'] as const) if ((text(name)?.length ?? 0) > FIELD_LIMITS[name]) errors[name] = m.tooLong(labels[name], FIELD_LIMITS[name]);
        const chosen: Language = values.language === 'es' ? 'es' : values.language === 'en' ? 'en' : language;
        if (Object.keys(errors).length > 0) return renderOwnPage(req, res, 400, found, { errors });
        const changes = { phone: text('phone'), employer: text('employer'), worksite: text('worksite'), preferred_language: chosen };
        const changed = (Object.keys(changes) as Array<keyof typeof changes>).filter((key) => changes[key] !== member[key]);
        if (changed.length > 0) {
          await ctx.db.transaction().execute(async (trx) => {
            await updateMember(trx, organization.id, member.id, changes, ctx.now());
            // Which fields, never their values: the audit log is read by staff, and the values are the member's.
            await recordAudit(trx, { at: ctx.now(), organizationId: organization.id, actorStaffUserId: null, action: 'member.details_updated_by_member', subjectType: 'member', subjectId: member.id, details: { fields: changed }, requestId: String(req.id ?? ''), ip: req.ip });
          });
        }
        res.redirect(303, `${home(organization)}?saved=1`);
      },
    },
    {
      method: 'get',
      path: '/join/:orgSlug/me/statement',
      access: 'public',
      summary: "A member's printable dues statement for one year, for their taxes",
      handler: async (req, res) => {
        const found = await signedInMember(req, res);
        if (!found) return;
        const { organization, member, language } = found;
        const asked = Number(req.query.year);
        const year = Number.isInteger(asked) && asked >= 2000 && asked <= thisYear(organization) ? asked : thisYear(organization);
        send(res, 200, statementPage({ language, organization, member, payments: await ownPayments(ctx.db, organization.id, member.id, organization.time_zone, year), year }));
      },
    },
    {
      method: 'get',
      path: '/join/:orgSlug/me/cancel',
      access: 'public',
      summary: "Before a member stops paying: the union's message, then the way on to Stripe's cancel page",
      handler: async (req, res) => {
        const found = await signedInMember(req, res);
        if (!found) return;
        send(res, 200, cancelPage({ language: found.language, organization: found.organization, csrf: csrf(req, res) }));
      },
    },
    {
      method: 'post',
      path: '/join/:orgSlug/me/portal',
      access: 'public',
      body: 'form',
      summary: "Open Stripe's billing portal for the signed-in member (change card, bank account or plan; cancel)",
      handler: async (req, res) => {
        const found = await signedInMember(req, res);
        if (!found) return;
        const { organization, member, language } = found;
        if (!posted(req) || !member.stripe_customer_id) return res.redirect(303, home(organization));
        try {
          const portal = await ctx.stripe.billingPortal.sessions.create({ customer: member.stripe_customer_id, return_url: `${ctx.publicUrl}${home(organization)}`, locale: language }, requestOptions(organization));
          res.redirect(303, portal.url);
        } catch (error) {
          req.log?.error({ err: error }, 'the billing portal could not be reached');
          const m = ownPageMessages(language);
          send(res, 503, messagePage({ m: messagesFor(language), organizationName: organization.name, title: m.payHeading }, [m.stripeUnavailable], { href: home(organization), label: m.back }));
        }
      },
    },
    {
      method: 'post',
      path: '/join/:orgSlug/me/sign-out',
      access: 'public',
      body: 'form',
      summary: "Close the member's own page in this browser",
      handler: async (req, res) => {
        const found = await signedInMember(req, res);
        if (!found) return;
        const { organization, language } = found;
        res.clearCookie(MEMBER_COOKIE, { path: `/join/${encodeURIComponent(organization.slug)}` });
        const m = ownPageMessages(language);
        send(res, 200, messagePage({ m: messagesFor(language), organizationName: organization.name, title: m.title }, [m.signedOut], { href: `/join/${encodeURIComponent(organization.slug)}/manage?lang=${language}`, label: m.newLink }));
      },
    },
  ];
}

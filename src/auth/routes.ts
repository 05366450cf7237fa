import type { Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { ALL_STAFF } from '../http/routes';
import { parseInput } from '../http/validate';
import { pickLanguage } from '../signup/signup';
import { CONSOLE_CSP } from '../console/routes';
import { signInPage, signInSentPage } from './pages';
import { findOrganizationById } from '../organizations/queries';
import { recordAudit } from '../audit/audit';
import { findStaffMember } from '../staff/queries';
import { principal, SESSION_COOKIE } from './guard';
import { consumeSignIn, requestSignIn } from './sign-in';
import { SESSION_SECONDS, signStaffToken } from './tokens';

const loginSchema = z.object({
  email: z.email().max(320),
  organization: z.string().trim().toLowerCase().max(63).optional(),
});

const SIGN_IN_SENT = 'If that address belongs to a staff account, a sign-in link is on its way. It works once, for 15 minutes.';

function sendHtml(res: Response, status: number, html: string): void {
  res.status(status).set({ 'Content-Security-Policy': CONSOLE_CSP, 'Cache-Control': 'no-store' }).type('html').send(html);
}

const wantsHtml = (accept: string | undefined, contentType: string | undefined): boolean =>
  (contentType ?? '').startsWith('application/x-www-form-urlencoded') || (!!accept && accept.includes('text/html') && !accept.includes('application/json'));

export function authRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/login',
      access: 'public',
      summary: 'Staff sign-in form',
      handler: (req, res) => {
        const language = pickLanguage(req.query.lang, req.headers['accept-language']);
        sendHtml(res, 200, signInPage(language, { signedOut: req.query.signed_out === '1' }));
      },
    },
    {
      method: 'post',
      path: '/auth/login',
      access: 'public',
      summary: 'Email a single-use sign-in link (same answer whether or not the email is known)',
      handler: async (req, res) => {
        const html = wantsHtml(req.headers.accept, req.headers['content-type']);
        const language = pickLanguage((req.body as { lang?: unknown } | undefined)?.lang, req.headers['accept-language']);
        const parsed = loginSchema.safeParse(req.body ?? {});
        if (!parsed.success && html) return sendHtml(res, 400, signInPage(language, { email: typeof req.body?.email === 'string' ? req.body.email : undefined, invalidEmail: true }));
        const input = parseInput(loginSchema, req.body);
        const queued = await requestSignIn(ctx.db, {
          email: input.email,
          organizationSlug: input.organization || undefined,
          publicUrl: ctx.publicUrl,
          now: ctx.now(),
        });
        if (queued) ctx.notifyOutbox();
        if (html) return sendHtml(res, 202, signInSentPage(language));
        res.status(202).json({ message: SIGN_IN_SENT });
      },
    },
    {
      method: 'get',
      path: '/auth/callback',
      access: 'public',
      summary: 'Follow a sign-in link: spends it and sets the session cookie',
      handler: async (req, res) => {
        const token = typeof req.query.token === 'string' ? req.query.token : '';
        const signIn = token ? await consumeSignIn(ctx.db, token, ctx.now()) : undefined;
        if (!signIn) throw new ApiError('unauthenticated', 'this sign-in link is invalid, already used or expired; ask for a new one at /login');
        const staff = await findStaffMember(ctx.db, signIn.organizationId, signIn.staffUserId);
        if (!staff) throw new ApiError('unauthenticated', 'this account no longer has access to the organization');
        const session = signStaffToken(
          ctx.config.jwtSecret,
          { staffUserId: staff.id, organizationId: signIn.organizationId, roles: staff.roles },
          SESSION_SECONDS,
        );
        await recordAudit(ctx.db, {
          organizationId: signIn.organizationId,
          actorStaffUserId: staff.id,
          action: 'staff.signed_in',
          requestId: String(req.id),
          ip: req.ip,
        });
        res.cookie(SESSION_COOKIE, session, {
          httpOnly: true,
          sameSite: 'lax',
          secure: ctx.publicUrl.startsWith('https:'),
          maxAge: SESSION_SECONDS * 1000,
          path: '/',
        });
        res.redirect(303, '/');
      },
    },
    {
      method: 'post',
      path: '/auth/logout',
      access: 'public',
      summary: 'End the browser session',
      handler: (_req, res) => {
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/api/me',
      access: ALL_STAFF,
      summary: 'The signed-in staff member, their roles and organization',
      handler: async (req, res) => {
        const me = principal(req);
        const [staff, organization] = await Promise.all([
          findStaffMember(ctx.db, me.organizationId, me.staffUserId),
          findOrganizationById(ctx.db, me.organizationId),
        ]);
        res.json({
          staffUser: { id: me.staffUserId, email: staff?.email, name: staff?.name },
          roles: me.roles,
          organization: organization ? { id: organization.id, slug: organization.slug, name: organization.name } : null,
        });
      },
    },
  ];
}

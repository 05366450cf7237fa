import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import type { RouteDefinition } from '../http/routes';
import { ALL_STAFF } from '../http/routes';
import { apiRoute } from '../http/api-route';
import { parseInput } from '../http/validate';
import { pickLanguage } from '../signup/signup';
import { sendHtml } from '../console/routes';
import { signInLinkPage, signInLinkUnusablePage, signInPage, signInSentPage } from './pages';
import { findOrganizationById } from '../organizations/queries';
import { recordAudit } from '../audit/audit';
import { findStaffMember } from '../staff/queries';
import { SESSION_COOKIE, tokenFrom } from './guard';
import { openStaffSession, revokeStaffSession, revokeStaffSessionsIn } from './sessions';
import { consumeSignIn, requestSignIn, SIGN_IN_MINUTES, signInIsLive } from './sign-in';
import { SESSION_SECONDS, verifyStaffToken } from './tokens';
import { meResponse, mySessionsEndedResponse } from '../staff/responses';

const loginSchema = z.object({
  email: z.email().max(320),
  organization: z.string().trim().toLowerCase().max(63).optional(),
});

const SIGN_IN_SENT = 'If that address belongs to a staff account, a sign-in link is on its way. It works once, for 15 minutes.';

const tokenIn = (source: unknown): string | undefined => {
  const token = (source as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token.length > 0 && token.length <= 200 ? token : undefined;
};

/** A spent, expired or unknown link: a page for the person who clicked it, with the way to a new one. */
function linkNotUsable(req: Request, res: Response): void {
  sendHtml(res, 401, signInLinkUnusablePage(pickLanguage(req.query.lang, req.headers['accept-language']), SIGN_IN_MINUTES));
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
        await requestSignIn(ctx.db, {
          email: input.email,
          organizationSlug: input.organization || undefined,
          publicUrl: ctx.publicUrl,
          now: ctx.now(),
        });
        ctx.notifyOutbox();
        if (html) return sendHtml(res, 202, signInSentPage(language));
        res.status(202).json({ message: SIGN_IN_SENT });
      },
    },
    {
      method: 'get',
      path: '/auth/callback',
      access: 'public',
      summary: 'Open a sign-in link: a page whose button signs in (mail scanners that open links spend nothing)',
      handler: async (req, res) => {
        const token = tokenIn(req.query);
        if (!token || !(await signInIsLive(ctx.db, token, ctx.now()))) {
          linkNotUsable(req, res);
          return;
        }
        sendHtml(res, 200, signInLinkPage(pickLanguage(req.query.lang, req.headers['accept-language']), token));
      },
    },
    {
      method: 'post',
      path: '/auth/callback',
      access: 'public',
      summary: 'Sign in with a link\'s token: spends it and sets the session cookie',
      handler: async (req, res) => {
        const token = tokenIn(req.body);
        const signIn = token ? await consumeSignIn(ctx.db, token, ctx.now()) : undefined;
        const staff = signIn ? await findStaffMember(ctx.db, signIn.organizationId, signIn.staffUserId) : undefined;
        if (!signIn || !staff) {
          linkNotUsable(req, res);
          return;
        }
        const { token: session } = await openStaffSession(
          ctx.db,
          ctx.config.jwtSecret,
          { staffUserId: staff.id, organizationId: signIn.organizationId, roles: staff.roles, via: 'sign_in_link' },
          SESSION_SECONDS,
          ctx.now(),
        );
        await recordAudit(ctx.db, {
          organizationId: signIn.organizationId,
          actorStaffUserId: staff.id,
          action: 'staff.signed_in',
          requestId: String(req.id),
          ip: req.ip,
          at: ctx.now(),
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
      summary: 'Sign out: ends the session server-side (the token stops working at once) and clears the cookie',
      handler: async (req, res) => {
        const token = tokenFrom(req);
        const claims = token === undefined ? undefined : verifyStaffToken(ctx.config.jwtSecret, token, ctx.now());
        if (claims && (await revokeStaffSession(ctx.db, claims, ctx.now()))) {
          await recordAudit(ctx.db, { organizationId: claims.organizationId, actorStaffUserId: claims.staffUserId, action: 'staff.signed_out', requestId: String(req.id), ip: req.ip, at: ctx.now() });
        }
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        res.status(204).end();
      },
    },
    apiRoute(ctx, {
      method: 'delete',
      path: '/api/me/sessions',
      responses: { 200: mySessionsEndedResponse },
      access: ALL_STAFF,
      summary: 'Sign yourself out everywhere in this organization: ends every session and issued token, this one included',
      answer: async ({ res, me, audit }) => {
        const sessionsEnded = await ctx.db.transaction().execute(async (trx) => {
          const ended = await revokeStaffSessionsIn(trx, me.organizationId, me.staffUserId, 'signed_out_everywhere', ctx.now());
          await audit('staff.signed_out_everywhere', { subjectType: 'staff_user', subjectId: me.staffUserId, details: { sessionsEnded: ended } }, trx);
          return ended;
        });
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        return { sessionsEnded };
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/me',
      responses: { 200: meResponse },
      access: ALL_STAFF,
      summary: 'The signed-in staff member, their roles and organization',
      answer: async ({ me }) => {
        // Read here rather than with organization(): a missing organization is null in this answer, not a 404.
        const [staff, organization] = await Promise.all([findStaffMember(ctx.db, me.organizationId, me.staffUserId), findOrganizationById(ctx.db, me.organizationId)]);
        return {
          staffUser: { id: me.staffUserId, email: staff?.email, name: staff?.name },
          roles: me.roles,
          organization: organization ? { id: organization.id, slug: organization.slug, name: organization.name } : null,
        };
      },
    }),
  ];
}

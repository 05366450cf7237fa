import type { Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import type { RouteDefinition } from '../http/routes';
import { ALL_STAFF } from '../http/routes';
import { parseInput } from '../http/validate';
import { escapeHtml } from '../email/templates';
import { findOrganizationById } from '../organizations/queries';
import { recordAudit } from '../audit/audit';
import { findStaffMember } from '../staff/queries';
import { principal, SESSION_COOKIE } from './guard';
import { consumeSignIn, requestSignIn, SIGN_IN_MINUTES, signInIsLive } from './sign-in';
import { SESSION_SECONDS, signStaffToken } from './tokens';

const loginSchema = z.object({
  email: z.email().max(320),
  organization: z.string().trim().toLowerCase().max(63).optional(),
});

const SIGN_IN_SENT = 'If that address belongs to a staff account, a sign-in link is on its way. It works once, for 15 minutes.';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Good Standing</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box}
button{font:inherit;margin-top:1rem;padding:.6rem 1.2rem;background:#14532d;color:#fff;border:0;border-radius:4px}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

const tokenIn = (source: unknown): string | undefined => {
  const token = (source as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token.length > 0 && token.length <= 200 ? token : undefined;
};

/** A spent, expired or unknown link: a page for the person who clicked it, with the way to a new one. */
function linkNotUsable(res: Response): void {
  res
    .status(401)
    .type('html')
    .send(
      page(
        'This sign-in link no longer works',
        `<p>Sign-in links work once, for ${SIGN_IN_MINUTES} minutes. This one has been used or has expired.</p>
<form method="post" action="/auth/login"><label for="email">Your email</label>
<input id="email" name="email" type="email" autocomplete="email" required>
<button type="submit">Email me a new link</button></form>`,
      ),
    );
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
      handler: (_req, res) => {
        res.type('html').send(
          page(
            'Staff sign-in',
            `<form method="post" action="/auth/login"><label for="email">Your email</label>
<input id="email" name="email" type="email" autocomplete="email" required>
<label for="organization">Organization (optional)</label><input id="organization" name="organization" autocomplete="organization">
<button type="submit">Email me a sign-in link</button></form>`,
          ),
        );
      },
    },
    {
      method: 'post',
      path: '/auth/login',
      access: 'public',
      summary: 'Email a single-use sign-in link (same answer whether or not the email is known)',
      handler: async (req, res) => {
        const input = parseInput(loginSchema, req.body);
        const queued = await requestSignIn(ctx.db, {
          email: input.email,
          organizationSlug: input.organization || undefined,
          publicUrl: ctx.publicUrl,
          now: ctx.now(),
        });
        if (queued) ctx.notifyOutbox();
        if (wantsHtml(req.headers.accept, req.headers['content-type'])) {
          res.status(202).type('html').send(page('Check your email', `<p>${escapeHtml(SIGN_IN_SENT)}</p>`));
          return;
        }
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
          linkNotUsable(res);
          return;
        }
        res
          .type('html')
          .send(
            page(
              'Sign in to Good Standing',
              `<p>Press the button to finish signing in on this device.</p><form method="post" action="/auth/callback"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit">Sign in</button></form>`,
            ),
          );
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
          linkNotUsable(res);
          return;
        }
        const session = signStaffToken(
          ctx.config.jwtSecret,
          { staffUserId: staff.id, organizationId: signIn.organizationId, roles: staff.roles },
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

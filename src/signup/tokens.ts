import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

// Stateless tokens for the signup page, signed with the service's secret: the CSRF
// double-submit pair and the draft reference carried through Stripe's cancel URL.

export const CSRF_COOKIE = 'gs_signup_csrf';
/** Long enough to fill the form on a slow evening, short enough that a leaked page goes stale. */
export const CSRF_MAX_AGE_SECONDS = 4 * 3600;
export const DRAFT_MAX_AGE_SECONDS = 2 * 3600;

const sign = (secret: string, purpose: string, payload: string): string =>
  createHmac('sha256', secret).update(`${purpose}.${payload}`).digest('base64url');

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export const newNonce = (): string => randomBytes(16).toString('base64url');

const NONCE = /^[A-Za-z0-9_-]{22}$/;
export const isNonce = (value: string | undefined): value is string => value !== undefined && NONCE.test(value);

/** The form's hidden token: the cookie's nonce, when it was issued, and a signature over both. */
export function csrfToken(secret: string, nonce: string, now: Date): string {
  const issued = Math.floor(now.getTime() / 1000);
  return `${nonce}.${issued}.${sign(secret, 'csrf', `${nonce}.${issued}`)}`;
}

/** The CSRF token for this browser's next form: its cookie's nonce (set now if it has none), signed with the time. */
export function issueCsrfToken(req: Request, res: Response, options: { secret: string; now: Date; secure: boolean }): string {
  let nonce = readCookie(req.headers.cookie, CSRF_COOKIE);
  if (!isNonce(nonce)) {
    nonce = newNonce();
    res.cookie(CSRF_COOKIE, nonce, { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/join', maxAge: 86_400_000 });
  }
  return csrfToken(options.secret, nonce, options.now);
}

/** Whether a posted form carries this browser's token. */
export const csrfPosted = (req: Request, token: unknown, options: { secret: string; now: Date }): boolean => checkCsrf(options.secret, readCookie(req.headers.cookie, CSRF_COOKIE), token, options.now);

/** A cross-site form cannot read or set our cookie, so it cannot send a token that matches it. */
export function checkCsrf(secret: string, cookieNonce: string | undefined, token: unknown, now: Date): boolean {
  if (!isNonce(cookieNonce) || typeof token !== 'string') return false;
  const [nonce, issued, signature] = token.split('.');
  if (nonce !== cookieNonce || !issued || !/^\d{1,12}$/.test(issued) || !signature) return false;
  const age = Math.floor(now.getTime() / 1000) - Number(issued);
  return age >= -60 && age <= CSRF_MAX_AGE_SECONDS && sameText(signature, sign(secret, 'csrf', `${nonce}.${issued}`));
}

/** A row's id signed for one purpose, readable only by us and only until it expires. */
export function signedReference(secret: string, purpose: string, id: string, now: Date, maxAgeSeconds: number): string {
  const expires = Math.floor(now.getTime() / 1000) + maxAgeSeconds;
  return `${id}.${expires}.${sign(secret, purpose, `${id}.${expires}`)}`;
}

/** The id a signed reference carries, if it is ours, for this purpose, and not expired. */
export function readSignedReference(secret: string, purpose: string, token: unknown, now: Date): string | undefined {
  if (typeof token !== 'string') return undefined;
  const [id, expires, signature] = token.split('.');
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || !expires || !/^\d{1,12}$/.test(expires) || !signature) return undefined;
  if (Number(expires) < now.getTime() / 1000) return undefined;
  return sameText(signature, sign(secret, purpose, `${id}.${expires}`)) ? id : undefined;
}

/** A reference to one signup attempt (its consent row), carried through Stripe's return addresses. */
export const draftToken = (secret: string, consentId: string, now: Date): string => signedReference(secret, 'draft', consentId, now, DRAFT_MAX_AGE_SECONDS);
export const readDraftToken = (secret: string, token: unknown, now: Date): string | undefined => readSignedReference(secret, 'draft', token, now);

/** Manage links: the email carries the token, the database only its hash. */
export const newLinkToken = (): string => randomBytes(32).toString('base64url');
export const hashLinkToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Database, Language, StaffRole } from '../../db/database';
import { principal, SESSION_COOKIE } from '../auth/guard';
import { todayIn } from '../organizations/calendar';
import { readCookie } from '../signup/tokens';
import { formatMonth, messagesFor, type Messages } from './i18n';
import { en } from './i18n/en';

/** Who is looking at a console page, in which organization and language, with the form token for its forms. */
export interface ConsoleSession {
  staffUserId: string;
  roles: StaffRole[];
  staffName: string;
  language: Language;
  organization: { id: string; slug: string; name: string; timeZone: string; currency: string };
  /** The organization's calendar day now. */
  today: string;
  m: Messages;
  csrf: string;
}

/**
 * The credential this request was authenticated with. Forms carry a token derived from it,
 * which a page on another site can neither read nor compute: the CSRF defence, bound to the
 * session so a token from one session is worthless in another.
 */
function credentialOf(req: Request): string {
  const header = req.headers.authorization;
  if (header !== undefined) return header;
  return decodeURIComponent(readCookie(req.headers.cookie, SESSION_COOKIE) ?? '');
}

export function csrfTokenFor(secret: string, req: Request): string {
  const credential = createHash('sha256').update(credentialOf(req)).digest('base64url');
  return createHmac('sha256', secret).update(`console-csrf.${credential}`).digest('base64url');
}

/**
 * A form posted with the session cookie must carry its token. A request with an
 * Authorization header carries no ambient credential a browser would add on its own, so
 * another site cannot forge one: it needs no token.
 */
export function csrfValid(secret: string, req: Request): boolean {
  if (req.headers.authorization !== undefined) return true;
  const sent = (req.body as Record<string, unknown> | undefined)?.csrf;
  if (typeof sent !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(secret, req));
  const given = Buffer.from(sent);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The console's view of the request's principal: the frame's facts came with the roles (the guard's statement). */
export function loadSession(ctx: { config: { jwtSecret: string }; now: () => Date }, req: Request): ConsoleSession {
  const me = principal(req);
  const { frame } = me;
  return {
    staffUserId: me.staffUserId,
    roles: me.roles,
    staffName: frame.staffName,
    language: frame.language,
    organization: { id: me.organizationId, ...frame.organization },
    today: todayIn(frame.organization.timeZone, ctx.now()),
    m: messagesFor(frame.language),
    csrf: csrfTokenFor(ctx.config.jwtSecret, req),
  };
}

export async function setStaffLanguage(db: Kysely<Database>, staffUserId: string, language: Language): Promise<void> {
  await db.updateTable('staff_users').set({ preferred_language: language }).where('id', '=', staffUserId).execute();
}

// ---- Messages after an action ("Outcome saved for Rosa Díaz"), carried over the redirect
// in a short-lived signed cookie and shown once, in the staff member's language.

export const FLASH_COOKIE = 'gs_flash';
export type BankNotice = keyof Messages['bank']['notices'];
export type Flash =
  | { kind: 'outcomeSaved' | 'contactSaved'; name: string }
  | { kind: 'languageSaved' | 'policySaved' }
  | { kind: 'monthClosed' | 'monthReopened'; month: string }
  | { kind: 'bank'; notice: BankNotice; figures: number[] }
  | { kind: 'rollImported'; added: number; updated: number }
  | { kind: 'increaseConfirmed'; name: string }
  | { kind: 'increaseRetried' | 'authorizationPublished'; count: number }
  | { kind: AdminFlash; name: string };

/** The admin pages' messages after an action, each naming what it acted on. */
const ADMIN_FLASHES = ['planSaved', 'planArchived', 'organizationSaved', 'logoSaved', 'logoRemoved', 'staffInvited', 'rolesSaved', 'staffRemoved', 'invitationWithdrawn', 'eventRequeued', 'eventsRequeued'] as const;
type AdminFlash = (typeof ADMIN_FLASHES)[number];
const isAdminFlash = (kind: unknown): kind is AdminFlash => (ADMIN_FLASHES as readonly unknown[]).includes(kind);

const flashSignature = (secret: string, payload: string) => createHmac('sha256', secret).update(`console-flash.${payload}`).digest('base64url');

export function setFlash(res: Response, secret: string, flash: Flash, secure: boolean): void {
  const payload = Buffer.from(JSON.stringify(flash)).toString('base64url');
  res.cookie(FLASH_COOKIE, `${payload}.${flashSignature(secret, payload)}`, { httpOnly: true, sameSite: 'lax', secure, path: '/console', maxAge: 60_000 });
}

/** The flash this request carries (and clears), if it is ours. */
export function takeFlash(req: Request, res: Response, secret: string): Flash | undefined {
  const value = readCookie(req.headers.cookie, FLASH_COOKIE);
  if (value === undefined) return undefined;
  res.clearCookie(FLASH_COOKIE, { path: '/console' });
  const [payload, signature] = value.split('.');
  if (!payload || !signature || signature !== flashSignature(secret, payload)) return undefined;
  try {
    const flash = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Flash;
    if (flash.kind === 'languageSaved' || flash.kind === 'policySaved') return { kind: flash.kind };
    if ((flash.kind === 'outcomeSaved' || flash.kind === 'contactSaved') && typeof flash.name === 'string') return { kind: flash.kind, name: flash.name };
    if (flash.kind === 'increaseConfirmed' && typeof flash.name === 'string') return { kind: flash.kind, name: flash.name };
    if ((flash.kind === 'increaseRetried' || flash.kind === 'authorizationPublished') && Number.isInteger(flash.count)) return { kind: flash.kind, count: flash.count };
    if (flash.kind === 'rollImported' && Number.isInteger(flash.added) && Number.isInteger(flash.updated)) return { kind: flash.kind, added: flash.added, updated: flash.updated };
    if ((flash.kind === 'monthClosed' || flash.kind === 'monthReopened') && typeof flash.month === 'string') return { kind: flash.kind, month: flash.month };
    if (flash.kind === 'bank' && Object.hasOwn(en.bank.notices, flash.notice) && Array.isArray(flash.figures) && flash.figures.every(Number.isInteger)) return { kind: 'bank', notice: flash.notice, figures: flash.figures.slice(0, 3) };
    if (isAdminFlash(flash.kind) && typeof (flash as { name?: unknown }).name === 'string') return { kind: flash.kind, name: (flash as { name: string }).name };
  } catch {
    // A cookie we did not write: ignore it.
  }
  return undefined;
}

export function flashText(m: Messages, flash: Flash): string {
  switch (flash.kind) {
    case 'outcomeSaved':
      return m.outcomeSaved(flash.name);
    case 'contactSaved':
      return m.contactSaved(flash.name);
    case 'languageSaved':
      return m.languageSaved;
    case 'policySaved':
      return m.policy.saved;
    case 'rollImported':
      return m.roll.imported(flash.added, flash.updated);
    case 'increaseConfirmed':
      return m.increases.confirmed(flash.name);
    case 'increaseRetried':
      return m.increases.retried(flash.count);
    case 'authorizationPublished':
      return m.authorization.published(flash.count);
    case 'monthClosed':
      return m.monthClosed(formatMonth(m, flash.month));
    case 'monthReopened':
      return m.monthReopened(formatMonth(m, flash.month));
    case 'bank': {
      const [a = 0, b = 0, c = 0] = flash.figures;
      return m.bank.notices[flash.notice](a, b, c);
    }
    default:
      return m.admin.flash[flash.kind](flash.name);
  }
}

/** Where to go back to after an action: a console path of ours, never another site. */
export function safeReturnPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length > 2000) return fallback;
  return /^\/console(\/[^\\\s]*)?(\?[^\\\s]*)?$/.test(value) && !value.startsWith('//') ? value : fallback;
}

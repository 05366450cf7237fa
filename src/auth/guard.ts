import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { StaffRole } from '../../db/database';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import { principalInSession, type PrincipalFrame } from './sessions';
import { verifyStaffToken } from './tokens';

export const SESSION_COOKIE = 'gs_session';

export interface StaffPrincipal {
  staffUserId: string;
  organizationId: string;
  /** The server-side session the credential names (src/auth/sessions.ts). */
  sessionId: string;
  roles: StaffRole[];
  /** Who they are, read with the roles, for the console's page frame. */
  frame: PrincipalFrame;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      staff?: StaffPrincipal;
    }
  }
}

export function tokenFrom(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1];
  }
  const cookies = req.headers.cookie ?? '';
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * Accepts a bearer token or the session cookie. The roles in force are re-read from the
 * database together with whether the token's session still stands (one statement), so a
 * role taken away or a session ended stops working at once, whatever the token says.
 */
export function authenticate(ctx: AppContext): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = tokenFrom(req);
    if (token === undefined) return next(new ApiError('unauthenticated', 'sign in, or send a bearer token'));
    const claims = verifyStaffToken(ctx.config.jwtSecret, token, ctx.now());
    if (!claims) return next(new ApiError('unauthenticated', 'the token is invalid or has expired'));
    const found = await principalInSession(ctx.db, claims, ctx.now());
    if (found === undefined) return next(new ApiError('unauthenticated', 'this session has ended, or the account no longer has access to the organization; sign in again'));
    req.staff = { staffUserId: claims.staffUserId, organizationId: claims.organizationId, sessionId: claims.sessionId, roles: found.roles, frame: found.frame };
    req.log?.setBindings?.({ staffUserId: claims.staffUserId, organizationId: claims.organizationId });
    next();
  };
}

export function requireRole(...allowed: StaffRole[]): RequestHandler {
  return (req, _res, next) => {
    const staff = req.staff;
    if (!staff) return next(new ApiError('unauthenticated', 'sign in, or send a bearer token'));
    if (!staff.roles.some((role) => allowed.includes(role))) {
      return next(new ApiError('forbidden', `this needs one of the roles: ${allowed.join(', ')}`));
    }
    next();
  };
}

/** The signed-in staff member; only for handlers behind `authenticate`. */
export function principal(req: Request): StaffPrincipal {
  if (!req.staff) throw new ApiError('unauthenticated', 'sign in, or send a bearer token');
  return req.staff;
}

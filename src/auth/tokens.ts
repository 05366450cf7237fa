import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { STAFF_ROLES } from '../../db/database';

export const TOKEN_ISSUER = 'good-standing';
export const TOKEN_AUDIENCE = 'good-standing-staff';
export const SESSION_SECONDS = 12 * 60 * 60;

// `sid` names the server-side session the token belongs to (src/auth/sessions.ts); `exp` is
// required, as jsonwebtoken would otherwise accept a token that never expires.
const claimsSchema = z.object({
  sub: z.uuid(),
  org: z.uuid(),
  sid: z.uuid(),
  exp: z.number().int(),
  roles: z.array(z.enum(STAFF_ROLES as [string, ...string[]])),
});

export interface StaffClaims {
  staffUserId: string;
  organizationId: string;
  sessionId: string;
  roles: string[];
}

const unixSeconds = (at: Date): number => Math.floor(at.getTime() / 1000);

/** Signed at `now` (the service's clock): jsonwebtoken counts `exp` from the `iat` it is given, not from its own clock. */
export function signStaffToken(secret: string, claims: StaffClaims, expiresInSeconds: number, now: Date): string {
  return jwt.sign({ org: claims.organizationId, sid: claims.sessionId, roles: claims.roles, iat: unixSeconds(now) }, secret, {
    algorithm: 'HS256',
    subject: claims.staffUserId,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    expiresIn: expiresInSeconds,
  });
}

// Given a string, jsonwebtoken first tries to read it as a PEM public key and builds the
// secret key only after that throws, on every verification: about a millisecond of CPU per
// request in the console benchmark's profile. The key is built once per secret instead.
const verificationKeys = new Map<string, KeyObject>();
function verificationKey(secret: string): KeyObject {
  let key = verificationKeys.get(secret);
  if (key === undefined) {
    key = createSecretKey(Buffer.from(secret));
    verificationKeys.set(secret, key);
  }
  return key;
}

/**
 * Verifies signature (HS256 only), an `exp` that has not passed at `now` (the service's
 * clock), issuer, audience and a session id; undefined for anything else. Whether the
 * session still stands is the guard's question (one query with the roles).
 */
export function verifyStaffToken(secret: string, token: string, now: Date): StaffClaims | undefined {
  try {
    const payload = jwt.verify(token, verificationKey(secret), { algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, clockTimestamp: unixSeconds(now) });
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return undefined;
    return { staffUserId: claims.data.sub, organizationId: claims.data.org, sessionId: claims.data.sid, roles: claims.data.roles };
  } catch {
    return undefined;
  }
}

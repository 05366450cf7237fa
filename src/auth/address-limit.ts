import type { RequestHandler } from 'express';
import { ApiError, errorBody } from '../http/errors';
import { addressKey, WindowCounter } from '../http/rate-limit';

/** Sign-in requests one address may get in a window, whoever sends them (the per-IP limit does not stop many senders). */
export const SIGN_IN_PER_ADDRESS = { windowMs: 15 * 60_000, limit: 5 };

/**
 * Counts sign-in requests per email address. The counter is keyed by a keyed hash of the
 * normalised address, so the address itself is neither kept in memory nor in any log.
 * It sets no RateLimit headers: how many requests an address has had would tell a prober
 * that someone else asked for it. Runs after the body is read; a body without an email is
 * left to the handler (which answers 400).
 */
export function signInAddressLimiter(options: { secret: string; now: () => Date; limit?: number }): RequestHandler {
  const counter = new WindowCounter(SIGN_IN_PER_ADDRESS.windowMs, options.limit ?? SIGN_IN_PER_ADDRESS.limit);
  return (req, res, next) => {
    const email = (req.body as { email?: unknown } | undefined)?.email;
    if (req.method !== 'POST' || typeof email !== 'string' || email.length > 320) return next();
    const result = counter.hit(addressKey(options.secret, 'sign-in', email), options.now());
    if (result.allowed) return next();
    res.setHeader('Retry-After', String(result.retryAfterSeconds));
    res.status(429).json(errorBody(new ApiError('rate_limited', 'too many sign-in requests for this address; wait a few minutes and try again')));
  };
}

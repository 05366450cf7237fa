import { createHmac } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';

/**
 * Counts hits per key in fixed windows on the service's clock. express-rate-limit reads
 * `Date.now()` in its store and again for `Retry-After`, so the service's clock (and a
 * test's) could not drive it: this is the small part of it the service uses, on `now`.
 */
export class WindowCounter {
  private readonly windows = new Map<string, { endsAt: number; hits: number }>();
  private hitsSincePrune = 0;

  constructor(
    readonly windowMs: number,
    readonly limit: number,
  ) {}

  /** Counts one hit; `retryAfterSeconds` says when the key's window ends. */
  hit(key: string, now: Date): { allowed: boolean; remaining: number; retryAfterSeconds: number } {
    const at = now.getTime();
    this.pruneNow(at);
    let window = this.windows.get(key);
    if (!window || window.endsAt <= at) this.windows.set(key, (window = { endsAt: at + this.windowMs, hits: 0 }));
    window.hits += 1;
    return { allowed: window.hits <= this.limit, remaining: Math.max(0, this.limit - window.hits), retryAfterSeconds: Math.max(1, Math.ceil((window.endsAt - at) / 1000)) };
  }

  // Ended windows are dropped now and then, so that many one-off keys do not pile up.
  private pruneNow(at: number): void {
    this.hitsSincePrune += 1;
    if (this.hitsSincePrune < 1000 && this.windows.size < 10_000) return;
    this.hitsSincePrune = 0;
    for (const [key, window] of this.windows) if (window.endsAt <= at) this.windows.delete(key);
  }
}

export interface RateLimitOptions {
  windowMs: number;
  limit: number;
  now: () => Date;
  /** Requests it does not count. */
  skip?: (req: Request) => boolean;
  /** What is counted; the client's address by default. */
  key?: (req: Request) => string;
  /** Answers a request over the limit; `Retry-After` is already set. */
  onLimited: (req: Request, res: Response, retryAfterSeconds: number) => void;
}

/** Middleware over a WindowCounter, with the IETF draft's `RateLimit-Policy` and `RateLimit` headers. */
export function rateLimited(options: RateLimitOptions): RequestHandler {
  const counter = new WindowCounter(options.windowMs, options.limit);
  const windowSeconds = Math.ceil(options.windowMs / 1000);
  const policy = `"window"; q=${options.limit}; w=${windowSeconds}`;
  return (req, res, next) => {
    if (options.skip?.(req)) return next();
    const result = counter.hit(options.key?.(req) ?? req.ip ?? 'unknown', options.now());
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit', `"window"; r=${result.remaining}; t=${result.retryAfterSeconds}`);
    if (result.allowed) return next();
    res.setHeader('Retry-After', String(result.retryAfterSeconds));
    options.onLimited(req, res, result.retryAfterSeconds);
  };
}

/** What an email address is counted under: a keyed hash of it, normalised, so that neither memory nor logs hold the address. */
export const addressKey = (secret: string, purpose: string, email: string): string => createHmac('sha256', secret).update(`${purpose}.${email.trim().toLowerCase()}`).digest('base64url');

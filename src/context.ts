import type { Config } from './config/config';
import type { Db } from '../db/connection';
import type { Logger } from './http/logging';
import type { StripeClient } from './stripe/client';
import type { SignupOptions } from './signup/join';

/**
 * The service's one clock. Every time the service later compares with `now()` is written
 * from it (never from a column default or the database's now()), so that the service,
 * its database rows and its tests agree on what time it is.
 */
export const systemClock = (): Date => new Date();

/** What request handlers and jobs need from the running service. */
export interface AppContext {
  config: Config;
  db: Db;
  logger: Logger;
  stripe: StripeClient;
  /** The base of links in emails and redirects. */
  publicUrl: string;
  /** Wakes the email sender after a commit that queued mail (it also runs on a schedule). */
  notifyOutbox: () => void;
  /** Wakes the webhook processor after an event is stored (it also polls). */
  notifyWebhooks: () => void;
  /** Webhook signing secrets accepted now: the configured ones, plus the sandbox endpoint's in development. */
  webhookSecrets: string[];
  /** Injected so tests control time. */
  now: () => Date;
  /** Test-only hooks for the signup flow (see src/signup/join.ts); unset in production. */
  signup?: SignupOptions;
}

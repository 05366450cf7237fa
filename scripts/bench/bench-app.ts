import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import pino from 'pino';
import { loadConfig } from '../../src/config/config';
import type { AppContext } from '../../src/context';
import { createStripeClient } from '../../src/stripe/client';
import { createDb } from '../../db/connection';

/**
 * The service's context for a benchmark: the real database, silent logs, and a Stripe
 * client that fails at once (the paths benchmarked never call Stripe unless given one).
 */
export function benchContext(databaseUrl: string, overrides: Partial<AppContext> = {}): AppContext {
  return {
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
    db: overrides.db ?? createDb(databaseUrl, { max: 10, jit: false, preparedStatements: 'marked' }),
    logger: pino({ level: 'silent' }),
    stripe: createStripeClient({ secretKey: 'sk_test_bench', apiBase: 'http://127.0.0.1:9', maxNetworkRetries: 0 }),
    publicUrl: 'http://127.0.0.1',
    notifyOutbox: () => undefined,
    notifyWebhooks: () => undefined,
    webhookSecrets: [],
    now: () => new Date(),
    ...overrides,
  };
}

/** Listens on a free loopback port and tells the parent benchmark where (see spawnServer). */
export function listenForBenchmark(app: Express): void {
  const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  // Exit (rather than die) when the benchmark stops the server, so --cpu-prof writes its profile.
  process.once('SIGTERM', () => process.exit(0));
}

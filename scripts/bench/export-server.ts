// The service for the export benchmark, in its own process so that its memory is its own.
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createStripeClient } from '../../src/stripe/client';
import { createDb } from '../../db/connection';

const db = createDb(process.env.BENCH_DATABASE_URL!, { max: 10 });
const app = buildApp({
  config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
  db,
  logger: pino({ level: 'silent' }),
  stripe: createStripeClient({ secretKey: 'sk_test_bench', apiBase: 'http://127.0.0.1:9' }),
  publicUrl: 'http://127.0.0.1',
  notifyOutbox: () => undefined,
  notifyWebhooks: () => undefined,
  webhookSecrets: [],
  now: () => new Date(),
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));

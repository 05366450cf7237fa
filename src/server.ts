import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { sql } from 'kysely';
import type PgBoss from 'pg-boss';
import { buildApp } from './app';
import { loadConfig, type Config } from './config/config';
import { systemClock, type AppContext } from './context';
import { seedDemo, syncDemoPlans } from './demo/seed';
import { fileTransport, smtpTransport, type MailTransport } from './email/transport';
import { startEmailWorker } from './email/worker';
import { createLogger, type Logger } from './http/logging';
import { startJobs } from './jobs/boss';
import { startRetentionWorker } from './retention/jobs';
import { startIncreaseWorker } from './increases/worker';
import type Stripe from 'stripe';
import { createStripeClient, STRIPE_API_VERSION } from './stripe/client';
import { endpointProblems, wantedEndpoints } from './stripe/setup';
import type { StartStripeStandIn } from './stripe/stand-in';
import { HANDLED_EVENT_TYPES } from '../webhooks/handlers';
import { startWebhookWorker } from '../webhooks/worker';
import { createDb, type Db } from '../db/connection';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded';
import { migrateToLatest } from '../db/migrate';
import { databaseFailure, listenFailure, StartupError } from './startup';

export interface RunningService {
  url: string;
  config: Config;
  logger: Logger;
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 10_000;

/** Against a Stripe account (not the in-process sandbox): warns when our webhook endpoint is missing or subscribes to the wrong events. */
async function checkStripeSetup(ctx: AppContext, db: Db, stripe: Stripe): Promise<void> {
  if (!ctx.config.publicUrl) {
    ctx.logger.warn('stripe: PUBLIC_URL is not set, so Stripe cannot reach the webhook endpoint; set it and run `npm run stripe-setup`');
    return;
  }
  try {
    const problems = await endpointProblems(stripe, await wantedEndpoints(db, ctx.config.publicUrl));
    for (const problem of problems) ctx.logger.warn(`stripe: ${problem}; run \`npm run stripe-setup\` to set it up`);
    if (problems.length === 0) ctx.logger.info('stripe: the webhook endpoint is registered with the events we handle');
  } catch (error) {
    ctx.logger.warn({ err: error }, 'stripe: could not check the webhook endpoint (the service runs on; `npm run stripe-setup` checks again)');
  }
}

/** Boots everything the service needs, in order, and returns a handle that stops it all in reverse. */
export interface ServiceOptions {
  /** Started when the configuration asks for the offline sandbox (development only). */
  startStripeStandIn?: StartStripeStandIn;
  /** Called once everything is up and before "ready" is said, so that whoever owns the process
   *  takes its signals first: a stop sent on seeing "ready" must find them taken. */
  beforeReady?: (service: RunningService) => void;
}

export async function startService(environment: NodeJS.ProcessEnv = process.env, options: ServiceOptions = {}): Promise<RunningService> {
  const startedAt = performance.now();
  const config = loadConfig(environment);
  if (config.startStripeSandbox && !options.startStripeStandIn) {
    throw new StartupError('no Stripe is configured and this entry point carries no offline sandbox: set STRIPE_SECRET_KEY (or STRIPE_API_BASE), or start from a checkout with `npm start`');
  }
  const logger = createLogger(config.logLevel, { pretty: config.env === 'development' && process.stdout.isTTY === true });
  const now = systemClock;
  const cleanups: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.warn({ err: error }, 'error while stopping');
      }
    }
    cleanups.length = 0;
  };

  try {
    let databaseUrl = config.databaseUrl;
    if (databaseUrl === undefined) {
      const dataDir = path.resolve(config.dataDir, 'postgres');
      const embedded: EmbeddedDatabase = await startEmbeddedPostgres({
        dataDir,
        database: 'good_standing',
        onLog: (line) => logger.debug({ component: 'postgres' }, line),
        onNotice: (line) => logger.warn(line),
      });
      cleanups.push(() => embedded.stop());
      databaseUrl = embedded.url;
      logger.info({ dataDir }, `database: embedded PostgreSQL on ${new URL(databaseUrl).host}, data in ${dataDir}`);
    } else {
      const shown = new URL(databaseUrl);
      logger.info(`database: PostgreSQL at ${shown.host}${shown.pathname}`);
    }

    // No JIT for the requests' pool: compiling a page's query costs more than it saves
    // (300 ms on the whole organization's call list of a 100,000-member union). The
    // statements marked KEEP_PREPARED are planned once per connection.
    const db: Db = createDb(databaseUrl, { name: 'service', jit: false, preparedStatements: 'marked' });
    cleanups.push(() => db.destroy());
    // The webhook processors' own pool, with prepared statements: they run the same few statements all day.
    const webhookDb: Db = createDb(databaseUrl, { max: config.webhookProcessors + 1, preparedStatements: true, name: 'webhooks' });
    cleanups.push(() => webhookDb.destroy());
    try {
      await sql`SELECT 1`.execute(db);
    } catch (error) {
      throw databaseFailure(databaseUrl, error) ?? error;
    }
    const applied = await migrateToLatest(db).catch((error: unknown) => {
      throw new StartupError(`${error instanceof Error ? error.message : String(error)} (the migrations run in one transaction, so none of them was applied): fix the cause and start again`, { cause: error });
    });
    logger.info({ applied }, applied.length > 0 ? `migrations applied: ${applied.join(', ')}` : 'migrations: up to date');

    const transport: MailTransport = config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(path.join(config.dataDir, 'mail'), logger, now);
    cleanups.push(() => transport.close());
    logger.info(`email: ${transport.description}`);

    let stripeApiBase = config.stripeApiBase;
    if (config.startStripeSandbox) {
      const sandbox = await options.startStripeStandIn!();
      cleanups.push(() => sandbox.close());
      stripeApiBase = sandbox.url;
    }
    const stripe = createStripeClient({ secretKey: config.stripeSecretKey, apiBase: stripeApiBase });
    const mode = config.stripeSecretKey.startsWith('sk_live_') ? 'live' : 'test';
    logger.info(config.startStripeSandbox ? `stripe: the offline sandbox, in this process, at ${stripeApiBase}` : stripeApiBase ? `stripe: the API at ${stripeApiBase} (STRIPE_API_BASE)` : `stripe: api.stripe.com (${mode} mode)`);

    const ctx: AppContext = {
      config,
      db,
      logger,
      stripe,
      publicUrl: config.publicUrl ?? `http://localhost:${config.port}`,
      notifyOutbox: () => undefined,
      notifyWebhooks: () => undefined,
      webhookSecrets: [...config.stripeWebhookSecrets],
      now,
    };
    // The port is taken before any background work starts, so a start that cannot serve stops before it has done anything.
    const server: Server = createServer(buildApp(ctx));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw listenFailure(config.port, error) ?? error;
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    ctx.publicUrl = config.publicUrl ?? `http://localhost:${port}`;
    let closing: Promise<void> | undefined;
    const closeServer = () =>
      (closing ??= new Promise<void>((resolve) => {
        const forced = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        server.close(() => {
          clearTimeout(forced);
          resolve();
        });
        server.closeIdleConnections();
      }));
    cleanups.push(closeServer);

    const boss: PgBoss = await startJobs(databaseUrl, logger);
    cleanups.push(() => boss.stop({ graceful: true, timeout: SHUTDOWN_GRACE_MS, wait: true }));
    const emailWorker = await startEmailWorker(boss, db, transport, { from: config.mailFrom, logger, now });
    const webhookWorker = await startWebhookWorker(boss, { db: webhookDb, stripe, logger, now, publicUrl: ctx.publicUrl }, { processors: config.webhookProcessors });
    ctx.notifyOutbox = () => emailWorker.notify();
    ctx.notifyWebhooks = () => webhookWorker.notify();
    // Daily lapse scans, digests and notices; started once links in emails can name our address.
    await startRetentionWorker(boss, { db, publicUrl: ctx.publicUrl, now, notifyOutbox: () => emailWorker.notify() }, logger);
    // Dues increases: members' notices on their day, then each subscription moved to the new rate.
    await startIncreaseWorker(boss, { db, stripe, publicUrl: ctx.publicUrl, now, notifyOutbox: () => emailWorker.notify() }, logger);
    // On a stop, connections close first, so the jobs and the pools close with no request still using them.
    cleanups.push(closeServer);

    if (config.startStripeSandbox) {
      // The sandbox sends its events to us like Stripe would, signed with this endpoint's own secret.
      const endpoint = await stripe.webhookEndpoints.create({ url: `http://127.0.0.1:${port}/webhooks/stripe`, enabled_events: HANDLED_EVENT_TYPES as Stripe.WebhookEndpointCreateParams.EnabledEvent[], api_version: STRIPE_API_VERSION });
      if (endpoint.secret) ctx.webhookSecrets.push(endpoint.secret);
      logger.info(`stripe: sandbox delivers webhooks to ${endpoint.url}`);
    }

    if (!config.startStripeSandbox) await checkStripeSetup(ctx, db, stripe);

    if (config.env !== 'production') {
      const seeded = await seedDemo(db, { publicUrl: ctx.publicUrl, now: now() });
      if (seeded) {
        emailWorker.notify();
        logger.info(`seeded the demo organization "${seeded.organization.name}" with admin ${seeded.adminEmail}; their sign-in link is on its way to ${transport.description}`);
      }
      const demo = config.startStripeSandbox ? await syncDemoPlans(db, stripe) : undefined;
      if (demo) logger.info(`signup: members join ${demo.name} at ${ctx.publicUrl}/join/${demo.slug} (pay with a sandbox test card or bank account)`);
    }

    const service: RunningService = { url: ctx.publicUrl, config, logger, stop: stopAll };
    options.beforeReady?.(service);
    logger.info(
      { url: ctx.publicUrl, startupMs: performance.now() - startedAt },
      `Good Standing is ready at ${ctx.publicUrl}, listening on port ${port} (staff sign-in: ${ctx.publicUrl}/login, readiness: ${ctx.publicUrl}/readyz)`,
    );
    return service;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

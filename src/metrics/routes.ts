import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { sql } from 'kysely';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { poolStatistics } from '../../db/connection';
import { databasePool, outboxDepth, outboxOldestSeconds, outboxParked, registry, webhookOldestPendingSeconds, webhookParkedEvents, webhookPendingEvents } from './metrics';

// IPv4 clients of a dual-stack socket show as ::ffff:a.b.c.d.
const plainAddress = (address: string | undefined): string => (address ?? '').replace(/^::ffff:/, '');

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The metrics token, or a configured address (req.ip: the client behind a trusted loopback proxy, not the proxy). */
function mayScrape(ctx: AppContext, req: Request): boolean {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (ctx.config.metricsToken !== undefined && bearer !== undefined && sameSecret(bearer, ctx.config.metricsToken)) return true;
  return ctx.config.metricsAllowFrom.map(plainAddress).includes(plainAddress(req.ip));
}

const secondsSince = (now: Date, then: Date | null): number => (then === null ? 0 : Math.max(0, (now.getTime() - new Date(then).getTime()) / 1000));

/** What is best read from the database, read at each scrape: a few indexed aggregates. */
async function readDatabaseGauges(ctx: AppContext): Promise<void> {
  const now = ctx.now();
  const [events, parked, outbox] = await Promise.all([
    sql<{ pending: number; oldest: Date | null }>`SELECT count(*)::int AS pending, min(received_at) AS oldest FROM stripe_events WHERE status = 'pending'`.execute(ctx.db),
    sql<{ organization: string | null; parked: number }>`SELECT organization_id::text AS organization, count(*)::int AS parked FROM stripe_events WHERE status = 'failed' GROUP BY organization_id`.execute(ctx.db),
    sql<{ pending: number; oldest: Date | null; failed: number }>`
      SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, min(created_at) FILTER (WHERE status = 'pending') AS oldest,
             count(*) FILTER (WHERE status = 'failed')::int AS failed
      FROM email_outbox WHERE status IN ('pending', 'failed')`.execute(ctx.db),
  ]);
  webhookPendingEvents.set(events.rows[0]!.pending);
  webhookOldestPendingSeconds.set(secondsSince(now, events.rows[0]!.oldest));
  webhookParkedEvents.reset();
  for (const row of parked.rows) webhookParkedEvents.set({ organization: row.organization ?? 'none' }, row.parked);
  outboxDepth.set(outbox.rows[0]!.pending);
  outboxOldestSeconds.set(secondsSince(now, outbox.rows[0]!.oldest));
  outboxParked.set(outbox.rows[0]!.failed);
  databasePool.reset();
  for (const pool of poolStatistics()) {
    databasePool.set({ pool: pool.name, state: 'total' }, pool.total);
    databasePool.set({ pool: pool.name, state: 'idle' }, pool.idle);
    databasePool.set({ pool: pool.name, state: 'waiting' }, pool.waiting);
  }
}

export function metricsRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/metrics',
      access: 'public',
      summary: 'Prometheus metrics, for the metrics token (METRICS_TOKEN) or the addresses in METRICS_ALLOW_FROM',
      handler: async (req, res) => {
        if (!mayScrape(ctx, req)) throw new ApiError('forbidden', 'metrics are served with the metrics token or to the configured addresses');
        await readDatabaseGauges(ctx);
        res.setHeader('Cache-Control', 'no-store');
        res.type(registry.contentType).send(await registry.metrics());
      },
    },
  ];
}

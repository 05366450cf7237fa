import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics, one registry per process: the parts of the service
 * count into it as they work, and what is best read from the database (the webhook lag,
 * parked events, the outbox) is read when Prometheus scrapes (see ./routes.ts).
 */
export const registry = new Registry();
registry.setDefaultLabels({ service: 'good-standing' });
collectDefaultMetrics({ register: registry, prefix: 'gs_' });

export const webhookDeliveries = new Counter({
  name: 'gs_webhook_deliveries_total',
  help: 'Stripe webhook deliveries received: stored (new), duplicate (already stored), refused (bad signature or body), failed (our side; Stripe retries)',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const webhookEvents = new Counter({
  name: 'gs_webhook_events_total',
  help: 'Stripe events the processor finished with, by type and result: processed, ignored, retried (will be tried again), parked (failed for good)',
  labelNames: ['type', 'result'] as const,
  registers: [registry],
});

export const webhookBatchSeconds = new Histogram({
  name: 'gs_webhook_batch_seconds',
  help: 'Time to process one batch of Stripe events, claim to commit',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const webhookOldestPendingSeconds = new Gauge({
  name: 'gs_webhook_oldest_pending_seconds',
  help: 'Age of the oldest stored Stripe event not yet processed (0 when none): the lag to be paged on',
  registers: [registry],
});

export const webhookPendingEvents = new Gauge({
  name: 'gs_webhook_pending_events',
  help: 'Stored Stripe events waiting to be processed (including those waiting for a retry)',
  registers: [registry],
});

export const webhookParkedEvents = new Gauge({
  name: 'gs_webhook_parked_events',
  help: 'Stripe events parked as failed after their last attempt, waiting for a person; organization "none" for those traced to no organization',
  labelNames: ['organization'] as const,
  registers: [registry],
});

export const outboxDepth = new Gauge({
  name: 'gs_email_outbox_pending',
  help: 'Emails waiting in the outbox (first tries and retries)',
  registers: [registry],
});

export const outboxOldestSeconds = new Gauge({
  name: 'gs_email_outbox_oldest_pending_seconds',
  help: 'Age of the oldest email waiting in the outbox (0 when none)',
  registers: [registry],
});

export const outboxParked = new Gauge({
  name: 'gs_email_outbox_failed',
  help: 'Emails parked as failed after their last attempt',
  registers: [registry],
});

export const lapseScanSeconds = new Gauge({
  name: 'gs_lapse_scan_seconds',
  help: "Duration of the organization's last daily retention run (scan, notices, digests)",
  labelNames: ['organization'] as const,
  registers: [registry],
});

export const lapseScanChanges = new Counter({
  name: 'gs_lapse_scan_standing_changes_total',
  help: 'Standings the daily scans changed, per organization',
  labelNames: ['organization'] as const,
  registers: [registry],
});

export const httpRequestSeconds = new Histogram({
  name: 'gs_http_request_duration_seconds',
  help: "HTTP requests by method, the route's pattern (never its ids) and status",
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const databasePool = new Gauge({
  name: 'gs_db_pool_connections',
  help: "The service's database pools: connections by state (total, idle) and requests waiting for one",
  labelNames: ['pool', 'state'] as const,
  registers: [registry],
});

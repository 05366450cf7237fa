import pino from 'pino';
import request from 'supertest';
import Stripe from 'stripe';
import { loadConfig } from '../src/config/config';
import { processDueEvents } from '../webhooks/processor';
import { enqueueEmail } from '../src/email/outbox';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createOrganizationWithStaff, TEST_WEBHOOK_SECRET, testApp, testContext, type OrganizationFixture } from './support/app';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let union: OrganizationFixture;

const METRICS_TOKEN = 'metrics-token-for-the-suite-0123456789';

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db, { config: { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', METRICS_TOKEN }) } });
  union = await createOrganizationWithStaff(ctx, 'local-metrics');
});
afterAll(async () => {
  await testDb.drop();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Prometheus's text exposition format, line by line: HELP and TYPE comments, then samples
 * `name{label="value",...} value`. Every line must be one of them; anything else fails.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const labelPair = new RegExp(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\["\\\\n])*)"`, 'g');
  const sampleLine = new RegExp(`^(${name})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\["\\\\n])*",?)*)\\})? (-?(?:\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?|\\+Inf|-Inf|NaN))(?: -?\\d+)?$`);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = new RegExp(`^# HELP (${name}) .+$`).exec(line);
    const type = new RegExp(`^# TYPE (${name}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (help) continue;
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const sample = sampleLine.exec(line);
    if (!sample) throw new Error(`not a line of the exposition format: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? '').matchAll(labelPair)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { samples, types };
}

const valueOf = (samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

test('a scrape from an allowed address parses line by line and reports the lag, parked events, the outbox and latency by route pattern', async () => {
  const app = testApp(ctx);
  const now = ctx.now();
  const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
  const event = (id: string, status: 'pending' | 'failed', receivedAt: Date, organizationId: string | null) => ({
    id,
    type: 'invoice.paid',
    stripe_created_at: receivedAt,
    livemode: false,
    payload: JSON.stringify({ id }),
    serial_key: `platform:customer:cus_${id}`,
    status,
    organization_id: organizationId,
    received_at: receivedAt,
    next_attempt_at: receivedAt,
  });
  await ctx.db
    .insertInto('stripe_events')
    .values([event('evt_lagging', 'pending', minutesAgo(7), null), event('evt_recent', 'pending', minutesAgo(1), null), event('evt_parked', 'failed', minutesAgo(90), union.id), event('evt_nobody', 'failed', minutesAgo(60), null)])
    .execute();
  await enqueueEmail(ctx.db, { organizationId: union.id, kind: 'test', to: 'someone@example.org', subject: 'Waiting', text: 't', html: '<p>t</p>', queuedAt: minutesAgo(3) });

  const member = await request(app).get('/api/members/00000000-0000-4000-8000-000000000001').set('Authorization', `Bearer ${union.staff.admin.token}`);
  expect(member.status).toBe(404);

  const scrape = await request(app).get('/metrics');
  expect(scrape.status).toBe(200);
  expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(scrape.headers['cache-control']).toBe('no-store');
  const { samples, types } = parseExposition(scrape.text);

  expect(types.get('gs_webhook_oldest_pending_seconds')).toBe('gauge');
  expect(valueOf(samples, 'gs_webhook_oldest_pending_seconds')).toBe(7 * 60);
  expect(valueOf(samples, 'gs_webhook_pending_events')).toBe(2);
  expect(valueOf(samples, 'gs_webhook_parked_events', { organization: union.id })).toBe(1);
  expect(valueOf(samples, 'gs_webhook_parked_events', { organization: 'none' })).toBe(1);
  expect(valueOf(samples, 'gs_email_outbox_pending')).toBe(1);
  expect(valueOf(samples, 'gs_email_outbox_oldest_pending_seconds')).toBe(3 * 60);
  expect(types.get('gs_http_request_duration_seconds')).toBe('histogram');
  // The route's pattern, never the id in the request.
  expect(valueOf(samples, 'gs_http_request_duration_seconds_count', { method: 'GET', route: '/api/members/:memberId', status: '404' })).toBe(1);
  expect(samples.some((s) => Object.values(s.labels).some((v) => v.includes('00000000-0000-4000-8000-000000000001')))).toBe(false);
  expect(types.get('gs_process_cpu_seconds_total')).toBe('counter');
});

test('from another address the metrics need the token', async () => {
  const app = testApp(ctx);
  // A trusted loopback proxy says who the client is: not an allowed address.
  const outside = () => request(app).get('/metrics').set('X-Forwarded-For', '203.0.113.9');
  const refused = await outside();
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('forbidden');
  expect(refused.text).not.toContain('gs_');
  expect((await outside().set('Authorization', 'Bearer not-the-metrics-token-at-all')).status).toBe(403);
  expect((await outside().set('Authorization', `Bearer ${union.staff.admin.token}`)).status).toBe(403);
  expect((await outside().set('Authorization', `Bearer ${METRICS_TOKEN}`)).status).toBe(200);
});

test('deliveries, processed events and failures are counted by result and type', async () => {
  const app = testApp(ctx);
  const delivery = (id: string) =>
    JSON.stringify({ id, object: 'event', api_version: '2026-10-28.endive', created: Math.floor(ctx.now().getTime() / 1000), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: 'invoice.upcoming', data: { object: { id: `in_${id}`, object: 'invoice', customer: `cus_${id}` } } });
  const post = (payload: string, secret = TEST_WEBHOOK_SECRET) =>
    request(app)
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(ctx.now().getTime() / 1000) }))
      .send(payload);
  // The first test's bare rows are not events the processor could read.
  await ctx.db.deleteFrom('stripe_events').where('status', '=', 'pending').execute();
  const payload = delivery('evt_counted');
  await post(payload).expect(200);
  await post(payload).expect(200);
  await post(delivery('evt_forged'), 'whsec_not_ours_not_ours_not_ours').expect(400);
  // invoice.upcoming has no handler: processed as ignored, without reading Stripe.
  await processDueEvents({ db: ctx.db, stripe: ctx.stripe, logger: pino({ level: 'silent' }), now: ctx.now });

  const { samples } = parseExposition((await request(app).get('/metrics').expect(200)).text);
  expect(valueOf(samples, 'gs_webhook_deliveries_total', { result: 'stored' })).toBe(1);
  expect(valueOf(samples, 'gs_webhook_deliveries_total', { result: 'duplicate' })).toBe(1);
  expect(valueOf(samples, 'gs_webhook_deliveries_total', { result: 'refused' })).toBe(1);
  expect(valueOf(samples, 'gs_webhook_events_total', { type: 'invoice.upcoming', result: 'ignored' })).toBe(1);
  expect(valueOf(samples, 'gs_webhook_batch_seconds_count')).toBeGreaterThanOrEqual(1);
  expect(valueOf(samples, 'gs_db_pool_connections', { pool: 'service', state: 'total' })).toBeUndefined();
});

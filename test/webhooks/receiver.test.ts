import { createHmac } from 'node:crypto';
import request from 'supertest';
import Stripe from 'stripe';
import pino from 'pino';
import { processDueEvents } from '../../webhooks/processor';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TEST_WEBHOOK_SECRET, testApp, testContext } from '../support/app';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
const ROTATED_SECRET = 'whsec_the_next_secret_during_rotation';

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db, { webhookSecrets: [TEST_WEBHOOK_SECRET, ROTATED_SECRET] });
  ctx.clock.now = new Date('2026-11-24T15:00:00Z');
  app = testApp(ctx);
});
afterAll(async () => {
  await testDb.drop();
});

const nowSeconds = () => Math.floor(ctx.clock.now.getTime() / 1000);

function eventBody(id: string, type = 'invoice.paid', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: nowSeconds(),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object: { id: 'in_123', object: 'invoice', customer: 'cus_123', ...extra } },
  });
}

function signed(payload: string, options: { secret?: string; timestamp?: number } = {}) {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? TEST_WEBHOOK_SECRET, timestamp: options.timestamp ?? nowSeconds() });
}

const post = (payload: string, signature?: string) => {
  const req = request(app).post('/webhooks/stripe').set('Content-Type', 'application/json');
  return (signature === undefined ? req : req.set('Stripe-Signature', signature)).send(payload);
};

async function storedCount(id?: string): Promise<number> {
  let query = ctx.db.selectFrom('stripe_events').select((eb) => eb.fn.countAll<number>().as('n'));
  if (id) query = query.where('id', '=', id);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

describe('POST /webhooks/stripe', () => {
  test('a correctly signed event is stored with its facts and acknowledged with 200', async () => {
    const payload = eventBody('evt_ok_1');
    const res = await post(payload, signed(payload));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, duplicate: false });
    const row = await ctx.db.selectFrom('stripe_events').selectAll().where('id', '=', 'evt_ok_1').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ type: 'invoice.paid', account: null, api_version: '2026-10-28.endive', status: 'pending', serial_key: 'platform:customer:cus_123' });
    expect(row.payload).toMatchObject({ id: 'evt_ok_1', data: { object: { id: 'in_123' } } });
  });

  test('a duplicate delivery answers 200 and stores nothing new', async () => {
    const payload = eventBody('evt_dup');
    await post(payload, signed(payload)).expect(200);
    const again = await post(payload, signed(payload));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: true, duplicate: true });
    expect(await storedCount('evt_dup')).toBe(1);
  });

  test('an event signed with the next secret during a rotation is accepted', async () => {
    const payload = eventBody('evt_rotated');
    expect((await post(payload, signed(payload, { secret: ROTATED_SECRET }))).status).toBe(200);
  });

  test.each([
    ['no signature header', (p: string) => post(p)],
    ['a signature made with another secret', (p: string) => post(p, signed(p, { secret: 'whsec_someone_else' }))],
    ['a stale timestamp (more than 300 s old)', (p: string) => post(p, signed(p, { timestamp: nowSeconds() - 301 }))],
    ['a body tampered after signing', (p: string) => post(p.replace('in_123', 'in_999'), signed(p))],
    ['a garbled header', (p: string) => post(p, 't=abc,v1=nothing')],
    ['a timestamp more than 300 s ahead of our clock', (p: string) => post(p, signed(p, { timestamp: nowSeconds() + 301 }))],
    ['a timestamp far in the future', (p: string) => post(p, signed(p, { timestamp: nowSeconds() + 10 * 365 * 86_400 }))],
  ])('%s → 400 and nothing stored', async (_name, send) => {
    const before = await storedCount();
    const res = await send(eventBody(`evt_bad_${Math.random()}`));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(await storedCount()).toBe(before);
  });

  test('an empty v1= is reported as a bad signature, not as a bad body', async () => {
    const payload = eventBody('evt_empty_v1');
    for (const header of [`t=${nowSeconds()},v1=`, `t=${nowSeconds()},v1=,v0=abc`, `t=${nowSeconds()}`]) {
      const res = await post(payload, header);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/signature verification failed/);
    }
    expect(await storedCount('evt_empty_v1')).toBe(0);
  });

  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  const withEvent = (change: (event: Record<string, unknown>) => void) => {
    const event = JSON.parse(eventBody(`evt_malformed_${Math.random().toString(36).slice(2)}`)) as Record<string, unknown>;
    change(event);
    return JSON.stringify(event);
  };
  test.each<[string, () => string, RegExp]>([
    ['null', () => 'null', /not a Stripe event/],
    ['an array', () => '[]', /not a Stripe event/],
    ['data.object null', () => withEvent((e) => (e.data = { object: null })), /data\.object/],
    ['data null', () => withEvent((e) => (e.data = null)), /data/],
    ['created missing', () => withEvent((e) => delete e.created), /created/],
    ['created a string', () => withEvent((e) => (e.created = '1700000000')), /created/],
    ['created 1e20', () => withEvent((e) => (e.created = 1e20)), /created/],
    ['created negative', () => withEvent((e) => (e.created = -1)), /created/],
    ['an id that is not a string', () => withEvent((e) => (e.id = 42)), /id/],
    ['livemode missing', () => withEvent((e) => delete e.livemode), /livemode/],
    ['account not a string', () => withEvent((e) => (e.account = { id: 'acct_1' })), /account/],
    ['\\u0000 in a value', () => withEvent((e) => (e.data = { object: { id: 'in_1', object: 'invoice', description: 'a\u0000b' } })), /NUL/],
    ['\\u0000 in a key', () => withEvent((e) => (e.data = { object: { id: 'in_1', object: 'invoice', ['a\u0000']: 1 } })), /NUL/],
    ['a lone surrogate', () => withEvent((e) => (e.data = { object: { id: 'in_1', object: 'invoice', description: '\ud800' } })), /unpaired surrogate/],
    ['20,000-deep nesting', () => withEvent((e) => (e.data = { object: { id: 'in_1', object: 'invoice', deep: '@' } })).replace('"@"', deep(20_000)), /nested deeper/],
  ])('a validly signed body with %s → 400 and nothing stored', async (_case, body, message) => {
    const before = await storedCount();
    const payload = body();
    const bytes = Buffer.from(payload, 'utf8');
    // Signed over the exact bytes, as Stripe signs.
    const t = nowSeconds();
    const v1 = createHmac('sha256', TEST_WEBHOOK_SECRET).update(Buffer.concat([Buffer.from(`${t}.`), bytes])).digest('hex');
    const res = await request(app).post('/webhooks/stripe').set('Content-Type', 'application/octet-stream').set('Stripe-Signature', `t=${t},v1=${v1}`).send(bytes);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.message).toMatch(message);
    expect(await storedCount()).toBe(before);
  });

  test('a signed body that is not JSON → 400', async () => {
    const payload = 'this is not json';
    const res = await post(payload, signed(payload));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/not a Stripe event: not JSON/);
  });

  test('a body over the size limit → 413 and nothing stored', async () => {
    const before = await storedCount();
    const payload = eventBody('evt_huge', 'invoice.paid', { filler: 'x'.repeat(600 * 1024) });
    const res = await post(payload, signed(payload));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await storedCount()).toBe(before);
  });

  test('an event type we do not handle is stored, acknowledged, and marked ignored by the processor', async () => {
    const payload = eventBody('evt_unknown', 'issuing_card.created');
    expect((await post(payload, signed(payload))).status).toBe(200);
    await ctx.db.updateTable('stripe_events').set({ status: 'processed' }).where('id', '!=', 'evt_unknown').execute();
    const report = await processDueEvents({ db: ctx.db, stripe: ctx.stripe, logger: pino({ level: 'silent' }), now: () => ctx.clock.now });
    expect(report).toEqual({ processed: 0, ignored: 1, retried: 0, failed: 0 });
    const row = await ctx.db.selectFrom('stripe_events').selectAll().where('id', '=', 'evt_unknown').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'ignored', outcome: 'no handler for this event type' });
  });
  test('deliveries arriving together (stored in shared inserts): each stored once, repeats answered as duplicates, a refused row fails only its own delivery', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `evt_burst_${i}`);
    // Each id twice, all at once; one body refused (jsonb has no \u0000) among them.
    const refused = eventBody('evt_burst_refused', 'invoice.paid', { description: 'nul \u0000 here' });
    const deliveries = [...ids, ...ids].map((id) => {
      const payload = eventBody(id);
      return post(payload, signed(payload));
    });
    const answers = await Promise.all([...deliveries, post(refused, signed(refused))]);
    const refusedAnswer = answers.pop()!;
    expect(refusedAnswer.status).toBe(400);
    expect(answers.every((res) => res.status === 200)).toBe(true);
    expect(answers.filter((res) => res.body.duplicate === false)).toHaveLength(ids.length);
    expect(answers.filter((res) => res.body.duplicate === true)).toHaveLength(ids.length);
    for (const id of ids) expect(await storedCount(id)).toBe(1);
    expect(await storedCount('evt_burst_refused')).toBe(0);
  });
});

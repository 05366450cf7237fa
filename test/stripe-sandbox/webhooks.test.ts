// Webhooks as Stripe sends them: signed payloads that verify with stripe.webhooks.constructEvent,
// event payload shape, retries, delivery modes, and Connect routing.
import Stripe from 'stripe';
import { Harness, Receiver, startHarness, startReceiver } from './helpers';

let h: Harness;
let stripe: Stripe;
let receiver: Receiver;
let secret: string;

beforeAll(async () => {
  h = await startHarness({ webhookRetryDelaysMs: [20, 40], seed: 7 });
  stripe = h.stripe;
  receiver = await startReceiver();
  const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'], api_version: '2026-10-28.endive' });
  expect(endpoint.secret).toMatch(/^whsec_/);
  secret = endpoint.secret as string;
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.failNext = 0;
  h.sandbox.setDeliveryMode('in_order');
});

test('a signed webhook verifies with constructEvent; a tampered one does not', async () => {
  const customer = await stripe.customers.create({ email: 'sig@example.com' });
  await h.sandbox.flushWebhooks();
  const got = receiver.received.find((r) => r.event.type === 'customer.created');
  expect(got).toBeDefined();
  const { body, signature } = got as { body: string; signature: string };
  expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  const event = stripe.webhooks.constructEvent(body, signature, secret);
  expect(event).toMatchObject({ object: 'event', type: 'customer.created', api_version: '2026-10-28.endive', livemode: false });
  expect((event.data.object as Stripe.Customer).id).toBe(customer.id);
  expect(event.request).toMatchObject({ id: expect.stringMatching(/^req_/) });

  const tampered = body.replace('sig@example.com', 'evil@example.com');
  expect(() => stripe.webhooks.constructEvent(tampered, signature, secret)).toThrow(Stripe.errors.StripeSignatureVerificationError);
  expect(() => stripe.webhooks.constructEvent(body, signature, 'whsec_wrong')).toThrow(Stripe.errors.StripeSignatureVerificationError);
});

test('updates carry previous_attributes and a snapshot of the object at that moment', async () => {
  const customer = await stripe.customers.create({ email: 'before@example.com' });
  await stripe.customers.update(customer.id, { email: 'after@example.com' });
  await stripe.customers.update(customer.id, { name: 'Later' });
  await h.sandbox.flushWebhooks();
  const updates = receiver.received.filter((r) => r.event.type === 'customer.updated').map((r) => r.event);
  expect(updates).toHaveLength(2);
  expect(updates[0]?.data.object).toMatchObject({ email: 'after@example.com', name: null });
  expect(updates[0]?.data.previous_attributes).toEqual({ email: 'before@example.com' });
  expect(updates[1]?.data.previous_attributes).toEqual({ name: null });
  const stored = await stripe.events.retrieve(updates[0]?.id as string);
  expect(stored.pending_webhooks).toBe(0);
});

test('non-2xx responses are retried with back-off', async () => {
  receiver.failNext = 2;
  await stripe.products.create({ name: 'Retry me' });
  await h.sandbox.flushWebhooks();
  const attempts = receiver.received.filter((r) => r.event.type === 'product.created');
  expect(attempts).toHaveLength(3);
  expect(new Set(attempts.map((a) => a.event.id)).size).toBe(1);
  const log = h.sandbox.deliveries().filter((d) => d.eventId === attempts[0]?.event.id);
  expect(log[0]).toMatchObject({ ok: false, status: 500, attempt: 1 });
  expect(log[log.length - 1]).toMatchObject({ ok: true, status: 200 });
});

test('hold delivers nothing until flushed', async () => {
  h.sandbox.setDeliveryMode('hold');
  await stripe.customers.create({ email: 'held@example.com' });
  await new Promise((r) => setImmediate(r));
  expect(h.sandbox.pendingWebhooks()).toBe(1);
  expect(receiver.received).toHaveLength(0);
  await h.sandbox.flushWebhooks();
  expect(receiver.received.map((r) => r.event.type)).toEqual(['customer.created']);
});

test('twice delivers every event two times', async () => {
  h.sandbox.setDeliveryMode('twice');
  await stripe.customers.create({ email: 'twice@example.com' });
  await h.sandbox.flushWebhooks();
  const ids = receiver.received.map((r) => r.event.id);
  expect(ids).toHaveLength(2);
  expect(ids[0]).toBe(ids[1]);
});

test('shuffled delivers the same events in another order, reproducibly per seed', async () => {
  const run = async () => {
    receiver.received.length = 0;
    h.sandbox.setDeliveryMode('hold');
    const c = await stripe.customers.create({});
    for (let i = 0; i < 8; i++) await stripe.customers.update(c.id, { metadata: { n: String(i) } });
    h.sandbox.setDeliveryMode('shuffled', 42);
    await h.sandbox.flushWebhooks();
    return receiver.received.map((r) => (r.event.data.object as Stripe.Customer).metadata.n ?? 'created');
  };
  const first = await run();
  expect([...first].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', 'created']);
  expect(first).not.toEqual(['created', '0', '1', '2', '3', '4', '5', '6', '7']);
  expect(await run()).toEqual(first);
});

test('only endpoints listening for a type receive it; deleted endpoints receive nothing', async () => {
  const other = await startReceiver();
  try {
    const we = await stripe.webhookEndpoints.create({ url: other.url, enabled_events: ['invoice.paid', 'product.created'] });
    await stripe.customers.create({});
    await stripe.products.create({ name: 'Listened' });
    await h.sandbox.flushWebhooks();
    expect(other.received.map((r) => r.event.type)).toEqual(['product.created']);
    await stripe.webhookEndpoints.del(we.id);
    await stripe.products.create({ name: 'Not listened' });
    await h.sandbox.flushWebhooks();
    expect(other.received).toHaveLength(1);
  } finally {
    await other.close();
  }
});

test('connected account events carry `account` and reach Connect endpoints only', async () => {
  const connect = await startReceiver();
  try {
    const we = await stripe.webhookEndpoints.create({ url: connect.url, enabled_events: ['*'], connect: true });
    await stripe.customers.create({ email: 'org@example.com' }, { stripeAccount: 'acct_1ConnectedOrg' });
    await stripe.customers.create({ email: 'platform@example.com' });
    await h.sandbox.flushWebhooks();
    expect(connect.received.map((r) => [r.event.type, r.event.account])).toEqual([['customer.created', 'acct_1ConnectedOrg']]);
    expect(() => stripe.webhooks.constructEvent(connect.received[0]?.body as string, connect.received[0]?.signature as string, we.secret as string)).not.toThrow();
    expect(receiver.received.map((r) => (r.event.data.object as Stripe.Customer).email)).toEqual(['platform@example.com']);
    await stripe.webhookEndpoints.del(we.id);
  } finally {
    await connect.close();
  }
});

test('webhook endpoints: list, retrieve without secret, update, delete', async () => {
  const we = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/none', enabled_events: ['charge.succeeded'], description: 'd' });
  const got = await stripe.webhookEndpoints.retrieve(we.id);
  expect(got.secret).toBeUndefined();
  expect(got).toMatchObject({ url: 'http://127.0.0.1:9/none', status: 'enabled', enabled_events: ['charge.succeeded'] });
  expect((await stripe.webhookEndpoints.update(we.id, { disabled: true })).status).toBe('disabled');
  expect((await stripe.webhookEndpoints.list()).data.map((w) => w.id)).toContain(we.id);
  expect(await stripe.webhookEndpoints.del(we.id)).toMatchObject({ id: we.id, deleted: true });
  expect((await stripe.webhookEndpoints.list()).data.map((w) => w.id)).not.toContain(we.id);
});

test('events: retrieve and list by type', async () => {
  const p = await stripe.products.create({ name: 'Evented' });
  const list = await stripe.events.list({ type: 'product.*', limit: 3 });
  const ev = list.data.find((e) => (e.data.object as Stripe.Product).id === p.id);
  expect(ev).toBeDefined();
  expect((await stripe.events.retrieve(ev?.id as string)).type).toBe('product.created');
  const types = await stripe.events.list({ types: ['product.created', 'customer.created'], limit: 100 });
  expect(types.data.every((e) => e.type === 'product.created' || e.type === 'customer.created')).toBe(true);
});

test('endpoints registered in-process or at start sign with the given secret', async () => {
  const r = await startReceiver();
  const other = await startHarness({ webhookEndpoints: [{ url: r.url, secret: 'whsec_known_at_start', enabledEvents: ['customer.created'] }] });
  try {
    const extra = other.sandbox.registerWebhookEndpoint({ url: r.url, secret: 'whsec_known_later', enabledEvents: ['product.created'] });
    expect(extra).toMatchObject({ secret: 'whsec_known_later', api_version: '2026-10-28.endive', status: 'enabled' });
    await other.stripe.customers.create({});
    await other.stripe.products.create({ name: 'x' });
    await other.sandbox.flushWebhooks();
    const [customerEvent, productEvent] = r.received;
    expect(other.stripe.webhooks.constructEvent(customerEvent?.body as string, customerEvent?.signature as string, 'whsec_known_at_start').type).toBe('customer.created');
    expect(other.stripe.webhooks.constructEvent(productEvent?.body as string, productEvent?.signature as string, 'whsec_known_later').type).toBe('product.created');
  } finally {
    await other.close();
    await r.close();
  }
});

// The REST conventions, through the official client: auth, errors, idempotency, pagination,
// expand, Stripe-Account isolation, and the form parameter parser.
import Stripe from 'stripe';
import { parseForm } from '../../scripts/stripe-sandbox/form';
import { acceptedParams } from '../../scripts/stripe-sandbox/param-schema';
import { buildRoutes } from '../../scripts/stripe-sandbox/routes';
import { all, Harness, startHarness, stripeError } from './helpers';

let h: Harness;
let stripe: Stripe;
beforeAll(async () => {
  h = await startHarness();
  stripe = h.stripe;
});
afterAll(async () => h.close());

describe('authentication', () => {
  test('a malformed key is rejected with 401', async () => {
    const bad = new Stripe('pk_test_nope', h.sandbox.stripeClientOptions());
    const err = await stripeError(() => bad.customers.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.statusCode).toBe(401);
    expect(err.message).toMatch(/Invalid API Key provided/);
  });

  test('live keys are rejected: the sandbox is test mode only', async () => {
    const live = new Stripe('sk_live_123456789', h.sandbox.stripeClientOptions());
    expect((await stripeError(() => live.customers.list())).statusCode).toBe(401);
  });
});

describe('errors', () => {
  test('unknown id: 404 resource_missing with param id', async () => {
    const err = await stripeError(() => stripe.customers.retrieve('cus_doesnotexist'));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id', message: "No such customer: 'cus_doesnotexist'" });
  });

  test('an unknown id passed as a parameter names that parameter', async () => {
    const err = await stripeError(() => stripe.subscriptions.create({ customer: 'cus_nope', items: [{ price: 'price_nope' }] }));
    expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'customer' });
  });

  test('missing parameter: 400 parameter_missing with its param path', async () => {
    const product = await stripe.products.create({ name: 'P' });
    const err = await stripeError(() => stripe.prices.create({ product: product.id, unit_amount: 100 } as Stripe.PriceCreateParams));
    expect(err).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'currency', type: 'StripeInvalidRequestError' });
    const nested = await stripeError(() =>
      stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ quantity: 1 } as Stripe.Checkout.SessionCreateParams.LineItem] }),
    );
    expect(nested).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'line_items[0][price]' });
  });

  test('invalid parameter: 400 with param', async () => {
    const product = await stripe.products.create({ name: 'P' });
    const err = await stripeError(() =>
      stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100, recurring: { interval: 'fortnight' as 'week' } }),
    );
    expect(err).toMatchObject({ statusCode: 400, param: 'recurring[interval]' });
    const int = await stripeError(() => stripe.customers.list({ limit: 'ten' as unknown as number }));
    expect(int).toMatchObject({ statusCode: 400, code: 'parameter_invalid_integer', param: 'limit' });
  });

  test('parameters that do not exist at this API version are rejected', async () => {
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 100, recurring: { interval: 'month' }, product_data: { name: 'x' } });
    const err = await stripeError(() =>
      stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }], payment_method_types: ['card'] } as Stripe.Checkout.SessionCreateParams),
    );
    expect(err).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'payment_method_types' });
  });

  test('unknown parameters are rejected as Stripe does, per the package types', async () => {
    const err = await stripeError(() => stripe.customers.create({ email: 'x@example.com', favourite_colour: 'red' } as Stripe.CustomerCreateParams));
    expect(err).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'favourite_colour', message: 'Received unknown parameter: favourite_colour' });
    const list = await stripeError(() => stripe.invoices.list({ colour: 'red' } as Stripe.InvoiceListParams));
    expect(list).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'colour' });
  });

  test('every route with a parameter list resolves it from the stripe package', () => {
    const specs = buildRoutes(h.sandbox.engine).map((r) => r.params).filter((p): p is string => p !== undefined);
    expect(specs.length).toBeGreaterThan(40);
    for (const spec of specs) expect([spec, acceptedParams(spec)?.has('expand')]).toEqual([spec, true]);
  });

  test('error bodies carry a request log url and the response a Request-Id', async () => {
    const err = await stripeError(() => stripe.products.retrieve('prod_missing'));
    expect(err.requestId).toMatch(/^req_/);
    expect((err.raw as { request_log_url?: string }).request_log_url).toContain(err.requestId as string);
  });
});

describe('over HTTP', () => {
  const key = { Authorization: 'Bearer sk_test_http' };

  test('answers JSON with its Request-Id and the Stripe-Version asked for', async () => {
    const created = await fetch(`${h.sandbox.url}/v1/customers`, { method: 'POST', headers: { ...key, 'Content-Type': 'application/x-www-form-urlencoded', 'Stripe-Version': '2026-10-28.endive' }, body: 'email=http%40example.org&metadata[team]=a' });
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(created.headers.get('request-id')).toMatch(/^req_/);
    expect(created.headers.get('stripe-version')).toBe('2026-10-28.endive');
    const customer = (await created.json()) as { id: string; email: string; metadata: Record<string, string> };
    expect(customer).toMatchObject({ email: 'http@example.org', metadata: { team: 'a' } });
    const read = await fetch(`${h.sandbox.url}/v1/customers/${customer.id}/?expand[]=subscriptions`, { headers: key });
    expect(await read.json()).toMatchObject({ id: customer.id, subscriptions: { object: 'list', data: [] } });
  });

  test('no key: 401; an unknown path: 404; a body over 1 MB: 413; each in Stripe\'s error shape', async () => {
    const unauthenticated = await fetch(`${h.sandbox.url}/v1/customers`);
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringMatching(/did not provide an API key/) } });
    const unknown = await fetch(`${h.sandbox.url}/v1/nothing_here`, { headers: key });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringMatching(/Unrecognized request URL \(GET: \/v1\/nothing_here\)/) } });
    const oversized = await fetch(`${h.sandbox.url}/v1/customers`, { method: 'POST', headers: { ...key, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `description=${'x'.repeat(1024 * 1024)}` });
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  test('the hosted pages and the control API are served beside it', async () => {
    expect((await fetch(`${h.sandbox.url}/_sandbox/health`)).status).toBe(200);
    expect((await fetch(`${h.sandbox.url}/v2/anything`)).status).toBe(404);
  });
});

describe('idempotency', () => {
  test('same key and params replay the same response; one object is created', async () => {
    const key = `idem-${Date.now()}`;
    const a = await stripe.customers.create({ email: 'idem@example.com', metadata: { run: key } }, { idempotencyKey: key });
    const b = await stripe.customers.create({ email: 'idem@example.com', metadata: { run: key } }, { idempotencyKey: key });
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers['idempotent-replayed']).toBe('true');
    const found = await all(stripe.customers.list({ email: 'idem@example.com', limit: 100 }));
    expect(found.filter((c) => c.metadata.run === key)).toHaveLength(1);
  });

  test('same key with different params is an idempotency_error', async () => {
    const key = `idem2-${Date.now()}`;
    await stripe.products.create({ name: 'One' }, { idempotencyKey: key });
    const err = await stripeError(() => stripe.products.create({ name: 'Two' }, { idempotencyKey: key }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.statusCode).toBe(400);
  });

  test('keys are scoped per connected account', async () => {
    const key = `idem3-${Date.now()}`;
    const a = await stripe.customers.create({ email: 'x@example.com' }, { idempotencyKey: key });
    const b = await stripe.customers.create({ email: 'x@example.com' }, { idempotencyKey: key, stripeAccount: 'acct_idem' });
    expect(b.id).not.toBe(a.id);
  });
});

describe('pagination', () => {
  test('limit, starting_after, ending_before, has_more and url', async () => {
    const tag = `page-${Date.now()}@example.com`;
    const created: string[] = [];
    for (let i = 0; i < 25; i++) created.push((await stripe.customers.create({ email: tag })).id);
    const newestFirst = [...created].reverse();
    const page1 = await stripe.customers.list({ email: tag, limit: 10 });
    expect(page1).toMatchObject({ object: 'list', has_more: true, url: '/v1/customers' });
    expect(page1.data.map((c) => c.id)).toEqual(newestFirst.slice(0, 10));
    const page2 = await stripe.customers.list({ email: tag, limit: 10, starting_after: page1.data[9]?.id });
    expect(page2.data.map((c) => c.id)).toEqual(newestFirst.slice(10, 20));
    const page3 = await stripe.customers.list({ email: tag, limit: 10, starting_after: page2.data[9]?.id });
    expect(page3.has_more).toBe(false);
    expect(page3.data).toHaveLength(5);
    const back = await stripe.customers.list({ email: tag, limit: 10, ending_before: page2.data[0]?.id });
    expect(back.data.map((c) => c.id)).toEqual(newestFirst.slice(0, 10));
    expect((await all(stripe.customers.list({ email: tag, limit: 7 }))).map((c) => c.id)).toEqual(newestFirst);
    const err = await stripeError(() => stripe.customers.list({ limit: 101 }));
    expect(err).toMatchObject({ statusCode: 400, param: 'limit' });
  });
});

describe('expand', () => {
  test('expands ids on objects and in lists, and rejects what cannot be expanded', async () => {
    const customer = await stripe.customers.create({ email: 'expand@example.com', payment_method: 'pm_card_visa' });
    const [pm] = (await stripe.customers.listPaymentMethods(customer.id)).data;
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 700, recurring: { interval: 'year' }, product_data: { name: 'Yearly' } });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      default_payment_method: pm?.id,
      expand: ['latest_invoice.payments', 'customer'],
    });
    expect((sub.customer as Stripe.Customer).email).toBe('expand@example.com');
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice.object).toBe('invoice');
    expect(invoice.payments?.data[0]?.status).toBe('paid');
    const list = await stripe.subscriptions.list({ customer: customer.id, expand: ['data.default_payment_method'] });
    expect((list.data[0]?.default_payment_method as Stripe.PaymentMethod).card?.last4).toBe('4242');
    const err = await stripeError(() => stripe.customers.retrieve(customer.id, { expand: ['email'] }));
    expect(err.statusCode).toBe(400);
  });
});

describe('connected accounts', () => {
  test('objects created with Stripe-Account are only visible with it', async () => {
    const acct = 'acct_1SandboxOrgA';
    const c = await stripe.customers.create({ email: 'connect@example.com' }, { stripeAccount: acct });
    expect((await stripe.customers.retrieve(c.id, {}, { stripeAccount: acct })).id).toBe(c.id);
    const err = await stripeError(() => stripe.customers.retrieve(c.id));
    expect(err.statusCode).toBe(404);
    const other = await stripeError(() => stripe.customers.retrieve(c.id, {}, { stripeAccount: 'acct_1SandboxOrgB' }));
    expect(other.statusCode).toBe(404);
    const platformList = await all(stripe.customers.list({ email: 'connect@example.com' }));
    expect(platformList).toHaveLength(0);
    const events = await stripe.events.list({ type: 'customer.created' }, { stripeAccount: acct });
    expect(events.data[0]).toMatchObject({ account: acct, type: 'customer.created' });
  });
});

describe('form parameters', () => {
  test('parses nested hashes, indexed and appended arrays', () => {
    expect(parseForm('a[b][c]=1&a[b][d]=2&e=x%20y+z')).toEqual({ a: { b: { c: '1', d: '2' } }, e: 'x y z' });
    expect(parseForm('expand[0]=a&expand[1]=b.c')).toEqual({ expand: ['a', 'b.c'] });
    expect(parseForm('expand[]=a&expand[]=b')).toEqual({ expand: ['a', 'b'] });
    expect(parseForm('items[][price]=p1&items[][quantity]=2&items[][price]=p2')).toEqual({ items: [{ price: 'p1', quantity: '2' }, { price: 'p2' }] });
    expect(parseForm('line_items[0][price_data][recurring][interval]=month&line_items[1][price]=x')).toEqual({
      line_items: [{ price_data: { recurring: { interval: 'month' } } }, { price: 'x' }],
    });
    expect(parseForm('metadata[k]=')).toEqual({ metadata: { k: '' } });
  });
});

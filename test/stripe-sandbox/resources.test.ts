// Create / retrieve / update / list for each resource, through the official client.
import Stripe from 'stripe';
import { advance, all, DAY, Harness, JAN_1_2026, startHarness, stripeError } from './helpers';

let h: Harness;
let stripe: Stripe;
beforeAll(async () => {
  h = await startHarness();
  stripe = h.stripe;
});
afterAll(async () => h.close());

const FEB_1_2026 = Date.UTC(2026, 1, 1) / 1000;
const MAR_1_2026 = Date.UTC(2026, 2, 1) / 1000;

async function clocked(email = 'r@example.com') {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2026 });
  const customer = await stripe.customers.create({ email, test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: {} });
  const [pm] = (await stripe.customers.listPaymentMethods(customer.id)).data;
  const updated = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm?.id } });
  return { clock, customer: updated, pm: pm as Stripe.PaymentMethod };
}

async function monthly(amount = 2500, name = 'Monthly') {
  return stripe.prices.create({ currency: 'usd', unit_amount: amount, recurring: { interval: 'month' }, product_data: { name } });
}

test('products: create, retrieve, update, list', async () => {
  const p = await stripe.products.create({ name: 'Dues', metadata: { org: 'o1' }, default_price_data: { currency: 'usd', unit_amount: 500 } });
  expect(p).toMatchObject({ object: 'product', active: true, name: 'Dues', metadata: { org: 'o1' } });
  expect(p.default_price).toMatch(/^price_/);
  const u = await stripe.products.update(p.id, { name: 'Dues 2', metadata: { org: '' } });
  expect(u).toMatchObject({ name: 'Dues 2', metadata: {} });
  expect((await stripe.products.retrieve(p.id)).name).toBe('Dues 2');
  await stripe.products.update(p.id, { active: false });
  const inactive = await all(stripe.products.list({ active: false }));
  expect(inactive.map((x) => x.id)).toContain(p.id);
});

test('prices: recurring intervals, one-time, lookup keys, update', async () => {
  const product = await stripe.products.create({ name: 'Plans' });
  const weekly = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 800, recurring: { interval: 'week', interval_count: 2 }, lookup_key: 'biweekly' });
  expect(weekly).toMatchObject({ type: 'recurring', recurring: { interval: 'week', interval_count: 2, usage_type: 'licensed' }, unit_amount: 800 });
  // The wire carries "800"; the client turns decimal strings into its Decimal type.
  expect(String(weekly.unit_amount_decimal)).toBe('800');
  const once = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 2000 });
  expect(once).toMatchObject({ type: 'one_time', recurring: null });
  expect((await stripe.prices.list({ lookup_keys: ['biweekly'] })).data.map((x) => x.id)).toEqual([weekly.id]);
  expect((await stripe.prices.list({ product: product.id })).data).toHaveLength(2);
  expect((await stripe.prices.update(once.id, { active: false, nickname: 'old' })).active).toBe(false);
  const err = await stripeError(() => stripe.subscriptions.create({ customer: 'cus_x', items: [{ price: once.id }] }));
  expect(err.statusCode).toBe(404);
});

test('customers: create with a clock, update, list, delete', async () => {
  const { customer, clock, pm } = await clocked('cust@example.com');
  expect(customer).toMatchObject({ test_clock: clock.id, created: JAN_1_2026, invoice_settings: { default_payment_method: pm.id } });
  expect(pm).toMatchObject({ type: 'card', customer: customer.id, card: { brand: 'visa', last4: '4242' } });
  const updated = await stripe.customers.update(customer.id, { name: 'Rosa', preferred_locales: ['es'], metadata: { member: 'm9' } });
  expect(updated).toMatchObject({ name: 'Rosa', preferred_locales: ['es'], metadata: { member: 'm9' } });
  expect((await stripe.customers.list({ test_clock: clock.id })).data.map((c) => c.id)).toEqual([customer.id]);
  expect(await stripe.customers.del(customer.id)).toMatchObject({ id: customer.id, deleted: true });
  expect(await stripe.customers.retrieve(customer.id)).toEqual(expect.objectContaining({ id: customer.id, deleted: true }));
  expect((await stripeError(() => stripe.customers.update(customer.id, { name: 'x' }))).statusCode).toBe(404);
});

test('payment methods: retrieve a test token, attach, list, detach', async () => {
  const customer = await stripe.customers.create({});
  const bank = await stripe.paymentMethods.attach('pm_usBankAccount', { customer: customer.id });
  expect(bank).toMatchObject({ type: 'us_bank_account', us_bank_account: { last4: '6789', bank_name: 'STRIPE TEST BANK' } });
  const listed = await stripe.paymentMethods.list({ customer: customer.id, type: 'us_bank_account' });
  expect(listed.data.map((p) => p.id)).toEqual([bank.id]);
  expect((await stripe.paymentMethods.detach(bank.id)).customer).toBeNull();
  expect((await stripeError(() => stripe.paymentMethods.retrieve('pm_nope'))).statusCode).toBe(404);
});

test('subscriptions: create, list, retrieve, subscription items', async () => {
  const { customer } = await clocked();
  const price = await monthly();
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, quantity: 2 }], metadata: { member: 'm1' } });
  expect(sub).toMatchObject({ status: 'active', currency: 'usd', start_date: JAN_1_2026, billing_cycle_anchor: JAN_1_2026, collection_method: 'charge_automatically' });
  expect(sub.items.data[0]).toMatchObject({ object: 'subscription_item', quantity: 2, current_period_end: FEB_1_2026, price: { id: price.id } });
  expect((await stripe.invoices.retrieve(sub.latest_invoice as string)).amount_paid).toBe(5000);
  expect((await stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([sub.id]);
  expect((await stripe.subscriptionItems.list({ subscription: sub.id })).data[0]?.id).toBe(sub.items.data[0]?.id);
  const inline = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price_data: { currency: 'usd', product: price.product as string, unit_amount: 1234, recurring: { interval: 'year' } } }],
  });
  expect(inline.items.data[0]?.price).toMatchObject({ unit_amount: 1234, active: false, recurring: { interval: 'year' } });
  expect(inline.items.data[0]?.current_period_end).toBe(Date.UTC(2027, 0, 1) / 1000);
});

test('subscriptions: price change with prorations lands on the next invoice', async () => {
  const { customer, clock } = await clocked();
  const cheap = await monthly(3000, 'Cheap');
  const dear = await monthly(6000, 'Dear');
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: cheap.id }] });
  await advance(stripe, clock.id, JAN_1_2026 + 15 * DAY);
  const updated = await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]?.id, price: dear.id }] });
  expect(updated.items.data[0]?.price.id).toBe(dear.id);
  await advance(stripe, clock.id, FEB_1_2026 + 2 * 3600);
  const next = await stripe.invoices.retrieve((await stripe.subscriptions.retrieve(sub.id)).latest_invoice as string);
  // Changed on Jan 16 with 16 of January's 31 days left: -3000*16/31 = -1548, +6000*16/31 = 3097.
  expect(next.lines.data.map((l) => l.amount).sort((a, b) => a - b)).toEqual([-1548, 3097, 6000]);
  expect(next).toMatchObject({ total: 7549, status: 'paid' });
  expect(next.lines.data.filter((l) => l.parent?.invoice_item_details?.proration)).toHaveLength(2);
});

test('subscriptions: proration_behavior none, always_invoice', async () => {
  const { customer, clock } = await clocked();
  const a = await monthly(1000, 'A');
  const b = await monthly(2000, 'B');
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: a.id }] });
  await advance(stripe, clock.id, JAN_1_2026 + 10 * DAY);
  await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]?.id, price: b.id }], proration_behavior: 'none' });
  const c = await monthly(4000, 'C');
  const changed = await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]?.id, price: c.id }], proration_behavior: 'always_invoice', expand: ['latest_invoice'] });
  const inv = changed.latest_invoice as Stripe.Invoice;
  expect(inv).toMatchObject({ billing_reason: 'subscription_update', status: 'paid' });
  expect(inv.total).toBe(Math.round((4000 * 21) / 31) - Math.round((2000 * 21) / 31));
});

test('subscriptions: cancel_at_period_end, then canceled at the period end', async () => {
  const { customer, clock } = await clocked();
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: (await monthly()).id }] });
  const pending = await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
  expect(pending).toMatchObject({ cancel_at_period_end: true, cancel_at: FEB_1_2026, status: 'active' });
  await advance(stripe, clock.id, FEB_1_2026 + 60);
  const ended = await stripe.subscriptions.retrieve(sub.id);
  expect(ended).toMatchObject({ status: 'canceled', ended_at: FEB_1_2026 });
  expect((await all(stripe.invoices.list({ subscription: sub.id })))).toHaveLength(1);
  expect((await stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);
  expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(1);
});

test('subscriptions: cancel now', async () => {
  const { customer } = await clocked();
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: (await monthly()).id }] });
  const canceled = await stripe.subscriptions.cancel(sub.id, { cancellation_details: { comment: 'moved away' } });
  expect(canceled).toMatchObject({ status: 'canceled', canceled_at: JAN_1_2026, cancellation_details: { comment: 'moved away', reason: 'cancellation_requested' } });
  expect((await stripeError(() => stripe.subscriptions.cancel(sub.id))).statusCode).toBe(400);
});

test('subscriptions: pause_collection voids renewal invoices until resumed', async () => {
  const { customer, clock } = await clocked();
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: (await monthly()).id }] });
  const paused = await stripe.subscriptions.update(sub.id, { pause_collection: { behavior: 'void' } });
  expect(paused.pause_collection).toEqual({ behavior: 'void', resumes_at: null });
  await advance(stripe, clock.id, FEB_1_2026 + 2 * 3600);
  const feb = await stripe.invoices.retrieve((await stripe.subscriptions.retrieve(sub.id)).latest_invoice as string);
  expect(feb.status).toBe('void');
  const resumed = await stripe.subscriptions.update(sub.id, { pause_collection: '' });
  expect(resumed.pause_collection).toBeNull();
  await advance(stripe, clock.id, Date.UTC(2026, 2, 1, 2) / 1000);
  const mar = await stripe.invoices.retrieve((await stripe.subscriptions.retrieve(sub.id)).latest_invoice as string);
  expect(mar.status).toBe('paid');
});

test('subscriptions: a trial without a payment method pauses, then resumes', async () => {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2026 });
  const customer = await stripe.customers.create({ test_clock: clock.id });
  const sub = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: (await monthly()).id }],
    trial_period_days: 14,
    trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
  });
  expect(sub).toMatchObject({ status: 'trialing', trial_start: JAN_1_2026, trial_end: JAN_1_2026 + 14 * DAY });
  expect((await stripe.invoices.retrieve(sub.latest_invoice as string))).toMatchObject({ total: 0, status: 'paid' });
  await advance(stripe, clock.id, JAN_1_2026 + 15 * DAY);
  expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('paused');
  await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id }).then((pm) => stripe.subscriptions.update(sub.id, { default_payment_method: pm.id }));
  const resumed = await stripe.subscriptions.resume(sub.id, { billing_cycle_anchor: { type: 'now' } });
  expect(resumed.status).toBe('active');
  expect((await stripe.invoices.retrieve(resumed.latest_invoice as string)).status).toBe('paid');
  const types = (await all(stripe.events.list({ limit: 100 }))).filter((e) => (e.data.object as { id?: string }).id === sub.id).map((e) => e.type);
  expect(types).toEqual(expect.arrayContaining(['customer.subscription.trial_will_end', 'customer.subscription.paused', 'customer.subscription.resumed']));
});

test('invoices: list by customer and status, void, mark_uncollectible, pay', async () => {
  const { customer, clock } = await clocked();
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: (await monthly()).id }], collection_method: 'send_invoice', days_until_due: 10 });
  expect(sub.status).toBe('active');
  const first = await stripe.invoices.retrieve(sub.latest_invoice as string);
  expect(first).toMatchObject({ status: 'open', collection_method: 'send_invoice', due_date: JAN_1_2026 + 10 * DAY });
  expect((await stripe.invoices.list({ customer: customer.id, status: 'open' })).data.map((i) => i.id)).toEqual([first.id]);
  expect((await stripe.invoices.markUncollectible(first.id)).status).toBe('uncollectible');
  expect((await stripe.invoices.voidInvoice(first.id)).status).toBe('void');
  await advance(stripe, clock.id, FEB_1_2026 + 2 * 3600);
  const second = (await stripe.invoices.list({ customer: customer.id, status: 'open' })).data[0] as Stripe.Invoice;
  const paid = await stripe.invoices.pay(second.id);
  expect(paid).toMatchObject({ status: 'paid', amount_paid: 2500, amount_paid_off_stripe: 0 });
  expect((await stripeError(() => stripe.invoices.pay(second.id))).statusCode).toBe(400);
  await advance(stripe, clock.id, MAR_1_2026 + 2 * 3600);
  const third = (await stripe.invoices.list({ customer: customer.id, status: 'open' })).data[0] as Stripe.Invoice;
  expect(await stripe.invoices.pay(third.id, { paid_out_of_band: true })).toMatchObject({ status: 'paid', amount_paid: 0, amount_paid_off_stripe: 2500, amount_remaining: 0 });
  const lines = await stripe.invoices.listLineItems(second.id);
  expect(lines.data[0]).toMatchObject({ object: 'line_item', amount: 2500, period: { start: FEB_1_2026 } });
});

test('checkout sessions: retrieve, list, line items, expire', async () => {
  const price = await monthly();
  const fee = await stripe.prices.create({ currency: 'usd', unit_amount: 1500, product_data: { name: 'Initiation' } });
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: 'new@example.com',
    line_items: [
      { price: price.id, quantity: 1 },
      { price: fee.id, quantity: 1 },
    ],
    locale: 'es',
    success_url: 'https://example.test/ok',
  });
  expect(session).toMatchObject({ customer_email: 'new@example.com', locale: 'es', amount_total: 4000, payment_method_types: ['card', 'us_bank_account'], ui_mode: 'hosted_page' });
  const items = await stripe.checkout.sessions.listLineItems(session.id);
  expect(items.data.map((i) => [i.description, i.amount_total])).toEqual([
    ['Monthly', 2500],
    ['Initiation', 1500],
  ]);
  const expanded = await stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items'] });
  expect(expanded.line_items?.data).toHaveLength(2);
  expect((await stripe.checkout.sessions.list({ limit: 100 })).data.map((s) => s.id)).toContain(session.id);
  const expired = await stripe.checkout.sessions.expire(session.id);
  expect(expired).toMatchObject({ status: 'expired', url: null });
  expect((await stripeError(() => stripe.checkout.sessions.expire(session.id))).statusCode).toBe(400);
});

test('checkout with price_data and a new customer; the one-time fee is on the first invoice only', async () => {
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: 'inline@example.com',
    line_items: [
      { price_data: { currency: 'usd', unit_amount: 1800, recurring: { interval: 'month' }, product_data: { name: 'Inline dues' } }, quantity: 1 },
      { price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'Inline initiation' } }, quantity: 1 },
    ],
    subscription_data: { metadata: { plan: 'inline' } },
  });
  const done = h.sandbox.completeCheckout(session.id, 'pm_card_visa', { name: 'Ana' });
  const customer = (await stripe.customers.retrieve(done.customer as string)) as Stripe.Customer;
  expect(customer).toMatchObject({ email: 'inline@example.com', name: 'Ana', test_clock: null });
  const sub = await stripe.subscriptions.retrieve(done.subscription as string, { expand: ['latest_invoice'] });
  expect(sub.metadata).toEqual({ plan: 'inline' });
  expect((sub.latest_invoice as Stripe.Invoice).total).toBe(2300);
});

test('billing portal sessions: create returns a url', async () => {
  const customer = await stripe.customers.create({});
  const ps = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'https://example.test/back' });
  expect(ps).toMatchObject({ object: 'billing_portal.session', customer: customer.id, return_url: 'https://example.test/back' });
  expect(ps.url).toBe(`${h.sandbox.url}/p/session/${ps.id}`);
});

test('test clocks: create, retrieve, list, advance, delete', async () => {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2026, name: 'c1' });
  expect(clock).toMatchObject({ object: 'test_helpers.test_clock', status: 'ready', frozen_time: JAN_1_2026, name: 'c1' });
  const started = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_1_2026 + DAY });
  expect(started.status).toBe('advancing');
  expect(started.status_details.advancing?.target_frozen_time).toBe(JAN_1_2026 + DAY);
  let current = started;
  while (current.status !== 'ready') current = await stripe.testHelpers.testClocks.retrieve(clock.id);
  expect(current.frozen_time).toBe(JAN_1_2026 + DAY);
  const ready = await advance(stripe, clock.id, JAN_1_2026 + 2 * DAY);
  expect(ready.frozen_time).toBe(JAN_1_2026 + 2 * DAY);
  expect((await stripe.testHelpers.testClocks.list()).data.map((c) => c.id)).toContain(clock.id);
  const back = await stripeError(() => stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: JAN_1_2026 }));
  expect(back).toMatchObject({ statusCode: 400, param: 'frozen_time' });
  const customer = await stripe.customers.create({ test_clock: clock.id });
  expect(await stripe.testHelpers.testClocks.del(clock.id)).toMatchObject({ id: clock.id, deleted: true });
  expect((await stripeError(() => stripe.customers.retrieve(customer.id))).statusCode).toBe(404);
});

test('balance, manual payouts, balance transactions', async () => {
  // Manual payouts only: automatic ones would sweep the balance first.
  const other = await startHarness({ automaticPayouts: false });
  try {
    const s = other.stripe;
    const clock = await s.testHelpers.testClocks.create({ frozen_time: JAN_1_2026 });
    const customer = await s.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa' });
    const [pm] = (await s.customers.listPaymentMethods(customer.id)).data;
    const price = await s.prices.create({ currency: 'usd', unit_amount: 10_000, recurring: { interval: 'month' }, product_data: { name: 'Big' } });
    await s.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: pm?.id });
    const [charge] = (await s.balanceTransactions.list({ type: 'charge' })).data;
    expect(charge).toMatchObject({ status: 'pending', available_on: JAN_1_2026 + 2 * DAY, amount: 10_000, fee: 320, net: 9680 });
    expect((await s.balance.retrieve()).pending[0]?.amount).toBe(9680);
    await advance(s, clock.id, JAN_1_2026 + 2 * DAY);
    const balance = await s.balance.retrieve();
    expect(balance.available[0]).toMatchObject({ amount: 9680, currency: 'usd' });
    const payout = await s.payouts.create({ amount: 9680, currency: 'usd' });
    expect(payout).toMatchObject({ object: 'payout', status: 'pending', automatic: false, amount: 9680 });
    expect((await s.payouts.retrieve(payout.id)).id).toBe(payout.id);
    const txn = await s.balanceTransactions.retrieve(payout.balance_transaction as string);
    expect(txn).toMatchObject({ type: 'payout', amount: -9680, status: 'available' });
    expect((await s.balance.retrieve()).available[0]?.amount).toBe(0);
    const tooMuch = await stripeError(() => s.payouts.create({ amount: 1, currency: 'usd' }));
    expect(tooMuch).toMatchObject({ statusCode: 400, code: 'balance_insufficient' });
    expect(other.sandbox.settlePayout(payout.id, 'paid').status).toBe('paid');
    expect((await s.payouts.list({ status: 'paid' })).data.map((p) => p.id)).toEqual([payout.id]);
    // A failed payout puts the money back in the balance.
    await advance(s, clock.id, JAN_1_2026 + 40 * DAY);
    const refill = (await s.balance.retrieve()).available[0]?.amount as number;
    expect(refill).toBeGreaterThan(0);
    const second = await s.payouts.create({ amount: refill, currency: 'usd' });
    const failed = other.sandbox.settlePayout(second.id, 'failed');
    expect(failed).toMatchObject({ status: 'failed', failure_code: 'account_closed' });
    expect((await s.balance.retrieve()).available[0]?.amount).toBe(refill);
    expect((await s.events.list({ type: 'payout.failed' })).data[0]?.data.object).toMatchObject({ id: second.id });
  } finally {
    await other.close();
  }
});

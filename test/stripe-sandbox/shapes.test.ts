// Every top-level key of Stripe's example object (../shared/stripe/fixtures3.json) for a resource is
// present on the sandbox's object, except keys that the stripe package's types (the pinned API
// version) no longer have.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Stripe from 'stripe';
import { advance, Harness, JAN_1_2026, startHarness, startReceiver, Receiver } from './helpers';

const fixtures = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'shared', 'stripe', 'fixtures3.json'), 'utf8')) as {
  resources: Record<string, Record<string, unknown>>;
};

/** Fixture keys absent from stripe@23.1.0's types (API 2026-10-28.endive), so not expected. */
const NOT_IN_TYPES: Record<string, string[]> = {
  // Invoice.subscription moved to parent.subscription_details.subscription.
  invoice: ['subscription'],
};

let h: Harness;
let receiver: Receiver;
const objects: Record<string, unknown> = {};

beforeAll(async () => {
  h = await startHarness();
  receiver = await startReceiver();
  const s = h.stripe;
  objects.webhook_endpoint = await s.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
  const product = await s.products.create({ name: 'Dues' });
  objects.product = product;
  const price = await s.prices.create({ product: product.id, currency: 'usd', unit_amount: 2500, recurring: { interval: 'month' } });
  objects.price = price;
  const clock = await s.testHelpers.testClocks.create({ frozen_time: JAN_1_2026 });
  objects['test_helpers.test_clock'] = clock;
  const customer = await s.customers.create({ email: 'shape@example.com', test_clock: clock.id });
  objects.customer = customer;
  const session = await s.checkout.sessions.create({ mode: 'subscription', customer: customer.id, line_items: [{ price: price.id, quantity: 1 }], success_url: 'https://example.test/ok' });
  objects['checkout.session'] = session;
  objects.item = (await s.checkout.sessions.listLineItems(session.id)).data[0];
  h.sandbox.completeCheckout(session.id, 'pm_card_createDispute');
  const sub = await s.subscriptions.retrieve((await s.checkout.sessions.retrieve(session.id)).subscription as string);
  objects.subscription = sub;
  objects.subscription_item = sub.items.data[0];
  objects.plan = sub.items.data[0]?.plan;
  const invoice = await s.invoices.retrieve(sub.latest_invoice as string);
  objects.invoice = invoice;
  objects.line_item = invoice.lines.data[0];
  const ip = (await s.invoicePayments.list({ invoice: invoice.id })).data[0] as Stripe.InvoicePayment;
  objects.invoice_payment = ip;
  const pi = await s.paymentIntents.retrieve(ip.payment.payment_intent as string);
  objects.payment_intent = pi;
  objects.payment_method = await s.paymentMethods.retrieve(pi.payment_method as string);
  const charge = await s.charges.retrieve(pi.latest_charge as string);
  objects.charge = charge;
  objects.balance_transaction = await s.balanceTransactions.retrieve(charge.balance_transaction as string);
  objects.dispute = (await s.disputes.list({ charge: charge.id })).data[0];
  const visa = await s.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  const sub2 = await s.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: visa.id });
  const charge2 = (await s.charges.list({ customer: customer.id })).data.find((c) => c.id !== charge.id) as Stripe.Charge;
  objects.refund = await s.refunds.create({ charge: charge2.id, amount: 100 });
  await advance(s, clock.id, JAN_1_2026 + 5 * 86_400);
  objects.payout = (await s.payouts.list()).data[0];
  objects.balance = await s.balance.retrieve();
  objects['billing_portal.session'] = await s.billingPortal.sessions.create({ customer: customer.id, return_url: 'https://example.test' });
  objects.event = (await s.events.list({ limit: 1 })).data[0];
  objects.deleted_customer = await s.customers.del((await s.customers.create({})).id);
  objects.deleted_webhook_endpoint = await s.webhookEndpoints.del((await s.webhookEndpoints.create({ url: 'http://127.0.0.1:9/x', enabled_events: ['*'] })).id);
  const other = await s.testHelpers.testClocks.create({ frozen_time: JAN_1_2026 });
  objects['deleted_test_helpers.test_clock'] = await s.testHelpers.testClocks.del(other.id);
  void sub2;
});

afterAll(async () => {
  await h.close();
  await receiver.close();
});

const RESOURCES = [
  'product', 'price', 'plan', 'customer', 'checkout.session', 'item', 'subscription', 'subscription_item', 'invoice', 'line_item',
  'invoice_payment', 'payment_intent', 'payment_method', 'charge', 'balance_transaction', 'refund', 'dispute', 'payout',
  'balance', 'billing_portal.session', 'webhook_endpoint', 'event', 'test_helpers.test_clock', 'deleted_customer',
  'deleted_webhook_endpoint', 'deleted_test_helpers.test_clock',
];

test.each(RESOURCES)('%s has every fixture key', (name) => {
  const fixture = fixtures.resources[name];
  expect(fixture).toBeDefined();
  const obj = objects[name] as Record<string, unknown> | undefined;
  expect(obj).toBeDefined();
  const skip = new Set(NOT_IN_TYPES[name] ?? []);
  const missing = Object.keys(fixture as object).filter((k) => !skip.has(k) && !(k in (obj as object)));
  expect(missing).toEqual([]);
});

test('the exception list names only keys that really are in the fixtures', () => {
  for (const [name, keys] of Object.entries(NOT_IN_TYPES)) {
    for (const k of keys) expect(Object.keys(fixtures.resources[name] as object)).toContain(k);
  }
});

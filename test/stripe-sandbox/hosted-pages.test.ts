// The hosted pages a person (or a browser test) uses: Checkout, the billing portal, hosted
// invoices; and the HTTP control API. Plain fetch against the sandbox, as a browser would.
import Stripe from 'stripe';
import { advance, DAY, Harness, JAN_1_2026, startHarness } from './helpers';

let h: Harness;
let stripe: Stripe;
let price: Stripe.Price;
let fee: Stripe.Price;
beforeAll(async () => {
  h = await startHarness();
  stripe = h.stripe;
  price = await stripe.prices.create({ currency: 'usd', unit_amount: 2500, recurring: { interval: 'month' }, product_data: { name: 'Monthly dues' } });
  fee = await stripe.prices.create({ currency: 'usd', unit_amount: 1000, product_data: { name: 'Initiation fee' } });
});
afterAll(async () => h.close());

async function session(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}, account?: string) {
  return stripe.checkout.sessions.create(
    {
      mode: 'subscription',
      line_items: [
        { price: price.id, quantity: 1 },
        { price: fee.id, quantity: 1 },
      ],
      success_url: 'https://example.test/welcome?cs={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://example.test/cancel',
      ...extra,
    },
    account ? { stripeAccount: account } : {},
  );
}

interface Answer {
  status: number;
  location: string | null;
  text: string;
}

/** A request whose body is always read, so no connection is left waiting. */
async function http(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return http(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
}

function postJson(url: string, body: unknown): Promise<Answer> {
  return http(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

test('the checkout page shows line items, total and the test payment methods', async () => {
  const s = await session({ customer_email: 'page@example.com', locale: 'es' });
  const res = await http(s.url as string);
  expect(res.status).toBe(200);
  const html = res.text;
  expect(html).toContain('Monthly dues');
  expect(html).toContain('Initiation fee');
  expect(html).toContain('35.00 USD');
  expect(html).toContain('lang="es"');
  for (const pm of ['pm_card_visa', 'pm_card_chargeCustomerFail', 'pm_usBankAccount_success', 'pm_usBankAccount_accountClosed']) expect(html).toContain(pm);
  expect(html).toContain('<button type="submit">Pay</button>');
});

test('paying on the page completes the session and redirects to success_url', async () => {
  const s = await session({ customer_email: 'payer@example.com', subscription_data: { metadata: { member: 'm42' } } });
  const res = await post(s.url as string, { payment_method: 'pm_card_visa', email: 'ignored@example.com', name: 'Luz' });
  expect(res.status).toBe(303);
  expect(res.location).toBe(`https://example.test/welcome?cs=${s.id}`);
  const done = await stripe.checkout.sessions.retrieve(s.id, { expand: ['customer', 'subscription'] });
  expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', customer_details: { email: 'payer@example.com' } });
  expect((done.customer as Stripe.Customer)).toMatchObject({ email: 'payer@example.com', name: 'Luz' });
  expect((done.subscription as Stripe.Subscription).metadata).toEqual({ member: 'm42' });
  expect((await http(s.url as string)).text).toContain('complete');
});

test('a declined card shows the error and leaves the session open', async () => {
  const s = await session();
  const res = await post(s.url as string, { payment_method: 'pm_card_visa_chargeDeclined', email: 'd@example.com' });
  expect(res.status).toBe(402);
  expect(res.text).toContain('Your card was declined.');
  expect((await stripe.checkout.sessions.retrieve(s.id)).status).toBe('open');
});

test('a card-only session does not offer bank accounts', async () => {
  const s = await session({ allowed_payment_method_types: ['card'] });
  const html = (await http(s.url as string)).text;
  expect(html).not.toContain('pm_usBankAccount');
  const res = await post(s.url as string, { payment_method: 'pm_usBankAccount' });
  expect(res.status).toBe(400);
});

test('the control API completes a session of a connected account', async () => {
  const account = 'acct_1HostedOrg';
  // The platform's prices are not visible to the connected account, so price inline.
  const s = await session(
    { customer_email: 'ctl@example.com', line_items: [{ price_data: { currency: 'usd', unit_amount: 2000, recurring: { interval: 'month' }, product_data: { name: 'Org dues' } }, quantity: 1 }] },
    account,
  );
  const res = await post(`${h.sandbox.url}/_sandbox/checkout_sessions/${s.id}/complete`, { payment_method: 'pm_usBankAccount' }, { 'Stripe-Account': account });
  expect(res.status).toBe(200);
  const body = JSON.parse(res.text) as Stripe.Checkout.Session;
  expect(body).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
  expect((await stripe.subscriptions.retrieve(body.subscription as string, {}, { stripeAccount: account })).status).toBe('active');
  const missing = await post(`${h.sandbox.url}/_sandbox/checkout_sessions/${s.id}/complete`, { payment_method: 'pm_card_visa' });
  expect(missing.status).toBe(404);
});

test('the control API sets the delivery mode and flushes', async () => {
  const mode = await postJson(`${h.sandbox.url}/_sandbox/delivery`, { mode: 'hold', seed: 3 });
  expect(JSON.parse(mode.text)).toEqual({ mode: 'hold' });
  const flushed = await postJson(`${h.sandbox.url}/_sandbox/delivery/flush`, {});
  expect(flushed.status).toBe(200);
  const bad = await postJson(`${h.sandbox.url}/_sandbox/delivery`, { mode: 'sometimes' });
  expect(bad.status).toBe(400);
  h.sandbox.setDeliveryMode('in_order');
});

test('the billing portal lists subscriptions and cancels at period end', async () => {
  const s = await session({ customer_email: 'portal@example.com' });
  const done = h.sandbox.completeCheckout(s.id, 'pm_card_visa');
  const ps = await stripe.billingPortal.sessions.create({ customer: done.customer as string, return_url: 'https://example.test/account' });
  const html = (await http(ps.url)).text;
  expect(html).toContain(done.subscription as string);
  expect(html).toContain('https://example.test/account');
  const res = await post(`${ps.url}/subscriptions/${done.subscription as string}/cancel`, {});
  expect(res.status).toBe(303);
  expect((await stripe.subscriptions.retrieve(done.subscription as string)).cancel_at_period_end).toBe(true);
});

test('hosted invoice pages render', async () => {
  const s = await session({ customer_email: 'inv@example.com' });
  const done = h.sandbox.completeCheckout(s.id, 'pm_card_visa');
  const invoice = await stripe.invoices.retrieve(done.invoice as string);
  const html = (await http(invoice.hosted_invoice_url as string)).text;
  expect(html).toContain(invoice.number as string);
  expect(html).toContain('paid');
});

test('a lapsed member fixes the card in the portal and pays the open invoice on its hosted page', async () => {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2026 });
  const s = await session({ customer_email: 'lapsed@example.com' });
  const done = h.sandbox.completeCheckout(s.id, 'pm_card_visa', { testClock: clock.id });
  const customer = (await stripe.customers.retrieve(done.customer as string)) as Stripe.Customer;
  expect(customer.test_clock).toBe(clock.id);
  const sub = done.subscription as string;
  const bad = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
  await stripe.subscriptions.update(sub, { default_payment_method: bad.id });
  await advance(stripe, clock.id, Date.UTC(2026, 1, 1, 2) / 1000);
  expect((await stripe.subscriptions.retrieve(sub)).status).toBe('past_due');

  const ps = await stripe.billingPortal.sessions.create({ customer: customer.id });
  const declined = await post(`${ps.url}/payment_method`, { payment_method: 'pm_card_visa_chargeDeclined' });
  expect(declined.status).toBe(402);
  expect(declined.text).toContain('Your card was declined.');
  const saved = await post(`${ps.url}/payment_method`, { payment_method: 'pm_card_mastercard' });
  expect(saved.status).toBe(303);
  const updated = await stripe.subscriptions.retrieve(sub, { expand: ['default_payment_method', 'latest_invoice'] });
  expect((updated.default_payment_method as Stripe.PaymentMethod).card?.brand).toBe('mastercard');

  const invoice = updated.latest_invoice as Stripe.Invoice;
  expect(invoice.status).toBe('open');
  const page = await http(invoice.hosted_invoice_url as string);
  expect(page.text).toContain('<button type="submit">Pay</button>');
  const paid = await post(invoice.hosted_invoice_url as string, { payment_method: 'pm_card_visa' });
  expect(paid.status).toBe(303);
  expect((await stripe.invoices.retrieve(invoice.id)).status).toBe('paid');
  expect((await stripe.subscriptions.retrieve(sub)).status).toBe('active');
  await advance(stripe, clock.id, Date.UTC(2026, 1, 1, 2) / 1000 + 20 * DAY);
  expect((await stripe.subscriptions.retrieve(sub)).status).toBe('active');
});

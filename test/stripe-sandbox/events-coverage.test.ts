// Every event type the service relies on is actually sent, each signed and verifiable.
import Stripe from 'stripe';
import { advance, DAY, Harness, JAN_1_2026, Receiver, startHarness, startReceiver } from './helpers';

const REQUIRED: Stripe.WebhookEndpointCreateParams.EnabledEvent[] = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'customer.created',
  'customer.updated',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'invoice.created',
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.payment_action_required',
  'invoice.upcoming',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice_payment.paid',
  'payment_intent.processing',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'charge.succeeded',
  'charge.failed',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
  'payout.created',
  'payout.paid',
  'payout.failed',
  'payment_method.attached',
];

let h: Harness;
let receiver: Receiver;
let secret: string;

beforeAll(async () => {
  h = await startHarness();
  receiver = await startReceiver();
  secret = (await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: REQUIRED })).secret as string;
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

test('a compact dues history sends every required event type', async () => {
  const s = h.stripe;
  const price = await s.prices.create({ currency: 'usd', unit_amount: 2500, recurring: { interval: 'month' }, product_data: { name: 'Dues' } });
  const clock = await s.testHelpers.testClocks.create({ frozen_time: JAN_1_2026 });
  const checkout = (customer: string, methods: Stripe.Checkout.SessionCreateParams.AllowedPaymentMethodType[] = ['card', 'us_bank_account']) =>
    s.checkout.sessions.create({ mode: 'subscription', customer, line_items: [{ price: price.id, quantity: 1 }], allowed_payment_method_types: methods });
  const customer = async (email: string) => s.customers.create({ email, test_clock: clock.id });

  // Card: paid, then a renewal that fails, is retried and ends the subscription.
  const failing = await customer('fail@example.com');
  h.sandbox.completeCheckout((await checkout(failing.id)).id, 'pm_card_visa');
  const failingSub = (await s.subscriptions.list({ customer: failing.id })).data[0] as Stripe.Subscription;
  const bad = await s.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: failing.id });
  await s.subscriptions.update(failingSub.id, { default_payment_method: bad.id });

  // ACH that succeeds and ACH that fails.
  h.sandbox.completeCheckout((await checkout((await customer('ach@example.com')).id, ['us_bank_account'])).id, 'pm_usBankAccount');
  h.sandbox.completeCheckout((await checkout((await customer('achfail@example.com')).id, ['us_bank_account'])).id, 'pm_usBankAccount_failure');

  // A renewal that needs authentication.
  const sca = await customer('sca@example.com');
  h.sandbox.completeCheckout((await checkout(sca.id)).id, 'pm_card_authenticationRequired');

  // A dispute, won; a refund; an expired session.
  const disputed = await customer('dispute@example.com');
  h.sandbox.completeCheckout((await checkout(disputed.id)).id, 'pm_card_createDispute');
  const [dispute] = (await s.disputes.list()).data;
  await s.disputes.update(dispute?.id as string, { evidence: { uncategorized_text: 'winning_evidence' } });
  const [charge] = (await s.charges.list({ customer: sca.id })).data;
  await s.refunds.create({ charge: charge?.id as string, amount: 500 });
  await s.checkout.sessions.expire((await checkout((await customer('gone@example.com')).id)).id);

  // Void and mark uncollectible.
  const manual = await customer('manual@example.com');
  const sendInvoice = await s.subscriptions.create({ customer: manual.id, items: [{ price: price.id }], collection_method: 'send_invoice', days_until_due: 5 });
  await s.invoices.markUncollectible(sendInvoice.latest_invoice as string);
  await s.invoices.voidInvoice(sendInvoice.latest_invoice as string);

  // A trial that pauses, then resumes.
  const trial = await customer('trial@example.com');
  const trialSub = await s.subscriptions.create({
    customer: trial.id,
    items: [{ price: price.id }],
    trial_period_days: 7,
    trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
  });

  // Jan 3 00:00: the first automatic payout sweeps the card payments; it fails at the bank.
  await advance(s, clock.id, JAN_1_2026 + 2 * DAY);
  const [first] = (await s.payouts.list({ status: 'pending' })).data;
  expect(first?.automatic).toBe(true);
  h.sandbox.settlePayout(first?.id as string, 'failed');

  // The trial ends unpaid and pauses; a card resumes it. Then two months of renewals and retries.
  await advance(s, clock.id, JAN_1_2026 + 8 * DAY);
  const pm = await s.paymentMethods.attach('pm_card_visa', { customer: trial.id });
  await s.subscriptions.update(trialSub.id, { default_payment_method: pm.id });
  await s.subscriptions.resume(trialSub.id);
  for (let day = 9; day <= 60; day += 3) await advance(s, clock.id, JAN_1_2026 + day * DAY);
  expect((await s.payouts.list({ status: 'paid' })).data.length).toBeGreaterThan(0);

  await h.sandbox.flushWebhooks();
  const seen = new Set<string>(receiver.received.map((r) => r.event.type));
  expect(REQUIRED.filter((t) => !seen.has(t))).toEqual([]);
  expect([...seen].filter((t) => !(REQUIRED as string[]).includes(t))).toEqual([]);
  for (const r of receiver.received) expect(() => s.webhooks.constructEvent(r.body, r.signature, secret)).not.toThrow();
});

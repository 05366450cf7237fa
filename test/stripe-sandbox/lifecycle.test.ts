// The dues lifecycle end to end through the official client: checkout, a year of renewals on a
// test clock, fees, payouts; failing renewals; ACH processing; disputes and refunds.
import Stripe from 'stripe';
import { cardFee, achFee } from '../../scripts/stripe-sandbox/fees';
import { advance, all, DAY, Harness, JAN_1_2026, Receiver, startHarness, startReceiver } from './helpers';

let h: Harness;
let stripe: Stripe;
let receiver: Receiver;

beforeAll(async () => {
  h = await startHarness();
  stripe = h.stripe;
  receiver = await startReceiver();
  await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

/** Events received for objects of one customer, in delivery order. */
async function typesFor(customer: string): Promise<string[]> {
  await h.sandbox.flushWebhooks();
  return receiver.received
    .map((r) => r.event)
    .filter((e) => {
      const o = e.data.object as unknown as Record<string, unknown>;
      return o.customer === customer || o.id === customer;
    })
    .map((e) => e.type);
}

function monthStart(year: number, month: number): number {
  return Date.UTC(year, month, 1) / 1000;
}

async function monthlyPrice(amount: number): Promise<Stripe.Price> {
  return stripe.prices.create({ currency: 'usd', unit_amount: amount, recurring: { interval: 'month' }, product_data: { name: 'Monthly dues' } });
}

async function clockedCustomer(email: string): Promise<{ clock: Stripe.TestHelpers.TestClock; customer: Stripe.Customer }> {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2026, name: email });
  const customer = await stripe.customers.create({ email, test_clock: clock.id });
  return { clock, customer };
}

describe('card on a monthly plan, a year on a test clock', () => {
  test('checkout, 12 months of renewals, fees, nets and payouts', async () => {
    const price = await monthlyPrice(2500);
    const initiation = await stripe.prices.create({ currency: 'usd', unit_amount: 1000, product_data: { name: 'Initiation fee' } });
    const { clock, customer } = await clockedCustomer('card@example.com');
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [
        { price: price.id, quantity: 1 },
        { price: initiation.id, quantity: 1 },
      ],
      client_reference_id: 'member-1',
      metadata: { member: 'm1' },
      subscription_data: { metadata: { member: 'm1', plan: 'monthly' } },
      allowed_payment_method_types: ['card', 'us_bank_account'],
      success_url: 'https://example.test/joined?session={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://example.test/cancel',
    });
    expect(session).toMatchObject({ status: 'open', payment_status: 'unpaid', amount_total: 3500, mode: 'subscription' });
    expect(session.url).toContain(`/c/pay/${session.id}`);

    h.sandbox.completeCheckout(session.id, 'pm_card_visa');
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription.latest_invoice'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', customer: customer.id, client_reference_id: 'member-1' });
    const sub = done.subscription as Stripe.Subscription;
    expect(sub).toMatchObject({ status: 'active', metadata: { member: 'm1', plan: 'monthly' }, test_clock: clock.id });
    expect(sub.items.data[0]).toMatchObject({ current_period_start: JAN_1_2026, current_period_end: monthStart(2026, 1) });
    const first = sub.latest_invoice as Stripe.Invoice;
    expect(first).toMatchObject({ status: 'paid', total: 3500, amount_paid: 3500, billing_reason: 'subscription_create' });
    expect(first.parent?.subscription_details?.subscription).toBe(sub.id);
    expect(first.lines.data.map((l) => l.amount).sort()).toEqual([1000, 2500]);

    // Month by month to the anniversary.
    for (let m = 1; m <= 12; m++) {
      await advance(stripe, clock.id, monthStart(2026, m));
    }
    let invoices = await all(stripe.invoices.list({ subscription: sub.id, limit: 100 }));
    expect(invoices).toHaveLength(13);
    // At the anniversary the 13th invoice exists as a draft; Stripe finalizes it an hour later.
    expect(invoices.filter((i) => i.status === 'paid')).toHaveLength(12);
    expect(invoices[0]).toMatchObject({ status: 'draft', billing_reason: 'subscription_cycle', period_start: monthStart(2025 + 1, 11), period_end: monthStart(2027, 0) });
    await advance(stripe, clock.id, monthStart(2027, 0) + 3600);
    invoices = await all(stripe.invoices.list({ subscription: sub.id, limit: 100 }));
    expect(invoices.filter((i) => i.status === 'paid')).toHaveLength(13);
    expect(invoices.filter((i) => i.billing_reason === 'subscription_cycle').every((i) => i.total === 2500)).toBe(true);
    const renewed = await stripe.subscriptions.retrieve(sub.id);
    expect(renewed.status).toBe('active');
    expect(renewed.items.data[0]).toMatchObject({ current_period_start: monthStart(2027, 0), current_period_end: monthStart(2027, 1) });

    // Fees: 2.9% + 30c, half up. First payment 35.00 -> 1.02 + 0.30; renewals 25.00 -> 0.73 + 0.30.
    const charges = await all(stripe.charges.list({ customer: customer.id, limit: 100, expand: ['data.balance_transaction'] }));
    expect(charges).toHaveLength(13);
    for (const ch of charges) {
      const txn = ch.balance_transaction as Stripe.BalanceTransaction;
      expect(txn.fee).toBe(cardFee(ch.amount));
      expect(txn.net).toBe(ch.amount - txn.fee);
      expect(txn.fee_details).toEqual([{ amount: txn.fee, application: null, currency: 'usd', description: 'Stripe processing fees', type: 'stripe_fee' }]);
    }
    expect(cardFee(3500)).toBe(132);
    expect(cardFee(2500)).toBe(103);
    const nets = charges.map((c) => (c.balance_transaction as Stripe.BalanceTransaction).net);
    const lastCharge = charges[0] as Stripe.Charge;
    expect((lastCharge.balance_transaction as Stripe.BalanceTransaction).status).toBe('pending');

    // Payouts swept everything that became available: all but the newest charge.
    const payouts = await all(stripe.payouts.list({ limit: 100 }));
    const mine = payouts.filter((p) => p.automatic);
    const paidOut = mine.reduce((s, p) => s + p.amount, 0);
    expect(paidOut).toBe(nets.slice(1).reduce((s, n) => s + n, 0));
    expect(mine.every((p) => p.status === 'paid')).toBe(true);
    for (const p of mine) {
      const txns = await all(stripe.balanceTransactions.list({ payout: p.id, limit: 100 }));
      expect(txns.reduce((s, t) => s + t.net, 0)).toBe(0);
      expect(txns.some((t) => t.type === 'payout' && t.amount === -p.amount)).toBe(true);
    }

    const types = await typesFor(customer.id);
    expect(types.filter((t) => t === 'invoice.paid')).toHaveLength(13);
    expect(types.filter((t) => t === 'invoice.payment_succeeded')).toHaveLength(13);
    const invoiceIds = new Set(invoices.map((i) => i.id));
    const paidPayments = receiver.received.filter((r) => r.event.type === 'invoice_payment.paid' && invoiceIds.has((r.event.data.object as Stripe.InvoicePayment).invoice as string));
    expect(paidPayments).toHaveLength(13);
    expect(types.filter((t) => t === 'charge.succeeded')).toHaveLength(13);
    expect(types.filter((t) => t === 'invoice.upcoming').length).toBeGreaterThanOrEqual(12);
    expect(types.indexOf('customer.created')).toBeLessThan(types.indexOf('checkout.session.completed'));
    expect(types).toContain('payment_method.attached');
    expect(types).toContain('customer.subscription.created');
    const payoutEvents = receiver.received.map((r) => r.event.type).filter((t) => t.startsWith('payout.'));
    expect(payoutEvents.filter((t) => t === 'payout.created').length).toBe(mine.length);
    expect(payoutEvents.filter((t) => t === 'payout.paid').length).toBe(mine.length);
  });

  test('invoice payments link invoices to payment intents and charges', async () => {
    const price = await monthlyPrice(1500);
    const { customer } = await clockedCustomer('links@example.com');
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: pm.id });
    const payments = await stripe.invoicePayments.list({ invoice: sub.latest_invoice as string });
    expect(payments.data).toHaveLength(1);
    const ip = payments.data[0] as Stripe.InvoicePayment;
    expect(ip).toMatchObject({ object: 'invoice_payment', status: 'paid', amount_paid: 1500, is_default: true });
    const pi = await stripe.paymentIntents.retrieve(ip.payment.payment_intent as string, { expand: ['latest_charge.balance_transaction'] });
    expect(pi.status).toBe('succeeded');
    const charge = pi.latest_charge as Stripe.Charge;
    expect((charge.balance_transaction as Stripe.BalanceTransaction).source).toBe(charge.id);
    const byPi = await stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: pi.id } });
    expect(byPi.data.map((x) => x.id)).toEqual([ip.id]);
  });
});

describe('failing renewals', () => {
  async function failingSubscription(email: string) {
    const price = await monthlyPrice(2500);
    const { clock, customer } = await clockedCustomer(email);
    const good = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: good.id });
    expect(sub.status).toBe('active');
    const bad = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    await stripe.subscriptions.update(sub.id, { default_payment_method: bad.id });
    return { clock, customer, sub };
  }

  test('pm_card_chargeCustomerFail: past_due, three retries, then canceled', async () => {
    const { clock, customer, sub } = await failingSubscription('fail@example.com');
    const feb1 = monthStart(2026, 1);
    await advance(stripe, clock.id, feb1 + 2 * 3600);
    let current = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(current.status).toBe('past_due');
    let invoice = current.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 1, attempted: true, next_payment_attempt: feb1 + 3600 + 3 * DAY });
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ delinquent: true });

    await advance(stripe, clock.id, feb1 + 3600 + 3 * DAY);
    invoice = await stripe.invoices.retrieve(invoice.id);
    expect(invoice).toMatchObject({ attempt_count: 2, next_payment_attempt: feb1 + 3600 + 8 * DAY });
    await advance(stripe, clock.id, feb1 + 3600 + 8 * DAY);
    await advance(stripe, clock.id, feb1 + 3600 + 15 * DAY);
    invoice = await stripe.invoices.retrieve(invoice.id);
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 4, next_payment_attempt: null });
    current = await stripe.subscriptions.retrieve(sub.id);
    expect(current.status).toBe('canceled');
    expect(current.cancellation_details?.reason).toBe('payment_failed');

    const types = await typesFor(customer.id);
    const after = types.slice(types.lastIndexOf('invoice.created'));
    expect(after.filter((t) => t === 'invoice.payment_failed')).toHaveLength(4);
    expect(after.filter((t) => t === 'charge.failed')).toHaveLength(4);
    expect(after.filter((t) => t === 'payment_intent.payment_failed')).toHaveLength(4);
    expect(after).toContain('customer.subscription.updated');
    expect(after[after.length - 1]).toBe('customer.subscription.deleted');
    const pastDue = receiver.received.find(
      (r) => r.event.type === 'customer.subscription.updated' && (r.event.data.object as Stripe.Subscription).id === sub.id && (r.event.data.object as Stripe.Subscription).status === 'past_due',
    );
    expect(pastDue?.event.data.previous_attributes).toMatchObject({ status: 'active' });
    const charges = await all(stripe.charges.list({ customer: customer.id }));
    const failed = charges.filter((c) => c.status === 'failed');
    expect(failed).toHaveLength(4);
    expect(failed[0]).toMatchObject({ failure_code: 'card_declined', paid: false, balance_transaction: null, outcome: { type: 'issuer_declined' } });
  });

  test('a renewal needing authentication: payment_action_required, then the member confirms', async () => {
    const price = await monthlyPrice(2500);
    const { clock, customer } = await clockedCustomer('3ds@example.com');
    const pm = await stripe.paymentMethods.attach('pm_card_authenticationRequired', { customer: customer.id });
    const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: visa.id });
    await stripe.subscriptions.update(sub.id, { default_payment_method: pm.id });
    await advance(stripe, clock.id, monthStart(2026, 1) + 2 * 3600);
    const current = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice.payments'] });
    expect(current.status).toBe('past_due');
    const invoice = current.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: 'open', next_payment_attempt: null });
    const pi = await stripe.paymentIntents.retrieve(invoice.payments?.data[0]?.payment.payment_intent as string);
    expect(pi).toMatchObject({ status: 'requires_action', last_payment_error: { code: 'authentication_required' } });
    const types = await typesFor(customer.id);
    expect(types).toContain('invoice.payment_action_required');
    expect(types).not.toContain('invoice.payment_failed');
    const confirmed = await stripe.paymentIntents.confirm(pi.id);
    expect(confirmed.status).toBe('succeeded');
    expect((await stripe.invoices.retrieve(invoice.id)).status).toBe('paid');
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
  });

  test('afterFinalFailure "unpaid" leaves the subscription unpaid', async () => {
    const other = await startHarness({ afterFinalFailure: 'unpaid', retryScheduleDays: [1] });
    try {
      const s = other.stripe;
      const price = await s.prices.create({ currency: 'usd', unit_amount: 900, recurring: { interval: 'week', interval_count: 2 }, product_data: { name: 'Biweekly' } });
      const clock = await s.testHelpers.testClocks.create({ frozen_time: JAN_1_2026 });
      const customer = await s.customers.create({ test_clock: clock.id });
      const bad = await s.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
      const visa = await s.paymentMethods.attach('pm_card_visa', { customer: customer.id });
      const sub = await s.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: visa.id });
      expect(sub.items.data[0]?.current_period_end).toBe(JAN_1_2026 + 14 * DAY);
      await s.subscriptions.update(sub.id, { default_payment_method: bad.id });
      await advance(s, clock.id, JAN_1_2026 + 14 * DAY + 2 * 3600);
      expect((await s.subscriptions.retrieve(sub.id)).status).toBe('past_due');
      await advance(s, clock.id, JAN_1_2026 + 15 * DAY + 2 * 3600);
      expect((await s.subscriptions.retrieve(sub.id)).status).toBe('unpaid');
    } finally {
      await other.close();
    }
  });

  test('a declined card at signup leaves the subscription incomplete, then incomplete_expired', async () => {
    const price = await monthlyPrice(2500);
    const { clock, customer } = await clockedCustomer('incomplete@example.com');
    const bad = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: bad.id });
    expect(sub.status).toBe('incomplete');
    await advance(stripe, clock.id, JAN_1_2026 + DAY);
    const expired = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(expired.status).toBe('incomplete_expired');
    expect((expired.latest_invoice as Stripe.Invoice).status).toBe('void');
  });

  test('pm_card_visa_chargeDeclined is declined at once with a card_error', async () => {
    const customer = await stripe.customers.create({});
    const err = await stripe.paymentMethods.attach('pm_card_visa_chargeDeclined', { customer: customer.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err).toMatchObject({ statusCode: 402, type: 'StripeCardError', code: 'card_declined', decline_code: 'generic_decline' });
  });
});

describe('ACH Direct Debit', () => {
  async function achCheckout(email: string, pm: string) {
    const price = await monthlyPrice(2500);
    const { clock, customer } = await clockedCustomer(email);
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
      allowed_payment_method_types: ['us_bank_account'],
      success_url: 'https://example.test/ok',
    });
    const completed = h.sandbox.completeCheckout(session.id, pm);
    return { clock, customer, session: completed };
  }

  test('sits in processing for four days, then succeeds', async () => {
    const { clock, customer, session } = await achCheckout('ach@example.com', 'pm_usBankAccount');
    expect(session).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    const sub = await stripe.subscriptions.retrieve(session.subscription as string, { expand: ['latest_invoice'] });
    expect(sub.status).toBe('active');
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice.status).toBe('open');
    const [pi] = (await stripe.paymentIntents.list({ customer: customer.id })).data;
    expect(pi?.status).toBe('processing');

    await advance(stripe, clock.id, JAN_1_2026 + 3 * DAY);
    expect((await stripe.paymentIntents.retrieve(pi?.id as string)).status).toBe('processing');
    await advance(stripe, clock.id, JAN_1_2026 + 4 * DAY);
    const settled = await stripe.paymentIntents.retrieve(pi?.id as string, { expand: ['latest_charge.balance_transaction'] });
    expect(settled.status).toBe('succeeded');
    const txn = (settled.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
    expect(txn).toMatchObject({ fee: achFee(2500), net: 2500 - 20 });
    expect(achFee(100_000)).toBe(500);
    expect((await stripe.invoices.retrieve(invoice.id)).status).toBe('paid');
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid');

    const types = await typesFor(customer.id);
    const order = ['checkout.session.completed', 'payment_intent.processing', 'payment_intent.succeeded', 'invoice.paid', 'checkout.session.async_payment_succeeded'];
    const at = order.map((t) => types.indexOf(t));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at.slice(2)).toEqual([...at.slice(2)].sort((a, b) => a - b));
  });

  test('the failing bank account fails after processing', async () => {
    const { clock, customer, session } = await achCheckout('achfail@example.com', 'pm_usBankAccount_failure');
    await advance(stripe, clock.id, JAN_1_2026 + 4 * DAY + 60);
    const [pi] = (await stripe.paymentIntents.list({ customer: customer.id })).data;
    expect(pi).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'account_closed' } });
    const sub = await stripe.subscriptions.retrieve(session.subscription as string);
    expect(sub.status).toBe('past_due');
    const types = await typesFor(customer.id);
    expect(types).toEqual(expect.arrayContaining(['payment_intent.processing', 'charge.failed', 'payment_intent.payment_failed', 'invoice.payment_failed', 'checkout.session.async_payment_failed']));
  });

  test('the control API settles a processing payment without waiting', async () => {
    const { customer } = await achCheckout('achnow@example.com', 'pm_usBankAccount_success');
    const [pi] = (await stripe.paymentIntents.list({ customer: customer.id })).data;
    expect(h.sandbox.settleAchPayment(pi?.id as string).status).toBe('succeeded');
  });
});

describe('refunds and disputes', () => {
  async function paidCharge(pmToken: string, amount = 2500) {
    const price = await monthlyPrice(amount);
    const { clock, customer } = await clockedCustomer(`${pmToken}@example.com`);
    const pm = await stripe.paymentMethods.attach(pmToken, { customer: customer.id });
    await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: pm.id });
    const [charge] = (await stripe.charges.list({ customer: customer.id })).data;
    return { clock, customer, charge: charge as Stripe.Charge };
  }

  test('partial then full refund', async () => {
    const { charge } = await paidCharge('pm_card_visa');
    const partial = await stripe.refunds.create({ charge: charge.id, amount: 1000 });
    expect(partial).toMatchObject({ object: 'refund', amount: 1000, status: 'succeeded', charge: charge.id });
    const txn = await stripe.balanceTransactions.retrieve(partial.balance_transaction as string);
    expect(txn).toMatchObject({ type: 'refund', amount: -1000, fee: 0, net: -1000 });
    const rest = await stripe.refunds.create({ payment_intent: charge.payment_intent as string });
    expect(rest.amount).toBe(1500);
    const after = await stripe.charges.retrieve(charge.id, { expand: ['refunds'] });
    expect(after).toMatchObject({ amount_refunded: 2500, refunded: true });
    expect(after.refunds?.data).toHaveLength(2);
    const err = await stripe.refunds.create({ charge: charge.id, amount: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    const events = (await stripe.events.list({ type: 'charge.refunded' })).data.filter((e) => (e.data.object as Stripe.Charge).id === charge.id);
    expect(events).toHaveLength(2);
  });

  test('pm_card_createDispute opens a dispute; winning evidence wins it', async () => {
    const { charge } = await paidCharge('pm_card_createDispute');
    const [dispute] = (await stripe.disputes.list({ charge: charge.id })).data;
    expect(dispute).toMatchObject({ status: 'needs_response', amount: 2500, reason: 'fraudulent' });
    const withdrawal = dispute?.balance_transactions[0] as Stripe.BalanceTransaction;
    expect(withdrawal).toMatchObject({ amount: -2500, fee: 1500, net: -4000, type: 'adjustment' });
    expect((await stripe.charges.retrieve(charge.id)).disputed).toBe(true);
    const won = await stripe.disputes.update(dispute?.id as string, { evidence: { uncategorized_text: 'winning_evidence' } });
    expect(won.status).toBe('won');
    expect(won.balance_transactions.map((t) => t.amount)).toEqual([-2500, 2500]);
    await h.sandbox.flushWebhooks();
    const types = receiver.received.filter((r) => (r.event.data.object as { id?: string }).id === dispute?.id).map((r) => r.event.type);
    expect(types).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn', 'charge.dispute.updated', 'charge.dispute.closed', 'charge.dispute.funds_reinstated']);
  });

  test('losing evidence loses; closing accepts the loss', async () => {
    const a = await paidCharge('pm_card_createDispute', 1000);
    const [d1] = (await stripe.disputes.list({ charge: a.charge.id })).data;
    expect((await stripe.disputes.update(d1?.id as string, { evidence: { uncategorized_text: 'losing_evidence' } })).status).toBe('lost');
    const b = await paidCharge('pm_card_createDispute', 1200);
    const [d2] = (await stripe.disputes.list({ charge: b.charge.id })).data;
    expect((await stripe.disputes.close(d2?.id as string)).status).toBe('lost');
    const err = await stripe.disputes.close(d2?.id as string).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400 });
  });
});

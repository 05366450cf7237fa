// The sandbox's Stripe behaviour: catalog, customers, payment methods, subscriptions and their
// invoices, payments (card and ACH), balance, refunds, disputes, payouts, checkout, portal, clocks.
import { Core, Ctx, PRIORITY, clone, systemCtx } from './core';
import { StripeApiError, cardError, invalidParam, invalidRequest, resourceMissing } from './errors';
import { ACH_PROCESSING_DAYS, AVAILABILITY_DAYS, DISPUTE_FEE, achFee, cardFee } from './fees';
import { FormObject } from './form';
import { Params } from './params';
import { TestPaymentMethod, testPaymentMethod } from './payment-methods';
import { Account, newId, randomToken } from './store';
import { DAY, Interval, periodBoundary, realNow, startOfUtcDay } from './time';
import type {
  BalanceTransaction,
  Charge,
  CheckoutLineItem,
  CheckoutSession,
  Customer,
  Dispute,
  Invoice,
  InvoiceLineItem,
  InvoicePayment,
  PaymentIntent,
  PaymentMethod,
  Payout,
  Plan,
  PortalSession,
  Price,
  Refund,
  Product,
  Subscription,
  SubscriptionItem,
  TestClock,
  WebhookEndpoint,
} from './types';

export type FinalFailureAction = 'cancel' | 'unpaid' | 'past_due';

export interface EngineOptions {
  /** Days between payment attempts after a failed renewal (Smart Retries-like default: 3, 5, 7). */
  retryScheduleDays: number[];
  /** What happens to a subscription when its last retry fails. */
  afterFinalFailure: FinalFailureAction;
  /** Daily automatic payouts of the available balance (per test clock). */
  automaticPayouts: boolean;
  /** invoice.upcoming is sent this many days before a renewal. */
  upcomingInvoiceDays: number;
  webhookRetryDelaysMs: number[];
  webhookTimeoutMs: number;
}

/** A billable line before it is put on an invoice. */
interface LineSpec {
  price: Price;
  quantity: number;
  amount: number;
  description: string;
  period: { start: number; end: number };
  subscriptionItem: string | null;
  invoiceItem: string | null;
  proration: boolean;
}

interface SubState {
  anchor: number;
  cycle: number;
  pendingLines: LineSpec[];
  /** Checkout session that created it, for async_payment_* events. */
  checkoutSession: string | null;
}

interface CheckoutState {
  items: CheckoutLineItem[];
  prices: Price[];
  quantities: number[];
  subscriptionMetadata: Record<string, string>;
  subscriptionDescription: string | null;
  trialPeriodDays: number | undefined;
}

const CARD_EXP_YEAR = new Date().getUTCFullYear() + 3;

function sumAmounts(lines: { amount: number }[]): number {
  return lines.reduce((s, l) => s + l.amount, 0);
}

export class Engine extends Core {
  private readonly pmBehaviour = new Map<string, TestPaymentMethod>();
  private readonly deletedCustomers = new Map<string, Account>();
  private readonly subs = new Map<string, SubState>();
  private readonly checkouts = new Map<string, CheckoutState>();
  /** Which payout swept a balance transaction (automatic payouts only, as in Stripe). */
  readonly txnPayout = new Map<string, string>();
  /** Running balance sums by account and currency, kept as balance transactions come, mature and go: every maturing transaction reports the balance. */
  private readonly balanceSums = new Map<Account, Map<string, { available: number; pending: number }>>();
  private readonly invoiceSub = new Map<string, string>();
  private readonly piInvoice = new Map<string, string>();
  private invoiceSeq = new Map<string, number>();

  constructor(
    readonly options: EngineOptions,
    readonly baseUrl: () => string,
  ) {
    super(options.webhookRetryDelaysMs, options.webhookTimeoutMs);
  }

  // =============================================================================================
  // Catalog
  // =============================================================================================

  createProduct(ctx: Ctx, p: Params): Product {
    const now = realNow();
    const product: Product = {
      id: p.str('id') ?? newId('prod'),
      object: 'product',
      active: p.bool('active') ?? true,
      created: now,
      default_price: null,
      description: p.str('description') ?? null,
      images: p.strArr('images') ?? [],
      livemode: false,
      marketing_features: [],
      metadata: p.metadata(),
      name: p.reqStr('name'),
      package_dimensions: null,
      shippable: null,
      statement_descriptor: p.str('statement_descriptor') ?? null,
      tax_code: null,
      tax_details: null,
      type: 'service',
      unit_label: p.str('unit_label') ?? null,
      updated: now,
      url: p.str('url') ?? null,
    };
    if (this.store.entry(product.id)) throw invalidParam('id', `Product already exists.`, 'resource_already_exists');
    this.store.insert(product, ctx.account);
    this.emit(ctx, 'product.created', product);
    const dpd = p.obj('default_price_data');
    if (dpd) {
      const price = this.buildPrice(ctx, dpd, product.id, null);
      product.default_price = price.id;
    }
    return product;
  }

  updateProduct(ctx: Ctx, id: string, p: Params): Product {
    const product = this.store.get<Product>('product', id, ctx.account);
    const prev = this.track(product);
    if (p.has('name')) product.name = p.reqStr('name');
    if (p.has('active')) product.active = p.bool('active') ?? product.active;
    if (p.has('description')) product.description = p.str('description') || null;
    if (p.has('default_price')) product.default_price = this.store.get<Price>('price', p.reqStr('default_price'), ctx.account, 'default_price').id;
    product.metadata = p.metadata(product.metadata);
    product.updated = realNow();
    this.emit(ctx, 'product.updated', product, prev());
    return product;
  }

  createPrice(ctx: Ctx, p: Params): Price {
    let productId: string;
    const productData = p.obj('product_data');
    if (productData) {
      productId = this.createProduct(ctx, productData).id;
    } else {
      productId = this.store.get<Product>('product', p.reqStr('product'), ctx.account, 'product').id;
    }
    return this.buildPrice(ctx, p, productId, null);
  }

  /** Prices from `price_data` are created inactive, as Stripe does for inline prices. */
  private buildPrice(ctx: Ctx, p: Params, productId: string, inlineClock: string | null, inline = false): Price {
    const currency = p.reqStr('currency').toLowerCase();
    const unitAmount = p.has('unit_amount_decimal')
      ? Math.round(Number(p.reqStr('unit_amount_decimal')))
      : p.reqInt('unit_amount', { min: 0 });
    const rec = p.obj('recurring');
    let recurring: Price['recurring'] = null;
    if (rec) {
      const interval = rec.enum('interval', ['day', 'week', 'month', 'year'] as const);
      if (!interval) throw invalidParam(rec.path('interval'), `Missing required param: ${rec.path('interval')}.`, 'parameter_missing');
      const count = rec.int('interval_count', { min: 1 }) ?? 1;
      const maxCount = { day: 1095, week: 156, month: 36, year: 3 }[interval];
      if (count > maxCount) {
        throw invalidParam(rec.path('interval_count'), `The maximum billing interval is 3 years.`, 'parameter_invalid_integer');
      }
      recurring = { interval, interval_count: count, meter: null, trial_period_days: null, usage_type: 'licensed' };
    }
    const price: Price = {
      id: newId('price'),
      object: 'price',
      active: inline ? false : (p.bool('active') ?? true),
      billing_scheme: 'per_unit',
      created: this.now(inlineClock),
      currency,
      custom_unit_amount: null,
      livemode: false,
      lookup_key: p.str('lookup_key') ?? null,
      metadata: p.metadata(),
      nickname: p.str('nickname') ?? null,
      product: productId,
      recurring,
      tax_behavior: p.enum('tax_behavior', ['exclusive', 'inclusive', 'unspecified'] as const) ?? 'unspecified',
      tiers_mode: null,
      transform_quantity: null,
      type: recurring ? 'recurring' : 'one_time',
      unit_amount: unitAmount,
      unit_amount_decimal: String(unitAmount),
    };
    this.store.insert(price, ctx.account);
    if (!inline) this.emit(ctx, 'price.created', price);
    return price;
  }

  updatePrice(ctx: Ctx, id: string, p: Params): Price {
    const price = this.store.get<Price>('price', id, ctx.account);
    const prev = this.track(price);
    if (p.has('active')) price.active = p.bool('active') ?? price.active;
    if (p.has('nickname')) price.nickname = p.str('nickname') || null;
    if (p.has('lookup_key')) price.lookup_key = p.str('lookup_key') || null;
    price.metadata = p.metadata(price.metadata);
    this.emit(ctx, 'price.updated', price, prev());
    return price;
  }

  /** `price` or inline `price_data` on subscription items, invoice items and checkout line items. */
  private resolvePrice(ctx: Ctx, p: Params, clock: string | null): Price {
    const data = p.obj('price_data');
    if (data) {
      let productId: string;
      const productData = data.obj('product_data');
      if (productData) productId = this.createProduct(ctx, productData).id;
      else productId = this.store.get<Product>('product', data.reqStr('product'), ctx.account, data.path('product')).id;
      return this.buildPrice(ctx, data, productId, clock, true);
    }
    const price = this.store.get<Price>('price', p.reqStr('price'), ctx.account, p.path('price'));
    if (!price.active) throw invalidParam(p.path('price'), `The price specified is inactive. This field only accepts active prices.`);
    return price;
  }

  // =============================================================================================
  // Customers and payment methods
  // =============================================================================================

  createCustomer(ctx: Ctx, p: Params): Customer {
    let clock: string | null = null;
    const clockId = p.str('test_clock');
    if (clockId) clock = this.store.get<TestClock>('test_helpers.test_clock', clockId, ctx.account, 'test_clock').id;
    const customer: Customer = {
      id: newId('cus'),
      object: 'customer',
      address: null,
      balance: p.int('balance') ?? 0,
      created: this.now(clock),
      currency: null,
      customer_account: null,
      default_source: null,
      delinquent: false,
      description: p.str('description') ?? null,
      discount: null,
      email: p.str('email') ?? null,
      invoice_prefix: randomToken(8).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      livemode: false,
      metadata: p.metadata(),
      name: p.str('name') ?? null,
      next_invoice_sequence: 1,
      phone: p.str('phone') ?? null,
      preferred_locales: p.strArr('preferred_locales') ?? [],
      shipping: null,
      tax_exempt: 'none',
      test_clock: clock,
    };
    this.store.insert(customer, ctx.account, clock);
    this.emit(ctx, 'customer.created', customer);
    const pmToken = p.str('payment_method');
    if (pmToken) this.attachPaymentMethod(ctx, pmToken, customer.id, 'payment_method');
    const defaultPm = p.obj('invoice_settings')?.str('default_payment_method');
    if (defaultPm) {
      const prev = this.track(customer);
      customer.invoice_settings.default_payment_method = this.attachedPm(ctx, defaultPm, customer.id, 'invoice_settings[default_payment_method]').id;
      this.emit(ctx, 'customer.updated', customer, prev());
    }
    return customer;
  }

  updateCustomer(ctx: Ctx, id: string, p: Params): Customer {
    const customer = this.store.get<Customer>('customer', id, ctx.account);
    const prev = this.track(customer);
    for (const field of ['email', 'name', 'description', 'phone'] as const) {
      if (p.has(field)) customer[field] = p.str(field) || null;
    }
    if (p.has('preferred_locales')) customer.preferred_locales = p.strArr('preferred_locales') ?? [];
    if (p.has('balance')) customer.balance = p.int('balance') ?? 0;
    customer.metadata = p.metadata(customer.metadata);
    const settings = p.obj('invoice_settings');
    if (settings?.has('default_payment_method')) {
      const pm = settings.str('default_payment_method');
      customer.invoice_settings = {
        ...customer.invoice_settings,
        default_payment_method: pm ? this.attachedPm(ctx, pm, customer.id, 'invoice_settings[default_payment_method]').id : null,
      };
    }
    this.emit(ctx, 'customer.updated', customer, prev());
    return customer;
  }

  deleteCustomer(ctx: Ctx, id: string): { id: string; object: 'customer'; deleted: true } {
    const customer = this.store.get<Customer>('customer', id, ctx.account);
    for (const sub of this.store.all<Subscription>('subscription', ctx.account, (s) => s.customer === id)) {
      if (!['canceled', 'incomplete_expired'].includes(sub.status)) this.cancelSubscriptionNow(ctx, sub, 'cancellation_requested');
    }
    this.emit(ctx, 'customer.deleted', customer);
    this.store.remove(id);
    this.deletedCustomers.set(id, ctx.account);
    return { id, object: 'customer', deleted: true };
  }

  /** Retrieving a deleted customer answers with its deleted stub, as Stripe does. */
  retrieveCustomer(ctx: Ctx, id: string): Customer | { id: string; object: 'customer'; deleted: true } {
    if (this.deletedCustomers.has(id) && this.deletedCustomers.get(id) === ctx.account) return { id, object: 'customer', deleted: true };
    return this.store.get<Customer>('customer', id, ctx.account);
  }

  private pmObject(test: TestPaymentMethod, customer: string | null, created: number): PaymentMethod {
    const base = {
      id: newId('pm'),
      object: 'payment_method' as const,
      allow_redisplay: 'unspecified' as const,
      billing_details: {
        address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
        email: null,
        name: test.type === 'us_bank_account' ? 'Test Account Holder' : null,
        phone: null,
        tax_id: null,
      },
      created,
      customer,
      customer_account: null,
      livemode: false,
      metadata: {},
    };
    if (test.type === 'card') {
      return {
        ...base,
        type: 'card',
        card: {
          brand: test.brand ?? 'visa',
          checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
          country: 'US',
          display_brand: test.brand ?? 'visa',
          exp_month: 12,
          exp_year: CARD_EXP_YEAR,
          fingerprint: `fp${test.last4}${test.brand ?? ''}`,
          funding: 'credit',
          generated_from: null,
          last4: test.last4,
          networks: { available: [test.brand ?? 'visa'], preferred: null },
          regulated_status: 'unregulated',
          three_d_secure_usage: { supported: true },
          wallet: null,
        },
      };
    }
    return {
      ...base,
      type: 'us_bank_account',
      us_bank_account: {
        account_holder_type: 'individual',
        account_type: 'checking',
        bank_name: 'STRIPE TEST BANK',
        financial_connections_account: null,
        fingerprint: `fpba${test.last4}`,
        last4: test.last4,
        networks: { preferred: 'ach', supported: ['ach'] },
        routing_number: '110000000',
        status_details: null,
      },
    };
  }

  /** Retrieves a pm_; a test token (pm_card_visa) yields a fresh unattached PaymentMethod, as in Stripe. */
  retrievePaymentMethod(ctx: Ctx, id: string, param = 'id'): PaymentMethod {
    const existing = this.store.find<PaymentMethod>('payment_method', id, ctx.account);
    if (existing) return existing;
    const test = testPaymentMethod(id);
    if (!test) throw resourceMissing('PaymentMethod', id, param);
    const pm = this.pmObject(test, null, realNow());
    this.pmBehaviour.set(pm.id, test);
    this.store.insert(pm, ctx.account);
    return pm;
  }

  attachPaymentMethod(ctx: Ctx, id: string, customerId: string, param = 'payment_method'): PaymentMethod {
    const customer = this.store.get<Customer>('customer', customerId, ctx.account, 'customer');
    const pm = this.retrievePaymentMethod(ctx, id, param);
    if (pm.customer === customer.id) return pm;
    if (pm.customer) throw invalidRequest(`The payment method you provided has already been attached to a customer.`, 'payment_method_unexpected_state');
    const behaviour = this.pmBehaviour.get(pm.id)?.behaviour;
    if (behaviour?.kind === 'decline_on_attach') {
      throw cardError({ code: 'card_declined', declineCode: behaviour.declineCode, message: behaviour.message });
    }
    const clock = this.clockOf(customer.id);
    const entry = this.store.entry(pm.id);
    if (entry) entry.clock = clock;
    pm.customer = customer.id;
    this.emit(ctx, 'payment_method.attached', pm);
    return pm;
  }

  detachPaymentMethod(ctx: Ctx, id: string): PaymentMethod {
    const pm = this.store.get<PaymentMethod>('payment_method', id, ctx.account);
    if (!pm.customer) throw invalidRequest(`The payment method ${id} is not attached to a customer so detachment is impossible.`, 'payment_method_unexpected_state');
    const prev = this.track(pm);
    pm.customer = null;
    this.emit(ctx, 'payment_method.detached', pm, prev());
    return pm;
  }

  /** A payment method that must already be attached to the customer (as Stripe requires). */
  private attachedPm(ctx: Ctx, id: string, customerId: string, param: string): PaymentMethod {
    const pm = this.store.find<PaymentMethod>('payment_method', id, ctx.account);
    if (!pm || pm.customer !== customerId) {
      throw invalidParam(param, `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`, 'resource_missing');
    }
    return pm;
  }

  // =============================================================================================
  // Subscriptions
  // =============================================================================================

  private plan(price: Price): Plan {
    const rec = price.recurring as NonNullable<Price['recurring']>;
    return {
      id: price.id,
      object: 'plan',
      active: price.active,
      amount: price.unit_amount,
      amount_decimal: price.unit_amount_decimal,
      billing_scheme: 'per_unit',
      created: price.created,
      currency: price.currency,
      interval: rec.interval,
      interval_count: rec.interval_count,
      livemode: false,
      metadata: price.metadata,
      meter: null,
      nickname: price.nickname,
      product: price.product,
      tiers_mode: null,
      transform_usage: null,
      trial_period_days: null,
      usage_type: 'licensed',
    };
  }

  private subItem(sub: Subscription, price: Price, quantity: number, metadata: Record<string, string>, created: number): SubscriptionItem {
    return {
      id: newId('si'),
      object: 'subscription_item',
      billing_thresholds: null,
      created,
      current_period_end: 0,
      current_period_start: 0,
      current_trial: null,
      discounts: [],
      metadata,
      plan: this.plan(price),
      price: clone(price),
      quantity,
      subscription: sub.id,
      tax_rates: [],
    };
  }

  private recurringOf(sub: Subscription): { interval: Interval; count: number } {
    const rec = (sub.items.data[0] as SubscriptionItem).price.recurring as NonNullable<Price['recurring']>;
    return { interval: rec.interval as Interval, count: rec.interval_count };
  }

  private setPeriod(sub: Subscription, start: number, end: number): void {
    for (const item of sub.items.data) {
      item.current_period_start = start;
      item.current_period_end = end;
    }
  }

  private periodEnd(sub: Subscription): number {
    return (sub.items.data[0] as SubscriptionItem).current_period_end;
  }

  private subCtx(sub: { id: string }): Ctx {
    return systemCtx(this.accountOf(sub.id));
  }

  createSubscription(ctx: Ctx, p: Params, checkoutSession: string | null = null): Subscription {
    const customer = this.store.get<Customer>('customer', p.reqStr('customer'), ctx.account, 'customer');
    const clock = this.clockOf(customer.id);
    const now = this.now(clock);
    const itemParams = p.arr('items');
    if (itemParams.length === 0) throw invalidParam('items', 'Missing required param: items.', 'parameter_missing');
    const collection = p.enum('collection_method', ['charge_automatically', 'send_invoice'] as const) ?? 'charge_automatically';
    const behaviour = p.enum('payment_behavior', ['allow_incomplete', 'default_incomplete', 'error_if_incomplete', 'pending_if_incomplete'] as const) ?? 'allow_incomplete';
    const pmId = p.str('default_payment_method');
    const defaultPm = pmId ? this.attachedPm(ctx, pmId, customer.id, 'default_payment_method').id : null;
    const trialDays = p.int('trial_period_days', { min: 0 });
    const trialEndParam = p.str('trial_end');
    const trialEnd = trialEndParam === 'now' ? undefined : trialEndParam ? p.reqInt('trial_end') : trialDays ? now + trialDays * DAY : undefined;
    if (trialEnd !== undefined && trialEnd <= now) throw invalidParam('trial_end', 'Invalid timestamp: must be an integer Unix timestamp in the future.');
    const missingPm = p.obj('trial_settings')?.obj('end_behavior')?.enum('missing_payment_method', ['cancel', 'create_invoice', 'pause'] as const) ?? 'create_invoice';

    const sub: Subscription = {
      id: newId('sub'),
      object: 'subscription',
      application: null,
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: trialEnd ?? now,
      billing_cycle_anchor_config: null,
      billing_mode: { flexible: { proration_discounts: 'included' }, type: 'flexible', updated_at: now },
      billing_schedules: [],
      billing_thresholds: null,
      cancel_at: null,
      cancel_at_period_end: p.bool('cancel_at_period_end') ?? false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
      collection_method: collection,
      created: now,
      currency: '',
      customer: customer.id,
      customer_account: null,
      days_until_due: collection === 'send_invoice' ? (p.int('days_until_due') ?? 30) : null,
      default_payment_method: defaultPm,
      default_source: null,
      default_tax_rates: [],
      description: p.str('description') ?? null,
      discounts: [],
      ended_at: null,
      invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: 'self' } },
      items: { object: 'list', data: [], has_more: false, url: '' },
      latest_invoice: null,
      livemode: false,
      managed_payments: null,
      metadata: p.metadata(),
      next_pending_invoice_item_invoice: null,
      on_behalf_of: null,
      pause_collection: null,
      payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
      pending_invoice_item_interval: null,
      pending_setup_intent: null,
      pending_update: null,
      schedule: null,
      start_date: now,
      status: 'incomplete',
      test_clock: clock,
      transfer_data: null,
      trial_end: trialEnd ?? null,
      trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: missingPm } },
      trial_start: trialEnd ? now : null,
    };
    sub.items.url = `/v1/subscription_items?subscription=${sub.id}`;
    for (const ip of itemParams) {
      const price = this.resolvePrice(ctx, ip, clock);
      if (!price.recurring) throw invalidParam(ip.path('price'), 'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.');
      sub.items.data.push(this.subItem(sub, price, ip.int('quantity', { min: 0 }) ?? 1, ip.metadata(), now));
    }
    const first = (sub.items.data[0] as SubscriptionItem).price;
    sub.currency = first.currency;
    for (const item of sub.items.data) {
      const rec = item.price.recurring as NonNullable<Price['recurring']>;
      const firstRec = first.recurring as NonNullable<Price['recurring']>;
      if (rec.interval !== firstRec.interval || rec.interval_count !== firstRec.interval_count) {
        throw invalidParam('items', 'All prices on a subscription must have the same `recurring.interval` and `recurring.interval_count`.');
      }
    }
    const state: SubState = { anchor: trialEnd ?? now, cycle: 0, pendingLines: [], checkoutSession };
    this.subs.set(sub.id, state);
    const { interval, count } = this.recurringOf(sub);
    this.setPeriod(sub, now, trialEnd ?? periodBoundary(now, interval, count, 1));

    const extra: LineSpec[] = [];
    for (const ap of p.arr('add_invoice_items')) {
      const price = this.resolvePrice(ctx, ap, clock);
      const quantity = ap.int('quantity', { min: 1 }) ?? 1;
      extra.push(this.oneTimeLine(price, quantity, now));
    }

    // An `error_if_incomplete` decline must leave nothing behind, so check the card first.
    if (behaviour === 'error_if_incomplete' && trialEnd === undefined) {
      const b = defaultPm ? this.pmBehaviour.get(defaultPm)?.behaviour : undefined;
      if (b && (b.kind === 'decline_on_charge' || b.kind === 'decline_on_attach')) {
        throw cardError({ code: 'card_declined', declineCode: b.declineCode, message: b.message });
      }
    }

    this.store.insert(sub, ctx.account, clock);
    if (trialEnd !== undefined) sub.status = 'trialing';
    this.emit(ctx, 'customer.subscription.created', sub);

    const lines = [...this.itemLines(sub, now, this.periodEnd(sub), trialEnd !== undefined), ...extra];
    const invoice = this.createInvoice(ctx, sub, lines, 'subscription_create', now, now);
    sub.latest_invoice = invoice.id;
    this.finalizeInvoice(ctx, invoice);
    if (invoice.status === 'open' && collection === 'charge_automatically' && behaviour !== 'default_incomplete') {
      this.attemptInvoice(ctx, invoice, null);
    }
    if (sub.status === 'incomplete' && collection === 'send_invoice') this.setSubStatus(ctx, sub, 'active');
    if (sub.status === 'incomplete') {
      // Stripe gives the first payment about 23 hours before expiring the subscription.
      this.schedule(clock, now + 23 * 3600, () => this.expireIncomplete(sub.id), { key: `incomplete:${sub.id}` });
    }
    this.scheduleRenewal(sub);
    return sub;
  }

  private itemLines(sub: Subscription, start: number, end: number, trial: boolean): LineSpec[] {
    return sub.items.data.map((item) => {
      const quantity = item.quantity ?? 1;
      const amount = trial ? 0 : (item.price.unit_amount ?? 0) * quantity;
      const productName = this.productName(item.price);
      return {
        price: item.price,
        quantity,
        amount,
        description: trial ? `Trial period for ${productName}` : `${quantity} × ${productName} (at $${((item.price.unit_amount ?? 0) / 100).toFixed(2)} / ${item.price.recurring?.interval})`,
        period: { start, end },
        subscriptionItem: item.id,
        invoiceItem: null,
        proration: false,
      };
    });
  }

  private oneTimeLine(price: Price, quantity: number, now: number): LineSpec {
    return {
      price,
      quantity,
      amount: (price.unit_amount ?? 0) * quantity,
      description: this.productName(price),
      period: { start: now, end: now },
      subscriptionItem: null,
      invoiceItem: newId('ii'),
      proration: false,
    };
  }

  private productName(price: Price): string {
    const id = typeof price.product === 'string' ? price.product : price.product.id;
    return this.store.entry(id) ? ((this.store.entry(id)?.obj as Product).name ?? id) : id;
  }

  private expireIncomplete(subId: string): void {
    const sub = this.store.entry(subId)?.obj as Subscription | undefined;
    if (!sub || sub.status !== 'incomplete') return;
    const ctx = this.subCtx(sub);
    const invoiceId = sub.latest_invoice as string;
    const invoice = this.store.entry(invoiceId)?.obj as Invoice | undefined;
    if (invoice && invoice.status === 'open') this.voidInvoiceInternal(ctx, invoice);
    this.setSubStatus(ctx, sub, 'incomplete_expired', { ended_at: this.now(sub.test_clock as string | null) });
    this.cancelTasks(`renew:${sub.id}`);
    this.cancelTasks(`upcoming:${sub.id}`);
  }

  private setSubStatus(ctx: Ctx, sub: Subscription, status: Subscription['status'], extra: Partial<Subscription> = {}): void {
    if (sub.status === status && Object.keys(extra).length === 0) return;
    const prev = this.track(sub);
    sub.status = status;
    Object.assign(sub, extra);
    this.emit(ctx, 'customer.subscription.updated', sub, prev());
  }

  private scheduleRenewal(sub: Subscription): void {
    const clock = sub.test_clock as string | null;
    const end = this.periodEnd(sub);
    this.cancelTasks(`renew:${sub.id}`);
    this.cancelTasks(`upcoming:${sub.id}`);
    this.schedule(clock, end, () => this.renew(sub.id), { key: `renew:${sub.id}` });
    const upcomingAt = end - this.options.upcomingInvoiceDays * DAY;
    if (upcomingAt > this.now(clock) && sub.status !== 'trialing') {
      this.schedule(clock, upcomingAt, () => this.sendUpcoming(sub.id), { key: `upcoming:${sub.id}` });
    }
    // Stripe announces the end of a trial three days ahead (or at once for shorter trials).
    if (sub.status === 'trialing') {
      const at = Math.max(this.now(clock), end - 3 * DAY);
      this.schedule(clock, at, () => {
        if (sub.status === 'trialing') this.emit(this.subCtx(sub), 'customer.subscription.trial_will_end', sub);
      }, { key: `upcoming:${sub.id}` });
    }
  }

  private sendUpcoming(subId: string): void {
    const sub = this.store.entry(subId)?.obj as Subscription | undefined;
    if (!sub || !['active', 'past_due', 'trialing'].includes(sub.status) || sub.cancel_at_period_end) return;
    const end = this.periodEnd(sub);
    const { interval, count } = this.recurringOf(sub);
    const state = this.subs.get(sub.id) as SubState;
    const nextEnd = periodBoundary(state.anchor, interval, count, state.cycle + 1 + (sub.status === 'trialing' ? 0 : 1));
    const lines = [...this.itemLines(sub, end, nextEnd, false), ...state.pendingLines];
    // The upcoming invoice is a preview: it has no id and is not stored.
    const { id: _id, ...preview } = this.buildInvoice(sub, lines, 'upcoming', end, end, '');
    this.emit(this.subCtx(sub), 'invoice.upcoming', preview, undefined, sub.id);
  }

  private renew(subId: string): void {
    const sub = this.store.entry(subId)?.obj as Subscription | undefined;
    if (!sub || ['canceled', 'incomplete', 'incomplete_expired', 'paused'].includes(sub.status)) return;
    const ctx = this.subCtx(sub);
    const clock = sub.test_clock as string | null;
    const now = this.now(clock);
    const state = this.subs.get(sub.id) as SubState;
    if (sub.cancel_at_period_end || (sub.cancel_at !== null && sub.cancel_at <= now)) {
      this.cancelSubscriptionNow(ctx, sub, 'cancellation_requested');
      return;
    }
    const wasTrial = sub.status === 'trialing';
    const hasPm = Boolean(sub.default_payment_method || this.customerOf(sub).invoice_settings.default_payment_method);
    if (wasTrial && !hasPm && sub.trial_settings?.end_behavior.missing_payment_method === 'pause') {
      const prev = this.track(sub);
      sub.status = 'paused';
      this.emit(ctx, 'customer.subscription.paused', sub);
      this.emit(ctx, 'customer.subscription.updated', sub, prev());
      return;
    }
    if (wasTrial && !hasPm && sub.trial_settings?.end_behavior.missing_payment_method === 'cancel') {
      this.cancelSubscriptionNow(ctx, sub, 'cancellation_requested');
      return;
    }
    const { interval, count } = this.recurringOf(sub);
    const prevStart = (sub.items.data[0] as SubscriptionItem).current_period_start;
    const prevEnd = this.periodEnd(sub);
    if (!wasTrial) state.cycle += 1;
    const nextEnd = periodBoundary(state.anchor, interval, count, state.cycle + 1);
    // One customer.subscription.updated for the new period and its invoice, as Stripe sends.
    const prev = this.track(sub);
    this.setPeriod(sub, prevEnd, nextEnd);
    if (wasTrial) sub.status = 'active';
    const lines = [...this.itemLines(sub, prevEnd, nextEnd, false), ...state.pendingLines];
    state.pendingLines = [];
    const invoice = this.createInvoice(ctx, sub, lines, 'subscription_cycle', prevStart, prevEnd);
    sub.latest_invoice = invoice.id;
    this.emit(ctx, 'customer.subscription.updated', sub, prev());
    const pause = sub.pause_collection;
    if (pause) {
      if (pause.behavior === 'void') {
        this.finalizeInvoice(ctx, invoice);
        this.voidInvoiceInternal(ctx, invoice);
      } else if (pause.behavior === 'mark_uncollectible') {
        this.finalizeInvoice(ctx, invoice);
        this.markUncollectibleInternal(ctx, invoice);
      } else {
        invoice.auto_advance = false;
        invoice.automatically_finalizes_at = null;
      }
    } else if (sub.status === 'unpaid') {
      // Unpaid subscriptions keep generating invoices, left as drafts.
      invoice.auto_advance = false;
      invoice.automatically_finalizes_at = null;
    } else {
      this.schedule(clock, invoice.automatically_finalizes_at as number, () => this.autoFinalize(invoice.id), { key: `finalize:${invoice.id}` });
    }
    this.scheduleRenewal(sub);
  }

  private autoFinalize(invoiceId: string): void {
    const invoice = this.store.entry(invoiceId)?.obj as Invoice | undefined;
    if (!invoice || invoice.status !== 'draft' || !invoice.auto_advance) return;
    const ctx = systemCtx(this.accountOf(invoiceId));
    this.finalizeInvoice(ctx, invoice);
    if (invoice.status === 'open' && invoice.collection_method === 'charge_automatically') this.attemptInvoice(ctx, invoice, null);
  }

  private customerOf(obj: { customer: string | { id: string } | null }): Customer {
    const id = typeof obj.customer === 'string' ? obj.customer : (obj.customer as { id: string }).id;
    return this.store.entry(id)?.obj as Customer;
  }

  updateSubscription(ctx: Ctx, id: string, p: Params): Subscription {
    const sub = this.store.get<Subscription>('subscription', id, ctx.account);
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
      throw invalidRequest(`A canceled subscription can only update its cancellation_details and metadata.`);
    }
    const clock = sub.test_clock as string | null;
    const now = this.now(clock);
    const prev = this.track(sub);
    const state = this.subs.get(sub.id) as SubState;
    if (p.has('cancel_at_period_end')) {
      sub.cancel_at_period_end = p.bool('cancel_at_period_end') ?? false;
      sub.cancel_at = sub.cancel_at_period_end ? this.periodEnd(sub) : null;
      sub.canceled_at = sub.cancel_at_period_end ? now : null;
      sub.cancellation_details = { ...(sub.cancellation_details ?? { comment: null, feedback: null, feedback_option: null }), reason: sub.cancel_at_period_end ? 'cancellation_requested' : null };
    }
    if (p.has('cancel_at')) {
      sub.cancel_at = p.isEmpty('cancel_at') ? null : p.reqInt('cancel_at');
      if (sub.cancel_at !== null && sub.cancel_at < this.periodEnd(sub)) {
        this.schedule(clock, sub.cancel_at, () => {
          if (sub.status !== 'canceled') this.cancelSubscriptionNow(this.subCtx(sub), sub, 'cancellation_requested');
        }, { key: `cancel_at:${sub.id}` });
      }
    }
    const cd = p.obj('cancellation_details');
    if (cd) {
      const feedback = cd.enum('feedback', ['customer_service', 'low_quality', 'missing_features', 'other', 'switched_service', 'too_complex', 'too_expensive', 'unused'] as const);
      sub.cancellation_details = { ...(sub.cancellation_details ?? { reason: null, feedback_option: null, comment: null, feedback: null }), comment: cd.str('comment') ?? null, feedback: feedback ?? null };
    }
    if (p.has('description')) sub.description = p.str('description') || null;
    sub.metadata = p.metadata(sub.metadata);
    if (p.has('default_payment_method')) {
      const pm = p.str('default_payment_method');
      sub.default_payment_method = pm ? this.attachedPm(ctx, pm, this.customerOf(sub).id, 'default_payment_method').id : null;
    }
    if (p.has('pause_collection')) {
      const pc = p.obj('pause_collection');
      sub.pause_collection = pc
        ? { behavior: pc.enum('behavior', ['keep_as_draft', 'mark_uncollectible', 'void'] as const) ?? (() => { throw invalidParam(pc.path('behavior'), `Missing required param: ${pc.path('behavior')}.`, 'parameter_missing'); })(), resumes_at: pc.int('resumes_at') ?? null }
        : null;
      this.cancelTasks(`resume_collection:${sub.id}`);
      const resumesAt = sub.pause_collection?.resumes_at;
      if (resumesAt) {
        this.schedule(clock, resumesAt, () => {
          const before = this.track(sub);
          sub.pause_collection = null;
          this.emit(this.subCtx(sub), 'customer.subscription.updated', sub, before());
        }, { key: `resume_collection:${sub.id}` });
      }
    }
    const itemParams = p.arr('items');
    let immediateLines: LineSpec[] = [];
    if (itemParams.length > 0) {
      const proration = p.enum('proration_behavior', ['always_invoice', 'create_prorations', 'none'] as const) ?? 'create_prorations';
      const oldItems = clone(sub.items.data);
      const oldRec = this.recurringOf(sub);
      for (const ip of itemParams) {
        const itemId = ip.str('id');
        if (itemId) {
          const item = sub.items.data.find((i) => i.id === itemId);
          if (!item) throw resourceMissing('subscription item', itemId, ip.path('id'));
          if (ip.bool('deleted')) {
            sub.items.data = sub.items.data.filter((i) => i.id !== itemId);
            continue;
          }
          if (ip.has('price') || ip.has('price_data')) {
            const price = this.resolvePrice(ctx, ip, clock);
            item.price = clone(price);
            item.plan = this.plan(price);
          }
          if (ip.has('quantity')) item.quantity = ip.int('quantity', { min: 0 }) ?? 1;
          item.metadata = ip.metadata(item.metadata);
        } else {
          const price = this.resolvePrice(ctx, ip, clock);
          const item = this.subItem(sub, price, ip.int('quantity', { min: 0 }) ?? 1, ip.metadata(), now);
          item.current_period_start = (sub.items.data[0] as SubscriptionItem | undefined)?.current_period_start ?? now;
          item.current_period_end = this.periodEnd(sub) || now;
          sub.items.data.push(item);
        }
      }
      if (sub.items.data.length === 0) throw invalidParam('items', 'A subscription must have at least one active plan.');
      const newRec = this.recurringOf(sub);
      const intervalChanged = newRec.interval !== oldRec.interval || newRec.count !== oldRec.count;
      const start = (oldItems[0] as SubscriptionItem).current_period_start;
      const end = (oldItems[0] as SubscriptionItem).current_period_end;
      const credits = this.prorationLines(oldItems, sub.items.data, start, end, now, intervalChanged);
      if (intervalChanged) {
        // A new interval resets the billing cycle anchor to now and bills the new period at once.
        state.anchor = now;
        state.cycle = 0;
        sub.billing_cycle_anchor = now;
        this.setPeriod(sub, now, periodBoundary(now, newRec.interval, newRec.count, 1));
        immediateLines = [...(proration === 'none' ? [] : credits), ...this.itemLines(sub, now, this.periodEnd(sub), false)];
      } else if (proration === 'always_invoice') {
        immediateLines = credits;
      } else if (proration === 'create_prorations') {
        state.pendingLines.push(...credits);
      }
    }
    const invoice = immediateLines.length > 0 ? this.createInvoice(ctx, sub, immediateLines, 'subscription_update', now, now) : undefined;
    if (invoice) sub.latest_invoice = invoice.id;
    this.emit(ctx, 'customer.subscription.updated', sub, prev());
    if (invoice) {
      this.finalizeInvoice(ctx, invoice);
      if (invoice.status === 'open' && sub.collection_method === 'charge_automatically') this.attemptInvoice(ctx, invoice, null);
      this.scheduleRenewal(sub);
    }
    return sub;
  }

  /** Credit for the unused time of old items and charge for the remaining time of new ones. */
  private prorationLines(oldItems: SubscriptionItem[], newItems: SubscriptionItem[], start: number, end: number, now: number, intervalChanged: boolean): LineSpec[] {
    const total = end - start;
    if (total <= 0 || now >= end) return [];
    const remaining = end - now;
    const lines: LineSpec[] = [];
    const amountOf = (i: SubscriptionItem) => (i.price.unit_amount ?? 0) * (i.quantity ?? 1);
    for (const old of oldItems) {
      const now_ = newItems.find((n) => n.id === old.id);
      if (now_ && now_.price.id === old.price.id && now_.quantity === old.quantity && !intervalChanged) continue;
      lines.push({
        price: old.price,
        quantity: old.quantity ?? 1,
        amount: -Math.round((amountOf(old) * remaining) / total),
        description: `Unused time on ${old.quantity ?? 1} × ${this.productName(old.price)}`,
        period: { start: now, end },
        subscriptionItem: old.id,
        invoiceItem: newId('ii'),
        proration: true,
      });
    }
    if (intervalChanged) return lines;
    for (const item of newItems) {
      const old = oldItems.find((o) => o.id === item.id);
      if (old && old.price.id === item.price.id && old.quantity === item.quantity) continue;
      lines.push({
        price: item.price,
        quantity: item.quantity ?? 1,
        amount: Math.round((amountOf(item) * remaining) / total),
        description: `Remaining time on ${item.quantity ?? 1} × ${this.productName(item.price)}`,
        period: { start: now, end },
        subscriptionItem: item.id,
        invoiceItem: newId('ii'),
        proration: true,
      });
    }
    return lines;
  }

  cancelSubscription(ctx: Ctx, id: string, p: Params): Subscription {
    const sub = this.store.get<Subscription>('subscription', id, ctx.account);
    if (sub.status === 'canceled') throw invalidRequest(`No such subscription: '${id}'; it has already been canceled.`, 'resource_missing', 'id');
    const cd = p.obj('cancellation_details');
    if (cd) {
      sub.cancellation_details = { ...(sub.cancellation_details ?? { reason: null, feedback_option: null, comment: null, feedback: null }), comment: cd.str('comment') ?? null };
    }
    this.cancelSubscriptionNow(ctx, sub, 'cancellation_requested');
    return sub;
  }

  private cancelSubscriptionNow(ctx: Ctx, sub: Subscription, reason: 'cancellation_requested' | 'payment_failed'): void {
    const now = this.now(sub.test_clock as string | null);
    sub.status = 'canceled';
    sub.canceled_at = sub.canceled_at ?? now;
    sub.ended_at = now;
    sub.cancellation_details = { ...(sub.cancellation_details ?? { comment: null, feedback: null, feedback_option: null }), reason };
    for (const key of ['renew', 'upcoming', 'incomplete', 'cancel_at', 'resume_collection']) this.cancelTasks(`${key}:${sub.id}`);
    // Automatic collection stops for the subscription's open invoices.
    for (const inv of this.store.all<Invoice>('invoice', this.accountOf(sub.id), (i) => this.invoiceSub.get(i.id) === sub.id && i.status === 'open')) {
      this.cancelTasks(`retry:${inv.id}`);
      if (inv.next_payment_attempt !== null) {
        const prev = this.track(inv);
        inv.next_payment_attempt = null;
        this.emit(ctx, 'invoice.updated', inv, prev());
      }
    }
    this.emit(ctx, 'customer.subscription.deleted', sub);
  }

  resumeSubscription(ctx: Ctx, id: string, p: Params): Subscription {
    const sub = this.store.get<Subscription>('subscription', id, ctx.account);
    if (sub.status !== 'paused') throw invalidRequest(`Subscription ${id} is not paused.`);
    const clock = sub.test_clock as string | null;
    const now = this.now(clock);
    // At this API version the anchor is a hash: billing_cycle_anchor[type]=now|unchanged.
    const keepAnchor = p.obj('billing_cycle_anchor')?.enum('type', ['now', 'unchanged'] as const) === 'unchanged';
    const state = this.subs.get(sub.id) as SubState;
    const { interval, count } = this.recurringOf(sub);
    const prev = this.track(sub);
    if (!keepAnchor) {
      state.anchor = now;
      state.cycle = 0;
      sub.billing_cycle_anchor = now;
    }
    this.setPeriod(sub, now, periodBoundary(state.anchor, interval, count, state.cycle + 1));
    sub.status = 'active';
    this.emit(ctx, 'customer.subscription.resumed', sub);
    this.emit(ctx, 'customer.subscription.updated', sub, prev());
    const invoice = this.createInvoice(ctx, sub, this.itemLines(sub, now, this.periodEnd(sub), false), 'subscription_update', now, now);
    sub.latest_invoice = invoice.id;
    this.finalizeInvoice(ctx, invoice);
    if (invoice.status === 'open') this.attemptInvoice(ctx, invoice, null);
    this.scheduleRenewal(sub);
    return sub;
  }

  // =============================================================================================
  // Invoices
  // =============================================================================================

  private buildInvoice(sub: Subscription, specs: LineSpec[], reason: Invoice['billing_reason'] | 'upcoming', periodStart: number, periodEnd: number, id: string): Invoice {
    const customer = this.customerOf(sub);
    const clock = sub.test_clock as string | null;
    const now = this.now(clock);
    const lines: InvoiceLineItem[] = specs.map((s) => ({
      id: newId('il'),
      object: 'line_item',
      amount: s.amount,
      currency: s.price.currency,
      description: s.description,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id || null,
      livemode: false,
      metadata: {},
      parent: s.subscriptionItem && !s.proration
        ? {
            type: 'subscription_item_details',
            invoice_item_details: null,
            subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: sub.id, subscription_item: s.subscriptionItem },
          }
        : {
            type: 'invoice_item_details',
            subscription_item_details: null,
            invoice_item_details: { invoice_item: s.invoiceItem as string, proration: s.proration, proration_details: { credited_items: null }, subscription: sub.id },
          },
      period: s.period,
      pretax_credit_amounts: [],
      pricing: {
        type: 'price_details',
        price_details: { price: s.price.id, product: typeof s.price.product === 'string' ? s.price.product : s.price.product.id },
        unit_amount_decimal: s.price.unit_amount_decimal,
      },
      quantity: s.quantity,
      quantity_decimal: String(s.quantity),
      subscription: sub.id,
      subtotal: s.amount,
      taxes: [],
    }));
    const total = sumAmounts(specs);
    return {
      id,
      object: 'invoice',
      account_country: 'US',
      account_name: 'Good Standing Sandbox',
      account_tax_ids: null,
      amount_due: Math.max(0, total),
      amount_overpaid: 0,
      amount_paid: 0,
      amount_paid_off_stripe: 0,
      amount_remaining: Math.max(0, total),
      amount_shipping: 0,
      application: null,
      attempt_count: 0,
      attempted: false,
      auto_advance: reason !== 'upcoming',
      automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
      automatically_finalizes_at: reason === 'subscription_cycle' ? now + 3600 : null,
      billing_reason: reason === 'upcoming' ? 'upcoming' : reason,
      collection_method: sub.collection_method,
      created: now,
      currency: sub.currency,
      custom_fields: null,
      customer: customer.id,
      customer_account: null,
      customer_address: null,
      customer_email: customer.email,
      customer_name: customer.name ?? null,
      customer_phone: customer.phone ?? null,
      customer_shipping: null,
      customer_tax_exempt: 'none',
      customer_tax_ids: [],
      default_payment_method: null,
      default_source: null,
      default_tax_rates: [],
      description: null,
      discounts: [],
      due_date: sub.collection_method === 'send_invoice' ? now + (sub.days_until_due ?? 30) * DAY : null,
      effective_at: null,
      ending_balance: null,
      footer: null,
      from_invoice: null,
      hosted_invoice_url: null,
      invoice_pdf: null,
      issuer: { type: 'self' },
      last_finalization_error: null,
      latest_revision: null,
      lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
      livemode: false,
      metadata: {},
      next_payment_attempt: null,
      number: null,
      on_behalf_of: null,
      parent: { type: 'subscription_details', quote_details: null, subscription_details: { metadata: clone(sub.metadata), subscription: sub.id } },
      payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
      period_end: periodEnd,
      period_start: periodStart,
      post_payment_credit_notes_amount: 0,
      pre_payment_credit_notes_amount: 0,
      receipt_number: null,
      rendering: null,
      shipping_cost: null,
      shipping_details: null,
      starting_balance: 0,
      statement_descriptor: null,
      status: 'draft',
      status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
      subtotal: total,
      subtotal_excluding_tax: total,
      test_clock: clock,
      total,
      total_discount_amounts: [],
      total_excluding_tax: total,
      total_pretax_credit_amounts: [],
      total_taxes: [],
      webhooks_delivered_at: null,
    };
  }

  private createInvoice(ctx: Ctx, sub: Subscription, specs: LineSpec[], reason: Invoice['billing_reason'], periodStart: number, periodEnd: number): Invoice {
    const invoice = this.buildInvoice(sub, specs, reason, periodStart, periodEnd, newId('in'));
    this.store.insert(invoice, this.accountOf(sub.id), sub.test_clock as string | null);
    this.invoiceSub.set(invoice.id, sub.id);
    this.emit(ctx, 'invoice.created', invoice);
    return invoice;
  }

  finalizeInvoice(ctx: Ctx, invoice: Invoice): void {
    if (invoice.status !== 'draft') throw invalidRequest(`This invoice is already finalized, you can't re-finalize a non-draft invoice.`, 'invoice_not_editable');
    const clock = this.clockOf(invoice.id);
    const now = this.now(clock);
    const customer = this.customerOf(invoice);
    const prev = this.track(invoice);
    const seq = (this.invoiceSeq.get(customer.id) ?? 0) + 1;
    this.invoiceSeq.set(customer.id, seq);
    customer.next_invoice_sequence = seq + 1;
    invoice.number = `${customer.invoice_prefix}-${String(seq).padStart(4, '0')}`;
    invoice.status = 'open';
    invoice.effective_at = now;
    invoice.automatically_finalizes_at = null;
    invoice.status_transitions = { ...invoice.status_transitions, finalized_at: now };
    invoice.hosted_invoice_url = `${this.baseUrl()}/i/${invoice.id}`;
    invoice.webhooks_delivered_at = now;
    // A customer credit balance (negative) pays towards the invoice first.
    invoice.starting_balance = customer.balance;
    if (customer.balance !== 0) {
      const applied = customer.balance < 0 ? Math.max(customer.balance, -invoice.total) : customer.balance;
      invoice.amount_due = Math.max(0, invoice.total + applied);
      invoice.amount_remaining = invoice.amount_due;
      const custPrev = this.track(customer);
      customer.balance -= applied;
      this.emit(ctx, 'customer.updated', customer, custPrev());
    } else if (invoice.total < 0) {
      const custPrev = this.track(customer);
      customer.balance += invoice.total;
      this.emit(ctx, 'customer.updated', customer, custPrev());
    }
    invoice.ending_balance = customer.balance;
    this.emit(ctx, 'invoice.finalized', invoice);
    this.emit(ctx, 'invoice.updated', invoice, prev());
    if (invoice.amount_due === 0) {
      this.markInvoicePaid(ctx, invoice, null);
      return;
    }
    if (invoice.collection_method === 'charge_automatically') this.invoicePaymentIntent(ctx, invoice);
  }

  private invoicePaymentIntent(ctx: Ctx, invoice: Invoice): PaymentIntent {
    const existing = this.store.linked<InvoicePayment>('invoice_payment', 'invoice', invoice.id, this.accountOf(invoice.id), (ip) => ip.status === 'open')[0];
    if (existing) return this.store.entry(existing.payment.payment_intent as string)?.obj as PaymentIntent;
    const clock = this.clockOf(invoice.id);
    const now = this.now(clock);
    const subId = this.invoiceSub.get(invoice.id);
    const pi = this.buildPaymentIntent(invoice.amount_due, invoice.currency, this.customerOf(invoice).id, now,
      invoice.billing_reason === 'subscription_create' ? 'Subscription creation' : subId ? 'Subscription update' : null);
    this.store.insert(pi, this.accountOf(invoice.id), clock);
    this.piInvoice.set(pi.id, invoice.id);
    this.emit(ctx, 'payment_intent.created', pi);
    const ip: InvoicePayment = {
      id: newId('inpay'),
      object: 'invoice_payment',
      amount_paid: null,
      amount_requested: invoice.amount_due,
      created: now,
      currency: invoice.currency,
      invoice: invoice.id,
      is_default: true,
      livemode: false,
      payment: { type: 'payment_intent', payment_intent: pi.id },
      status: 'open',
      status_transitions: { canceled_at: null, paid_at: null },
    };
    this.store.insert(ip, this.accountOf(invoice.id), clock);
    return pi;
  }

  private buildPaymentIntent(amount: number, currency: string, customer: string | null, created: number, description: string | null): PaymentIntent {
    const id = newId('pi');
    return {
      id,
      object: 'payment_intent',
      allowed_payment_method_types: null,
      amount,
      amount_capturable: 0,
      amount_details: { tip: {} },
      amount_received: 0,
      application: null,
      application_fee_amount: null,
      automatic_payment_methods: null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: 'automatic',
      client_secret: `${id}_secret_${randomToken(25)}`,
      confirmation_method: 'automatic',
      created,
      currency,
      customer,
      customer_account: null,
      description,
      excluded_payment_method_types: null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      managed_payments: null,
      metadata: {},
      next_action: null,
      on_behalf_of: null,
      payment_method: null,
      payment_method_configuration_details: null,
      payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
      payment_method_types: ['card', 'us_bank_account'],
      payment_record: null,
      processing: null,
      receipt_email: null,
      review: null,
      setup_future_usage: null,
      shipping: null,
      source: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: 'requires_payment_method',
      transfer_data: null,
      transfer_group: null,
    };
  }

  /** Attempts to collect an open invoice. Returns the failure, if any, for `invoices.pay` to report. */
  attemptInvoice(ctx: Ctx, invoice: Invoice, pmOverride: string | null, onSessionOverride?: boolean): StripeApiError | null {
    const subId = this.invoiceSub.get(invoice.id);
    const sub = subId ? (this.store.entry(subId)?.obj as Subscription | undefined) : undefined;
    const customer = this.customerOf(invoice);
    const pmId = pmOverride ?? (sub?.default_payment_method as string | null) ?? (customer.invoice_settings.default_payment_method as string | null);
    const pi = this.invoicePaymentIntent(ctx, invoice);
    this.cancelTasks(`retry:${invoice.id}`);
    if (!pmId) {
      const err = invalidRequest('This customer has no attached payment source or default payment method.', 'invoice_no_customer_line_items');
      this.invoiceFailed(ctx, invoice, sub);
      return err;
    }
    // The first invoice of a Checkout subscription is paid with the customer present.
    const onSession = onSessionOverride ?? (invoice.billing_reason === 'subscription_create' && Boolean(sub && this.subs.get(sub.id)?.checkoutSession));
    const result = this.confirmPayment(ctx, pi, pmId, onSession);
    if (result.outcome === 'succeeded') {
      this.markInvoicePaid(ctx, invoice, pi);
      return null;
    }
    if (result.outcome === 'processing') {
      const prev = this.track(invoice);
      invoice.attempted = true;
      invoice.attempt_count += 1;
      invoice.next_payment_attempt = null;
      this.emit(ctx, 'invoice.updated', invoice, prev());
      // A bank debit in flight counts as collected enough for the subscription to start.
      if (sub && sub.status === 'incomplete') {
        this.cancelTasks(`incomplete:${sub.id}`);
        this.setSubStatus(ctx, sub, 'active');
      }
      return null;
    }
    this.invoiceFailed(ctx, invoice, sub, false, result.outcome === 'requires_action');
    return result.error;
  }

  /**
   * `counted`: the attempt was already counted (an ACH debit that fails after processing).
   * `actionRequired`: the customer must authenticate; Stripe does not retry those on its own.
   */
  private invoiceFailed(ctx: Ctx, invoice: Invoice, sub: Subscription | undefined, counted = false, actionRequired = false): void {
    const clock = this.clockOf(invoice.id);
    const now = this.now(clock);
    const prev = this.track(invoice);
    invoice.attempted = true;
    if (!counted) invoice.attempt_count += 1;
    const isFirst = invoice.billing_reason === 'subscription_create';
    const retries = this.options.retryScheduleDays;
    const retryIndex = invoice.attempt_count - 1;
    const retryable = sub !== undefined && !(isFirst && sub.status === 'incomplete') && sub.status !== 'canceled' && !actionRequired;
    const nextDelay = retryable ? retries[retryIndex] : undefined;
    invoice.next_payment_attempt = nextDelay !== undefined ? now + nextDelay * DAY : null;
    this.emit(ctx, actionRequired ? 'invoice.payment_action_required' : 'invoice.payment_failed', invoice);
    this.emit(ctx, 'invoice.updated', invoice, prev());
    const customer = this.customerOf(invoice);
    if (!customer.delinquent) {
      const cprev = this.track(customer);
      customer.delinquent = true;
      this.emit(ctx, 'customer.updated', customer, cprev());
    }
    if (!sub) return;
    if (sub.status === 'active' || sub.status === 'trialing') this.setSubStatus(ctx, sub, 'past_due');
    if (invoice.next_payment_attempt !== null) {
      const id = invoice.id;
      this.schedule(clock, invoice.next_payment_attempt, () => this.retryInvoice(id), { key: `retry:${id}` });
    } else if (retryable && !actionRequired) {
      // Last retry failed: apply the subscription's setting.
      const action = this.options.afterFinalFailure;
      if (action === 'cancel') this.cancelSubscriptionNow(ctx, sub, 'payment_failed');
      else if (action === 'unpaid') this.setSubStatus(ctx, sub, 'unpaid');
    }
  }

  private retryInvoice(id: string): void {
    const invoice = this.store.entry(id)?.obj as Invoice | undefined;
    if (!invoice || invoice.status !== 'open') return;
    this.attemptInvoice(systemCtx(this.accountOf(id)), invoice, null);
  }

  private markInvoicePaid(ctx: Ctx, invoice: Invoice, pi: PaymentIntent | null, outOfBand = false): void {
    const clock = this.clockOf(invoice.id);
    const now = this.now(clock);
    this.cancelTasks(`retry:${invoice.id}`);
    const prev = this.track(invoice);
    if (pi || outOfBand) {
      invoice.attempted = true;
      if (pi && invoice.attempt_count === 0) invoice.attempt_count = 1;
    }
    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.next_payment_attempt = null;
    invoice.status_transitions = { ...invoice.status_transitions, paid_at: now };
    if (outOfBand) {
      invoice.amount_paid = 0;
      invoice.amount_paid_off_stripe = invoice.amount_due;
    }
    if (pi) {
      const ip = this.store.linked<InvoicePayment>('invoice_payment', 'payment_intent', pi.id, this.accountOf(invoice.id))[0];
      if (ip) {
        ip.status = 'paid';
        ip.amount_paid = invoice.amount_due;
        ip.status_transitions = { ...ip.status_transitions, paid_at: now };
        this.emit(ctx, 'invoice_payment.paid', ip);
      }
    }
    this.emit(ctx, 'invoice.updated', invoice, prev());
    this.emit(ctx, 'invoice.paid', invoice);
    this.emit(ctx, 'invoice.payment_succeeded', invoice);
    const customer = this.customerOf(invoice);
    const stillOverdue = this.store.linked<Invoice>('invoice', 'customer', customer.id, this.accountOf(invoice.id), (i) => i.status === 'open' && i.attempt_count > 0).length > 0;
    if (customer.delinquent && !stillOverdue) {
      const cprev = this.track(customer);
      customer.delinquent = false;
      this.emit(ctx, 'customer.updated', customer, cprev());
    }
    const subId = this.invoiceSub.get(invoice.id);
    const sub = subId ? (this.store.entry(subId)?.obj as Subscription | undefined) : undefined;
    if (sub && ['incomplete', 'past_due', 'unpaid'].includes(sub.status) && sub.latest_invoice === invoice.id) {
      this.cancelTasks(`incomplete:${sub.id}`);
      this.setSubStatus(ctx, sub, 'active');
    }
  }

  payInvoice(ctx: Ctx, id: string, p: Params): Invoice {
    const invoice = this.store.get<Invoice>('invoice', id, ctx.account);
    if (invoice.status === 'draft') this.finalizeInvoice(ctx, invoice);
    if (invoice.status === 'paid') throw invalidRequest('Invoice is already paid', 'invoice_already_paid' as string);
    if (invoice.status !== 'open') throw invalidRequest(`You cannot pay an invoice with status ${invoice.status}.`, 'invoice_not_editable');
    if (p.bool('paid_out_of_band')) {
      this.markInvoicePaid(ctx, invoice, null, true);
      return invoice;
    }
    const pm = p.str('payment_method');
    if (pm) this.attachedPm(ctx, pm, this.customerOf(invoice).id, 'payment_method');
    const err = this.attemptInvoice(ctx, invoice, pm ?? null);
    if (err) throw err;
    return invoice;
  }

  finalizeInvoiceApi(ctx: Ctx, id: string): Invoice {
    const invoice = this.store.get<Invoice>('invoice', id, ctx.account);
    this.finalizeInvoice(ctx, invoice);
    return invoice;
  }

  voidInvoice(ctx: Ctx, id: string): Invoice {
    const invoice = this.store.get<Invoice>('invoice', id, ctx.account);
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
      throw invalidRequest(`You can only pass in open or uncollectible invoices. This invoice is ${invoice.status}.`, 'invoice_not_editable');
    }
    this.voidInvoiceInternal(ctx, invoice);
    return invoice;
  }

  private voidInvoiceInternal(ctx: Ctx, invoice: Invoice): void {
    const prev = this.track(invoice);
    invoice.status = 'void';
    invoice.next_payment_attempt = null;
    invoice.status_transitions = { ...invoice.status_transitions, voided_at: this.now(this.clockOf(invoice.id)) };
    this.cancelTasks(`retry:${invoice.id}`);
    this.cancelOpenPayment(ctx, invoice);
    this.emit(ctx, 'invoice.voided', invoice);
    this.emit(ctx, 'invoice.updated', invoice, prev());
  }

  markUncollectible(ctx: Ctx, id: string): Invoice {
    const invoice = this.store.get<Invoice>('invoice', id, ctx.account);
    if (invoice.status !== 'open') throw invalidRequest(`You can only mark open invoices as uncollectible. This invoice is ${invoice.status}.`, 'invoice_not_editable');
    this.markUncollectibleInternal(ctx, invoice);
    return invoice;
  }

  private markUncollectibleInternal(ctx: Ctx, invoice: Invoice): void {
    const prev = this.track(invoice);
    invoice.status = 'uncollectible';
    invoice.next_payment_attempt = null;
    invoice.status_transitions = { ...invoice.status_transitions, marked_uncollectible_at: this.now(this.clockOf(invoice.id)) };
    this.cancelTasks(`retry:${invoice.id}`);
    this.emit(ctx, 'invoice.marked_uncollectible', invoice);
    this.emit(ctx, 'invoice.updated', invoice, prev());
  }

  private cancelOpenPayment(ctx: Ctx, invoice: Invoice): void {
    for (const ip of this.store.linked<InvoicePayment>('invoice_payment', 'invoice', invoice.id, this.accountOf(invoice.id), (x) => x.status === 'open')) {
      const now = this.now(this.clockOf(invoice.id));
      ip.status = 'canceled';
      ip.status_transitions = { ...ip.status_transitions, canceled_at: now };
      const pi = this.store.entry(ip.payment.payment_intent as string)?.obj as PaymentIntent | undefined;
      if (pi && pi.status !== 'succeeded' && pi.status !== 'processing') {
        pi.status = 'canceled';
        pi.canceled_at = now;
        pi.cancellation_reason = 'void_invoice';
        this.emit(ctx, 'payment_intent.canceled', pi);
      }
    }
  }

  // =============================================================================================
  // Payments: charges, ACH processing, balance transactions
  // =============================================================================================

  /**
   * Confirms a PaymentIntent with a payment method. `onSession` is true when the customer is
   * present (Checkout, an API confirm), so 3D Secure is taken as passed.
   */
  private confirmPayment(
    ctx: Ctx,
    pi: PaymentIntent,
    pmId: string,
    onSession: boolean,
  ): { outcome: 'succeeded' } | { outcome: 'processing' } | { outcome: 'requires_action'; error: StripeApiError } | { outcome: 'failed'; error: StripeApiError } {
    const pm = this.store.entry(pmId)?.obj as PaymentMethod;
    const test = this.pmBehaviour.get(pmId);
    const behaviour = test?.behaviour ?? { kind: 'succeed' as const };
    const clock = this.clockOf(pi.id);
    const now = this.now(clock);
    pi.payment_method = pmId;
    pi.payment_method_types = [pm.type];
    if (behaviour.kind === 'requires_action' && !onSession) {
      pi.status = 'requires_action';
      pi.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: {} };
      pi.last_payment_error = {
        code: 'authentication_required',
        decline_code: 'authentication_required',
        doc_url: 'https://stripe.com/docs/error-codes/authentication-required',
        message: 'Your card was declined. This transaction requires authentication.',
        payment_method: clone(pm),
        type: 'card_error',
      };
      this.emit(ctx, 'payment_intent.requires_action', pi);
      return {
        outcome: 'requires_action',
        error: cardError({ code: 'authentication_required', declineCode: 'authentication_required', message: 'This transaction requires authentication.', paymentIntent: clone(pi) }),
      };
    }
    const charge = this.buildCharge(pi, pm, now);
    this.store.insert(charge, this.accountOf(pi.id), clock);
    pi.latest_charge = charge.id;

    if (behaviour.kind === 'decline_on_charge' || behaviour.kind === 'decline_on_attach') {
      charge.status = 'failed';
      charge.paid = false;
      charge.captured = false;
      charge.amount_captured = 0;
      charge.failure_code = 'card_declined';
      charge.failure_message = behaviour.message;
      charge.outcome = {
        advice_code: null,
        network_advice_code: null,
        network_decline_code: null,
        network_status: 'declined_by_network',
        reason: behaviour.declineCode,
        risk_level: 'normal',
        seller_message: 'The bank did not return any further details with this decline.',
        type: 'issuer_declined',
      };
      pi.status = 'requires_payment_method';
      pi.last_payment_error = {
        charge: charge.id,
        code: 'card_declined',
        decline_code: behaviour.declineCode,
        doc_url: 'https://stripe.com/docs/error-codes/card-declined',
        message: behaviour.message,
        payment_method: clone(pm),
        type: 'card_error',
      };
      this.emit(ctx, 'charge.failed', charge);
      this.emit(ctx, 'payment_intent.payment_failed', pi);
      return {
        outcome: 'failed',
        error: cardError({ code: 'card_declined', declineCode: behaviour.declineCode, message: behaviour.message, charge: charge.id, paymentIntent: clone(pi) }),
      };
    }

    if (behaviour.kind === 'ach_succeed' || behaviour.kind === 'ach_fail') {
      charge.status = 'pending';
      charge.paid = false;
      pi.status = 'processing';
      this.emit(ctx, 'charge.pending', charge);
      this.emit(ctx, 'payment_intent.processing', pi);
      this.schedule(clock, now + ACH_PROCESSING_DAYS * DAY, () => this.settleAch(pi.id), { key: `ach:${pi.id}` });
      return { outcome: 'processing' };
    }

    pi.next_action = null;
    this.succeedCharge(ctx, pi, charge, 'card');
    if (behaviour.kind === 'dispute') this.openDispute(ctx, charge);
    return { outcome: 'succeeded' };
  }

  private succeedCharge(ctx: Ctx, pi: PaymentIntent, charge: Charge, kind: 'card' | 'us_bank_account'): void {
    const clock = this.clockOf(pi.id);
    const prevCharge = this.track(charge);
    const fee = kind === 'card' ? cardFee(charge.amount) : achFee(charge.amount);
    const txn = this.createTxn(this.accountOf(pi.id), clock, {
      amount: charge.amount,
      currency: charge.currency,
      fee,
      feeDescription: 'Stripe processing fees',
      type: 'charge',
      reporting_category: 'charge',
      source: charge.id,
      description: pi.description,
      availableAfterDays: AVAILABILITY_DAYS[kind],
    });
    charge.status = 'succeeded';
    charge.paid = true;
    charge.captured = true;
    charge.amount_captured = charge.amount;
    charge.balance_transaction = txn.id;
    charge.outcome = {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: 20,
      seller_message: 'Payment complete.',
      type: 'authorized',
    };
    charge.receipt_url = `${this.baseUrl()}/receipts/${charge.id}`;
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.processing = null;
    pi.last_payment_error = null;
    if (kind === 'us_bank_account') this.emit(ctx, 'charge.updated', charge, prevCharge());
    this.emit(ctx, 'charge.succeeded', charge);
    this.emit(ctx, 'payment_intent.succeeded', pi);
  }

  private settleAch(piId: string): void {
    const pi = this.store.entry(piId)?.obj as PaymentIntent | undefined;
    if (!pi || pi.status !== 'processing') return;
    const ctx = systemCtx(this.accountOf(piId));
    const charge = this.store.entry(pi.latest_charge as string)?.obj as Charge;
    const behaviour = this.pmBehaviour.get(pi.payment_method as string)?.behaviour;
    const invoiceId = this.piInvoice.get(pi.id);
    const invoice = invoiceId ? (this.store.entry(invoiceId)?.obj as Invoice) : undefined;
    const sub = invoiceId ? (this.store.entry(this.invoiceSub.get(invoiceId) as string)?.obj as Subscription | undefined) : undefined;
    const sessionId = sub ? this.subs.get(sub.id)?.checkoutSession : null;
    const session = sessionId && invoice?.billing_reason === 'subscription_create' ? (this.store.entry(sessionId)?.obj as CheckoutSession) : undefined;
    if (behaviour?.kind === 'ach_fail') {
      charge.status = 'failed';
      charge.paid = false;
      charge.captured = false;
      charge.amount_captured = 0;
      charge.failure_code = behaviour.failureCode;
      charge.failure_message = behaviour.message;
      charge.outcome = {
        advice_code: null,
        network_advice_code: null,
        network_decline_code: null,
        network_status: 'declined_by_network',
        reason: null,
        risk_level: 'not_assessed',
        seller_message: behaviour.message,
        type: 'issuer_declined',
      };
      pi.status = 'requires_payment_method';
      pi.last_payment_error = {
        charge: charge.id,
        code: behaviour.failureCode as NonNullable<PaymentIntent['last_payment_error']>['code'],
        message: behaviour.message,
        payment_method: clone(this.store.entry(pi.payment_method as string)?.obj as PaymentMethod),
        type: 'invalid_request_error',
      };
      this.emit(ctx, 'charge.failed', charge);
      this.emit(ctx, 'payment_intent.payment_failed', pi);
      if (invoice && invoice.status === 'open') this.invoiceFailed(ctx, invoice, sub, true);
      if (session) this.emit(ctx, 'checkout.session.async_payment_failed', session);
      return;
    }
    this.succeedCharge(ctx, pi, charge, 'us_bank_account');
    if (invoice && invoice.status === 'open') this.markInvoicePaid(ctx, invoice, pi);
    if (session) {
      session.payment_status = 'paid';
      this.emit(ctx, 'checkout.session.async_payment_succeeded', session);
    }
  }

  /** POST /v1/payment_intents/:id/confirm, with the customer present (e.g. after 3D Secure). */
  confirmPaymentIntent(ctx: Ctx, id: string, p: Params): PaymentIntent {
    const pi = this.store.get<PaymentIntent>('payment_intent', id, ctx.account);
    if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(pi.status)) {
      throw invalidRequest(`You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`, 'payment_intent_unexpected_state');
    }
    const given = p.str('payment_method');
    const customer = typeof pi.customer === 'string' ? pi.customer : null;
    let pmId = (pi.payment_method as string | null) ?? null;
    if (given) {
      const pm = this.retrievePaymentMethod(ctx, given, 'payment_method');
      if (customer && !pm.customer) this.attachPaymentMethod(ctx, pm.id, customer);
      pmId = pm.id;
    }
    if (!pmId) throw invalidRequest('You cannot confirm this PaymentIntent because it has no payment method.', 'payment_intent_unexpected_state', 'payment_method');
    const invoiceId = this.piInvoice.get(pi.id);
    const invoice = invoiceId ? (this.store.entry(invoiceId)?.obj as Invoice) : undefined;
    if (!invoice || invoice.status !== 'open') throw invalidRequest('The sandbox confirms only PaymentIntents of open invoices.', 'payment_intent_unexpected_state');
    const err = this.attemptInvoice(ctx, invoice, pmId, true);
    if (err) throw err;
    return pi;
  }

  /** Test-only: settle a processing ACH payment now instead of waiting for the clock. */
  settleAchNow(ctx: Ctx, piId: string): PaymentIntent {
    const pi = this.store.get<PaymentIntent>('payment_intent', piId, ctx.account);
    if (pi.status !== 'processing') throw invalidRequest(`PaymentIntent ${piId} is not processing (status ${pi.status}).`);
    this.cancelTasks(`ach:${piId}`);
    this.settleAch(piId);
    return pi;
  }

  private buildCharge(pi: PaymentIntent, pm: PaymentMethod, created: number): Charge {
    const id = newId(pm.type === 'card' ? 'ch' : 'py');
    const card = pm.card;
    const bank = pm.us_bank_account;
    return {
      id,
      object: 'charge',
      amount: pi.amount,
      amount_captured: 0,
      amount_refunded: 0,
      application: null,
      application_fee: null,
      application_fee_amount: null,
      balance_transaction: null,
      billing_details: clone(pm.billing_details),
      calculated_statement_descriptor: 'GOOD STANDING',
      captured: false,
      created,
      currency: pi.currency,
      customer: pi.customer,
      description: pi.description,
      disputed: false,
      failure_balance_transaction: null,
      failure_code: null,
      failure_message: null,
      fraud_details: {},
      livemode: false,
      metadata: {},
      on_behalf_of: null,
      outcome: null,
      paid: false,
      payment_intent: pi.id,
      payment_method: pm.id,
      payment_method_details: card
        ? {
            type: 'card',
            card: {
              amount_authorized: pi.amount,
              authorization_code: null,
              brand: card.brand,
              checks: card.checks,
              country: card.country,
              electronic_commerce_indicator: null,
              exp_month: card.exp_month,
              exp_year: card.exp_year,
              extended_authorization: { status: 'disabled' },
              fingerprint: card.fingerprint ?? null,
              funding: card.funding,
              incremental_authorization: { status: 'unavailable' },
              installments: null,
              last4: card.last4,
              mandate: null,
              multicapture: { status: 'unavailable' },
              network: card.brand,
              network_token: { used: false },
              network_transaction_id: randomToken(15),
              overcapture: { maximum_amount_capturable: pi.amount, status: 'unavailable' },
              regulated_status: 'unregulated',
              three_d_secure: null,
              transaction_link_id: null,
              wallet: null,
            },
          }
        : {
            type: 'us_bank_account',
            us_bank_account: {
              account_holder_type: bank?.account_holder_type ?? 'individual',
              account_type: bank?.account_type ?? 'checking',
              bank_name: bank?.bank_name ?? null,
              fingerprint: bank?.fingerprint ?? null,
              last4: bank?.last4 ?? null,
              payment_reference: null,
              routing_number: bank?.routing_number ?? null,
            },
          },
      receipt_email: null,
      receipt_number: null,
      receipt_url: null,
      refunded: false,
      refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
      review: null,
      shipping: null,
      source: null,
      source_transfer: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: 'pending',
      transfer_data: null,
      transfer_group: null,
    };
  }

  private createTxn(
    account: Account,
    clock: string | null,
    t: {
      amount: number;
      currency: string;
      fee: number;
      feeDescription: string;
      type: BalanceTransaction['type'];
      reporting_category: string;
      source: string;
      description: string | null;
      availableAfterDays: number;
    },
  ): BalanceTransaction {
    const now = this.now(clock);
    const availableOn = t.availableAfterDays === 0 ? now : startOfUtcDay(now) + t.availableAfterDays * DAY;
    const txn: BalanceTransaction = {
      id: newId('txn'),
      object: 'balance_transaction',
      amount: t.amount,
      available_on: availableOn,
      balance_type: 'payments',
      created: now,
      currency: t.currency,
      description: t.description,
      exchange_rate: null,
      fee: t.fee,
      fee_details: t.fee === 0 ? [] : [{ amount: t.fee, application: null, currency: t.currency, description: t.feeDescription, type: 'stripe_fee' }],
      net: t.amount - t.fee,
      reporting_category: t.reporting_category,
      source: t.source,
      status: availableOn <= now ? 'available' : 'pending',
      type: t.type,
    };
    this.store.insert(txn, account, clock);
    this.addToBalance(account, txn, 1);
    if (txn.status === 'pending') {
      this.schedule(clock, availableOn, () => this.makeAvailable(txn.id), { priority: PRIORITY.balance });
    }
    return txn;
  }

  private addToBalance(account: Account, txn: BalanceTransaction, sign: 1 | -1): void {
    let sums = this.balanceSums.get(account);
    if (!sums) this.balanceSums.set(account, (sums = new Map()));
    const sum = sums.get(txn.currency) ?? { available: 0, pending: 0 };
    sum[txn.status === 'available' ? 'available' : 'pending'] += sign * txn.net;
    sums.set(txn.currency, sum);
  }

  private makeAvailable(txnId: string): void {
    const txn = this.store.entry(txnId)?.obj as BalanceTransaction | undefined;
    if (!txn || txn.status !== 'pending') return;
    this.addToBalance(this.accountOf(txnId), txn, -1);
    txn.status = 'available';
    this.addToBalance(this.accountOf(txnId), txn, 1);
    this.emit(systemCtx(this.accountOf(txnId)), 'balance.available', this.balance(this.accountOf(txnId)), undefined, txnId);
  }

  balance(account: Account): {
    object: 'balance';
    available: { amount: number; currency: string; source_types: { card: number } }[];
    pending: { amount: number; currency: string; source_types: { card: number } }[];
    connect_reserved: { amount: number; currency: string }[];
    livemode: false;
  } {
    const sums = this.balanceSums.get(account);
    const list = sums && sums.size > 0 ? [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)) : [['usd', { available: 0, pending: 0 }] as const];
    return {
      object: 'balance',
      available: list.map(([currency, s]) => ({ amount: s.available, currency, source_types: { card: s.available } })),
      pending: list.map(([currency, s]) => ({ amount: s.pending, currency, source_types: { card: s.pending } })),
      connect_reserved: list.map(([currency]) => ({ amount: 0, currency })),
      livemode: false,
    };
  }

  // =============================================================================================
  // Refunds and disputes
  // =============================================================================================

  createRefund(ctx: Ctx, p: Params): Refund {
    let charge: Charge;
    const chargeId = p.str('charge');
    const piId = p.str('payment_intent');
    if (chargeId) {
      charge = this.store.get<Charge>('charge', chargeId, ctx.account, 'charge');
    } else if (piId) {
      const pi = this.store.get<PaymentIntent>('payment_intent', piId, ctx.account, 'payment_intent');
      if (!pi.latest_charge || pi.status !== 'succeeded') {
        throw invalidRequest(`This PaymentIntent (${piId}) does not have a successful charge to refund.`, 'charge_not_refundable', 'payment_intent');
      }
      charge = this.store.get<Charge>('charge', pi.latest_charge as string, ctx.account);
    } else {
      throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', 'parameter_missing', 'charge');
    }
    if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, 'charge_not_refundable', 'charge');
    if (charge.disputed) throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, 'charge_disputed', 'charge');
    const remaining = charge.amount - charge.amount_refunded;
    const amount = p.int('amount', { min: 1 }) ?? remaining;
    if (remaining === 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded', 'charge');
    if (amount > remaining) {
      throw invalidParam('amount', `Refund amount ($${(amount / 100).toFixed(2)}) is greater than unrefunded amount on charge ($${(remaining / 100).toFixed(2)})`, 'amount_too_large');
    }
    const clock = this.clockOf(charge.id);
    const now = this.now(clock);
    const refundId = newId('re');
    const txn = this.createTxn(ctx.account, clock, {
      amount: -amount,
      currency: charge.currency,
      fee: 0,
      feeDescription: '',
      type: 'refund',
      reporting_category: 'refund',
      source: refundId,
      description: 'REFUND FOR CHARGE',
      availableAfterDays: 0,
    });
    const refund: Refund = {
      id: refundId,
      object: 'refund',
      amount,
      balance_transaction: txn.id,
      charge: charge.id,
      created: now,
      currency: charge.currency,
      customer: charge.customer as string | null,
      customer_account: null,
      destination_details:
        charge.payment_method_details?.type === 'card'
          ? { type: 'card', card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' } }
          : { type: 'us_bank_transfer', us_bank_transfer: { reference: null, reference_status: 'pending' } },
      metadata: p.metadata(),
      payment_intent: charge.payment_intent as string | null,
      payment_method: charge.payment_method,
      reason: p.enum('reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    this.store.insert(refund, ctx.account, clock);
    const prev = this.track(charge);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    charge.refunds?.data.unshift(clone(refund));
    this.emit(ctx, 'refund.created', refund);
    this.emit(ctx, 'charge.refunded', charge, prev());
    return refund;
  }

  private openDispute(ctx: Ctx, charge: Charge): void {
    const clock = this.clockOf(charge.id);
    const now = this.now(clock);
    const id = newId('dp');
    const txn = this.createTxn(this.accountOf(charge.id), clock, {
      amount: -charge.amount,
      currency: charge.currency,
      fee: DISPUTE_FEE,
      feeDescription: 'Dispute fee',
      type: 'adjustment',
      reporting_category: 'dispute',
      source: id,
      description: `Chargeback withdrawal for ${charge.id}`,
      availableAfterDays: 0,
    });
    const nullEvidence = {
      access_activity_log: null, billing_address: null, cancellation_policy: null, cancellation_policy_disclosure: null,
      cancellation_rebuttal: null, customer_communication: null, customer_email_address: null, customer_name: null,
      customer_purchase_ip: null, customer_signature: null, duplicate_charge_documentation: null, duplicate_charge_explanation: null,
      duplicate_charge_id: null, enhanced_evidence: {}, product_description: null, receipt: null, refund_policy: null,
      refund_policy_disclosure: null, refund_refusal_explanation: null, service_date: null, service_documentation: null,
      shipping_address: null, shipping_carrier: null, shipping_date: null, shipping_documentation: null,
      shipping_tracking_number: null, uncategorized_file: null, uncategorized_text: null,
    };
    const dispute: Dispute = {
      id,
      object: 'dispute',
      amount: charge.amount,
      balance_transactions: [clone(txn)],
      charge: charge.id,
      created: now,
      currency: charge.currency,
      enhanced_eligibility_types: [],
      evidence: nullEvidence,
      evidence_details: { due_by: startOfUtcDay(now) + 8 * DAY - 1, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: 'not_submitted' },
      intended_submission_method: null,
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      network_reason_code: '10.4',
      payment_intent: charge.payment_intent as string | null,
      payment_method_details: { type: 'card', card: { brand: 'visa', case_type: 'chargeback', network: 'visa', network_reason_code: '10.4' } },
      reason: 'fraudulent',
      status: 'needs_response',
    };
    this.store.insert(dispute, this.accountOf(charge.id), clock);
    const prev = this.track(charge);
    charge.disputed = true;
    this.emit(ctx, 'charge.dispute.created', dispute);
    this.emit(ctx, 'charge.updated', charge, prev());
    this.emit(ctx, 'charge.dispute.funds_withdrawn', dispute);
  }

  /** Evidence `winning_evidence` / `losing_evidence` in uncategorized_text decides the dispute, as in Stripe test mode. */
  updateDispute(ctx: Ctx, id: string, p: Params): Dispute {
    const dispute = this.store.get<Dispute>('dispute', id, ctx.account);
    if (['won', 'lost', 'warning_closed'].includes(dispute.status)) {
      throw invalidRequest(`This dispute is already closed`, 'charge_dispute_closed' as string);
    }
    const prev = this.track(dispute);
    const ev = p.obj('evidence');
    if (ev) {
      const evidence = dispute.evidence as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(ev.raw)) {
        if (typeof v === 'string' && k in evidence) evidence[k] = v;
      }
    }
    dispute.metadata = p.metadata(dispute.metadata);
    const submit = p.bool('submit') ?? true;
    if (ev && submit) {
      dispute.evidence_details = { ...dispute.evidence_details, has_evidence: true, submission_count: dispute.evidence_details.submission_count + 1 };
      const text = dispute.evidence.uncategorized_text;
      if (text === 'winning_evidence') return this.closeDispute(ctx, dispute, 'won', prev);
      if (text === 'losing_evidence') return this.closeDispute(ctx, dispute, 'lost', prev);
      dispute.status = 'under_review';
    }
    this.emit(ctx, 'charge.dispute.updated', dispute, prev());
    return dispute;
  }

  closeDisputeApi(ctx: Ctx, id: string): Dispute {
    const dispute = this.store.get<Dispute>('dispute', id, ctx.account);
    if (['won', 'lost', 'warning_closed'].includes(dispute.status)) throw invalidRequest(`This dispute is already closed`);
    return this.closeDispute(ctx, dispute, 'lost', this.track(dispute));
  }

  private closeDispute(ctx: Ctx, dispute: Dispute, outcome: 'won' | 'lost', prev: () => Record<string, unknown>): Dispute {
    dispute.status = outcome;
    if (outcome === 'won') {
      const clock = this.clockOf(dispute.id);
      const txn = this.createTxn(this.accountOf(dispute.id), clock, {
        amount: dispute.amount,
        currency: dispute.currency,
        fee: 0,
        feeDescription: '',
        type: 'adjustment',
        reporting_category: 'dispute_reversal',
        source: dispute.id,
        description: `Chargeback reversal for ${dispute.charge as string}`,
        availableAfterDays: 0,
      });
      dispute.balance_transactions = [...dispute.balance_transactions, clone(txn)];
    }
    this.emit(ctx, 'charge.dispute.updated', dispute, prev());
    this.emit(ctx, 'charge.dispute.closed', dispute);
    if (outcome === 'won') this.emit(ctx, 'charge.dispute.funds_reinstated', dispute);
    return dispute;
  }

  // =============================================================================================
  // Payouts
  // =============================================================================================

  private payoutObject(amount: number, currency: string, created: number, automatic: boolean, p?: Params): Payout {
    return {
      id: newId('po'),
      object: 'payout',
      amount,
      application_fee: null,
      application_fee_amount: null,
      arrival_date: startOfUtcDay(created) + DAY,
      automatic,
      balance_transaction: null,
      created,
      currency,
      description: p?.str('description') ?? 'STRIPE PAYOUT',
      destination: 'ba_sandboxbankaccount0001',
      failure_balance_transaction: null,
      failure_code: null,
      failure_message: null,
      livemode: false,
      metadata: p ? p.metadata() : {},
      method: p?.enum('method', ['standard', 'instant'] as const) ?? 'standard',
      original_payout: null,
      payout_method: null,
      reconciliation_status: automatic ? 'in_progress' : 'not_applicable',
      reversed_by: null,
      source_type: 'card',
      statement_descriptor: p?.str('statement_descriptor') ?? null,
      status: 'pending',
      trace_id: { status: 'pending', value: null },
      type: 'bank_account',
    };
  }

  createPayout(ctx: Ctx, p: Params): Payout {
    const amount = p.reqInt('amount', { min: 1 });
    const currency = p.reqStr('currency').toLowerCase();
    const available = this.balance(ctx.account).available.find((b) => b.currency === currency)?.amount ?? 0;
    if (amount > available) {
      throw invalidRequest(`You have insufficient funds in your Stripe account for this transfer. Your card balance is too low.`, 'balance_insufficient', 'amount');
    }
    const payout = this.payoutObject(amount, currency, realNow(), false, p);
    this.recordPayout(ctx, payout, null);
    return payout;
  }

  private recordPayout(ctx: Ctx, payout: Payout, clock: string | null): void {
    const txn = this.createTxn(ctx.account, clock, {
      amount: -payout.amount,
      currency: payout.currency,
      fee: 0,
      feeDescription: '',
      type: 'payout',
      reporting_category: 'payout',
      source: payout.id,
      description: payout.description,
      availableAfterDays: 0,
    });
    payout.balance_transaction = txn.id;
    this.store.insert(payout, ctx.account, clock);
    if (payout.automatic) this.txnPayout.set(txn.id, payout.id);
    this.emit(ctx, 'payout.created', payout);
    this.schedule(clock, payout.arrival_date, () => this.payoutArrived(payout.id), { key: `payout:${payout.id}`, priority: PRIORITY.payout });
  }

  private payoutArrived(id: string): void {
    const payout = this.store.entry(id)?.obj as Payout | undefined;
    if (!payout || payout.status !== 'pending') return;
    this.setPayoutStatus(payout, 'paid');
  }

  private setPayoutStatus(payout: Payout, status: 'paid' | 'failed'): void {
    const ctx = systemCtx(this.accountOf(payout.id));
    const prev = this.track(payout);
    payout.status = status;
    payout.trace_id = { status: status === 'paid' ? 'supported' : 'unsupported', value: status === 'paid' ? randomToken(15) : null };
    if (payout.automatic) payout.reconciliation_status = 'completed';
    if (status === 'failed') {
      payout.failure_code = 'account_closed';
      payout.failure_message = 'The bank account has been closed.';
      const txn = this.createTxn(this.accountOf(payout.id), this.clockOf(payout.id), {
        amount: payout.amount,
        currency: payout.currency,
        fee: 0,
        feeDescription: '',
        type: 'payout_failure',
        reporting_category: 'payout_reversal',
        source: payout.id,
        description: 'Payout failure',
        availableAfterDays: 0,
      });
      payout.failure_balance_transaction = txn.id;
    }
    this.emit(ctx, 'payout.updated', payout, prev());
    this.emit(ctx, status === 'paid' ? 'payout.paid' : 'payout.failed', payout);
  }

  /** Test-only: make a pending payout arrive, or fail. */
  settlePayout(ctx: Ctx, id: string, outcome: 'paid' | 'failed'): Payout {
    const payout = this.store.get<Payout>('payout', id, ctx.account);
    if (payout.status !== 'pending' && payout.status !== 'in_transit') throw invalidRequest(`Payout ${id} is ${payout.status}.`);
    this.cancelTasks(`payout:${id}`);
    this.setPayoutStatus(payout, outcome);
    return payout;
  }

  /** Daily automatic payout for a clock: sweeps that clock's available, not yet paid out balance. */
  private dailyPayout(clockId: string, account: Account, at: number): void {
    if (!this.store.entry(clockId)) return;
    const byCurrency = new Map<string, BalanceTransaction[]>();
    for (const txn of this.store.onClock<BalanceTransaction>('balance_transaction', clockId, account, (t) => t.status === 'available' && !this.txnPayout.has(t.id))) {
      const list = byCurrency.get(txn.currency) ?? [];
      list.push(txn);
      byCurrency.set(txn.currency, list);
    }
    for (const [currency, txns] of byCurrency) {
      const net = txns.reduce((s, t) => s + t.net, 0);
      if (net <= 0) continue;
      const payout = this.payoutObject(net, currency, at, true);
      for (const t of txns) this.txnPayout.set(t.id, payout.id);
      this.recordPayout(systemCtx(account), payout, clockId);
    }
    this.schedule(clockId, at + DAY, () => this.dailyPayout(clockId, account, at + DAY), { key: `daily_payout:${clockId}`, priority: PRIORITY.payout });
  }

  // =============================================================================================
  // Test clocks
  // =============================================================================================

  createClock(ctx: Ctx, p: Params): TestClock {
    const frozen = p.reqInt('frozen_time');
    const now = realNow();
    const clock: TestClock = {
      id: newId('clock'),
      object: 'test_helpers.test_clock',
      created: now,
      deletes_after: now + 30 * DAY,
      frozen_time: frozen,
      livemode: false,
      name: p.str('name') ?? null,
      status: 'ready',
      status_details: {},
    };
    this.store.insert(clock, ctx.account, null);
    this.registerClock(clock);
    const entry = this.store.entry(clock.id);
    if (entry) entry.clock = clock.id;
    if (this.options.automaticPayouts) {
      const first = startOfUtcDay(frozen) + DAY;
      this.schedule(clock.id, first, () => this.dailyPayout(clock.id, ctx.account, first), { key: `daily_payout:${clock.id}`, priority: PRIORITY.payout });
    }
    this.emit(ctx, 'test_helpers.test_clock.created', clock);
    return clock;
  }

  /** Starts advancing; the clock reports `advancing` until the work has run, then `ready`. */
  advanceClock(ctx: Ctx, id: string, p: Params): TestClock {
    const clock = this.store.get<TestClock>('test_helpers.test_clock', id, ctx.account);
    if (clock.status !== 'ready') throw invalidRequest(`The test clock ${id} is currently ${clock.status}. Wait for it to be ready before advancing.`, 'test_clock_not_ready' as string);
    const target = p.reqInt('frozen_time');
    if (target <= clock.frozen_time) {
      throw invalidParam('frozen_time', `The test clock frozen_time must be after its current frozen_time (${clock.frozen_time}).`);
    }
    clock.status = 'advancing';
    clock.status_details = { advancing: { target_frozen_time: target } };
    this.emit(ctx, 'test_helpers.test_clock.advancing', clock);
    setImmediate(() => {
      if (!this.store.entry(id)) return;
      try {
        this.runDue(id, target);
        clock.frozen_time = target;
        clock.status = 'ready';
      } catch (err) {
        clock.status = 'internal_failure';
        console.error(`stripe-sandbox: advancing ${id} failed`, err);
      }
      clock.status_details = {};
      this.emit(systemCtx(ctx.account), `test_helpers.test_clock.${clock.status === 'ready' ? 'ready' : 'internal_failure'}`, clock);
    });
    return clone(clock);
  }

  deleteClock(ctx: Ctx, id: string): { id: string; object: 'test_helpers.test_clock'; deleted: true } {
    const clock = this.store.get<TestClock>('test_helpers.test_clock', id, ctx.account);
    // Deleting a clock deletes the objects attached to it, as in Stripe.
    const doomed = [...this.store.entries()].filter((e) => e.clock === id && e.obj.object !== 'event').map((e) => e.obj.id);
    this.emit(ctx, 'test_helpers.test_clock.deleted', clock);
    for (const objId of doomed) {
      const entry = this.store.entry(objId)!;
      if (entry.obj.object === 'balance_transaction') this.addToBalance(entry.account, entry.obj as BalanceTransaction, -1);
      this.store.remove(objId);
    }
    this.forgetClock(id);
    return { id, object: 'test_helpers.test_clock', deleted: true };
  }

  // =============================================================================================
  // Checkout and the billing portal
  // =============================================================================================

  createCheckoutSession(ctx: Ctx, p: Params): CheckoutSession {
    const mode = p.enum('mode', ['payment', 'setup', 'subscription'] as const);
    if (!mode) throw invalidParam('mode', 'Missing required param: mode.', 'parameter_missing');
    if (mode !== 'subscription') throw invalidParam('mode', `The sandbox supports Checkout in subscription mode only.`);
    const customerId = p.str('customer');
    const customer = customerId ? this.store.get<Customer>('customer', customerId, ctx.account, 'customer') : null;
    const customerEmail = p.str('customer_email');
    if (customer && customerEmail) {
      throw invalidRequest('You may only specify one of these parameters: customer, customer_email.', 'parameters_exclusive', 'customer_email');
    }
    const clock = customer ? this.clockOf(customer.id) : null;
    const now = realNow();
    // At this API version Checkout takes allowed/excluded filters over the account's enabled
    // methods (card and us_bank_account here); the static payment_method_types list is gone.
    const allowed = p.strArr('allowed_payment_method_types');
    const excluded = p.strArr('excluded_payment_method_types') ?? [];
    (allowed ?? []).forEach((t, i) => {
      if (t !== 'card' && t !== 'us_bank_account') {
        throw invalidParam(`allowed_payment_method_types[${i}]`, `The payment method type \`${t}\` is not supported by the sandbox. Use card or us_bank_account.`);
      }
    });
    const methodTypes = ['card', 'us_bank_account'].filter((t) => (!allowed || allowed.includes(t)) && !excluded.includes(t));
    if (methodTypes.length === 0) throw invalidParam('allowed_payment_method_types', 'No payment method types are left to offer.');
    const lineParams = p.arr('line_items');
    if (lineParams.length === 0) throw invalidParam('line_items', 'Missing required param: line_items.', 'parameter_missing');
    const id = newId('cs_test');
    const prices: Price[] = [];
    const quantities: number[] = [];
    const items: CheckoutLineItem[] = lineParams.map((lp) => {
      const price = this.resolvePrice(ctx, lp, clock);
      const quantity = lp.int('quantity', { min: 1 });
      if (quantity === undefined) throw invalidParam(lp.path('quantity'), `Missing required param: ${lp.path('quantity')}.`, 'parameter_missing');
      prices.push(price);
      quantities.push(quantity);
      const amount = (price.unit_amount ?? 0) * quantity;
      return {
        id: newId('li'),
        object: 'item',
        adjustable_quantity: null,
        amount_discount: 0,
        amount_subtotal: amount,
        amount_tax: 0,
        amount_total: amount,
        currency: price.currency,
        description: this.productName(price),
        metadata: {},
        price: clone(price),
        quantity,
      };
    });
    if (!prices.some((pr) => pr.recurring)) {
      throw invalidParam('line_items', 'You must provide at least one recurring price in `subscription` mode when using prices.');
    }
    const currency = (prices[0] as Price).currency;
    const total = items.reduce((s, i) => s + i.amount_total, 0);
    const subData = p.obj('subscription_data');
    const locale = (p.str('locale') ?? null) as CheckoutSession['locale'];
    const session: CheckoutSession = {
      id,
      object: 'checkout.session',
      adaptive_pricing: { enabled: false },
      after_expiration: null,
      allow_promotion_codes: p.bool('allow_promotion_codes') ?? null,
      allowed_payment_method_types: allowed ?? null,
      amount_subtotal: total,
      amount_total: total,
      automatic_tax: { enabled: false, liability: null, provider: null, status: null },
      billing_address_collection: p.enum('billing_address_collection', ['auto', 'required'] as const) ?? null,
      cancel_url: p.str('cancel_url') ?? null,
      client_reference_id: p.str('client_reference_id') ?? null,
      client_secret: null,
      collected_information: null,
      consent: null,
      consent_collection: null,
      created: now,
      currency,
      currency_conversion: null,
      custom_fields: [],
      custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
      customer: customer?.id ?? null,
      customer_account: null,
      customer_creation: customer ? null : 'always',
      customer_details: customer ? { address: null, business_name: null, email: customer.email, individual_name: null, name: customer.name ?? null, phone: null, tax_exempt: 'none', tax_ids: [] } : null,
      customer_email: customerEmail ?? null,
      discounts: [],
      expires_at: p.int('expires_at') ?? now + DAY,
      integration_identifier: null,
      invoice: null,
      invoice_creation: null,
      livemode: false,
      locale,
      managed_payments: null,
      metadata: p.metadata(),
      mode: 'subscription',
      origin_context: null,
      payment_intent: null,
      payment_link: null,
      payment_method_collection: 'always',
      payment_method_configuration_details: null,
      payment_method_options: {},
      payment_method_types: methodTypes,
      payment_status: 'unpaid',
      permissions: null,
      phone_number_collection: { enabled: false },
      recovered_from: null,
      saved_payment_method_options: null,
      setup_intent: null,
      shipping_address_collection: null,
      shipping_cost: null,
      shipping_options: [],
      status: 'open',
      submit_type: null,
      subscription: null,
      success_url: p.str('success_url') ?? null,
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
      ui_mode: 'hosted_page',
      url: `${this.baseUrl()}/c/pay/${id}`,
      wallet_options: null,
    };
    this.store.insert(session, ctx.account, null);
    this.checkouts.set(id, {
      items,
      prices,
      quantities,
      subscriptionMetadata: subData ? subData.metadata() : {},
      subscriptionDescription: subData?.str('description') ?? null,
      trialPeriodDays: subData?.int('trial_period_days', { min: 1 }),
    });
    this.schedule(null, session.expires_at, () => this.expireSessionInternal(id), { key: `expire:${id}` });
    return session;
  }

  checkoutLineItems(ctx: Ctx, id: string): CheckoutLineItem[] {
    this.store.get<CheckoutSession>('checkout.session', id, ctx.account);
    return clone((this.checkouts.get(id) as CheckoutState).items);
  }

  expireSession(ctx: Ctx, id: string): CheckoutSession {
    const session = this.store.get<CheckoutSession>('checkout.session', id, ctx.account);
    if (session.status !== 'open') throw invalidRequest(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`, 'checkout_session_not_open' as string);
    this.expireSessionInternal(id);
    return session;
  }

  private expireSessionInternal(id: string): void {
    const session = this.store.entry(id)?.obj as CheckoutSession | undefined;
    if (!session || session.status !== 'open') return;
    this.cancelTasks(`expire:${id}`);
    session.status = 'expired';
    session.url = null;
    this.emit(systemCtx(this.accountOf(id)), 'checkout.session.expired', session);
  }

  /**
   * What the hosted page's Pay button does (also the control API's way to complete a session).
   * `testClock` puts the customer Checkout creates on a test clock (a sandbox-only convenience, so
   * tests can drive sessions that were created with `customer_email`).
   */
  completeCheckout(ctx: Ctx, id: string, paymentMethod: string, details: { email?: string; name?: string; testClock?: string } = {}): CheckoutSession {
    const session = this.store.get<CheckoutSession>('checkout.session', id, ctx.account);
    if (session.status !== 'open') throw invalidRequest(`This Checkout Session is ${session.status} and can no longer be paid.`, 'checkout_session_not_open' as string);
    const test = testPaymentMethod(paymentMethod);
    if (!test) throw invalidParam('payment_method', `Unknown test payment method '${paymentMethod}'.`, 'resource_missing');
    if (!session.payment_method_types.includes(test.type)) {
      throw invalidParam('payment_method', `This Checkout Session does not accept payment method type ${test.type}.`);
    }
    const b = test.behaviour;
    // Checkout shows a decline to the payer and the session stays open.
    if (b.kind === 'decline_on_attach' || b.kind === 'decline_on_charge') {
      throw cardError({ code: 'card_declined', declineCode: b.declineCode, message: b.message });
    }
    const state = this.checkouts.get(id) as CheckoutState;
    const email = session.customer_email ?? details.email ?? null;
    let customer: Customer;
    if (session.customer) {
      customer = this.store.get<Customer>('customer', session.customer as string, ctx.account);
    } else {
      const raw: FormObject = {};
      if (email) raw.email = email;
      if (details.name) raw.name = details.name;
      if (session.locale && session.locale !== 'auto') raw.preferred_locales = [session.locale];
      if (details.testClock) raw.test_clock = details.testClock;
      customer = this.createCustomer(ctx, new Params(raw));
    }
    const pm = this.attachPaymentMethod(ctx, test.token, customer.id);
    const items: FormObject[] = [];
    const addItems: FormObject[] = [];
    state.prices.forEach((price, i) => {
      const q = String(state.quantities[i]);
      if (price.recurring) items.push({ price: price.id, quantity: q });
      else addItems.push({ price: price.id, quantity: q });
    });
    // Inline (price_data) prices are inactive; let the subscription reuse them as Checkout does.
    const inactive = state.prices.filter((pr) => !pr.active);
    for (const pr of inactive) pr.active = true;
    const subParams: FormObject = {
      customer: customer.id,
      items,
      add_invoice_items: addItems,
      default_payment_method: pm.id,
      metadata: state.subscriptionMetadata,
      payment_behavior: 'allow_incomplete',
    };
    if (state.subscriptionDescription) subParams.description = state.subscriptionDescription;
    if (state.trialPeriodDays) subParams.trial_period_days = String(state.trialPeriodDays);
    let sub: Subscription;
    try {
      sub = this.createSubscription(ctx, new Params(subParams), id);
    } finally {
      for (const pr of inactive) pr.active = false;
    }
    const invoice = this.store.entry(sub.latest_invoice as string)?.obj as Invoice;
    session.status = 'complete';
    session.customer = customer.id;
    session.subscription = sub.id;
    session.invoice = invoice.id;
    session.url = null;
    session.payment_status = invoice.status === 'paid' ? (invoice.amount_paid === 0 ? 'no_payment_required' : 'paid') : 'unpaid';
    session.customer_details = {
      address: { city: null, country: 'US', line1: null, line2: null, postal_code: null, state: null },
      business_name: null,
      email: customer.email,
      individual_name: null,
      name: customer.name ?? null,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    };
    this.cancelTasks(`expire:${id}`);
    this.emit(ctx, 'checkout.session.completed', session);
    return session;
  }

  /** The portal's "update payment method": the new method becomes the default for invoices and subscriptions. */
  updateDefaultPaymentMethod(ctx: Ctx, customerId: string, token: string): PaymentMethod {
    const customer = this.store.get<Customer>('customer', customerId, ctx.account);
    const pm = this.attachPaymentMethod(ctx, token, customer.id);
    const prev = this.track(customer);
    customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: pm.id };
    this.emit(ctx, 'customer.updated', customer, prev());
    for (const sub of this.store.all<Subscription>('subscription', ctx.account, (s) => s.customer === customer.id && !['canceled', 'incomplete_expired'].includes(s.status))) {
      if (!sub.default_payment_method) continue;
      const before = this.track(sub);
      sub.default_payment_method = pm.id;
      this.emit(ctx, 'customer.subscription.updated', sub, before());
    }
    return pm;
  }

  /** The hosted invoice page's Pay button. */
  payInvoiceWith(ctx: Ctx, invoiceId: string, token: string): Invoice {
    const invoice = this.store.get<Invoice>('invoice', invoiceId, ctx.account);
    const pm = this.attachPaymentMethod(ctx, token, this.customerOf(invoice).id);
    return this.payInvoice(ctx, invoiceId, new Params({ payment_method: pm.id }));
  }

  createPortalSession(ctx: Ctx, p: Params): PortalSession {
    const customer = this.store.get<Customer>('customer', p.reqStr('customer'), ctx.account, 'customer');
    const id = newId('bps');
    const session: PortalSession = {
      id,
      object: 'billing_portal.session',
      configuration: 'bpc_sandboxdefaultconfiguration',
      created: realNow(),
      customer: customer.id,
      customer_account: null,
      flow: null,
      livemode: false,
      locale: (p.str('locale') ?? null) as PortalSession['locale'],
      on_behalf_of: null,
      return_url: p.str('return_url') ?? null,
      url: `${this.baseUrl()}/p/session/${id}`,
    };
    this.store.insert(session, ctx.account, null);
    return session;
  }

  // =============================================================================================
  // Webhook endpoints
  // =============================================================================================

  /** `secret` lets the in-process API register an endpoint with a known signing secret. */
  createWebhookEndpoint(ctx: Ctx, p: Params, secret = `whsec_${randomToken(32)}`): WebhookEndpoint {
    const url = p.reqStr('url');
    if (!/^https?:\/\//.test(url)) throw invalidParam('url', 'Invalid URL: must be a valid http or https URL.', 'url_invalid');
    const events = p.strArr('enabled_events');
    if (!events || events.length === 0) throw invalidParam('enabled_events', 'Missing required param: enabled_events.', 'parameter_missing');
    const we: WebhookEndpoint = {
      id: newId('we'),
      object: 'webhook_endpoint',
      api_version: p.str('api_version') ?? null,
      application: null,
      created: realNow(),
      description: p.str('description') ?? null,
      enabled_events: events,
      livemode: false,
      metadata: p.metadata(),
      status: 'enabled',
      url,
    };
    this.store.insert(we, ctx.account, null);
    this.endpointSecrets.set(we.id, secret);
    if (p.bool('connect')) this.connectEndpoints.add(we.id);
    return { ...clone(we), secret };
  }

  updateWebhookEndpoint(ctx: Ctx, id: string, p: Params): WebhookEndpoint {
    const we = this.store.get<WebhookEndpoint>('webhook_endpoint', id, ctx.account);
    if (p.has('url')) we.url = p.reqStr('url');
    if (p.has('enabled_events')) we.enabled_events = p.strArr('enabled_events') ?? we.enabled_events;
    if (p.has('description')) we.description = p.str('description') || null;
    if (p.has('disabled')) we.status = p.bool('disabled') ? 'disabled' : 'enabled';
    we.metadata = p.metadata(we.metadata);
    return we;
  }

  deleteWebhookEndpoint(ctx: Ctx, id: string): { id: string; object: 'webhook_endpoint'; deleted: true } {
    this.store.get<WebhookEndpoint>('webhook_endpoint', id, ctx.account);
    this.store.remove(id);
    this.endpointSecrets.delete(id);
    this.connectEndpoints.delete(id);
    return { id, object: 'webhook_endpoint', deleted: true };
  }

  /** For the control API: lines of a session for the hosted page. */
  checkoutView(id: string): { session: CheckoutSession; items: CheckoutLineItem[] } | undefined {
    const session = this.store.entry(id)?.obj as CheckoutSession | undefined;
    const state = this.checkouts.get(id);
    if (!session || !state) return undefined;
    return { session, items: state.items };
  }

  invoiceSubscription(invoiceId: string): string | undefined {
    return this.invoiceSub.get(invoiceId);
  }

  /** Processes real-time (clock-less) scheduled work that has come due. */
  tick(): void {
    this.runDue(null, realNow());
  }
}

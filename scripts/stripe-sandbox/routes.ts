// The REST surface: Stripe's paths mapped onto the engine, with list filters and includables.
import { Ctx } from './core';
import { Engine } from './engine';
import { Includable } from './expand';
import { Params } from './params';
import { paginate, StripeObject } from './store';
import type {
  BalanceTransaction,
  Charge,
  CheckoutSession,
  Customer,
  Dispute,
  Invoice,
  InvoicePayment,
  PaymentIntent,
  PaymentMethod,
  Payout,
  Price,
  Product,
  StripeEvent,
  Subscription,
  SubscriptionItem,
} from './types';

export interface ApiRequest {
  ctx: Ctx;
  params: Params;
  /** Path parameters in order, e.g. the id in /v1/customers/:id. */
  args: string[];
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  handler: (req: ApiRequest) => unknown;
  /** The stripe package's request type ('File#Interface') whose fields are the accepted params. */
  params: string | undefined;
}

const ID = '([^/]+)';

function route(method: Route['method'], path: string, handler: Route['handler'], params?: string): Route {
  return { method, pattern: new RegExp(`^${path.replace(/:id/g, ID)}$`), handler, params };
}

function matchesCreated(p: Params): (o: { created?: number }) => boolean {
  const created = p.range('created');
  return (o) => !created || created(o.created ?? 0);
}

function idOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { id?: string }).id : value;
}

/** Filters by the given params when present: `field=value` equality on the (possibly expanded) field. */
function eq<T>(p: Params, fields: string[]): (o: T) => boolean {
  const wanted = fields.map((f) => [f, p.str(f)] as const).filter(([, v]) => v !== undefined);
  return (o) => wanted.every(([f, v]) => idOf((o as Record<string, unknown>)[f]) === v);
}

export function buildRoutes(engine: Engine): Route[] {
  const store = engine.store;
  const list = <T extends StripeObject>(type: string, url: string, extra: (o: T) => boolean = () => true) => (req: ApiRequest) => {
    const created = matchesCreated(req.params);
    return paginate(store.all<T>(type, req.ctx.account, (o) => created(o) && extra(o)), req.params, url);
  };
  const get = (type: string) => (req: ApiRequest) => store.get(type, req.args[0] as string, req.ctx.account);

  return [
    // Products and prices
    route('POST', '/v1/products', (r) => engine.createProduct(r.ctx, r.params), 'Products#ProductCreateParams'),
    route('GET', '/v1/products', (r) => list<Product>('product', '/v1/products', (o) => r.params.bool('active') === undefined || o.active === r.params.bool('active'))(r), 'Products#ProductListParams'),
    route('GET', '/v1/products/:id', get('product')),
    route('POST', '/v1/products/:id', (r) => engine.updateProduct(r.ctx, r.args[0] as string, r.params), 'Products#ProductUpdateParams'),
    route('POST', '/v1/prices', (r) => engine.createPrice(r.ctx, r.params), 'Prices#PriceCreateParams'),
    route('GET', '/v1/prices', (r) => {
      const active = r.params.bool('active');
      const type = r.params.str('type');
      const keys = r.params.strArr('lookup_keys');
      const matches = eq<Price>(r.params, ['product', 'currency']);
      return list<Price>('price', '/v1/prices', (o) =>
        matches(o) &&
        (active === undefined || o.active === active) &&
        (!type || o.type === type) &&
        (!keys || (o.lookup_key !== null && keys.includes(o.lookup_key))),
      )(r);
    }, 'Prices#PriceListParams'),
    route('GET', '/v1/prices/:id', get('price')),
    route('POST', '/v1/prices/:id', (r) => engine.updatePrice(r.ctx, r.args[0] as string, r.params), 'Prices#PriceUpdateParams'),

    // Customers and payment methods
    route('POST', '/v1/customers', (r) => engine.createCustomer(r.ctx, r.params), 'Customers#CustomerCreateParams'),
    route('GET', '/v1/customers', (r) => list<Customer>('customer', '/v1/customers', eq(r.params, ['email', 'test_clock']))(r), 'Customers#CustomerListParams'),
    route('GET', '/v1/customers/:id', (r) => engine.retrieveCustomer(r.ctx, r.args[0] as string)),
    route('POST', '/v1/customers/:id', (r) => engine.updateCustomer(r.ctx, r.args[0] as string, r.params), 'Customers#CustomerUpdateParams'),
    route('DELETE', '/v1/customers/:id', (r) => engine.deleteCustomer(r.ctx, r.args[0] as string)),
    route('GET', '/v1/customers/:id/payment_methods', (r) => {
      const customer = store.get<Customer>('customer', r.args[0] as string, r.ctx.account).id;
      const type = r.params.str('type');
      return list<PaymentMethod>('payment_method', `/v1/customers/${customer}/payment_methods`, (o) => o.customer === customer && (!type || o.type === type))(r);
    }, 'Customers#CustomerListPaymentMethodsParams'),
    route('GET', '/v1/payment_methods', (r) => {
      const customer = r.params.str('customer');
      if (customer) store.get('customer', customer, r.ctx.account, 'customer');
      const type = r.params.str('type');
      return list<PaymentMethod>('payment_method', '/v1/payment_methods', (o) => (!customer || o.customer === customer) && (!type || o.type === type))(r);
    }, 'PaymentMethods#PaymentMethodListParams'),
    route('GET', '/v1/payment_methods/:id', (r) => engine.retrievePaymentMethod(r.ctx, r.args[0] as string)),
    route('POST', '/v1/payment_methods/:id/attach', (r) => engine.attachPaymentMethod(r.ctx, r.args[0] as string, r.params.reqStr('customer'), 'id'), 'PaymentMethods#PaymentMethodAttachParams'),
    route('POST', '/v1/payment_methods/:id/detach', (r) => engine.detachPaymentMethod(r.ctx, r.args[0] as string), 'PaymentMethods#PaymentMethodDetachParams'),

    // Subscriptions
    route('POST', '/v1/subscriptions', (r) => engine.createSubscription(r.ctx, r.params), 'Subscriptions#SubscriptionCreateParams'),
    route('GET', '/v1/subscriptions', (r) => {
      const status = r.params.str('status');
      const price = r.params.str('price');
      const matches = eq<Subscription>(r.params, ['customer', 'test_clock']);
      return list<Subscription>('subscription', '/v1/subscriptions', (o) =>
        matches(o) &&
        (status === 'all' || (status ? o.status === status : o.status !== 'canceled' && o.status !== 'incomplete_expired')) &&
        (!price || o.items.data.some((i) => i.price.id === price)),
      )(r);
    }, 'Subscriptions#SubscriptionListParams'),
    route('GET', '/v1/subscriptions/:id', get('subscription')),
    route('POST', '/v1/subscriptions/:id', (r) => engine.updateSubscription(r.ctx, r.args[0] as string, r.params), 'Subscriptions#SubscriptionUpdateParams'),
    route('DELETE', '/v1/subscriptions/:id', (r) => engine.cancelSubscription(r.ctx, r.args[0] as string, r.params), 'Subscriptions#SubscriptionCancelParams'),
    route('POST', '/v1/subscriptions/:id/resume', (r) => engine.resumeSubscription(r.ctx, r.args[0] as string, r.params), 'Subscriptions#SubscriptionResumeParams'),
    route('GET', '/v1/subscription_items', (r) => {
      const sub = store.get<Subscription>('subscription', r.params.reqStr('subscription'), r.ctx.account, 'subscription');
      return paginate(sub.items.data, r.params, `/v1/subscription_items?subscription=${sub.id}`);
    }, 'SubscriptionItems#SubscriptionItemListParams'),
    route('GET', '/v1/subscription_items/:id', (r) => {
      for (const sub of store.all<Subscription>('subscription', r.ctx.account)) {
        const item = sub.items.data.find((i: SubscriptionItem) => i.id === r.args[0]);
        if (item) return item;
      }
      return store.get('subscription_item', r.args[0] as string, r.ctx.account);
    }),

    // Invoices and invoice payments
    route('GET', '/v1/invoices', (r) => {
      const sub = r.params.str('subscription');
      const matches = eq<Invoice>(r.params, ['customer', 'status', 'collection_method']);
      return list<Invoice>('invoice', '/v1/invoices', (o) =>
        matches(o) && (!sub || engine.invoiceSubscription(o.id) === sub),
      )(r);
    }, 'Invoices#InvoiceListParams'),
    route('GET', '/v1/invoices/:id', get('invoice')),
    route('GET', '/v1/invoices/:id/lines', (r) => {
      const invoice = store.get<Invoice>('invoice', r.args[0] as string, r.ctx.account);
      return paginate(invoice.lines.data, r.params, `/v1/invoices/${invoice.id}/lines`);
    }, 'Invoices#InvoiceListLineItemsParams'),
    route('POST', '/v1/invoices/:id/pay', (r) => engine.payInvoice(r.ctx, r.args[0] as string, r.params), 'Invoices#InvoicePayParams'),
    route('POST', '/v1/invoices/:id/finalize', (r) => engine.finalizeInvoiceApi(r.ctx, r.args[0] as string), 'Invoices#InvoiceFinalizeInvoiceParams'),
    route('POST', '/v1/invoices/:id/void', (r) => engine.voidInvoice(r.ctx, r.args[0] as string), 'Invoices#InvoiceVoidInvoiceParams'),
    route('POST', '/v1/invoices/:id/mark_uncollectible', (r) => engine.markUncollectible(r.ctx, r.args[0] as string), 'Invoices#InvoiceMarkUncollectibleParams'),
    route('GET', '/v1/invoice_payments', (r) => {
      const payment = r.params.obj('payment');
      const piFilter = payment?.str('payment_intent');
      const typeFilter = payment?.str('type');
      const invoiceFilter = r.params.str('invoice');
      const matches = eq<InvoicePayment>(r.params, ['invoice', 'status']);
      const created = matchesCreated(r.params);
      const wanted = (o: InvoicePayment) => created(o) && matches(o) && (!piFilter || o.payment.payment_intent === piFilter) && (!typeFilter || o.payment.type === typeFilter);
      const candidates = piFilter
        ? store.linked<InvoicePayment>('invoice_payment', 'payment_intent', piFilter, r.ctx.account, wanted)
        : invoiceFilter
          ? store.linked<InvoicePayment>('invoice_payment', 'invoice', invoiceFilter, r.ctx.account, wanted)
          : store.all<InvoicePayment>('invoice_payment', r.ctx.account, wanted);
      return paginate(candidates, r.params, '/v1/invoice_payments');
    }, 'InvoicePayments#InvoicePaymentListParams'),
    route('GET', '/v1/invoice_payments/:id', get('invoice_payment')),

    // Payments
    route('GET', '/v1/payment_intents', (r) => list<PaymentIntent>('payment_intent', '/v1/payment_intents', eq(r.params, ['customer']))(r), 'PaymentIntents#PaymentIntentListParams'),
    route('GET', '/v1/payment_intents/:id', get('payment_intent')),
    route('POST', '/v1/payment_intents/:id/confirm', (r) => engine.confirmPaymentIntent(r.ctx, r.args[0] as string, r.params), 'PaymentIntents#PaymentIntentConfirmParams'),
    route('GET', '/v1/charges', (r) => list<Charge>('charge', '/v1/charges', eq(r.params, ['customer', 'payment_intent']))(r), 'Charges#ChargeListParams'),
    route('GET', '/v1/charges/:id', get('charge')),
    route('GET', '/v1/balance', (r) => engine.balance(r.ctx.account)),
    route('GET', '/v1/balance_transactions', (r) => {
      const payout = r.params.str('payout');
      if (payout) store.get<Payout>('payout', payout, r.ctx.account, 'payout');
      const matches = eq<BalanceTransaction>(r.params, ['type', 'source', 'currency']);
      return list<BalanceTransaction>('balance_transaction', '/v1/balance_transactions', (o) =>
        matches(o) && (!payout || engine.txnPayout.get(o.id) === payout),
      )(r);
    }, 'BalanceTransactions#BalanceTransactionListParams'),
    route('GET', '/v1/balance_transactions/:id', get('balance_transaction')),
    route('POST', '/v1/refunds', (r) => engine.createRefund(r.ctx, r.params), 'Refunds#RefundCreateParams'),
    route('GET', '/v1/refunds', (r) => list<{ id: string; object: string; charge: string | null; payment_intent: string | null }>('refund', '/v1/refunds', eq(r.params, ['charge', 'payment_intent']))(r), 'Refunds#RefundListParams'),
    route('GET', '/v1/refunds/:id', get('refund')),
    route('GET', '/v1/disputes', (r) => list<Dispute>('dispute', '/v1/disputes', eq(r.params, ['charge', 'payment_intent']))(r), 'Disputes#DisputeListParams'),
    route('GET', '/v1/disputes/:id', get('dispute')),
    route('POST', '/v1/disputes/:id', (r) => engine.updateDispute(r.ctx, r.args[0] as string, r.params), 'Disputes#DisputeUpdateParams'),
    route('POST', '/v1/disputes/:id/close', (r) => engine.closeDisputeApi(r.ctx, r.args[0] as string), 'Disputes#DisputeCloseParams'),
    route('POST', '/v1/payouts', (r) => engine.createPayout(r.ctx, r.params), 'Payouts#PayoutCreateParams'),
    route('GET', '/v1/payouts', (r) => {
      const arrival = r.params.range('arrival_date');
      const matches = eq<Payout>(r.params, ['status', 'destination']);
      return list<Payout>('payout', '/v1/payouts', (o) => matches(o) && (!arrival || arrival(o.arrival_date)))(r);
    }, 'Payouts#PayoutListParams'),
    route('GET', '/v1/payouts/:id', get('payout')),

    // Checkout and the billing portal
    route('POST', '/v1/checkout/sessions', (r) => engine.createCheckoutSession(r.ctx, r.params), 'Checkout/Sessions#SessionCreateParams'),
    route('GET', '/v1/checkout/sessions', (r) => list<CheckoutSession>('checkout.session', '/v1/checkout/sessions', eq(r.params, ['customer', 'subscription', 'status', 'payment_intent']))(r), 'Checkout/Sessions#SessionListParams'),
    route('GET', '/v1/checkout/sessions/:id', get('checkout.session')),
    route('GET', '/v1/checkout/sessions/:id/line_items', (r) =>
      paginate(engine.checkoutLineItems(r.ctx, r.args[0] as string), r.params, `/v1/checkout/sessions/${r.args[0] as string}/line_items`),
    ),
    route('POST', '/v1/checkout/sessions/:id/expire', (r) => engine.expireSession(r.ctx, r.args[0] as string), 'Checkout/Sessions#SessionExpireParams'),
    route('POST', '/v1/billing_portal/sessions', (r) => engine.createPortalSession(r.ctx, r.params), 'BillingPortal/Sessions#SessionCreateParams'),

    // Webhook endpoints and events
    route('POST', '/v1/webhook_endpoints', (r) => engine.createWebhookEndpoint(r.ctx, r.params), 'WebhookEndpoints#WebhookEndpointCreateParams'),
    route('GET', '/v1/webhook_endpoints', (r) => list('webhook_endpoint', '/v1/webhook_endpoints')(r), 'WebhookEndpoints#WebhookEndpointListParams'),
    route('GET', '/v1/webhook_endpoints/:id', get('webhook_endpoint')),
    route('POST', '/v1/webhook_endpoints/:id', (r) => engine.updateWebhookEndpoint(r.ctx, r.args[0] as string, r.params), 'WebhookEndpoints#WebhookEndpointUpdateParams'),
    route('DELETE', '/v1/webhook_endpoints/:id', (r) => engine.deleteWebhookEndpoint(r.ctx, r.args[0] as string)),
    route('GET', '/v1/events', (r) => {
      const type = r.params.str('type');
      const types = r.params.strArr('types');
      const matches = (t: string, pattern: string) => (pattern.endsWith('.*') ? t.startsWith(pattern.slice(0, -1)) : t === pattern);
      return list<StripeEvent>('event', '/v1/events', (o) => (!type || matches(o.type, type)) && (!types || types.some((t) => matches(o.type, t))))(r);
    }, 'Events#EventListParams'),
    route('GET', '/v1/events/:id', get('event')),

    // Test clocks
    route('POST', '/v1/test_helpers/test_clocks', (r) => engine.createClock(r.ctx, r.params), 'TestHelpers/TestClocks#TestClockCreateParams'),
    route('GET', '/v1/test_helpers/test_clocks', (r) => list('test_helpers.test_clock', '/v1/test_helpers/test_clocks')(r), 'TestHelpers/TestClocks#TestClockListParams'),
    route('GET', '/v1/test_helpers/test_clocks/:id', get('test_helpers.test_clock')),
    route('POST', '/v1/test_helpers/test_clocks/:id/advance', (r) => engine.advanceClock(r.ctx, r.args[0] as string, r.params), 'TestHelpers/TestClocks#TestClockAdvanceParams'),
    route('DELETE', '/v1/test_helpers/test_clocks/:id', (r) => engine.deleteClock(r.ctx, r.args[0] as string)),
  ];
}

/** Fields Stripe returns only when expanded. */
export function buildIncludables(engine: Engine, account: Ctx['account']): Record<string, Record<string, Includable>> {
  const store = engine.store;
  const listOf = <T>(data: T[], url: string) => ({ object: 'list', data, has_more: false, url });
  return {
    'checkout.session': {
      line_items: (s) => listOf(engine.checkoutLineItems({ account, requestId: null, idempotencyKey: null }, s.id as string), `/v1/checkout/sessions/${s.id as string}/line_items`),
    },
    invoice: {
      payments: (i) => listOf(store.linked<InvoicePayment>('invoice_payment', 'invoice', i.id as string, account), `/v1/invoices/${i.id as string}/payments`),
      confirmation_secret: (i) => {
        const ip = store.linked<InvoicePayment>('invoice_payment', 'invoice', i.id as string, account)[0];
        const pi = ip ? store.find<PaymentIntent>('payment_intent', ip.payment.payment_intent as string, account) : undefined;
        return pi ? { client_secret: pi.client_secret, type: 'payment_intent' } : null;
      },
    },
    customer: {
      subscriptions: (c) => listOf(store.all<Subscription>('subscription', account, (s) => s.customer === c.id && s.status !== 'canceled'), `/v1/customers/${c.id as string}/subscriptions`),
    },
  };
}

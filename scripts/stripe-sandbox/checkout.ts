// The sandbox engine: Checkout sessions and the billing portal.
import { Ctx, clone, systemCtx } from './core';
import { cardError, invalidParam, invalidRequest } from './errors';
import { FormObject } from './form';
import { Params } from './params';
import { testPaymentMethod } from './payment-methods';
import { newId } from './store';
import { DAY, realNow } from './time';
import type { CheckoutLineItem, CheckoutSession, Customer, Invoice, PaymentMethod, PortalSession, Price, Subscription } from './types';
import type { CheckoutState } from './state';
import { Subscriptions } from './subscriptions';

export abstract class Checkout extends Subscriptions {

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
    // A session for a customer on a test clock lives on that clock, as the customer's other objects do.
    const clock = customer ? this.clockOf(customer.id) : null;
    const now = this.now(clock);
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
    this.store.insert(session, ctx.account, clock);
    this.checkouts.set(id, {
      items,
      prices,
      quantities,
      subscriptionMetadata: subData ? subData.metadata() : {},
      subscriptionDescription: subData?.str('description') ?? null,
      trialPeriodDays: subData?.int('trial_period_days', { min: 1 }),
    });
    this.schedule(clock, session.expires_at, () => this.expireSessionInternal(id), { key: `expire:${id}` });
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

  protected expireSessionInternal(id: string): void {
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
}

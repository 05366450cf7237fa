// The sandbox engine: Customers and their payment methods.
import { Ctx } from './core';
import { cardError, invalidParam, invalidRequest, resourceMissing } from './errors';
import { Params } from './params';
import { TestPaymentMethod, testPaymentMethod } from './payment-methods';
import { newId, randomToken } from './store';
import { realNow } from './time';
import type { Customer, PaymentMethod, Subscription, TestClock } from './types';
import { CARD_EXP_YEAR } from './state';
import { Catalog } from './catalog';

export abstract class Customers extends Catalog {

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

  protected pmObject(test: TestPaymentMethod, customer: string | null, created: number): PaymentMethod {
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
  protected attachedPm(ctx: Ctx, id: string, customerId: string, param: string): PaymentMethod {
    const pm = this.store.find<PaymentMethod>('payment_method', id, ctx.account);
    if (!pm || pm.customer !== customerId) {
      throw invalidParam(param, `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`, 'resource_missing');
    }
    return pm;
  }
}

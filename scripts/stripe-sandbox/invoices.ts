// The sandbox engine: Invoices: building, finalizing, attempts, retries, payment, void and uncollectible.
import { Ctx, clone, systemCtx } from './core';
import { StripeApiError, invalidRequest } from './errors';
import { Params } from './params';
import { newId, randomToken } from './store';
import { DAY } from './time';
import type { Invoice, InvoiceLineItem, InvoicePayment, PaymentIntent, Subscription } from './types';
import { sumAmounts, type LineSpec } from './state';
import { Payouts } from './payouts';

export abstract class Invoices extends Payouts {

  protected buildInvoice(sub: Subscription, specs: LineSpec[], reason: Invoice['billing_reason'] | 'upcoming', periodStart: number, periodEnd: number, id: string): Invoice {
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

  protected createInvoice(ctx: Ctx, sub: Subscription, specs: LineSpec[], reason: Invoice['billing_reason'], periodStart: number, periodEnd: number): Invoice {
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

  protected invoicePaymentIntent(ctx: Ctx, invoice: Invoice): PaymentIntent {
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

  protected buildPaymentIntent(amount: number, currency: string, customer: string | null, created: number, description: string | null): PaymentIntent {
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
  protected invoiceFailed(ctx: Ctx, invoice: Invoice, sub: Subscription | undefined, counted = false, actionRequired = false): void {
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

  protected retryInvoice(id: string): void {
    const invoice = this.store.entry(id)?.obj as Invoice | undefined;
    if (!invoice || invoice.status !== 'open') return;
    this.attemptInvoice(systemCtx(this.accountOf(id)), invoice, null);
  }

  protected markInvoicePaid(ctx: Ctx, invoice: Invoice, pi: PaymentIntent | null, outOfBand = false): void {
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

  protected voidInvoiceInternal(ctx: Ctx, invoice: Invoice): void {
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

  protected markUncollectibleInternal(ctx: Ctx, invoice: Invoice): void {
    const prev = this.track(invoice);
    invoice.status = 'uncollectible';
    invoice.next_payment_attempt = null;
    invoice.status_transitions = { ...invoice.status_transitions, marked_uncollectible_at: this.now(this.clockOf(invoice.id)) };
    this.cancelTasks(`retry:${invoice.id}`);
    this.emit(ctx, 'invoice.marked_uncollectible', invoice);
    this.emit(ctx, 'invoice.updated', invoice, prev());
  }

  protected cancelOpenPayment(ctx: Ctx, invoice: Invoice): void {
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
}

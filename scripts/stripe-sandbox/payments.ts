// The sandbox engine: Payment intents and charges (card and ACH), balance transactions and the running balance.
import { Ctx, PRIORITY, clone, systemCtx } from './core';
import { StripeApiError, cardError, invalidRequest } from './errors';
import { ACH_PROCESSING_DAYS, AVAILABILITY_DAYS, achFee, cardFee } from './fees';
import { Params } from './params';
import { Account, newId, randomToken } from './store';
import { DAY, startOfUtcDay } from './time';
import type { BalanceTransaction, Charge, CheckoutSession, Invoice, PaymentIntent, PaymentMethod, Subscription } from './types';
import { Customers } from './customers';

export abstract class Payments extends Customers {

  /**
   * Confirms a PaymentIntent with a payment method. `onSession` is true when the customer is
   * present (Checkout, an API confirm), so 3D Secure is taken as passed.
   */
  protected confirmPayment(
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

  protected succeedCharge(ctx: Ctx, pi: PaymentIntent, charge: Charge, kind: 'card' | 'us_bank_account'): void {
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

  protected settleAch(piId: string): void {
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

  protected buildCharge(pi: PaymentIntent, pm: PaymentMethod, created: number): Charge {
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

  protected createTxn(
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

  protected addToBalance(account: Account, txn: BalanceTransaction, sign: 1 | -1): void {
    let sums = this.balanceSums.get(account);
    if (!sums) this.balanceSums.set(account, (sums = new Map()));
    const sum = sums.get(txn.currency) ?? { available: 0, pending: 0 };
    sum[txn.status === 'available' ? 'available' : 'pending'] += sign * txn.net;
    sums.set(txn.currency, sum);
  }

  protected makeAvailable(txnId: string): void {
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
}

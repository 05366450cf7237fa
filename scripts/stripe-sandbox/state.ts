// The sandbox engine's shared state and options. Each Stripe resource family is one class in a
// chain (catalog → customers → payments → refunds and disputes → payouts → invoices →
// subscriptions → checkout → test clocks → engine), so that each file can be read alone; the few
// calls that go up the chain are declared abstract here.
import { Core, Ctx } from './core';
import { StripeApiError } from './errors';
import { TestPaymentMethod } from './payment-methods';
import { Account } from './store';
import type { Charge, CheckoutLineItem, Customer, Invoice, PaymentIntent, Price, Subscription } from './types';

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
export interface LineSpec {
  price: Price;
  quantity: number;
  amount: number;
  description: string;
  period: { start: number; end: number };
  subscriptionItem: string | null;
  invoiceItem: string | null;
  proration: boolean;
}

export interface SubState {
  anchor: number;
  cycle: number;
  pendingLines: LineSpec[];
  /** Checkout session that created it, for async_payment_* events. */
  checkoutSession: string | null;
}

export interface CheckoutState {
  items: CheckoutLineItem[];
  prices: Price[];
  quantities: number[];
  subscriptionMetadata: Record<string, string>;
  subscriptionDescription: string | null;
  trialPeriodDays: number | undefined;
}

export const CARD_EXP_YEAR = new Date().getUTCFullYear() + 3;

export function sumAmounts(lines: { amount: number }[]): number {
  return lines.reduce((s, l) => s + l.amount, 0);
}

export abstract class EngineState extends Core {
  protected readonly pmBehaviour = new Map<string, TestPaymentMethod>();
  protected readonly deletedCustomers = new Map<string, Account>();
  protected readonly subs = new Map<string, SubState>();
  protected readonly checkouts = new Map<string, CheckoutState>();
  /** Which payout swept a balance transaction (automatic payouts only, as in Stripe). */
  readonly txnPayout = new Map<string, string>();
  /** Running balance sums by account and currency, kept as balance transactions come, mature and go: every maturing transaction reports the balance. */
  protected readonly balanceSums = new Map<Account, Map<string, { available: number; pending: number }>>();
  protected readonly invoiceSub = new Map<string, string>();
  protected readonly piInvoice = new Map<string, string>();
  protected invoiceSeq = new Map<string, number>();

  constructor(
    readonly options: EngineOptions,
    readonly baseUrl: () => string,
  ) {
    super(options.webhookRetryDelaysMs, options.webhookTimeoutMs);
  }

  // Defined by the families further down the chain that own them.
  protected abstract attemptInvoice(ctx: Ctx, invoice: Invoice, pmOverride: string | null, onSessionOverride?: boolean): StripeApiError | null;
  protected abstract cancelSubscriptionNow(ctx: Ctx, sub: Subscription, reason: 'cancellation_requested' | 'payment_failed'): void;
  protected abstract customerOf(obj: { customer: string | { id: string } | null }): Customer;
  protected abstract invoiceFailed(ctx: Ctx, invoice: Invoice, sub: Subscription | undefined, counted?: boolean, actionRequired?: boolean): void;
  protected abstract markInvoicePaid(ctx: Ctx, invoice: Invoice, pi: PaymentIntent | null, outOfBand?: boolean): void;
  protected abstract openDispute(ctx: Ctx, charge: Charge): void;
  protected abstract setSubStatus(ctx: Ctx, sub: Subscription, status: Subscription['status'], extra?: Partial<Subscription>): void;
}

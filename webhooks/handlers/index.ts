import type { EventHandler } from '../handler';
import { handleChargeDispute } from './charge-dispute';
import { handleChargeRefunded } from './charge-refunded';
import { handleCheckoutSession } from './checkout-session';
import { handleCustomerSubscription } from './customer-subscription';
import { handleCustomerUpdated } from './customer-updated';
import { handleInvoicePaid, handleInvoicePaymentFailed, handleInvoiceStatus } from './invoice';
import { handlePaymentIntent } from './payment-intent';
import { handlePayout } from './payout';

/** Which handler processes which Stripe event type. Types not listed are stored and marked ignored. */
export const HANDLERS: Readonly<Record<string, EventHandler>> = {
  'checkout.session.completed': handleCheckoutSession,
  'checkout.session.async_payment_succeeded': handleCheckoutSession,
  'checkout.session.async_payment_failed': handleCheckoutSession,
  'customer.subscription.created': handleCustomerSubscription,
  'customer.subscription.updated': handleCustomerSubscription,
  'customer.subscription.deleted': handleCustomerSubscription,
  'customer.subscription.paused': handleCustomerSubscription,
  'customer.subscription.resumed': handleCustomerSubscription,
  'invoice.paid': handleInvoicePaid,
  'invoice.payment_failed': handleInvoicePaymentFailed,
  'invoice.payment_action_required': handleInvoiceStatus,
  'invoice.voided': handleInvoiceStatus,
  'invoice.marked_uncollectible': handleInvoiceStatus,
  'payment_intent.processing': handlePaymentIntent,
  'payment_intent.payment_failed': handlePaymentIntent,
  'charge.refunded': handleChargeRefunded,
  'charge.dispute.created': handleChargeDispute,
  'charge.dispute.funds_withdrawn': handleChargeDispute,
  'charge.dispute.funds_reinstated': handleChargeDispute,
  'charge.dispute.closed': handleChargeDispute,
  'payout.paid': handlePayout,
  'payout.failed': handlePayout,
  'customer.updated': handleCustomerUpdated,
};

export const handlerFor = (type: string): EventHandler | undefined => HANDLERS[type];

/** The event types the webhook endpoint subscribes to. */
export const HANDLED_EVENT_TYPES = Object.keys(HANDLERS);

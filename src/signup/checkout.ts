import type Stripe from 'stripe';
import type { Language, SignupPaymentMethod } from '../../db/database';
import { memberMetadata } from '../stripe/metadata';
import type { SignupPlan } from './signup';

export interface CheckoutRequest {
  organizationId: string;
  memberId: string;
  customerId: string;
  plan: SignupPlan & { stripeProductId: string };
  duesCents: number;
  paymentMethod: SignupPaymentMethod;
  language: Language;
  /** The fee line's name on Checkout and the receipt, in the member's language: not the dues line's name again. */
  initiationFeeName: string;
  successUrl: string;
  cancelUrl: string;
}

/**
 * The Checkout Session for one signup: the member's dues as the subscription's price
 * (the plan's own Price when the rate is flat, else an inline price on the plan's
 * product), the initiation fee as a one-time line of its own name, and our ids on the session and the
 * subscription so the webhook processor can link whatever arrives first.
 */
export function checkoutSessionParams(request: CheckoutRequest): Stripe.Checkout.SessionCreateParams {
  const { plan } = request;
  const metadata = memberMetadata({ organizationId: request.organizationId, memberId: request.memberId, planId: plan.id });
  const usesPlanPrice = plan.rule.kind === 'flat' && plan.stripePriceId !== null && plan.rule.amountCents === request.duesCents;
  const lineItems: Stripe.Checkout.SessionCreateParams.LineItem[] = [
    usesPlanPrice
      ? { price: plan.stripePriceId!, quantity: 1 }
      : {
          price_data: {
            currency: plan.currency,
            product: plan.stripeProductId,
            unit_amount: request.duesCents,
            recurring: { interval: plan.period.interval, interval_count: plan.period.intervalCount },
          },
          quantity: 1,
        },
  ];
  if (plan.initiationFeeCents) {
    lineItems.push({ price_data: { currency: plan.currency, product_data: { name: request.initiationFeeName }, unit_amount: plan.initiationFeeCents }, quantity: 1 });
  }
  return {
    mode: 'subscription',
    customer: request.customerId,
    client_reference_id: request.memberId,
    line_items: lineItems,
    allowed_payment_method_types: [request.paymentMethod],
    locale: request.language,
    metadata,
    subscription_data: { metadata },
    success_url: request.successUrl,
    cancel_url: request.cancelUrl,
  };
}

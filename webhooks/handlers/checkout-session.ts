import type Stripe from 'stripe';
import type { EventHandler } from '../handler';
import { idOf, linkToMember } from '../linking';
import { syncSubscription } from '../reconcile/subscription';

/**
 * checkout.session.completed, .async_payment_succeeded, .async_payment_failed: link the
 * Stripe customer to the member and mirror the subscription the session created (read
 * from Stripe: the session only names it). The session comes from the event: what is
 * used of it (customer, subscription, our metadata) is set when it completes and never
 * changes. Money is posted by the invoice events, when it has actually moved.
 */
export const handleCheckoutSession: EventHandler = async (h) => {
  const session = h.event.data.object as Stripe.Checkout.Session;
  if (session.mode !== 'subscription') return { organizationId: null, outcome: `checkout session ${session.id} is not a subscription signup` };
  const metadata = { ...(session.metadata ?? {}) };
  if (session.client_reference_id && !metadata.gs_member_id && metadata.gs_organization_id) metadata.gs_member_id = session.client_reference_id;
  const { organization, member } = await linkToMember(h.trx, h.stripe, h.event, { metadata, customerId: idOf(session.customer) }, h.now);
  const subscriptionId = idOf(session.subscription);
  const subscription = subscriptionId ? await syncSubscription(h, { id: subscriptionId }) : undefined;
  const payment = h.event.type === 'checkout.session.async_payment_failed' ? 'the bank debit failed' : `payment ${session.payment_status}`;
  return { organizationId: organization.id, outcome: `checkout ${session.id} completed for ${member.name} (${payment})${subscription ? `; ${subscription.outcome}` : ''}` };
};

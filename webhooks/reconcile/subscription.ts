import type Stripe from 'stripe';
import { requestOptions } from '../../src/stripe/client';
import type { HandlerContext, HandlerOutcome } from '../handler';
import { idOf, linkToMember } from '../linking';

/**
 * Mirrors a subscription as Stripe has it now (re-read, so events arriving out of order
 * cannot leave an older state behind): status, the current period from its items, and
 * whether it ends at the period's end or has collection paused.
 */
export async function syncSubscription(h: HandlerContext, subscriptionId: string): Promise<HandlerOutcome> {
  const subscription: Stripe.Subscription = await h.stripe.subscriptions.retrieve(subscriptionId, {}, requestOptions({ stripe_account_id: h.event.account ?? null }));
  const { organization, member, planId } = await linkToMember(h.trx, h.stripe, h.event, { metadata: subscription.metadata, customerId: idOf(subscription.customer) });
  const item = subscription.items.data[0];
  const values = {
    member_id: member.id,
    customer_id: idOf(subscription.customer)!,
    status: subscription.status,
    current_period_start: item ? new Date(item.current_period_start * 1000) : null,
    current_period_end: item ? new Date(item.current_period_end * 1000) : null,
    cancel_at_period_end: subscription.cancel_at_period_end,
    collection_paused: subscription.pause_collection !== null,
    canceled_at: subscription.canceled_at ? new Date(subscription.canceled_at * 1000) : null,
    amount_cents: subscription.items.data.reduce((sum, i) => sum + (i.price.unit_amount ?? 0) * (i.quantity ?? 1), 0),
    updated_at: h.now,
  };
  await h.trx
    .insertInto('stripe_subscriptions')
    .values({ organization_id: organization.id, id: subscription.id, ...values })
    .onConflict((oc) => oc.columns(['organization_id', 'id']).doUpdateSet(values))
    .execute();
  if (planId && member.plan_id === null) {
    await h.trx.updateTable('members').set({ plan_id: planId }).where('organization_id', '=', organization.id).where('id', '=', member.id).execute();
  }
  return { organizationId: organization.id, outcome: `subscription ${subscription.id} is ${subscription.status}${subscription.cancel_at_period_end ? ', ending at period end' : ''}` };
}

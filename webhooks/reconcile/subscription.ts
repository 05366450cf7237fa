import type Stripe from 'stripe';
import { requestOptions } from '../../src/stripe/client';
import type { HandlerContext, HandlerOutcome } from '../handler';
import { idOf, linkToMember, updateLinkedMember } from '../linking';

/** Where the subscription's state comes from: the copy a subscription event carries, or a read from Stripe. */
export type SubscriptionSource = { carried: Stripe.Subscription } | { id: string };

type Mirrored = { kind: 'mirrored'; outcome: HandlerOutcome } | { kind: 'stale'; outcome: HandlerOutcome } | { kind: 'undecided' };

/**
 * Mirrors a subscription: status, the current period from its items, and whether it ends
 * at the period's end or has collection paused. An event's own copy is applied only when
 * the event is newer than the state stored (`state_as_of`, the created time of the event
 * it came from); an older one changes nothing. When the stored state is from the same
 * second (two events in one second, or a row with no version yet), the order cannot be
 * told from timestamps and the subscription is read from Stripe. A state read from Stripe
 * is current, so it is stored whatever the version; the version only moves with
 * subscription events (a checkout session's events may be on another clock: a test
 * clock's time is not the real time). Whichever order events arrive in, the last applied
 * is the newest event's copy or a later read: Stripe's state.
 */
export async function syncSubscription(h: HandlerContext, source: SubscriptionSource): Promise<HandlerOutcome> {
  const asOf = new Date(h.event.created * 1000);
  if ('carried' in source) {
    const result = await mirror(h, source.carried, { carriedAsOf: asOf });
    if (result.kind !== 'undecided') return result.outcome;
  }
  const id = 'carried' in source ? source.carried.id : source.id;
  const current = await h.stripe.subscriptions.retrieve(id, {}, requestOptions({ stripe_account_id: h.event.account ?? null }));
  const result = await mirror(h, current, { readAsOf: 'carried' in source ? asOf : null });
  if (result.kind === 'undecided') throw new Error(`subscription ${id} was not mirrored`);
  return result.outcome;
}

/** A carried copy is applied only over older state; a read is applied always, moving the version to `readAsOf` if that is newer. */
type Applied = { carriedAsOf: Date } | { readAsOf: Date | null };

async function mirror(h: HandlerContext, subscription: Stripe.Subscription, applied: Applied): Promise<Mirrored> {
  const { organization, member, planId } = await linkToMember(h.trx, h.stripe, h.event, { metadata: subscription.metadata, customerId: idOf(subscription.customer) }, h.now);
  const kept = await h.mirror.subscriptionVersion(h.trx, organization.id, subscription.id);
  let stateAsOf: Date | null;
  if ('carriedAsOf' in applied) {
    if (kept && (kept.stateAsOf === null || kept.stateAsOf.getTime() >= applied.carriedAsOf.getTime())) {
      if (kept.stateAsOf === null || kept.stateAsOf.getTime() === applied.carriedAsOf.getTime()) return { kind: 'undecided' };
      return { kind: 'stale', outcome: { organizationId: organization.id, outcome: `subscription ${subscription.id}: this event is older than the state kept (as of ${kept.stateAsOf.toISOString()}); nothing changed` } };
    }
    stateAsOf = applied.carriedAsOf;
  } else {
    const versions = [kept?.stateAsOf, applied.readAsOf].filter((v): v is Date => v instanceof Date);
    stateAsOf = versions.length === 0 ? null : new Date(Math.max(...versions.map((v) => v.getTime())));
  }
  const item = subscription.items.data[0];
  h.mirror.subscription({
    organization_id: organization.id,
    id: subscription.id,
    member_id: member.id,
    customer_id: idOf(subscription.customer)!,
    status: subscription.status,
    current_period_start: item ? new Date(item.current_period_start * 1000) : null,
    current_period_end: item ? new Date(item.current_period_end * 1000) : null,
    cancel_at_period_end: subscription.cancel_at_period_end,
    collection_paused: subscription.pause_collection !== null,
    canceled_at: subscription.canceled_at ? new Date(subscription.canceled_at * 1000) : null,
    amount_cents: subscription.items.data.reduce((sum, i) => sum + (i.price.unit_amount ?? 0) * (i.quantity ?? 1), 0),
    state_as_of: stateAsOf,
    updated_at: h.now,
  });
  if (planId && member.plan_id === null) {
    await updateLinkedMember(h.trx, member, { plan_id: planId });
  }
  return { kind: 'mirrored', outcome: { organizationId: organization.id, outcome: `subscription ${subscription.id} is ${subscription.status}${subscription.cancel_at_period_end ? ', ending at period end' : ''}` } };
}

import { sql } from 'kysely';
import { requeueEvents } from '../processor';
import { DAY, START, startStripeFlow, type StripeFlow } from '../../test/support/stripe-flow';

let flow: StripeFlow;
beforeAll(async () => {
  flow = await startStripeFlow();
});
afterAll(async () => {
  await flow.close();
});

async function mirrorOf(subscriptionId: string) {
  return flow.testDb.db.selectFrom('stripe_subscriptions').selectAll().where('id', '=', subscriptionId).executeTakeFirstOrThrow();
}

describe('customer.subscription events', () => {
  test('created, updated (cancel at period end, collection paused and resumed) and deleted each leave the mirror as Stripe has it', async () => {
    const { customer } = await flow.signUp({ name: 'Hal Subscriber', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    await flow.settle();
    const subscription = (await flow.stripe.subscriptions.list({ customer: customer.id })).data[0]!;
    expect(await mirrorOf(subscription.id)).toMatchObject({ status: 'active', cancel_at_period_end: false });

    await flow.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await flow.settle();
    expect(await mirrorOf(subscription.id)).toMatchObject({ status: 'active', cancel_at_period_end: true });

    await flow.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: false, pause_collection: { behavior: 'void' } });
    await flow.settle();
    expect(await mirrorOf(subscription.id)).toMatchObject({ cancel_at_period_end: false, collection_paused: true });

    await flow.stripe.subscriptions.update(subscription.id, { pause_collection: '' });
    await flow.settle();
    expect(await mirrorOf(subscription.id)).toMatchObject({ collection_paused: false });

    await flow.stripe.subscriptions.cancel(subscription.id);
    await flow.settle();
    expect(await mirrorOf(subscription.id)).toMatchObject({ status: 'canceled', canceled_at: expect.any(Date) });
    const outcomes = await flow.testDb.db.selectFrom('stripe_events').select(['type', 'status']).where('type', 'like', 'customer.subscription.%').execute();
    expect(outcomes.every((o) => o.status === 'processed')).toBe(true);
    expect(new Set(outcomes.map((o) => o.type))).toEqual(new Set(['customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted']));
  });

  test('an older event processed late changes nothing; one from the same second as the kept state is settled by reading Stripe', async () => {
    const { customer, clock } = await flow.signUp({ name: 'Ivy Latecomer', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    await flow.settle();
    const subscription = (await flow.stripe.subscriptions.list({ customer: customer.id })).data[0]!;
    await flow.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await flow.settle();
    await flow.sandbox.advanceClock(clock.id, START + 2 * DAY);
    await flow.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: false });
    await flow.settle();
    expect(await mirrorOf(subscription.id)).toMatchObject({ cancel_at_period_end: false, state_as_of: new Date((START + 2 * DAY) * 1000) });

    const updates = await flow.testDb.db.selectFrom('stripe_events').select(['id', 'stripe_created_at']).where('type', '=', 'customer.subscription.updated').where(sql<boolean>`payload -> 'data' -> 'object' ->> 'id' = ${subscription.id}`).orderBy('stripe_created_at').execute();
    const [older, newest] = [updates[0]!, updates.at(-1)!];
    expect(new Date(older.stripe_created_at).getTime()).toBeLessThan(new Date(newest.stripe_created_at).getTime());
    await requeueEvents(flow.testDb.db, { ids: [older.id, newest.id] }, flow.now());
    await flow.settle();
    const outcomes = await flow.testDb.db.selectFrom('stripe_events').select(['id', 'outcome']).where('id', 'in', [older.id, newest.id]).execute();
    expect(outcomes.find((o) => o.id === older.id)?.outcome).toMatch(/older than the state kept/);
    // The newest event again: same second as the kept state, so Stripe is asked, and agrees.
    expect(outcomes.find((o) => o.id === newest.id)?.outcome).toMatch(/is active$/);
    expect(await mirrorOf(subscription.id)).toMatchObject({ cancel_at_period_end: false, state_as_of: new Date((START + 2 * DAY) * 1000) });
  });
});

import { startStripeFlow, type StripeFlow } from '../../test/support/stripe-flow';

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

});

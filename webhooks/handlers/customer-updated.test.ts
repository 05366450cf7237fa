import { startStripeFlow, type StripeFlow } from '../../test/support/stripe-flow';

let flow: StripeFlow;
beforeAll(async () => {
  flow = await startStripeFlow();
});
afterAll(async () => {
  await flow.close();
});

describe('customer.updated', () => {
  test('an email or phone changed at Stripe (the billing portal) is changed on the member', async () => {
    const { member, customer } = await flow.signUp({ name: 'Quin Mover', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    await flow.settle();
    await flow.stripe.customers.update(customer.id, { email: 'quin.new@example.org', phone: '+1 312 555 0100' });
    await flow.settle();
    expect(await flow.member(member.id)).toMatchObject({ email: 'quin.new@example.org', phone: '+1 312 555 0100' });
  });

  test('an email another member already has is not taken over', async () => {
    const first = await flow.signUp({ name: 'Rae First', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    const second = await flow.signUp({ name: 'Sam Second', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    await flow.settle();
    await flow.stripe.customers.update(second.customer.id, { email: first.member.email });
    await flow.settle();
    expect((await flow.member(second.member.id)).email).toBe(second.member.email);
    const outcome = await flow.testDb.db.selectFrom('stripe_events').select('outcome').where('type', '=', 'customer.updated').orderBy('received_at', 'desc').executeTakeFirstOrThrow();
    expect(outcome.outcome).toContain('kept out: another member has it');
  });
});

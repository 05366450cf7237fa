import { ledgerTable } from '../../src/ledger/queries';
import { DAY, START, expectedLedger, stableIds, startStripeFlow, type StripeFlow } from '../../test/support/stripe-flow';

let flow: StripeFlow;
beforeAll(async () => {
  flow = await startStripeFlow();
});
afterAll(async () => {
  await flow.close();
});

describe('checkout session events', () => {
  test('checkout.session.completed links the Stripe customer to the member and mirrors the new subscription', async () => {
    const { member, customer } = await flow.signUp({ name: 'Eve Checkout', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    await flow.settle();
    expect((await flow.member(member.id)).stripe_customer_id).toBe(customer.id);
    const subscription = await flow.testDb.db.selectFrom('stripe_subscriptions').selectAll().where('member_id', '=', member.id).executeTakeFirstOrThrow();
    expect(subscription).toMatchObject({ customer_id: customer.id, status: 'active', cancel_at_period_end: false, collection_paused: false, amount_cents: 2500 });
    expect(subscription.current_period_end!.getTime() - subscription.current_period_start!.getTime()).toBe(31 * DAY * 1000);
    const event = await flow.testDb.db.selectFrom('stripe_events').selectAll().where('type', '=', 'checkout.session.completed').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ status: 'processed', organization_id: flow.organization.id, outcome: expect.stringContaining('completed for Eve Checkout (payment paid)') });
  });

  test('a bank-account signup waits in pending while the debit processes, then async_payment_succeeded makes it active with the ACH fee', async () => {
    const { member, clock } = await flow.signUp({ name: 'Fay Bank', paymentMethod: 'pm_usBankAccount_success', amountCents: 300 });
    await flow.settle();
    // Organizers can tell a debit in progress from an abandoned signup.
    expect(await flow.member(member.id)).toMatchObject({ standing: 'pending', standing_reason: 'payment_processing', standing_reason_since: '2026-01-05', paid_through: null, stripe_customer_id: expect.stringMatching(/^cus_/) });
    expect(await flow.testDb.db.selectFrom('ledger_transactions').select('id').where('member_id', '=', member.id).execute()).toEqual([]);

    await flow.advanceTo(clock.id, START + 5 * DAY);
    expect(await flow.member(member.id)).toMatchObject({ standing: 'active', paid_through: '2026-02-05' });
    const types = await flow.testDb.db.selectFrom('stripe_events').select('type').where('organization_id', '=', flow.organization.id).where('type', 'like', 'checkout.session.%').execute();
    expect(types.map((t) => t.type)).toContain('checkout.session.async_payment_succeeded');
    // 0.8% of $3.00 is 2.4¢, rounded to 2¢: on $3 dues a card would have cost the union 39¢.
    const mine = stableIds(await ledgerTable(flow.testDb.db, flow.organization.id)).split('\n').slice(-4).join('\n');
    expect(mine).toBe(
      expectedLedger(`
        dues_payment charge:py#1:payment stripe_balance 3.00
        dues_income 3.00
        processing_fee charge:py#1:fee processing_fees 0.02
        stripe_balance 0.02
      `),
    );
  });

  test('a bank debit that fails at signup: async_payment_failed is recorded, nothing is posted, and the member, who never paid, stays pending with the first payment failed', async () => {
    const { member, clock } = await flow.signUp({ name: 'Gus Closed', paymentMethod: 'pm_usBankAccount_accountClosed', amountCents: 2500 });
    await flow.settle();
    await flow.advanceTo(clock.id, START + 5 * DAY);
    expect(await flow.member(member.id)).toMatchObject({ standing: 'pending', standing_reason: 'first_payment_failed', paid_through: null });
    const failed = await flow.testDb.db.selectFrom('stripe_events').select(['status', 'outcome']).where('type', '=', 'checkout.session.async_payment_failed').executeTakeFirstOrThrow();
    expect(failed).toEqual({ status: 'processed', outcome: expect.stringContaining('the bank debit failed') });
    expect(await flow.testDb.db.selectFrom('ledger_transactions').select('id').where('member_id', '=', member.id).execute()).toEqual([]);
  });
});

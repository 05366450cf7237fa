import { ledgerTable } from '../../src/ledger/queries';
import { expectedLedger, stableIds, startStripeFlow, type StripeFlow } from '../../test/support/stripe-flow';

let flow: StripeFlow;
beforeAll(async () => {
  flow = await startStripeFlow();
});
afterAll(async () => {
  await flow.close();
});

describe('charge.refunded', () => {
  test('a partial and then the rest of a refund are each posted once, against the member and the original charge', async () => {
    const { member, customer } = await flow.signUp({ name: 'Jo Refund', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    await flow.settle();
    const charge = (await flow.stripe.charges.list({ customer: customer.id })).data[0]!;
    await flow.stripe.refunds.create({ charge: charge.id, amount: 1000 });
    await flow.settle();
    await flow.stripe.refunds.create({ charge: charge.id });
    await flow.settle();

    expect(stableIds(await ledgerTable(flow.testDb.db, flow.organization.id))).toBe(
      expectedLedger(`
        kind source key account debit credit
        dues_payment charge:ch#1:payment stripe_balance 25.00
        dues_income 25.00
        processing_fee charge:ch#1:fee processing_fees 1.03
        stripe_balance 1.03
        refund refund:re#1 refunds 10.00
        stripe_balance 10.00
        refund refund:re#2 refunds 15.00
        stripe_balance 15.00
      `),
    );
    const refunds = await flow.testDb.db.selectFrom('ledger_transactions').select(['member_id', 'stripe_charge_id', 'stripe_refund_id']).where('kind', '=', 'refund').execute();
    expect(refunds).toEqual([
      { member_id: member.id, stripe_charge_id: charge.id, stripe_refund_id: expect.stringMatching(/^re_/) },
      { member_id: member.id, stripe_charge_id: charge.id, stripe_refund_id: expect.stringMatching(/^re_/) },
    ]);
    // Refunded in full, the month it paid is unpaid again: paid through the day before it began.
    expect(await flow.member(member.id)).toMatchObject({ paid_through: '2026-01-04', standing: 'active', standing_reason: 'renewal_pending' });
  });

  test('refunds listed for a charge that come back for another charge fail the event (retried, visible) and post nothing', async () => {
    const { customer } = await flow.signUp({ name: 'Kit Listed', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    await flow.settle();
    const charge = (await flow.stripe.charges.list({ customer: customer.id })).data[0]!;
    const list = flow.stripe.refunds.list.bind(flow.stripe.refunds);
    // Stripe answering a filtered list with something it was not asked for.
    flow.stripe.refunds.list = (async (...args: Parameters<typeof list>) => {
      const page = await list(...args);
      return { ...page, data: [...page.data, { ...page.data[0]!, id: 're_someoneelse', charge: 'ch_someoneelse' }] };
    }) as unknown as typeof flow.stripe.refunds.list;
    try {
      await flow.stripe.refunds.create({ charge: charge.id, amount: 500 });
      expect(await flow.settle()).toMatchObject({ retried: 1 });
    } finally {
      flow.stripe.refunds.list = list as typeof flow.stripe.refunds.list;
    }
    const event = await flow.testDb.db.selectFrom('stripe_events').select(['status', 'last_error']).where('type', '=', 'charge.refunded').where('status', '=', 'pending').executeTakeFirstOrThrow();
    expect(event.last_error).toBe(`StripeListMismatch: refunds listed for charge ${charge.id} include re_someoneelse of ch_someoneelse`);
    expect(await flow.testDb.db.selectFrom('ledger_transactions').select('id').where('stripe_charge_id', '=', charge.id).where('kind', '=', 'refund').execute()).toEqual([]);
  });
});

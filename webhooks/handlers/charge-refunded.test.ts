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
  });
});

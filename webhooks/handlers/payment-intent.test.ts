import { DAY, START, startStripeFlow, type StripeFlow } from '../../test/support/stripe-flow';

let flow: StripeFlow;
beforeAll(async () => {
  flow = await startStripeFlow();
});
afterAll(async () => {
  await flow.close();
});

const eventsOf = (type: string) => flow.testDb.db.selectFrom('stripe_events').select(['status', 'outcome']).where('type', '=', type).execute();

describe('payment_intent events (bank debits)', () => {
  test('payment_intent.processing posts nothing: the money has not moved yet', async () => {
    const { member } = await flow.signUp({ name: 'Oli Processing', paymentMethod: 'pm_usBankAccount_success', amountCents: 2500 });
    await flow.settle();
    expect(await eventsOf('payment_intent.processing')).toEqual([{ status: 'processed', outcome: expect.stringMatching(/is processing; the member is told it started$/) }]);
    expect(await flow.testDb.db.selectFrom('ledger_transactions').select('id').where('member_id', '=', member.id).execute()).toEqual([]);
    expect((await flow.member(member.id)).standing).toBe('pending');
  });

  test('payment_intent.payment_failed for a debit that never settled posts nothing', async () => {
    const { member, clock } = await flow.signUp({ name: 'Pat Insufficient', paymentMethod: 'pm_usBankAccount_insufficientFunds', amountCents: 2500 });
    await flow.settle();
    await flow.advanceTo(clock.id, START + 5 * DAY);
    const failed = await eventsOf('payment_intent.payment_failed');
    expect(failed).toEqual([{ status: 'processed', outcome: expect.stringContaining('failed') }]);
    expect(await flow.testDb.db.selectFrom('ledger_transactions').select('id').where('member_id', '=', member.id).execute()).toEqual([]);
  });
});

import { ledgerTable } from '../../src/ledger/queries';
import { DAY, START, expectedLedger, stableIds, startStripeFlow, type StripeFlow } from '../../test/support/stripe-flow';

let flow: StripeFlow;
beforeAll(async () => {
  flow = await startStripeFlow();
  // A union whose members are past due while Stripe retries a failed payment (the default keeps them active).
  await flow.testDb.db.insertInto('retention_policies').values({ organization_id: flow.organization.id, policy: JSON.stringify({ arrangementKeepsGoodStanding: false }), updated_at: flow.now() }).execute();
});
afterAll(async () => {
  await flow.close();
});

describe('invoice events', () => {
  test('invoice.paid: a card signup with an initiation fee makes the member active and posts dues, fee and initiation', async () => {
    const { member } = await flow.signUp({ name: 'Ana Card', paymentMethod: 'pm_card_visa', amountCents: 2500, initiationFeeCents: 1000 });
    expect((await flow.settle()).failed).toBe(0);

    expect(await flow.member(member.id)).toMatchObject({ standing: 'active', paid_through: '2026-02-05', joined_on: '2026-01-05', stripe_customer_id: expect.stringMatching(/^cus_/) });
    expect(stableIds(await ledgerTable(flow.testDb.db, flow.organization.id))).toBe(
      expectedLedger(`
        kind source key account debit credit
        dues_payment charge:ch#1:payment stripe_balance 25.00
        dues_income 25.00
        initiation_fee charge:ch#1:initiation stripe_balance 10.00
        initiation_fees 10.00
        processing_fee charge:ch#1:fee processing_fees 1.32
        stripe_balance 1.32
      `),
    );
    const history = await flow.testDb.db.selectFrom('member_standing_changes').select(['from_standing', 'to_standing', 'cause', 'cause_reference', 'reason']).where('member_id', '=', member.id).execute();
    expect(history).toEqual([{ from_standing: 'pending', to_standing: 'active', cause: 'stripe_event', cause_reference: expect.stringMatching(/^evt_/), reason: 'paid_up' }]);
  });

  test('invoice.paid on each renewal: a year of monthly dues is 12 paid invoices, paid-through a year on, and 12 payments and fees', async () => {
    const { member, clock } = await flow.signUp({ name: 'Bea Renewals', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    await flow.settle();
    for (let month = 1; month <= 11; month += 1) {
      const next = Math.floor(Date.UTC(2026, month, 5, 16) / 1000);
      await flow.advanceTo(clock.id, next);
    }
    const after = await flow.member(member.id);
    expect(after).toMatchObject({ standing: 'active', paid_through: '2027-01-05', joined_on: '2026-01-05' });
    const invoices = await flow.testDb.db.selectFrom('stripe_invoices').select(['status', 'period_start', 'period_end', 'amount_paid']).where('member_id', '=', member.id).orderBy('period_start').execute();
    expect(invoices).toHaveLength(12);
    expect(invoices.every((i) => i.status === 'paid' && Number(i.amount_paid) === 2500)).toBe(true);
    const postings = await flow.testDb.db
      .selectFrom('ledger_transactions')
      .select(['kind', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('gross_cents').as('gross'), (eb) => eb.fn.sum<number>('fee_cents').as('fees')])
      .where('member_id', '=', member.id)
      .groupBy('kind')
      .orderBy('kind')
      .execute();
    // 2.9% + 30¢ of $25.00 = 102.5¢, rounded half up to 103¢.
    expect(postings.map((p) => [p.kind, Number(p.n), Number(p.gross), Number(p.fees)])).toEqual([
      ['dues_payment', 12, 30000, 0],
      ['processing_fee', 12, 0, 1236],
    ]);
  });

  test('invoice.payment_failed then a successful retry: past due, then active again, with the history of both causes', async () => {
    const { member, clock, customer } = await flow.signUp({ name: 'Cy Retry', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    await flow.settle();
    const failing = await flow.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    const subscription = (await flow.stripe.subscriptions.list({ customer: customer.id })).data[0]!;
    await flow.stripe.subscriptions.update(subscription.id, { default_payment_method: failing.id });
    await flow.advanceTo(clock.id, START + 32 * DAY);
    expect(await flow.member(member.id)).toMatchObject({ standing: 'past_due', paid_through: '2026-02-05' });

    const visa = await flow.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await flow.stripe.subscriptions.update(subscription.id, { default_payment_method: visa.id });
    await flow.advanceTo(clock.id, START + 36 * DAY);
    expect(await flow.member(member.id)).toMatchObject({ standing: 'active', paid_through: '2026-03-05' });
    const history = await flow.testDb.db.selectFrom('member_standing_changes').select(['to_standing']).where('member_id', '=', member.id).orderBy('id').execute();
    expect(history.map((h) => h.to_standing)).toEqual(['active', 'past_due', 'active']);
  });

  test('invoice.voided and invoice.marked_uncollectible keep the mirror current; a voided period is not owed, an uncollectible one is, and time runs on', async () => {
    const { member, clock, customer } = await flow.signUp({ name: 'Di Void', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    await flow.settle();
    const failing = await flow.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    const subscription = (await flow.stripe.subscriptions.list({ customer: customer.id })).data[0]!;
    await flow.stripe.subscriptions.update(subscription.id, { default_payment_method: failing.id });
    await flow.advanceTo(clock.id, START + 32 * DAY);
    const open = (await flow.stripe.invoices.list({ customer: customer.id, status: 'open' })).data[0]!;
    await flow.stripe.invoices.voidInvoice(open.id);
    await flow.settle();
    expect(await flow.testDb.db.selectFrom('stripe_invoices').select('status').where('id', '=', open.id).executeTakeFirst()).toEqual({ status: 'void' });

    await flow.advanceTo(clock.id, START + 63 * DAY);
    const next = (await flow.stripe.invoices.list({ customer: customer.id, status: 'open' })).data[0]!;
    await flow.stripe.invoices.markUncollectible(next.id);
    await flow.settle();
    expect(await flow.testDb.db.selectFrom('stripe_invoices').select('status').where('id', '=', next.id).executeTakeFirst()).toEqual({ status: 'uncollectible' });
    // Paid through February 5; on March 9, 32 days later, past the 31 days of grace.
    expect(await flow.member(member.id)).toMatchObject({ standing: 'lapsed', paid_through: '2026-02-05', standing_reason: 'grace_ended' });
  });
});

import type Stripe from 'stripe';
import { accountBalances } from '../../src/ledger/queries';
import { storeEvent } from '../events';
import { checkLedger } from '../../src/ledger/check';
import { DAY, START, startStripeFlow, type StripeFlow } from '../../test/support/stripe-flow';

let flow: StripeFlow;
beforeAll(async () => {
  flow = await startStripeFlow();
});
afterAll(async () => {
  await flow.close();
});

const balanceOf = async (account: string) => (await accountBalances(flow.testDb.db, flow.organization.id, 'usd')).find((b) => b.account === account)?.balanceCents ?? 0;

describe('payout events', () => {
  test('payout.paid moves each automatic payout from the Stripe balance to the bank; the books add up to the payouts', async () => {
    const { clock } = await flow.signUp({ name: 'Mo Payout', paymentMethod: 'pm_card_visa', amountCents: 2500, initiationFeeCents: 1000 });
    await flow.settle();
    await flow.advanceTo(clock.id, START + 10 * DAY);

    const payouts = (await flow.stripe.payouts.list({ limit: 100 })).data.filter((p) => p.status === 'paid');
    expect(payouts.length).toBeGreaterThan(0);
    const paidOut = payouts.reduce((sum, p) => sum + p.amount, 0);
    // $35.00 less the 2.9% + 30¢ fee of $1.32 is the whole net, swept to the bank.
    expect(paidOut).toBe(3500 - 132);
    expect(await balanceOf('bank')).toBe(paidOut);
    expect(await balanceOf('stripe_balance')).toBe(0);

    const mirrored = await flow.testDb.db.selectFrom('stripe_payouts').select(['id', 'status', 'amount_cents', 'arrival_date']).orderBy('id').execute();
    expect(mirrored.map((p) => p.id).sort()).toEqual(payouts.map((p) => p.id).sort());
    const posted = await flow.testDb.db.selectFrom('ledger_transactions').select(['stripe_payout_id', 'payout_arrival_date']).where('kind', '=', 'payout').execute();
    expect(posted).toHaveLength(payouts.length);
    expect(posted.every((p) => p.payout_arrival_date !== null)).toBe(true);
    expect(await checkLedger(flow.testDb.db, flow.organization.id)).toEqual([]);
  });

  test('payout.failed for a payout that never arrived posts the payout and its return, leaving the money in the Stripe balance', async () => {
    const manual = await startStripeFlow({ sandbox: { automaticPayouts: false } });
    try {
      const { clock } = await manual.signUp({ name: 'Ned Bounce', paymentMethod: 'pm_card_visa', amountCents: 5000 });
      await manual.advanceTo(clock.id, START + 3 * DAY);
      const payout = await manual.stripe.payouts.create({ amount: 1000, currency: 'usd' });
      manual.sandbox.settlePayout(payout.id, 'failed');
      await manual.settle();
      const mirror = await manual.testDb.db.selectFrom('stripe_payouts').select(['status', 'failure_message']).where('id', '=', payout.id).executeTakeFirstOrThrow();
      expect(mirror.status).toBe('failed');
      const kinds = await manual.testDb.db.selectFrom('ledger_transactions').select('kind').where('stripe_payout_id', '=', payout.id).orderBy('kind').execute();
      expect(kinds.map((k) => k.kind)).toEqual(['payout', 'payout_failed']);
      const balances = await accountBalances(manual.testDb.db, manual.organization.id, 'usd');
      expect(balances.find((b) => b.account === 'stripe_balance')?.balanceCents).toBe(5000 - 175);
      expect(balances.find((b) => b.account === 'bank')?.balanceCents ?? 0).toBe(0);
      expect(await checkLedger(manual.testDb.db, manual.organization.id)).toEqual([]);

      // The payout's paid event processed after its failure (delivered late) changes nothing: the mirror only moves forward.
      const failed = await manual.testDb.db.selectFrom('stripe_events').select('payload').where('type', '=', 'payout.failed').executeTakeFirstOrThrow();
      const late = structuredClone(failed.payload) as unknown as Stripe.Event;
      Object.assign(late, { id: `${late.id}_paid_late`, type: 'payout.paid' });
      Object.assign(late.data.object, { status: 'paid', failure_message: null });
      expect(await storeEvent(manual.testDb.db, late, new Date())).toBe(true);
      expect((await manual.settle()).processed).toBe(1);
      expect((await manual.testDb.db.selectFrom('stripe_payouts').select('status').where('id', '=', payout.id).executeTakeFirstOrThrow()).status).toBe('failed');
      const after = await manual.testDb.db.selectFrom('ledger_transactions').select('kind').where('stripe_payout_id', '=', payout.id).orderBy('kind').execute();
      expect(after.map((k) => k.kind)).toEqual(['payout', 'payout_failed']);
    } finally {
      await manual.close();
    }
  });
});

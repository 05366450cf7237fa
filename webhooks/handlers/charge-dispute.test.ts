import { sql } from 'kysely';
import type Stripe from 'stripe';
import { ledgerTable } from '../../src/ledger/queries';
import { storeEvent } from '../events';
import { requeueEvents } from '../processor';
import { expectedLedger, stableIds, startStripeFlow, type StripeFlow } from '../../test/support/stripe-flow';

let flow: StripeFlow;
beforeAll(async () => {
  flow = await startStripeFlow();
});
afterAll(async () => {
  await flow.close();
});

async function disputedSignUp(name: string) {
  const signedUp = await flow.signUp({ name, paymentMethod: 'pm_card_createDispute', amountCents: 2500 });
  await flow.settle();
  const charge = (await flow.stripe.charges.list({ customer: signedUp.customer.id })).data[0]!;
  const dispute = (await flow.stripe.disputes.list({ charge: charge.id })).data[0]!;
  return { ...signedUp, dispute };
}

/** The postings of one dispute, as (kind, account, signed cents) rows in source-key order. */
async function postingsOf(disputeId: string) {
  const rows = await flow.testDb.db
    .selectFrom('ledger_entries as e')
    .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
    .innerJoin('ledger_accounts as a', 'a.id', 'e.account_id')
    .select(['t.kind', 't.source_key', 'a.code', 'e.amount_cents'])
    .where('t.stripe_dispute_id', '=', disputeId)
    .orderBy('t.source_key')
    .orderBy('e.amount_cents', 'desc')
    .execute();
  return rows.map((r) => [r.kind, r.source_key.replace(disputeId, 'dp'), r.code, Number(r.amount_cents)]);
}

describe('charge.dispute events', () => {
  test('a dispute lost: the amount goes to dispute losses and the $15 fee to dispute fees; the mirror says lost', async () => {
    const { member, dispute } = await disputedSignUp('Kim Lost');
    await flow.stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'losing_evidence' } });
    await flow.settle();
    const mirror = await flow.testDb.db.selectFrom('stripe_disputes').selectAll().where('id', '=', dispute.id).executeTakeFirstOrThrow();
    expect(mirror).toMatchObject({ member_id: member.id, status: 'lost', reason: 'fraudulent', amount_cents: 2500 });
    expect(stableIds(await ledgerTable(flow.testDb.db, flow.organization.id, { order: 'source_key' }))).toBe(
      expectedLedger(`
        kind source key account debit credit
        processing_fee charge:ch#1:fee processing_fees 1.03
        stripe_balance 1.03
        dues_payment charge:ch#1:payment stripe_balance 25.00
        dues_income 25.00
        dispute_fee dispute:dp#1:fee dispute_fees 15.00
        stripe_balance 15.00
        dispute dispute:dp#1:withdrawn dispute_losses 25.00
        stripe_balance 25.00
      `),
    );
  });

  test('a dispute won: the funds are reinstated; the fee stays lost, as Stripe keeps it', async () => {
    const { dispute } = await disputedSignUp('Lee Won');
    await flow.stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    await flow.settle();
    expect((await flow.testDb.db.selectFrom('stripe_disputes').select('status').where('id', '=', dispute.id).executeTakeFirstOrThrow()).status).toBe('won');
    expect(await postingsOf(dispute.id)).toEqual([
      ['dispute_fee', 'dispute:dp:fee', 'dispute_fees', 1500],
      ['dispute_fee', 'dispute:dp:fee', 'stripe_balance', -1500],
      ['dispute_reversal', 'dispute:dp:reinstated', 'stripe_balance', 2500],
      ['dispute_reversal', 'dispute:dp:reinstated', 'dispute_losses', -2500],
      ['dispute', 'dispute:dp:withdrawn', 'dispute_losses', 2500],
      ['dispute', 'dispute:dp:withdrawn', 'stripe_balance', -2500],
    ]);
  });

  test('a dispute whose charge is posted is linked by the ledger, without reading the charge from Stripe', async () => {
    const { member, dispute } = await disputedSignUp('Ana Posted');
    const disputeEvents = await flow.testDb.db.selectFrom('stripe_events').select('id').where('type', 'like', 'charge.dispute.%').where(sql<string>`payload->'data'->'object'->>'id'`, '=', dispute.id).execute();
    expect(disputeEvents.length).toBeGreaterThan(0);
    await requeueEvents(flow.testDb.db, { ids: disputeEvents.map((e) => e.id) }, new Date());
    const paths: string[] = [];
    const record = (request: Stripe.RequestEvent) => paths.push(`${request.method} ${request.path}`);
    flow.stripe.on('request', record);
    try {
      expect(await flow.settle()).toMatchObject({ processed: disputeEvents.length, retried: 0, failed: 0 });
    } finally {
      flow.stripe.off('request', record);
    }
    expect(paths).toEqual([]);
    const mirror = await flow.testDb.db.selectFrom('stripe_disputes').selectAll().where('id', '=', dispute.id).executeTakeFirstOrThrow();
    expect(mirror).toMatchObject({ member_id: member.id, status: 'needs_response' });
  });

  test("a dispute from another organization's connected account naming a charge posted here is not ours: nothing linked, mirrored or posted", async () => {
    const { dispute } = await disputedSignUp('Bo Elsewhere');
    const other = await flow.testDb.db.insertInto('organizations').values({ slug: 'other-union', name: 'Other Union', time_zone: 'UTC', currency: 'usd', settings: '{}', stripe_account_id: 'acct_otherunion1', created_at: flow.ctx.now(), updated_at: flow.ctx.now() }).returning('id').executeTakeFirstOrThrow();
    const original = await flow.testDb.db.selectFrom('stripe_events').select('payload').where('type', '=', 'charge.dispute.created').where(sql<string>`payload->'data'->'object'->>'id'`, '=', dispute.id).executeTakeFirstOrThrow();
    const forged = { ...(original.payload as unknown as Stripe.Event), id: 'evt_fromotheraccount1', account: 'acct_otherunion1' };
    await storeEvent(flow.testDb.db, forged, flow.ctx.now());
    expect(await flow.settle()).toMatchObject({ ignored: 1, failed: 0 });
    const stored = await flow.testDb.db.selectFrom('stripe_events').select(['status', 'outcome']).where('id', '=', forged.id).executeTakeFirstOrThrow();
    expect(stored.status).toBe('ignored');
    expect(stored.outcome).toMatch(/not ours/);
    expect(await flow.testDb.db.selectFrom('stripe_disputes').select('id').where('organization_id', '=', other.id).execute()).toEqual([]);
    expect(await flow.testDb.db.selectFrom('ledger_transactions').select('id').where('organization_id', '=', other.id).execute()).toEqual([]);
  });
});

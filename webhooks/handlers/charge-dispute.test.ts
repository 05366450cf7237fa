import { sql } from 'kysely';
import type Stripe from 'stripe';
import { postingsForDisputeFundsWithdrawn } from '../../src/ledger/postings';
import { ledgerTable, postLedgerTransactions } from '../../src/ledger/queries';
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
        dispute txn:txn#1 dispute_losses 25.00
        stripe_balance 25.00
        dispute_fee txn:txn#1:fee dispute_fees 15.00
        stripe_balance 15.00
      `),
    );
    // The period the payment paid is unpaid again: the member owes it, and never paid another.
    expect(await flow.member(member.id)).toMatchObject({ paid_through: '2026-01-04', standing: 'active', standing_reason: 'renewal_pending' });
  });

  test('a dispute won: the funds are reinstated; the fee stays lost, as Stripe keeps it; the period stays paid', async () => {
    const { dispute, member } = await disputedSignUp('Lee Won');
    await flow.stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    await flow.settle();
    expect((await flow.testDb.db.selectFrom('stripe_disputes').select('status').where('id', '=', dispute.id).executeTakeFirstOrThrow()).status).toBe('won');
    const [withdrawal, reinstatement] = dispute.balance_transactions.length === 1 ? [dispute.balance_transactions[0]!, undefined] : [];
    const reinstated = (await flow.stripe.disputes.retrieve(dispute.id)).balance_transactions.find((t) => t.amount > 0)!;
    expect(reinstatement).toBeUndefined();
    const byKey = (rows: unknown[][]) => [...rows].sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : String(a[1]) > String(b[1]) ? 1 : Number(b[3]) - Number(a[3])));
    expect(byKey(await postingsOf(dispute.id))).toEqual(
      byKey([
        ['dispute', `txn:${withdrawal!.id}`, 'dispute_losses', 2500],
        ['dispute', `txn:${withdrawal!.id}`, 'stripe_balance', -2500],
        ['dispute_fee', `txn:${withdrawal!.id}:fee`, 'dispute_fees', 1500],
        ['dispute_fee', `txn:${withdrawal!.id}:fee`, 'stripe_balance', -1500],
        ['dispute_reversal', `txn:${reinstated.id}`, 'stripe_balance', 2500],
        ['dispute_reversal', `txn:${reinstated.id}`, 'dispute_losses', -2500],
      ]),
    );
    expect(await flow.member(member.id)).toMatchObject({ paid_through: '2026-02-05', standing: 'active' });
  });

  test('a dispute withdrawn, reinstated, withdrawn again and partly reinstated posts each balance transaction once, each fee as its withdrawal reports it', async () => {
    const { dispute, member } = await disputedSignUp('Max Rounds');
    await flow.stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    flow.sandbox.moveDisputeFunds(dispute.id, 'withdraw', { fee: 1000 });
    flow.sandbox.moveDisputeFunds(dispute.id, 'reinstate', { amount: 1000, fee: -1000 });
    await flow.settle();
    const balance = (await flow.stripe.disputes.retrieve(dispute.id)).balance_transactions;
    expect(balance.map((t) => [t.amount, t.fee])).toEqual([[-2500, 1500], [2500, 0], [-2500, 1000], [1000, -1000]]);
    const rows = await flow.testDb.db.selectFrom('ledger_transactions').select(['kind', 'stripe_balance_transaction_id', 'net_cents']).where('stripe_dispute_id', '=', dispute.id).execute();
    const order = (row: unknown[]) => `${balance.findIndex((t) => t.id === row[1])}:${String(row[0])}`;
    const sorted = (list: unknown[][]) => [...list].sort((a, b) => order(a).localeCompare(order(b)));
    expect(sorted(rows.map((r) => [r.kind, r.stripe_balance_transaction_id, Number(r.net_cents)]))).toEqual(sorted([
      ['dispute', balance[0]!.id, -2500],
      ['dispute_fee', balance[0]!.id, -1500],
      ['dispute_reversal', balance[1]!.id, 2500],
      ['dispute', balance[2]!.id, -2500],
      ['dispute_fee', balance[2]!.id, -1000],
      ['dispute_reversal', balance[3]!.id, 1000],
      ['dispute_fee', balance[3]!.id, 1000],
    ]));
    // Every event again, in any order: nothing new.
    const events = await flow.testDb.db.selectFrom('stripe_events').select('id').where(sql<string>`payload->'data'->'object'->>'id'`, '=', dispute.id).execute();
    await requeueEvents(flow.testDb.db, { ids: events.map((e) => e.id).reverse() }, flow.now());
    await flow.settle();
    expect(await flow.testDb.db.selectFrom('ledger_transactions').select('id').where('stripe_dispute_id', '=', dispute.id).execute()).toHaveLength(7);
    // The dispute was won: the period stays paid.
    expect(await flow.member(member.id)).toMatchObject({ paid_through: '2026-02-05' });
  });

  test('a withdrawal posted before disputes were keyed by balance transaction (under the dispute’s own keys) is not posted again', async () => {
    const signedUp = await flow.signUp({ name: 'Old Keys', paymentMethod: 'pm_card_createDispute', amountCents: 2500 });
    await flow.sandbox.flushWebhooks();
    const disputeEvents = sql<boolean>`type LIKE 'charge.dispute.%'`;
    const later = new Date(flow.now().getTime() + 3_600_000);
    await flow.testDb.db.updateTable('stripe_events').set({ next_attempt_at: later }).where(disputeEvents).where('status', '=', 'pending').execute();
    await flow.settle();
    const charge = (await flow.stripe.charges.list({ customer: signedUp.customer.id })).data[0]!;
    const dispute = (await flow.stripe.disputes.list({ charge: charge.id })).data[0]!;
    const legacy = postingsForDisputeFundsWithdrawn({ disputeId: dispute.id, balanceTransactionId: 'unused', chargeId: charge.id, currency: 'usd', amountCents: 2500, disputeFeeCents: 1500, occurredAt: new Date(dispute.created * 1000), memberId: signedUp.member.id });
    await flow.testDb.db.transaction().execute((trx) =>
      postLedgerTransactions(trx, flow.organization.id, legacy.map((draft, i) => ({ ...draft, sourceKey: i === 0 ? `dispute:${dispute.id}:withdrawn` : `dispute:${dispute.id}:fee`, stripeBalanceTransactionId: null })), flow.now()),
    );
    await flow.testDb.db.updateTable('stripe_events').set({ next_attempt_at: flow.now() }).where(disputeEvents).where('status', '=', 'pending').execute();
    expect(await flow.settle()).toMatchObject({ failed: 0, retried: 0 });
    const keys = (await flow.testDb.db.selectFrom('ledger_transactions').select('source_key').where('stripe_dispute_id', '=', dispute.id).execute()).map((r) => r.source_key);
    expect(keys.sort()).toEqual([`dispute:${dispute.id}:fee`, `dispute:${dispute.id}:withdrawn`]);
  });

  test('a withdrawal whose itemised fees do not add up to its fee fails its event, to be retried and seen', async () => {
    const { dispute } = await disputedSignUp('Odd Fees');
    const original = await flow.testDb.db.selectFrom('stripe_events').select('payload').where('type', '=', 'charge.dispute.funds_withdrawn').where(sql<string>`payload->'data'->'object'->>'id'`, '=', dispute.id).executeTakeFirstOrThrow();
    const forged = structuredClone(original.payload) as unknown as Stripe.Event;
    (forged.data.object as Stripe.Dispute).balance_transactions[0]!.fee_details[0]!.amount = 1400;
    Object.assign(forged, { id: 'evt_oddfees00000001' });
    await storeEvent(flow.testDb.db, forged, flow.now());
    expect(await flow.settle()).toMatchObject({ retried: 1 });
    const stored = await flow.testDb.db.selectFrom('stripe_events').select(['status', 'last_error']).where('id', '=', forged.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'pending', last_error: expect.stringContaining('fee_details add up to 1400') });
  });

  test('a dispute whose charge is posted is linked by the ledger, without reading the charge from Stripe', async () => {
    const { member, dispute } = await disputedSignUp('Ana Posted');
    const disputeEvents = await flow.testDb.db.selectFrom('stripe_events').select('id').where('type', 'like', 'charge.dispute.%').where(sql<string>`payload->'data'->'object'->>'id'`, '=', dispute.id).execute();
    expect(disputeEvents.length).toBeGreaterThan(0);
    await requeueEvents(flow.testDb.db, { ids: disputeEvents.map((e) => e.id) }, flow.now());
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
    await storeEvent(flow.testDb.db, forged, flow.now());
    expect(await flow.settle()).toMatchObject({ ignored: 1, failed: 0 });
    const stored = await flow.testDb.db.selectFrom('stripe_events').select(['status', 'outcome']).where('id', '=', forged.id).executeTakeFirstOrThrow();
    expect(stored.status).toBe('ignored');
    expect(stored.outcome).toMatch(/not ours/);
    expect(await flow.testDb.db.selectFrom('stripe_disputes').select('id').where('organization_id', '=', other.id).execute()).toEqual([]);
    expect(await flow.testDb.db.selectFrom('ledger_transactions').select('id').where('organization_id', '=', other.id).execute()).toEqual([]);
  });
});

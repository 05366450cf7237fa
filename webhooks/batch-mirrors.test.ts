import { createOrganization } from '../test/ledger/support';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { BatchMirrors } from './batch-mirrors';

let testDb: TestDatabase;
let org: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  org = await createOrganization(testDb.db, 'mirrored');
});
afterAll(async () => {
  await testDb.drop();
});

const at = new Date('2026-11-02T15:00:00Z');
const payout = (id: string, status: string) => ({ organization_id: org, id, status, amount_cents: 900, currency: 'usd', arrival_date: '2026-11-04', failure_message: status === 'failed' ? 'account closed' : null, updated_at: at });
const invoice = (id: string, status: string, amountPaid: number) => ({ organization_id: org, id, member_id: null, subscription_id: null, status, currency: 'usd', amount_due: 2500, amount_paid: amountPaid, period_start: null, period_end: null, attempt_count: 1, paid_at: null, updated_at: at });

async function written(batch: BatchMirrors): Promise<void> {
  await testDb.db.transaction().execute((trx) => batch.write(trx));
}

describe('the mirror rows of a processor batch', () => {
  test('a row kept twice in one batch is written as the later read (invoices), or at the furthest status (payouts, disputes)', async () => {
    const batch = new BatchMirrors();
    batch.invoice(invoice('in_twice', 'open', 0));
    batch.invoice(invoice('in_twice', 'paid', 2500));
    batch.payout(payout('po_failed_first', 'failed'));
    batch.payout(payout('po_failed_first', 'paid'));
    batch.payout(payout('po_in_order', 'in_transit'));
    batch.payout(payout('po_in_order', 'paid'));
    batch.dispute({ organization_id: org, id: 'dp_batch', charge_id: 'ch_2', member_id: null, status: 'won', reason: 'fraudulent', amount_cents: 2500, currency: 'usd', updated_at: at });
    batch.dispute({ organization_id: org, id: 'dp_batch', charge_id: 'ch_2', member_id: null, status: 'under_review', reason: 'fraudulent', amount_cents: 2500, currency: 'usd', updated_at: at });
    await written(batch);
    expect(await testDb.db.selectFrom('stripe_disputes').select('status').where('id', '=', 'dp_batch').execute()).toEqual([{ status: 'won' }]);

    expect(await testDb.db.selectFrom('stripe_invoices').select(['status', 'amount_paid']).where('id', '=', 'in_twice').execute()).toEqual([{ status: 'paid', amount_paid: 2500 }]);
    const payouts = await testDb.db.selectFrom('stripe_payouts').select(['id', 'status', 'failure_message']).where('id', 'in', ['po_failed_first', 'po_in_order']).orderBy('id').execute();
    expect(payouts).toEqual([
      { id: 'po_failed_first', status: 'failed', failure_message: 'account closed' },
      { id: 'po_in_order', status: 'paid', failure_message: null },
    ]);
  });

  test('a later batch updates what is stored, and a payout or a dispute never moves back', async () => {
    const first = new BatchMirrors();
    first.payout(payout('po_later', 'failed'));
    first.dispute({ organization_id: org, id: 'dp_1', charge_id: 'ch_1', member_id: null, status: 'needs_response', reason: 'fraudulent', amount_cents: 2500, currency: 'usd', updated_at: at });
    await written(first);
    const second = new BatchMirrors();
    second.payout(payout('po_later', 'paid'));
    second.dispute({ organization_id: org, id: 'dp_1', charge_id: 'ch_1', member_id: null, status: 'lost', reason: 'fraudulent', amount_cents: 2500, currency: 'usd', updated_at: at });
    await written(second);

    const late = new BatchMirrors();
    late.dispute({ organization_id: org, id: 'dp_1', charge_id: 'ch_1', member_id: null, status: 'needs_response', reason: 'fraudulent', amount_cents: 2500, currency: 'usd', updated_at: at });
    await written(late);

    expect(await testDb.db.selectFrom('stripe_payouts').select('status').where('id', '=', 'po_later').execute()).toEqual([{ status: 'failed' }]);
    expect(await testDb.db.selectFrom('stripe_disputes').select('status').where('id', '=', 'dp_1').execute()).toEqual([{ status: 'lost' }]);
  });

  test("a subscription's version is read once per batch and then follows what the batch decides; the last decision is written", async () => {
    const subscription = (id: string, status: string, stateAsOf: Date | null) => ({ organization_id: org, id, member_id: null, customer_id: 'cus_1', status, current_period_start: null, current_period_end: null, cancel_at_period_end: false, collection_paused: false, canceled_at: null, amount_cents: 2500, state_as_of: stateAsOf, updated_at: at });
    const seed = new BatchMirrors();
    seed.subscription(subscription('sub_kept', 'active', new Date('2026-11-01T00:00:00Z')));
    await written(seed);

    const batch = new BatchMirrors();
    await testDb.db.transaction().execute(async (trx) => {
      await batch.readSubscriptionVersions(trx, [org], ['sub_kept', 'sub_new']);
      expect(await batch.subscriptionVersion(trx, org, 'sub_kept')).toEqual({ stateAsOf: new Date('2026-11-01T00:00:00Z') });
      expect(await batch.subscriptionVersion(trx, org, 'sub_new')).toBeUndefined();
      batch.subscription(subscription('sub_new', 'incomplete', new Date('2026-11-02T00:00:00Z')));
      batch.subscription(subscription('sub_new', 'active', new Date('2026-11-03T00:00:00Z')));
      expect(await batch.subscriptionVersion(trx, org, 'sub_new')).toEqual({ stateAsOf: new Date('2026-11-03T00:00:00Z') });
      await batch.write(trx);
    });
    const stored = await testDb.db.selectFrom('stripe_subscriptions').select(['id', 'status', 'state_as_of']).where('organization_id', '=', org).orderBy('id').execute();
    expect(stored).toEqual([
      { id: 'sub_kept', status: 'active', state_as_of: new Date('2026-11-01T00:00:00Z') },
      { id: 'sub_new', status: 'active', state_as_of: new Date('2026-11-03T00:00:00Z') },
    ]);
  });
});

import { LedgerDraftError, postingsForChargeSucceeded, postingsForPayoutPaid, postingsForRefund } from '../src/ledger/postings';
import { chargeSucceeded, createOrganization, post } from '../test/ledger/support';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { BatchPostings } from './batch-postings';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

const at = new Date('2026-11-02T15:00:00Z');
const charge = (chargeId: string) => chargeSucceeded(chargeId, { invoiceId: `in_${chargeId}`, periodStart: '2026-11-01', periodEnd: '2026-11-30' });

async function sourceKeys(organizationId: string): Promise<string[]> {
  const rows = await testDb.db.selectFrom('ledger_transactions').select('source_key').where('organization_id', '=', organizationId).orderBy('source_key').execute();
  return rows.map((row) => row.source_key);
}

describe('a batch of events posting to the ledger', () => {
  test('each event is told what it posted: a key two events drafted goes to the first, a key posted before goes to neither', async () => {
    const org = await createOrganization(testDb.db, 'batched');
    const other = await createOrganization(testDb.db, 'batched-other');
    await post(testDb.db, org, postingsForChargeSucceeded(charge('ch_earlier')));

    const batch = new BatchPostings();
    batch.post('evt_invoice_paid', org, postingsForChargeSucceeded(charge('ch_1')));
    batch.post('evt_payment_failed', org, postingsForChargeSucceeded(charge('ch_1')));
    batch.post('evt_replayed', org, postingsForChargeSucceeded(charge('ch_earlier')));
    batch.post('evt_refund', org, postingsForRefund({ refundId: 're_1', chargeId: 'ch_1', currency: 'usd', amountCents: 500, occurredAt: at, memberId: null }));
    batch.post('evt_payout', other, postingsForPayoutPaid({ payoutId: 'po_1', currency: 'usd', amountCents: 900, arrivalDate: '2026-11-04', occurredAt: at }));
    batch.post('evt_nothing', org, []);
    await testDb.db.transaction().execute((trx) => batch.write(trx, new Date('2026-11-24T15:00:00Z')));

    expect(batch.postedBy('evt_invoice_paid')).toBe(2);
    expect(batch.postedBy('evt_payment_failed')).toBe(0);
    expect(batch.postedBy('evt_replayed')).toBe(0);
    expect(batch.postedBy('evt_refund')).toBe(1);
    expect(batch.postedBy('evt_payout')).toBe(1);
    expect(batch.postedBy('evt_nothing')).toBeUndefined();
    expect(await sourceKeys(org)).toEqual(['charge:ch_1:fee', 'charge:ch_1:payment', 'charge:ch_earlier:fee', 'charge:ch_earlier:payment', 'refund:re_1']);
    expect(await sourceKeys(other)).toEqual(['payout:po_1']);
  });

  test('a discarded event posts nothing, and the next event drafting its keys gets them', async () => {
    const org = await createOrganization(testDb.db, 'discarded');
    const batch = new BatchPostings();
    batch.post('evt_not_ours', org, postingsForChargeSucceeded(charge('ch_2')));
    batch.post('evt_ours', org, postingsForChargeSucceeded(charge('ch_2')));
    batch.discard('evt_not_ours');
    await testDb.db.transaction().execute((trx) => batch.write(trx, new Date('2026-11-24T15:00:00Z')));
    expect(batch.postedBy('evt_not_ours')).toBeUndefined();
    expect(batch.postedBy('evt_ours')).toBe(2);
    expect(await sourceKeys(org)).toEqual(['charge:ch_2:fee', 'charge:ch_2:payment']);
  });

  test('a draft that does not balance fails the event that queues it, before anything is written', () => {
    const batch = new BatchPostings();
    const [payment] = postingsForChargeSucceeded(charge('ch_3'));
    expect(() => batch.post('evt_bad', 'org', [{ ...payment!, entries: [{ account: 'stripe_balance', amountCents: 100 }] }])).toThrow(LedgerDraftError);
  });
});

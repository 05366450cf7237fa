import { createDb, type Db } from '../../db/connection';
import {
  LedgerDraftError,
  postingsForChargeSucceeded,
  postingsForManualPayment,
  postingsForPayoutPaid,
  postingsForRefund,
  type ChargeSucceededInput,
} from '../../src/ledger/postings';
import { accountBalances, ensureLedgerAccounts, ledgerTable, postLedgerTransactions } from '../../src/ledger/queries';
import { TEST_NOW } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createMember, createOrganization, post } from './support';

let testDb: TestDatabase;
let organizationId: string;
let memberId: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  organizationId = await createOrganization(testDb.db, 'posting');
  memberId = await createMember(testDb.db, organizationId, 'rosa@example.org');
});
afterAll(async () => {
  await testDb.drop();
});

const at = new Date('2026-11-02T15:00:00Z');
const charge = (chargeId: string, overrides: Partial<ChargeSucceededInput> = {}): ChargeSucceededInput => ({
  chargeId,
  invoiceId: `in_${chargeId}`,
  currency: 'usd',
  grossCents: 2500,
  feeCents: 103,
  initiationFeeCents: 0,
  occurredAt: at,
  paymentMethod: 'card',
  memberId,
  planId: null,
  periodStart: '2026-11-01',
  periodEnd: '2026-11-30',
  ...overrides,
});

async function countRows(db: Db, org: string): Promise<{ transactions: number; entries: number }> {
  const transactions = await db.selectFrom('ledger_transactions').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', org).executeTakeFirstOrThrow();
  const entries = await db.selectFrom('ledger_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', org).executeTakeFirstOrThrow();
  return { transactions: Number(transactions.n), entries: Number(entries.n) };
}

describe('posting to the ledger', () => {
  test('the same drafts posted twice post once; an overlapping replay posts only what is new', async () => {
    const org = await createOrganization(testDb.db, 'replayed');
    const drafts = postingsForChargeSucceeded({ ...charge('ch_twice'), memberId: null });
    expect(await post(testDb.db, org, drafts)).toEqual({ posted: 2, skipped: 0 });
    expect(await post(testDb.db, org, drafts)).toEqual({ posted: 0, skipped: 2 });
    const refund = postingsForRefund({ refundId: 're_1', chargeId: 'ch_twice', currency: 'usd', amountCents: 500, occurredAt: at, memberId: null });
    expect(await post(testDb.db, org, [...drafts, ...refund])).toEqual({ posted: 1, skipped: 2 });
    expect(await countRows(testDb.db, org)).toEqual({ transactions: 3, entries: 6 });
  });

  test('50 concurrent posts of the same drafts from several connections post them once', async () => {
    const org = await createOrganization(testDb.db, 'concurrent');
    const drafts = postingsForChargeSucceeded({ ...charge('ch_race', { initiationFeeCents: 1000, grossCents: 3500 }), memberId: null });
    // Three pools of five: fifteen connections racing, including to create the accounts.
    const pools = [createDb(testDb.url, { max: 5 }), createDb(testDb.url, { max: 5 }), createDb(testDb.url, { max: 5 })];
    try {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => post(pools[i % pools.length]!, org, drafts)));
      expect(results.reduce((sum, r) => sum + r.posted, 0)).toBe(drafts.length);
      expect(results.every((r) => r.posted + r.skipped === drafts.length)).toBe(true);
    } finally {
      await Promise.all(pools.map((pool) => pool.destroy()));
    }
    expect(await countRows(testDb.db, org)).toEqual({ transactions: 3, entries: 6 });
    const accounts = await testDb.db.selectFrom('ledger_accounts').select('code').where('organization_id', '=', org).execute();
    expect(accounts).toHaveLength(13);
  });

  test('ensureLedgerAccounts is idempotent and creates the whole chart per currency', async () => {
    const org = await createOrganization(testDb.db, 'accounts');
    const [first, ...others] = await Promise.all(Array.from({ length: 8 }, () => ensureLedgerAccounts(testDb.db, org, 'cad', TEST_NOW)));
    expect([...first!.keys()].sort()).toEqual(['bank', 'cash_on_hand', 'dispute_fees', 'dispute_losses', 'due_to_employers', 'dues_income', 'initiation_fees', 'payroll_suspense', 'per_capita_expense', 'per_capita_payable', 'processing_fees', 'refunds', 'stripe_balance']);
    for (const other of others) expect(other).toEqual(first);
    expect(await ensureLedgerAccounts(testDb.db, org, 'cad', TEST_NOW)).toEqual(first);
    await expect(ensureLedgerAccounts(testDb.db, org, 'CAD', TEST_NOW)).rejects.toThrow(/three lowercase letters/);
  });

  test('must run inside a database transaction', async () => {
    await expect(postLedgerTransactions(testDb.db, organizationId, postingsForChargeSucceeded(charge('ch_outside')), TEST_NOW)).rejects.toThrow(/inside a database transaction/);
  });

  test('a bad draft is refused before anything is written, naming its source key', async () => {
    const org = await createOrganization(testDb.db, 'refused');
    const good = postingsForChargeSucceeded({ ...charge('ch_good'), memberId: null });
    const bad = { ...good[0]!, sourceKey: 'charge:ch_bad:payment', entries: [{ account: 'stripe_balance' as const, amountCents: 2500 }, { account: 'dues_income' as const, amountCents: -2499 }] };
    const attempt = post(testDb.db, org, [...good, bad]);
    await expect(attempt).rejects.toThrow(LedgerDraftError);
    await expect(attempt).rejects.toThrow('ledger transaction charge:ch_bad:payment cannot be posted: entries sum to 1, not 0');
    await expect(post(testDb.db, org, [good[0]!, good[0]!])).rejects.toThrow(/appears twice/);
    expect(await countRows(testDb.db, org)).toEqual({ transactions: 0, entries: 0 });
  });

  test("postings roll back with the caller's transaction", async () => {
    const org = await createOrganization(testDb.db, 'rolled-back');
    const failing = testDb.db.transaction().execute(async (trx) => {
      await postLedgerTransactions(trx, org, postingsForChargeSucceeded({ ...charge('ch_crash'), memberId: null }), TEST_NOW);
      throw new Error('the handler failed after posting');
    });
    await expect(failing).rejects.toThrow('the handler failed after posting');
    expect(await countRows(testDb.db, org)).toEqual({ transactions: 0, entries: 0 });
    expect(await post(testDb.db, org, postingsForChargeSucceeded({ ...charge('ch_crash'), memberId: null }))).toEqual({ posted: 2, skipped: 0 });
  });

  test('a posted transaction keeps the references a treasurer exports', async () => {
    await post(testDb.db, organizationId, postingsForChargeSucceeded({ ...charge('ch_refs'), stripeEventId: 'evt_refs' }));
    const row = await testDb.db.selectFrom('ledger_transactions').selectAll().where('organization_id', '=', organizationId).where('source_key', '=', 'charge:ch_refs:payment').executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      kind: 'dues_payment',
      occurred_at: at,
      currency: 'usd',
      member_id: memberId,
      period_start: '2026-11-01',
      period_end: '2026-11-30',
      payment_method: 'card',
      stripe_invoice_id: 'in_ch_refs',
      stripe_charge_id: 'ch_refs',
      stripe_event_id: 'evt_refs',
      gross_cents: 2500,
      fee_cents: 0,
      net_cents: 2500,
    });
  });
});

describe('reading the ledger', () => {
  let org: string;
  beforeAll(async () => {
    org = await createOrganization(testDb.db, 'books');
    const member = await createMember(testDb.db, org, 'lee@example.org');
    const forMember = { memberId: member };
    await post(testDb.db, org, postingsForChargeSucceeded({ ...charge('ch_card'), ...forMember }));
    await post(testDb.db, org, postingsForChargeSucceeded({ ...charge('ch_ach', { grossCents: 3500, feeCents: 28, initiationFeeCents: 1000, paymentMethod: 'us_bank_account' }), ...forMember }));
    await post(testDb.db, org, postingsForRefund({ refundId: 're_part', chargeId: 'ch_card', currency: 'usd', amountCents: 1000, occurredAt: at, ...forMember }));
    await post(testDb.db, org, postingsForPayoutPaid({ payoutId: 'po_1', currency: 'usd', amountCents: 4000, arrivalDate: '2026-11-06', occurredAt: at }));
    await post(
      testDb.db,
      org,
      postingsForManualPayment({ manualPaymentId: 'mp_1', method: 'check', currency: 'usd', amountCents: 2500, receivedOn: '2026-11-03', ...forMember, memberId: member, planId: null, periodStart: '2026-11-01', periodEnd: '2026-11-30' }),
    );
  });

  test('account balances are summed from the entries, in chart order', async () => {
    expect(await accountBalances(testDb.db, org)).toEqual([
      { account: 'stripe_balance', currency: 'usd', balanceCents: 2500 - 103 + 3500 - 28 - 1000 - 4000 },
      { account: 'bank', currency: 'usd', balanceCents: 4000 },
      { account: 'cash_on_hand', currency: 'usd', balanceCents: 2500 },
      { account: 'dues_income', currency: 'usd', balanceCents: -7500 },
      { account: 'initiation_fees', currency: 'usd', balanceCents: -1000 },
      { account: 'refunds', currency: 'usd', balanceCents: 1000 },
      { account: 'processing_fees', currency: 'usd', balanceCents: 131 },
      { account: 'dispute_losses', currency: 'usd', balanceCents: 0 },
      { account: 'dispute_fees', currency: 'usd', balanceCents: 0 },
      { account: 'payroll_suspense', currency: 'usd', balanceCents: 0 },
      { account: 'due_to_employers', currency: 'usd', balanceCents: 0 },
      { account: 'per_capita_payable', currency: 'usd', balanceCents: 0 },
      { account: 'per_capita_expense', currency: 'usd', balanceCents: 0 },
    ]);
    expect(await accountBalances(testDb.db, org, 'eur')).toEqual([]);
  });

  test('the ledger prints as a table in posting order', async () => {
    expect(await ledgerTable(testDb.db, org)).toBe(
      [
        'kind            source key                account          debit  credit',
        'dues_payment    charge:ch_card:payment    stripe_balance   25.00',
        '                                          dues_income              25.00',
        'processing_fee  charge:ch_card:fee        processing_fees   1.03',
        '                                          stripe_balance            1.03',
        'dues_payment    charge:ch_ach:payment     stripe_balance   25.00',
        '                                          dues_income              25.00',
        'initiation_fee  charge:ch_ach:initiation  stripe_balance   10.00',
        '                                          initiation_fees          10.00',
        'processing_fee  charge:ch_ach:fee         processing_fees   0.28',
        '                                          stripe_balance            0.28',
        'refund          refund:re_part            refunds          10.00',
        '                                          stripe_balance           10.00',
        'payout          payout:po_1               bank             40.00',
        '                                          stripe_balance           40.00',
        'manual_payment  manual_payment:mp_1       cash_on_hand     25.00',
        '                                          dues_income              25.00',
      ].join('\n'),
    );
  });

  test('or by source key, to compare ledgers posted in different orders', async () => {
    const lines = (await ledgerTable(testDb.db, org, { order: 'source_key' })).split('\n').slice(1).filter((line) => !line.startsWith(' '));
    expect(lines.map((line) => line.split(/\s+/)[1])).toEqual([
      'charge:ch_ach:fee',
      'charge:ch_ach:initiation',
      'charge:ch_ach:payment',
      'charge:ch_card:fee',
      'charge:ch_card:payment',
      'manual_payment:mp_1',
      'payout:po_1',
      'refund:re_part',
    ]);
  });
});

import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Client } from 'pg';
import { checkLedger, findDuplicateSourceKeys, findUnbalancedTransactions, reconcileStripeBalance } from '../../src/ledger/check';
import {
  postingsForChargeSucceeded,
  postingsForDisputeFundsReinstated,
  postingsForDisputeFundsWithdrawn,
  postingsForManualPayment,
  postingsForPaymentReversal,
  postingsForPayoutFailed,
  postingsForPayoutPaid,
  postingsForRefund,
  type ChargeSucceededInput,
} from '../../src/ledger/postings';
import { ensureLedgerAccounts } from '../../src/ledger/queries';
import { TEST_NOW } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { chargeSucceeded, createMember, createOrganization, post, rawClient } from './support';

let testDb: TestDatabase;
let client: Client;
let soundId: string;
let brokenId: string;

const at = new Date('2026-11-02T15:00:00Z');
const charge = (chargeId: string, memberId: string, overrides: Partial<ChargeSucceededInput> = {}): ChargeSucceededInput => chargeSucceeded(chargeId, { occurredAt: at, memberId, ...overrides });

/** Every kind of posting, each as Stripe would report it. */
async function postSoundBooks(organizationId: string): Promise<void> {
  const member = await createMember(testDb.db, organizationId, `m@${organizationId}.example.org`);
  const ach = charge('ch_ach', member, { grossCents: 3500, feeCents: 28, initiationFeeCents: 1000, paymentMethod: 'us_bank_account' });
  await post(testDb.db, organizationId, [
    ...postingsForChargeSucceeded(charge('ch_1', member)),
    ...postingsForChargeSucceeded(charge('ch_2', member)),
    ...postingsForChargeSucceeded(charge('ch_3', member)),
    ...postingsForChargeSucceeded(ach),
  ]);
  await post(testDb.db, organizationId, postingsForPaymentReversal({ ...ach, feeReturnedCents: 0 }));
  await post(testDb.db, organizationId, postingsForRefund({ refundId: 're_1', chargeId: 'ch_1', currency: 'usd', amountCents: 1000, occurredAt: at, memberId: member }));
  const dispute = { chargeId: 'ch_2', currency: 'usd', amountCents: 2500, occurredAt: at, memberId: member };
  await post(testDb.db, organizationId, postingsForDisputeFundsWithdrawn({ ...dispute, disputeId: 'dp_lost', disputeFeeCents: 1500 }));
  await post(testDb.db, organizationId, postingsForDisputeFundsWithdrawn({ ...dispute, chargeId: 'ch_3', disputeId: 'dp_won', disputeFeeCents: 1500 }));
  await post(testDb.db, organizationId, postingsForDisputeFundsReinstated({ ...dispute, chargeId: 'ch_3', disputeId: 'dp_won', disputeFeeReturnedCents: 0 }));
  await post(testDb.db, organizationId, postingsForPayoutPaid({ payoutId: 'po_1', currency: 'usd', amountCents: 1000, arrivalDate: '2026-11-06', occurredAt: at }));
  await post(testDb.db, organizationId, postingsForPayoutFailed({ payoutId: 'po_2', currency: 'usd', amountCents: 500, arrivalDate: '2026-11-07', occurredAt: at }));
  await post(
    testDb.db,
    organizationId,
    postingsForManualPayment({ manualPaymentId: 'mp_1', method: 'cash', currency: 'usd', amountCents: 2500, receivedOn: '2026-11-03', memberId: member, planId: null, periodStart: '2026-11-01', periodEnd: '2026-11-30' }),
  );
}

/** A posting by raw SQL that balances, so the database accepts it, but is wrong all the same. */
async function insertRaw(organizationId: string, sourceKey: string, kind: string, amounts: [number, number, number], entries: Array<[string, number]>): Promise<string> {
  const accounts = await ensureLedgerAccounts(testDb.db, organizationId, 'usd', TEST_NOW);
  await client.query('BEGIN');
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO ledger_transactions (organization_id, source_key, kind, occurred_at, currency, description, gross_cents, fee_cents, net_cents, created_at)
     VALUES ($1, $2, $3, $7, 'usd', 'posted by hand', $4, $5, $6, $7) RETURNING id`,
    [organizationId, sourceKey, kind, ...amounts, TEST_NOW],
  );
  for (const [account, amount] of entries) {
    await client.query(`INSERT INTO ledger_entries (organization_id, transaction_id, account_id, amount_cents, currency) VALUES ($1, $2, $3, $4, 'usd')`, [
      organizationId,
      rows[0]!.id,
      accounts.get(account as never),
      amount,
    ]);
  }
  await client.query('COMMIT');
  return rows[0]!.id;
}

let wrongAccountId: string;
let wrongDirectionId: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  client = await rawClient(testDb.url);
  soundId = await createOrganization(testDb.db, 'sound');
  await postSoundBooks(soundId);
  brokenId = await createOrganization(testDb.db, 'broken');
  await postSoundBooks(brokenId);
  // Dues received into the bank account instead of the Stripe balance.
  wrongAccountId = await insertRaw(brokenId, 'charge:ch_wrong:payment', 'dues_payment', [2500, 0, 2500], [
    ['bank', 2500],
    ['dues_income', -2500],
  ]);
  // A refund that puts money into the Stripe balance instead of taking it out.
  wrongDirectionId = await insertRaw(brokenId, 'refund:re_wrong', 'refund', [-1000, 0, -1000], [
    ['stripe_balance', 1000],
    ['refunds', -1000],
  ]);
});
afterAll(async () => {
  await client.end();
  await testDb.drop();
});

describe('checking the ledger', () => {
  test('sound books have no problems, and the Stripe balance reconciles by kind', async () => {
    expect(await checkLedger(testDb.db, soundId)).toEqual([]);
    expect(await reconcileStripeBalance(testDb.db, soundId)).toEqual([
      {
        currency: 'usd',
        ledgerBalanceCents: 3 * 2500 + 3500 - (3 * 103 + 28) - 3500 - 1000 - 2 * 2500 - 2 * 1500 + 2500 - 1000,
        expectedBalanceCents: 3 * 2500 + 3500 - (3 * 103 + 28) - 3500 - 1000 - 2 * 2500 - 2 * 1500 + 2500 - 1000,
        byKind: {
          dues_payment: 10000,
          initiation_fee: 1000,
          processing_fee: -337,
          refund: -1000,
          dispute: -5000,
          dispute_fee: -3000,
          dispute_reversal: 2500,
          payout: -1500,
          payout_failed: 500,
          payment_reversal: -3500,
        },
        paidOutCents: 1000,
      },
    ]);
  });

  test('an entry on the wrong account is named, with its transaction id and source key', async () => {
    const problems = await checkLedger(testDb.db, brokenId);
    expect(problems).toEqual([
      {
        check: 'account_not_allowed',
        transactionId: wrongAccountId,
        sourceKey: 'charge:ch_wrong:payment',
        detail: expect.stringMatching(/is on bank, but a dues_payment posts only to stripe_balance and dues_income/),
      },
      {
        check: 'stripe_balance',
        transactionId: wrongAccountId,
        sourceKey: 'charge:ch_wrong:payment',
        detail: "moves stripe_balance by 0, but Stripe's gross 2500 - fee 0 is 2500",
      },
      {
        check: 'stripe_balance',
        transactionId: wrongDirectionId,
        sourceKey: 'refund:re_wrong',
        detail: "moves stripe_balance by 1000, but Stripe's gross -1000 - fee 0 is -1000",
      },
      {
        check: 'stripe_balance_total',
        transactionId: null,
        sourceKey: null,
        detail: expect.stringMatching(/^stripe_balance \(usd\) is \d+, but Stripe's figures add up to \d+$/),
      },
    ]);
    const [reconciliation] = await reconcileStripeBalance(testDb.db, brokenId);
    expect(reconciliation!.expectedBalanceCents - reconciliation!.ledgerBalanceCents).toBe(2500 - 1000 - 1000);
  });

  test('on a damaged database (constraints gone) it still finds duplicates and unbalanced postings', async () => {
    const damaged = await createTestDatabase();
    const raw = await rawClient(damaged.url);
    try {
      const org = await createOrganization(damaged.db, 'damaged');
      const accounts = await ensureLedgerAccounts(damaged.db, org, 'usd', TEST_NOW);
      await raw.query('ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_source_key');
      await raw.query('ALTER TABLE ledger_transactions DISABLE TRIGGER ledger_transactions_balanced');
      await raw.query('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_balanced');
      const insert = async (key: string, entries: number[]) => {
        await raw.query('BEGIN');
        const { rows } = await raw.query<{ id: string }>(
          `INSERT INTO ledger_transactions (organization_id, source_key, kind, occurred_at, currency, description, created_at) VALUES ($1, $2, 'manual_payment', $3, 'usd', 'damaged', $3) RETURNING id`,
          [org, key, TEST_NOW],
        );
        for (const [i, amount] of entries.entries()) {
          await raw.query(`INSERT INTO ledger_entries (organization_id, transaction_id, account_id, amount_cents, currency) VALUES ($1, $2, $3, $4, 'usd')`, [
            org,
            rows[0]!.id,
            accounts.get(i === 0 ? 'cash_on_hand' : 'dues_income'),
            amount,
          ]);
        }
        await raw.query('COMMIT');
        return rows[0]!.id;
      };
      await insert('manual_payment:twice', [500, -500]);
      const second = await insert('manual_payment:twice', [500, -500]);
      const lone = await insert('manual_payment:lone', []);
      const unbalanced = await insert('manual_payment:unbalanced', [500, -400]);
      expect(await findDuplicateSourceKeys(damaged.db, org)).toEqual([
        { check: 'duplicate_source_key', transactionId: second, sourceKey: 'manual_payment:twice', detail: expect.stringMatching(/^source key posted 2 times/) },
      ]);
      expect(await findUnbalancedTransactions(damaged.db, org)).toEqual([
        { check: 'too_few_entries', transactionId: lone, sourceKey: 'manual_payment:lone', detail: 'has 0 entries; at least 2 are required' },
        { check: 'unbalanced', transactionId: unbalanced, sourceKey: 'manual_payment:unbalanced', detail: 'entries sum to 100, not 0' },
      ]);
    } finally {
      await raw.end();
      await damaged.drop();
    }
  });
});

describe('npm run check-ledger', () => {
  const root = path.resolve(__dirname, '..', '..');
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/check-ledger.ts', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: testDb.url } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      });
    });

  test('exits 0 for sound books and prints the balances and the reconciliation', async () => {
    const result = await run(['--org', 'sound']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`ledger of sound (${soundId}): `);
    // Two disputes and a reversal have taken the Stripe balance below zero: a credit balance.
    expect(result.stdout).toMatch(/stripe_balance +usd +3\.37 +Cr/);
    expect(result.stdout).toMatch(/dues_income +usd +100\.00 +Cr/);
    expect(result.stdout).toContain("Stripe balance (usd) in the ledger -3.37; from Stripe's figures -3.37 = dues_payment 100.00 + initiation_fee 10.00");
    expect(result.stdout).toContain('paid out to the bank 10.00');
    expect(result.stdout).toContain('ok: every transaction balances');
  });

  test('exits non-zero and names the offending transactions', async () => {
    const result = await run(['--org', 'broken']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`PROBLEM account_not_allowed: transaction ${wrongAccountId} (charge:ch_wrong:payment)`);
    expect(result.stdout).toContain(`PROBLEM stripe_balance: transaction ${wrongDirectionId} (refund:re_wrong)`);
    expect(result.stderr).toBe('check-ledger: 4 problem(s) found\n');
  });

  test('--all checks every organization', async () => {
    const result = await run(['--all']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('ledger of broken');
    expect(result.stdout).toContain('ledger of sound');
  });

  test('an unknown organization or missing arguments are plain errors', async () => {
    expect(await run(['--org', 'nobody'])).toMatchObject({ code: 1, stderr: 'error: no organization with slug "nobody"\n' });
    expect(await run([])).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run check-ledger') });
  });
});

import type { Client } from 'pg';
import { ensureLedgerAccounts } from '../../src/ledger/queries';
import { TEST_NOW } from '../support/app';
import { postingsForManualPayment } from '../../src/ledger/postings';
import type { AccountCode } from '../../src/ledger/accounts';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createMember, createOrganization, post, rawClient } from './support';

// The ledger's rules hold in the database itself: these tests go around the application
// code with raw SQL on a plain connection and show that nothing gets through.

let testDb: TestDatabase;
let client: Client;
let organizationId: string;
let otherOrganizationId: string;
let usd: Map<AccountCode, string>;
let eur: Map<AccountCode, string>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  client = await rawClient(testDb.url);
  organizationId = await createOrganization(testDb.db, 'guarded');
  otherOrganizationId = await createOrganization(testDb.db, 'elsewhere');
  usd = await ensureLedgerAccounts(testDb.db, organizationId, 'usd', TEST_NOW);
  eur = await ensureLedgerAccounts(testDb.db, organizationId, 'eur', TEST_NOW);
  const memberId = await createMember(testDb.db, organizationId, 'ana@example.org');
  await post(
    testDb.db,
    organizationId,
    postingsForManualPayment({ manualPaymentId: 'mp_1', method: 'cash', currency: 'usd', amountCents: 2500, receivedOn: '2026-11-03', memberId, planId: null, periodStart: '2026-11-01', periodEnd: '2026-11-30' }),
  );
});
afterAll(async () => {
  await client.end();
  await testDb.drop();
});

async function insertTransaction(sourceKey: string, options: { organizationId?: string; currency?: string } = {}): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO ledger_transactions (organization_id, source_key, kind, occurred_at, currency, description, created_at)
     VALUES ($1, $2, 'manual_payment', $4, $3, 'raw SQL', $4) RETURNING id`,
    [options.organizationId ?? organizationId, sourceKey, options.currency ?? 'usd', TEST_NOW],
  );
  return rows[0]!.id;
}

async function insertEntry(transactionId: string, accountId: string, amountCents: number, currency = 'usd', org = organizationId): Promise<void> {
  await client.query('INSERT INTO ledger_entries (organization_id, transaction_id, account_id, amount_cents, currency) VALUES ($1, $2, $3, $4, $5)', [org, transactionId, accountId, amountCents, currency]);
}

/** Runs statements in one database transaction and returns the error COMMIT raised, if any. */
async function inTransaction(body: () => Promise<void>): Promise<Error | undefined> {
  await client.query('BEGIN');
  try {
    await body();
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  try {
    await client.query('COMMIT');
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

async function transactionCount(sourceKey: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_transactions WHERE source_key = $1', [sourceKey]);
  return rows[0]!.n;
}

describe('the ledger in the database', () => {
  test('a balanced posting by raw SQL commits', async () => {
    const error = await inTransaction(async () => {
      const id = await insertTransaction('raw:balanced');
      await insertEntry(id, usd.get('cash_on_hand')!, 700);
      await insertEntry(id, usd.get('dues_income')!, -700);
    });
    expect(error).toBeUndefined();
    expect(await transactionCount('raw:balanced')).toBe(1);
  });

  test('an unbalanced posting is accepted statement by statement and refused at COMMIT', async () => {
    const error = await inTransaction(async () => {
      const id = await insertTransaction('raw:unbalanced');
      await insertEntry(id, usd.get('cash_on_hand')!, 2500);
      await insertEntry(id, usd.get('dues_income')!, -2000);
    });
    expect(error?.message).toMatch(/ledger transaction .* \(raw:unbalanced\) does not balance: entries sum to usd 500/);
    expect(await transactionCount('raw:unbalanced')).toBe(0);
  });

  test('a transaction with no entries is refused at COMMIT, and outside a transaction at once', async () => {
    const error = await inTransaction(async () => {
      await insertTransaction('raw:lone');
    });
    expect(error?.message).toMatch(/\(raw:lone\) has 0 entries: at least 2 are required/);
    await expect(insertTransaction('raw:autocommit')).rejects.toThrow(/has 0 entries/);
    expect(await transactionCount('raw:lone')).toBe(0);
    expect(await transactionCount('raw:autocommit')).toBe(0);
  });

  test('a transaction with a single entry is refused at COMMIT', async () => {
    const error = await inTransaction(async () => {
      const id = await insertTransaction('raw:single');
      await insertEntry(id, usd.get('cash_on_hand')!, 2500);
    });
    expect(error?.message).toMatch(/\(raw:single\) has 1 entries/);
  });

  test('making the check immediate only makes it fail sooner', async () => {
    await client.query('BEGIN');
    try {
      await client.query('SET CONSTRAINTS ALL IMMEDIATE');
      await expect(insertTransaction('raw:immediate')).rejects.toThrow(/has 0 entries/);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  test('entries cannot be added to a transaction once it is committed, even in balanced pairs', async () => {
    const { rows } = await client.query<{ id: string }>("SELECT id FROM ledger_transactions WHERE source_key = 'manual_payment:mp_1'");
    const error = await inTransaction(async () => {
      await expect(insertEntry(rows[0]!.id, usd.get('bank')!, 2500)).rejects.toThrow(/\(manual_payment:mp_1\) was posted earlier: entries cannot be added to it/);
    });
    expect(error).toBeUndefined();
  });

  test("an entry's currency must be its transaction's and its account's", async () => {
    await client.query('BEGIN');
    try {
      const id = await insertTransaction('raw:currency');
      await expect(insertEntry(id, eur.get('cash_on_hand')!, 100, 'eur')).rejects.toThrow(/ledger_entries_transaction_fkey/);
    } finally {
      await client.query('ROLLBACK');
    }
    await client.query('BEGIN');
    try {
      const id = await insertTransaction('raw:currency');
      await expect(insertEntry(id, eur.get('cash_on_hand')!, 100, 'usd')).rejects.toThrow(/ledger_entries_account_fkey/);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  test("an entry cannot point at another organization's transaction or account", async () => {
    const otherAccounts = await ensureLedgerAccounts(testDb.db, otherOrganizationId, 'usd', TEST_NOW);
    await client.query('BEGIN');
    try {
      const id = await insertTransaction('raw:tenant');
      await expect(insertEntry(id, otherAccounts.get('cash_on_hand')!, 100)).rejects.toThrow(/ledger_entries_account_fkey/);
    } finally {
      await client.query('ROLLBACK');
    }
    await client.query('BEGIN');
    try {
      const id = await insertTransaction('raw:tenant');
      await expect(insertEntry(id, otherAccounts.get('cash_on_hand')!, 100, 'usd', otherOrganizationId)).rejects.toThrow(/ledger_entries_transaction_fkey/);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  test('a zero entry is refused', async () => {
    await client.query('BEGIN');
    try {
      const id = await insertTransaction('raw:zero');
      await expect(insertEntry(id, usd.get('cash_on_hand')!, 0)).rejects.toThrow(/ledger_entries_amount_cents_check/);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  test.each(['ledger_accounts', 'ledger_transactions', 'ledger_entries'])('%s refuses UPDATE, DELETE and TRUNCATE', async (table) => {
    const before = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
    const column = table === 'ledger_entries' ? 'amount_cents = amount_cents * 2' : table === 'ledger_accounts' ? "name = 'renamed'" : "description = 'rewritten'";
    await expect(client.query(`UPDATE ${table} SET ${column}`)).rejects.toThrow(`UPDATE on ${table} is not allowed: the table is append-only`);
    await expect(client.query(`DELETE FROM ${table}`)).rejects.toThrow(`DELETE on ${table} is not allowed`);
    await expect(client.query(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(/TRUNCATE on ledger_\w+ is not allowed/);
    const after = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
    expect(after.rows).toEqual(before.rows);
  });

  test('an organization with a ledger cannot be deleted out from under it', async () => {
    await expect(client.query('DELETE FROM organizations WHERE id = $1', [organizationId])).rejects.toThrow(/foreign key/);
  });
});

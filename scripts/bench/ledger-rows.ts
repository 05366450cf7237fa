import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { ensureLedgerAccounts } from '../../src/ledger/queries';

/**
 * Posts `count` balanced dues payments (card, $25.00, one a minute from `start`) for an
 * organization in one set-based statement: a transaction row and its two entries each,
 * so the database's balance check at commit holds as for real postings.
 */
export async function generateLedgerRows(db: Kysely<Database>, organizationId: string, count: number, start = '2026-01-01T00:00:00Z'): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const accounts = await ensureLedgerAccounts(trx, organizationId, 'usd');
    await sql`
      WITH tx AS (
        INSERT INTO ledger_transactions (organization_id, source_key, kind, occurred_at, currency, description, payment_method, stripe_charge_id, gross_cents, fee_cents, net_cents)
        SELECT ${organizationId}::uuid, 'bench:' || g, 'dues_payment', ${start}::timestamptz + g * interval '1 minute', 'usd',
          'Dues received by card, charge ch_bench' || g, 'card', 'ch_bench' || g, 2500, 0, 2500
        FROM generate_series(1, ${count}::int) AS g
        RETURNING id
      )
      INSERT INTO ledger_entries (organization_id, transaction_id, account_id, amount_cents, currency)
      SELECT ${organizationId}::uuid, tx.id, side.account_id, side.amount_cents, 'usd'
      FROM tx CROSS JOIN (VALUES (${accounts.get('stripe_balance')!}::uuid, 2500), (${accounts.get('dues_income')!}::uuid, -2500)) AS side(account_id, amount_cents)`.execute(trx);
  });
}

import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { ensureLedgerAccounts } from '../../src/ledger/queries';

/**
 * Posts `count` dues payments (card, $25.00, one a minute from `start`) for an
 * organization, set-based: a transaction row and its two balancing entries each.
 *
 * The ledger's row triggers (stamp, same-posting and deferred balance checks) cost about
 * half a millisecond a transaction, which makes a million rows take many minutes; as a
 * superuser the generator turns them off for its own database transaction
 * (session_replication_role) and writes what they would have: the posting transaction's
 * id, and entries that balance by construction. Without superuser it goes through them.
 */
export async function generateLedgerRows(db: Kysely<Database>, organizationId: string, count: number, start = '2026-01-01T00:00:00Z'): Promise<void> {
  const prefix = `bench:${start}:`;
  await db.transaction().execute(async (trx) => {
    const accounts = await ensureLedgerAccounts(trx, organizationId, 'usd', new Date(start));
    const { rows } = await sql<{ rolsuper: boolean }>`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`.execute(trx);
    if (rows[0]?.rolsuper) await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    await sql`
      WITH tx AS (
        INSERT INTO ledger_transactions (organization_id, source_key, kind, occurred_at, currency, description, payment_method, stripe_charge_id, gross_cents, fee_cents, net_cents, posted_in_xact, created_at)
        SELECT ${organizationId}::uuid, ${prefix} || g, 'dues_payment', ${start}::timestamptz + g * interval '1 minute', 'usd',
          'Dues received by card, charge ch_bench' || g, 'card', 'ch_bench' || g, 2500, 0, 2500, pg_current_xact_id(), ${start}::timestamptz + g * interval '1 minute'
        FROM generate_series(1, ${count}::int) AS g
        RETURNING organization_id, id
      )
      INSERT INTO ledger_entries (organization_id, transaction_id, account_id, amount_cents, currency)
      SELECT tx.organization_id, tx.id, side.account_id, side.amount_cents, 'usd'
      FROM tx CROSS JOIN (VALUES (${accounts.get('stripe_balance')!}::uuid, 2500), (${accounts.get('dues_income')!}::uuid, -2500)) AS side(account_id, amount_cents)`.execute(trx);
  });
  // Fresh statistics, as after autovacuum: the export's plan depends on them.
  await sql`ANALYZE ledger_transactions, ledger_entries`.execute(db);
}

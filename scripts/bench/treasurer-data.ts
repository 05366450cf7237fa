import { sql } from 'kysely';
import type { Db } from '../../db/connection';
import { ensureLedgerAccounts } from '../../src/ledger/queries';

/**
 * A treasurer's ledger, set-based: `count` transactions spread evenly over the `days` before
 * `end`, in a repeating mix of ten (dues by card and its processing fee, dues by bank debit
 * and its fee, checks, cash and payroll deductions posted as manual payments), each with its
 * two balancing entries on the accounts its kind may use (src/ledger/postings.ts KIND_RULES):
 *
 *   0-2 dues_payment card            stripe_balance +dues / dues_income -dues
 *   3   processing_fee card          processing_fees +103 / stripe_balance -103
 *   4-5 dues_payment us_bank_account stripe_balance +dues / dues_income -dues
 *   6   processing_fee bank debit    processing_fees +40 / stripe_balance -40
 *   7-9 manual_payment check, cash, payroll_deduction   cash_on_hand +dues / dues_income -dues
 *
 * As scripts/bench/ledger-rows.ts does, a superuser turns the ledger's row triggers off for
 * this one database transaction and writes what they would have (posted_in_xact; entries
 * that balance by construction).
 */
export async function generateTreasurerLedger(db: Db, organizationId: string, options: { count: number; end: Date; days: number }): Promise<void> {
  const prefix = `bench-treasurer:${options.end.toISOString()}:`;
  const stepSeconds = (options.days * 86_400) / options.count;
  await db.transaction().execute(async (trx) => {
    const accounts = await ensureLedgerAccounts(trx, organizationId, 'usd', new Date(options.end.getTime() - options.days * 86_400_000 - 86_400_000));
    const account = (code: Parameters<typeof accounts.get>[0]) => sql`${accounts.get(code)!}::uuid`;
    const { rows } = await sql<{ rolsuper: boolean }>`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`.execute(trx);
    if (rows[0]?.rolsuper) await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    await sql`
      WITH spec AS (
        SELECT g, g % 10 AS r, 2000 + (g % 7) * 250 AS dues,
          ${options.end}::timestamptz - (${options.count}::int - g) * ${stepSeconds}::float8 * interval '1 second' AS at
        FROM generate_series(1, ${options.count}::int) AS g
      ),
      shaped AS (
        SELECT g, at, dues,
          CASE WHEN r IN (3, 6) THEN 'processing_fee' WHEN r >= 7 THEN 'manual_payment' ELSE 'dues_payment' END AS kind,
          CASE WHEN r <= 3 THEN 'card' WHEN r <= 6 THEN 'us_bank_account' WHEN r = 7 THEN 'check' WHEN r = 8 THEN 'cash' ELSE 'payroll_deduction' END AS method,
          CASE r WHEN 3 THEN 103 WHEN 6 THEN 40 ELSE 0 END AS fee,
          CASE WHEN r IN (0, 1, 2, 4, 5) THEN 'ch_bench' || g WHEN r = 3 THEN 'ch_bench' || (g - 3) WHEN r = 6 THEN 'ch_bench' || (g - 1) END AS charge
        FROM spec
      ),
      tx AS (
        INSERT INTO ledger_transactions (organization_id, source_key, kind, occurred_at, currency, description, payment_method, stripe_charge_id, gross_cents, fee_cents, net_cents, posted_in_xact, created_at)
        SELECT ${organizationId}::uuid, ${prefix} || g, kind, at, 'usd',
          CASE kind WHEN 'processing_fee' THEN 'Stripe processing fee, charge ' || charge WHEN 'dues_payment' THEN 'Dues received, charge ' || charge ELSE 'Dues received by ' || method END,
          method, charge,
          CASE kind WHEN 'dues_payment' THEN dues WHEN 'processing_fee' THEN 0 END,
          CASE kind WHEN 'dues_payment' THEN 0 WHEN 'processing_fee' THEN fee END,
          CASE kind WHEN 'dues_payment' THEN dues WHEN 'processing_fee' THEN -fee END,
          pg_current_xact_id(), at
        FROM shaped
        RETURNING organization_id, id, kind, gross_cents, fee_cents, source_key
      )
      INSERT INTO ledger_entries (organization_id, transaction_id, account_id, amount_cents, currency)
      SELECT tx.organization_id, tx.id, side.account_id, side.amount_cents, 'usd'
      FROM tx CROSS JOIN LATERAL (
        SELECT CASE tx.kind WHEN 'processing_fee' THEN tx.fee_cents ELSE coalesce(tx.gross_cents, 2000 + (substr(tx.source_key, ${prefix.length + 1})::int % 7) * 250) END AS amount
      ) AS a
      CROSS JOIN LATERAL (VALUES
        (CASE tx.kind WHEN 'dues_payment' THEN ${account('stripe_balance')} WHEN 'processing_fee' THEN ${account('processing_fees')} ELSE ${account('cash_on_hand')} END, a.amount),
        (CASE tx.kind WHEN 'processing_fee' THEN ${account('stripe_balance')} ELSE ${account('dues_income')} END, -a.amount)
      ) AS side(account_id, amount_cents)`.execute(trx);
  });
  // Fresh statistics, as after autovacuum: the plans depend on them.
  await sql`ANALYZE ledger_transactions, ledger_entries`.execute(db);
}

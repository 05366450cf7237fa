import { Kysely, sql } from 'kysely';

// The balance check runs at COMMIT for every ledger transaction and every entry posted, so
// a webhook batch runs it hundreds of times: it now counts and sums the entries in one
// query (it took three), and reads the source key only to name a transaction it refuses.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION ledger_assert_balanced(org uuid, txn uuid) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      key text;
      entry_count integer;
      unbalanced text;
    BEGIN
      SELECT coalesce(sum(n), 0), string_agg(currency || ' ' || total, ', ') FILTER (WHERE total <> 0)
        INTO entry_count, unbalanced
        FROM (
          SELECT currency, count(*) AS n, sum(amount_cents) AS total FROM ledger_entries
           WHERE organization_id = org AND transaction_id = txn
           GROUP BY currency
        ) AS sums;
      IF entry_count >= 2 AND unbalanced IS NULL THEN
        RETURN;
      END IF;
      SELECT source_key INTO key FROM ledger_transactions WHERE organization_id = org AND id = txn;
      IF entry_count < 2 THEN
        RAISE EXCEPTION 'ledger transaction % (%) has % entries: at least 2 are required', txn, key, entry_count
          USING ERRCODE = 'check_violation';
      END IF;
      RAISE EXCEPTION 'ledger transaction % (%) does not balance: entries sum to %', txn, key, unbalanced
        USING ERRCODE = 'check_violation';
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION ledger_assert_balanced(org uuid, txn uuid) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      key text;
      entry_count integer;
      unbalanced text;
    BEGIN
      SELECT source_key INTO key FROM ledger_transactions WHERE organization_id = org AND id = txn;
      SELECT count(*) INTO entry_count FROM ledger_entries WHERE organization_id = org AND transaction_id = txn;
      IF entry_count < 2 THEN
        RAISE EXCEPTION 'ledger transaction % (%) has % entries: at least 2 are required', txn, key, entry_count
          USING ERRCODE = 'check_violation';
      END IF;
      SELECT string_agg(currency || ' ' || total, ', ') INTO unbalanced FROM (
        SELECT currency, sum(amount_cents) AS total FROM ledger_entries
         WHERE organization_id = org AND transaction_id = txn
         GROUP BY currency HAVING sum(amount_cents) <> 0
      ) AS sums;
      IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % (%) does not balance: entries sum to %', txn, key, unbalanced
          USING ERRCODE = 'check_violation';
      END IF;
    END $$`.execute(db);
}

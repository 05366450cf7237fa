import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { KIND_RULES, LEDGER_KINDS, type LedgerKind } from './postings';

/**
 * Checks a treasurer can run over an organization's ledger (scripts/check-ledger). The
 * database already refuses unbalanced, edited or deleted postings; these checks say so
 * independently, and reconcile the Stripe-balance account against the figures Stripe
 * reported, so that an entry posted to the wrong account is caught as well.
 */
export type LedgerCheck =
  | 'too_few_entries'
  | 'unbalanced'
  | 'currency_mismatch'
  | 'duplicate_source_key'
  | 'account_not_allowed'
  | 'stripe_amounts'
  | 'stripe_balance'
  | 'stripe_direction'
  | 'stripe_balance_total'
  /** A paid payout's balance transactions (read from Stripe) and the ledger's postings for them do not match one for one. */
  | 'payout_balance_transactions'
  /** A balance transaction of the organization's payout is posted in another organization's ledger. */
  | 'payout_posted_elsewhere'
  | 'payout_unreadable';

export interface LedgerProblem {
  check: LedgerCheck;
  /** The offending transaction; null for a problem with a whole account. */
  transactionId: string | null;
  sourceKey: string | null;
  detail: string;
}

const STRIPE_KINDS = LEDGER_KINDS.filter((kind) => KIND_RULES[kind].stripe !== 'none');
const kindsMoving = (direction: 'in' | 'out') => LEDGER_KINDS.filter((kind) => KIND_RULES[kind].stripe === direction);
const textArray = (values: readonly string[]) => sql`ARRAY[${sql.join(values.map((value) => sql.lit(value)))}]::text[]`;

/** Transactions with fewer than two entries, entries that do not sum to zero, or entries in another currency. */
export async function findUnbalancedTransactions(db: Kysely<Database>, organizationId: string): Promise<LedgerProblem[]> {
  const { rows } = await sql<{ id: string; source_key: string; currency: string; entries: number; total: number; foreign_entries: number }>`
    SELECT t.id, t.source_key, t.currency, count(e.id)::int AS entries, coalesce(sum(e.amount_cents), 0)::bigint AS total,
           count(e.id) FILTER (WHERE e.currency <> t.currency)::int AS foreign_entries
      FROM ledger_transactions t
      LEFT JOIN ledger_entries e ON e.organization_id = t.organization_id AND e.transaction_id = t.id
     WHERE t.organization_id = ${organizationId}
     GROUP BY t.id, t.source_key, t.currency
    HAVING count(e.id) < 2 OR coalesce(sum(e.amount_cents), 0) <> 0 OR count(e.id) FILTER (WHERE e.currency <> t.currency) > 0
     ORDER BY t.source_key`.execute(db);
  return rows.flatMap((row) => {
    const problems: LedgerProblem[] = [];
    const about = { transactionId: row.id, sourceKey: row.source_key };
    if (row.entries < 2) problems.push({ check: 'too_few_entries', ...about, detail: `has ${row.entries} entries; at least 2 are required` });
    if (row.foreign_entries > 0) problems.push({ check: 'currency_mismatch', ...about, detail: `${row.foreign_entries} entries are not in the transaction's currency ${row.currency}` });
    else if (row.total !== 0) problems.push({ check: 'unbalanced', ...about, detail: `entries sum to ${row.total}, not 0` });
    return problems;
  });
}

/** A source key posted more than once (the unique index forbids it; this says so independently). */
export async function findDuplicateSourceKeys(db: Kysely<Database>, organizationId: string): Promise<LedgerProblem[]> {
  const { rows } = await sql<{ source_key: string; ids: string[] }>`
    SELECT source_key, array_agg(id::text ORDER BY created_at, posted_in_xact, id) AS ids
      FROM ledger_transactions
     WHERE organization_id = ${organizationId}
     GROUP BY source_key
    HAVING count(*) > 1
     ORDER BY source_key`.execute(db);
  return rows.flatMap((row) =>
    row.ids.slice(1).map((id) => ({ check: 'duplicate_source_key' as const, transactionId: id, sourceKey: row.source_key, detail: `source key posted ${row.ids.length} times (first as ${row.ids[0]})` })),
  );
}

/** Entries on an account their transaction's kind never posts to (a dues payment credited to refunds, say). */
export async function findMispostedEntries(db: Kysely<Database>, organizationId: string): Promise<LedgerProblem[]> {
  const allowed = sql.join(LEDGER_KINDS.flatMap((kind) => KIND_RULES[kind].accounts.map((code) => sql`(${sql.lit(kind)}, ${sql.lit(code)})`)));
  const { rows } = await sql<{ id: string; source_key: string; kind: LedgerKind; code: string; entry_id: number; amount_cents: number }>`
    SELECT t.id, t.source_key, t.kind, a.code, e.id AS entry_id, e.amount_cents
      FROM ledger_entries e
      JOIN ledger_transactions t ON t.organization_id = e.organization_id AND t.id = e.transaction_id
      JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
     WHERE e.organization_id = ${organizationId}
       AND (t.kind, a.code) NOT IN (VALUES ${allowed})
     ORDER BY e.id`.execute(db);
  return rows.map((row) => ({
    check: 'account_not_allowed',
    transactionId: row.id,
    sourceKey: row.source_key,
    detail: `entry ${row.entry_id} (${row.amount_cents}) is on ${row.code}, but a ${row.kind} posts only to ${KIND_RULES[row.kind].accounts.join(' and ')}`,
  }));
}

/**
 * Per transaction: what it did to the stripe_balance account must be exactly the net that
 * Stripe reported for it (gross - fee), in the direction its kind moves money; a
 * transaction Stripe never saw must not touch that account at all.
 */
export async function findStripeBalanceMismatches(db: Kysely<Database>, organizationId: string): Promise<LedgerProblem[]> {
  const { rows } = await sql<{ id: string; source_key: string; kind: LedgerKind; gross_cents: number | null; fee_cents: number | null; net_cents: number | null; effect: number }>`
    SELECT * FROM (
      SELECT t.id, t.source_key, t.kind, t.gross_cents, t.fee_cents, t.net_cents,
             coalesce(sum(e.amount_cents) FILTER (WHERE a.code = 'stripe_balance'), 0)::bigint AS effect
        FROM ledger_transactions t
        LEFT JOIN ledger_entries e ON e.organization_id = t.organization_id AND e.transaction_id = t.id
        LEFT JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
       WHERE t.organization_id = ${organizationId}
       GROUP BY t.organization_id, t.id
    ) AS per_transaction
     WHERE CASE WHEN kind = ANY(${textArray(STRIPE_KINDS)})
                THEN gross_cents IS NULL OR fee_cents IS NULL OR net_cents IS DISTINCT FROM gross_cents - fee_cents
                     OR effect <> gross_cents - fee_cents
                     OR (kind = ANY(${textArray(kindsMoving('in'))}) AND effect <= 0)
                     OR (kind = ANY(${textArray(kindsMoving('out'))}) AND effect >= 0)
                ELSE effect <> 0 END
     ORDER BY source_key`.execute(db);
  return rows.map((row) => {
    const about = { transactionId: row.id, sourceKey: row.source_key };
    if (KIND_RULES[row.kind].stripe === 'none') return { check: 'stripe_balance', ...about, detail: `a ${row.kind} moves stripe_balance by ${row.effect}; Stripe never saw it` };
    if (row.gross_cents === null || row.fee_cents === null || row.net_cents !== row.gross_cents - row.fee_cents) {
      return { check: 'stripe_amounts', ...about, detail: `gross ${row.gross_cents}, fee ${row.fee_cents} and net ${row.net_cents} do not agree` };
    }
    const expected = row.gross_cents - row.fee_cents;
    if (row.effect !== expected) return { check: 'stripe_balance', ...about, detail: `moves stripe_balance by ${row.effect}, but Stripe's gross ${row.gross_cents} - fee ${row.fee_cents} is ${expected}` };
    return { check: 'stripe_direction', ...about, detail: `a ${row.kind} must ${KIND_RULES[row.kind].stripe === 'in' ? 'add to' : 'take from'} the Stripe balance, but moves it by ${row.effect}` };
  });
}

export interface StripeReconciliation {
  currency: string;
  /** The stripe_balance account's balance, summed from its entries. */
  ledgerBalanceCents: number;
  /** Stripe's gross - fee over every transaction, by kind: what the balance should be. */
  expectedBalanceCents: number;
  byKind: Partial<Record<LedgerKind, number>>;
  /** Net of payouts and failed payouts: what has reached the bank; the rest is still at Stripe (pending or available). */
  paidOutCents: number;
}

/** The stripe_balance account against charges - fees - refunds - disputes + reinstatements - payouts, per currency. */
export async function reconcileStripeBalance(db: Kysely<Database>, organizationId: string): Promise<StripeReconciliation[]> {
  const byKind = await sql<{ currency: string; kind: LedgerKind; net: number }>`
    SELECT currency, kind, coalesce(sum(gross_cents - fee_cents), 0)::bigint AS net
      FROM ledger_transactions
     WHERE organization_id = ${organizationId} AND kind = ANY(${textArray(STRIPE_KINDS)})
     GROUP BY currency, kind`.execute(db);
  const balances = await sql<{ currency: string; balance: number }>`
    SELECT a.currency, coalesce(sum(e.amount_cents), 0)::bigint AS balance
      FROM ledger_accounts a
      LEFT JOIN ledger_entries e ON e.organization_id = a.organization_id AND e.account_id = a.id
     WHERE a.organization_id = ${organizationId} AND a.code = 'stripe_balance'
     GROUP BY a.currency`.execute(db);
  const currencies = [...new Set([...byKind.rows.map((row) => row.currency), ...balances.rows.map((row) => row.currency)])].sort();
  return currencies.map((currency) => {
    const kinds = byKind.rows.filter((row) => row.currency === currency);
    const net = (kind: LedgerKind) => kinds.find((row) => row.kind === kind)?.net ?? 0;
    return {
      currency,
      ledgerBalanceCents: balances.rows.find((row) => row.currency === currency)?.balance ?? 0,
      expectedBalanceCents: kinds.reduce((sum, row) => sum + row.net, 0),
      byKind: Object.fromEntries(STRIPE_KINDS.filter((kind) => kinds.some((row) => row.kind === kind)).map((kind) => [kind, net(kind)])),
      paidOutCents: -(net('payout') + net('payout_failed')),
    };
  });
}

/** Every check over one organization's ledger: an empty list means the books are sound. */
export async function checkLedger(db: Kysely<Database>, organizationId: string): Promise<LedgerProblem[]> {
  const problems = [
    ...(await findUnbalancedTransactions(db, organizationId)),
    ...(await findDuplicateSourceKeys(db, organizationId)),
    ...(await findMispostedEntries(db, organizationId)),
    ...(await findStripeBalanceMismatches(db, organizationId)),
  ];
  for (const reconciliation of await reconcileStripeBalance(db, organizationId)) {
    if (reconciliation.ledgerBalanceCents !== reconciliation.expectedBalanceCents) {
      problems.push({
        check: 'stripe_balance_total',
        transactionId: null,
        sourceKey: null,
        detail: `stripe_balance (${reconciliation.currency}) is ${reconciliation.ledgerBalanceCents}, but Stripe's figures add up to ${reconciliation.expectedBalanceCents}`,
      });
    }
  }
  return problems;
}

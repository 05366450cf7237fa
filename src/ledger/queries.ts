import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database, LedgerTransactionsTable } from '../../db/database';
import type {} from '../../db/database-per-capita';
import { ACCOUNT_CODES, CHART_OF_ACCOUNTS, type AccountCode } from './accounts';
import { formatMinorUnits, renderTable } from './format';
import { assertValidDraft, type LedgerTransactionDraft } from './postings';
import { firstOpenMonthAfter, monthIn } from '../months/calendar';

const CURRENCY = /^[a-z]{3}$/;

export async function accountIds(db: Kysely<Database>, organizationId: string, currency: string): Promise<Map<AccountCode, string>> {
  const rows = await db.selectFrom('ledger_accounts').select(['id', 'code']).where('organization_id', '=', organizationId).where('currency', '=', currency).execute();
  return new Map(rows.map((row) => [row.code, row.id]));
}

/**
 * The organization's accounts in a currency, created on first use. Safe under races: a
 * concurrent creator's rows win the unique index and are read back.
 */
export async function ensureLedgerAccounts(db: Kysely<Database>, organizationId: string, currency: string, at: Date): Promise<Map<AccountCode, string>> {
  if (!CURRENCY.test(currency)) throw new RangeError(`currency "${currency}" must be three lowercase letters`);
  const existing = await accountIds(db, organizationId, currency);
  if (existing.size === ACCOUNT_CODES.length) return existing;
  await db
    .insertInto('ledger_accounts')
    .values(CHART_OF_ACCOUNTS.map((account) => ({ organization_id: organizationId, code: account.code, currency, name: account.name, created_at: at })))
    .onConflict((oc) => oc.columns(['organization_id', 'code', 'currency']).doNothing())
    .execute();
  return accountIds(db, organizationId, currency);
}

// Accounts are never changed or removed once they exist, so one transaction that posts
// many times (a webhook batch) reads each organization's chart once.
const accountsReadIn = new WeakMap<Kysely<Database>, Map<string, Map<AccountCode, string>>>();

async function accountsInTransaction(trx: Kysely<Database>, organizationId: string, currency: string, at: Date): Promise<Map<AccountCode, string>> {
  let known = accountsReadIn.get(trx);
  if (!known) accountsReadIn.set(trx, (known = new Map()));
  const key = `${organizationId}:${currency}`;
  let accounts = known.get(key);
  if (!accounts) known.set(key, (accounts = await ensureLedgerAccounts(trx, organizationId, currency, at)));
  return accounts;
}

interface ClosedMonths {
  timeZone: string;
  months: Set<string>;
}

// Read once per database transaction, as the accounts are: the database trigger refuses a
// posting into a month closed since, so a stale read can only fail a posting, never land one.
const closedMonthsReadIn = new WeakMap<Kysely<Database>, Map<string, ClosedMonths>>();

async function closedMonthsInTransaction(trx: Kysely<Database>, organizationId: string): Promise<ClosedMonths> {
  let known = closedMonthsReadIn.get(trx);
  if (!known) closedMonthsReadIn.set(trx, (known = new Map()));
  let closed = known.get(organizationId);
  if (!closed) {
    const { rows } = await sql<{ time_zone: string; months: string[] }>`
      SELECT o.time_zone, array(SELECT c.month FROM closed_months c WHERE c.organization_id = o.id AND c.reopened_at IS NULL) AS months
      FROM organizations o WHERE o.id = ${organizationId}`.execute(trx);
    closed = { timeZone: rows[0]?.time_zone ?? 'UTC', months: new Set(rows[0]?.months ?? []) };
    known.set(organizationId, closed);
  }
  return closed;
}

/**
 * Where each draft is posted: its own date, or for one dated in a closed month the start
 * (in the organization's time zone) of the first open month after it, so a closed month's
 * figures never change. Months can only be closed once over, so that start is never later
 * than now. Answers the dates by source key, and the original dates of the moved drafts.
 */
async function postingDates(trx: Kysely<Database>, organizationId: string, drafts: readonly LedgerTransactionDraft[]): Promise<Map<string, { occurredAt: Date; originalOccurredAt: Date | null }>> {
  const closed = await closedMonthsInTransaction(trx, organizationId);
  const dates = new Map<string, { occurredAt: Date; originalOccurredAt: Date | null }>();
  const starts = new Map<string, Date>();
  for (const draft of drafts) {
    const month = closed.months.size === 0 ? undefined : monthIn(closed.timeZone, draft.occurredAt);
    if (month === undefined || !closed.months.has(month)) {
      dates.set(draft.sourceKey, { occurredAt: draft.occurredAt, originalOccurredAt: null });
      continue;
    }
    const open = firstOpenMonthAfter(month, closed.months);
    let start = starts.get(open);
    if (!start) {
      const { rows } = await sql<{ start: Date }>`SELECT (${`${open}-01`}::date::timestamp AT TIME ZONE ${closed.timeZone}) AS start`.execute(trx);
      starts.set(open, (start = rows[0]!.start));
    }
    dates.set(draft.sourceKey, { occurredAt: start, originalOccurredAt: draft.occurredAt });
  }
  return dates;
}

function transactionRow(organizationId: string, draft: LedgerTransactionDraft, postedAt: Date, dated: { occurredAt: Date; originalOccurredAt: Date | null }): Insertable<LedgerTransactionsTable> {
  return {
    organization_id: organizationId,
    source_key: draft.sourceKey,
    kind: draft.kind,
    occurred_at: dated.occurredAt,
    original_occurred_at: dated.originalOccurredAt,
    currency: draft.currency,
    description: draft.description,
    member_id: draft.memberId ?? null,
    plan_id: draft.planId ?? null,
    period_start: draft.periodStart ?? null,
    period_end: draft.periodEnd ?? null,
    payment_method: draft.paymentMethod ?? null,
    stripe_invoice_id: draft.stripeInvoiceId ?? null,
    stripe_charge_id: draft.stripeChargeId ?? null,
    stripe_refund_id: draft.stripeRefundId ?? null,
    stripe_dispute_id: draft.stripeDisputeId ?? null,
    stripe_payout_id: draft.stripePayoutId ?? null,
    payout_arrival_date: draft.payoutArrivalDate ?? null,
    stripe_balance_transaction_id: draft.stripeBalanceTransactionId ?? null,
    stripe_event_id: draft.stripeEventId ?? null,
    remittance_id: draft.remittanceId ?? null,
    affiliate_id: draft.affiliateId ?? null,
    gross_cents: draft.grossCents ?? null,
    fee_cents: draft.feeCents ?? null,
    net_cents: draft.netCents ?? null,
    created_at: postedAt,
  };
}

/**
 * Posts drafts whose source keys are new to the organization and skips the rest, so a
 * duplicate or replayed event posts nothing new. Every draft is validated before anything
 * is written. Runs inside the caller's database transaction (the state change that
 * caused the postings commits with them or not at all); the database checks at commit
 * that each transaction balances. A draft dated in a closed month is posted on the first
 * open day, its own date kept in original_occurred_at; its source key is unchanged, so a
 * replay still posts nothing.
 */
export async function postLedgerTransactions(db: Kysely<Database>, organizationId: string, drafts: LedgerTransactionDraft[], postedAt: Date): Promise<{ posted: number; skipped: number }> {
  const posted = (await postLedgerTransactionsReturningKeys(db, organizationId, drafts, postedAt)).size;
  return { posted, skipped: drafts.length - posted };
}

/** As postLedgerTransactions, answering which source keys were posted (new) by this call. */
export async function postLedgerTransactionsReturningKeys(db: Kysely<Database>, organizationId: string, drafts: LedgerTransactionDraft[], postedAt: Date): Promise<Set<string>> {
  if (!db.isTransaction) throw new Error('ledger postings must run inside a database transaction');
  if (drafts.length === 0) return new Set();
  const keys = new Set<string>();
  for (const draft of drafts) {
    assertValidDraft(draft);
    if (keys.has(draft.sourceKey)) throw new Error(`source key ${draft.sourceKey} appears twice in one posting`);
    keys.add(draft.sourceKey);
  }
  const dates = await postingDates(db, organizationId, drafts);
  const accounts = new Map<string, Map<AccountCode, string>>();
  for (const currency of new Set(drafts.map((draft) => draft.currency))) accounts.set(currency, await accountsInTransaction(db, organizationId, currency, postedAt));

  // Inserted in source-key order so that concurrent posters of overlapping batches take
  // the unique index's locks in the same order and cannot deadlock.
  const byKey = [...drafts].sort((a, b) => (a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0));
  const insertTransactions = db
    .insertInto('ledger_transactions')
    .values(byKey.map((draft) => transactionRow(organizationId, draft, postedAt, dates.get(draft.sourceKey)!)))
    .onConflict((oc) => oc.columns(['organization_id', 'source_key']).doNothing())
    .returning(['id', 'source_key']);
  // Entries go in in the drafts' order (that is the ledger's posting order), and only for
  // the transactions this call inserted. One statement with the transactions: a webhook
  // batch posts thousands of times, and each round trip costs more than the rows.
  const entries = drafts.flatMap((draft) => draft.entries.map((entry) => ({ sourceKey: draft.sourceKey, accountId: accounts.get(draft.currency)!.get(entry.account)!, amountCents: entry.amountCents, currency: draft.currency })));
  const { rows } = await sql<{ keys: string[] }>`
    WITH posted AS (${insertTransactions}),
    entries AS (
      INSERT INTO ledger_entries (organization_id, transaction_id, account_id, amount_cents, currency)
      SELECT ${organizationId}::uuid, posted.id, e.account_id, e.amount_cents, e.currency
      FROM unnest(${entries.map((e) => e.sourceKey)}::text[], ${entries.map((e) => e.accountId)}::uuid[], ${entries.map((e) => e.amountCents)}::bigint[], ${entries.map((e) => e.currency)}::text[])
        WITH ORDINALITY AS e (source_key, account_id, amount_cents, currency, n)
      JOIN posted ON posted.source_key = e.source_key
      ORDER BY e.n
      RETURNING 1)
    SELECT coalesce(array_agg(source_key), '{}') AS keys FROM posted`.execute(db);
  return new Set(rows[0]!.keys);
}

export interface AccountBalance {
  account: AccountCode;
  currency: string;
  /** Signed: debit balances positive, credit balances (income) negative. */
  balanceCents: number;
}

/** Every account's balance, summed from its entries (balances are never stored), in chart order. */
export async function accountBalances(db: Kysely<Database>, organizationId: string, currency?: string): Promise<AccountBalance[]> {
  let query = db
    .selectFrom('ledger_accounts as a')
    .leftJoin('ledger_entries as e', (join) => join.onRef('e.organization_id', '=', 'a.organization_id').onRef('e.account_id', '=', 'a.id'))
    .select(['a.code', 'a.currency', sql<number>`coalesce(sum(e.amount_cents), 0)::bigint`.as('balance')])
    .where('a.organization_id', '=', organizationId)
    .groupBy(['a.id', 'a.code', 'a.currency']);
  if (currency !== undefined) query = query.where('a.currency', '=', currency);
  const rows = await query.execute();
  return rows
    .map((row) => ({ account: row.code, currency: row.currency, balanceCents: row.balance }))
    .sort((a, b) => a.currency.localeCompare(b.currency) || ACCOUNT_CODES.indexOf(a.account) - ACCOUNT_CODES.indexOf(b.account));
}

/**
 * The organization's ledger as a small fixed-width table, one line per entry, for tests
 * to print and compare with an expected table. In posting order by default; by source
 * key to compare ledgers built from events delivered in different orders.
 */
export async function ledgerTable(db: Kysely<Database>, organizationId: string, options: { order?: 'posted' | 'source_key' } = {}): Promise<string> {
  const rows = await db
    .selectFrom('ledger_entries as e')
    .innerJoin('ledger_transactions as t', (join) => join.onRef('t.organization_id', '=', 'e.organization_id').onRef('t.id', '=', 'e.transaction_id'))
    .innerJoin('ledger_accounts as a', (join) => join.onRef('a.organization_id', '=', 'e.organization_id').onRef('a.id', '=', 'e.account_id'))
    .select(['t.id as transactionId', 't.kind', 't.source_key', 'a.code', 'e.amount_cents', 'e.currency'])
    .where('e.organization_id', '=', organizationId)
    .orderBy(options.order === 'source_key' ? sql`t.source_key` : sql`min(e.id) OVER (PARTITION BY e.transaction_id)`)
    .orderBy('e.id')
    .execute();
  let previous: string | undefined;
  const lines = rows.map((row) => {
    const first = row.transactionId !== previous;
    previous = row.transactionId;
    const amount = formatMinorUnits(Math.abs(row.amount_cents), row.currency);
    return [first ? row.kind : '', first ? row.source_key : '', row.code, row.amount_cents > 0 ? amount : '', row.amount_cents < 0 ? amount : ''];
  });
  return renderTable(['kind', 'source key', 'account', 'debit', 'credit'], lines, new Set([3, 4]));
}

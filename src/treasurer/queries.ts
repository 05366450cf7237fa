import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/database';
import type { AccountCode } from '../ledger/accounts';
import type { LedgerKind, LedgerPaymentMethod } from '../ledger/postings';
import type { MemberCounts } from './reports/monthly';
import type { AffiliateRate } from './reports/per-capita';
import type { PayoutLedgerLine } from './reports/payouts';
import type { StatementLedgerFact, StatementStandingFact } from './reports/statement';
import type { AccountMovement } from './reports/totals';

export interface LedgerExportFilters {
  /** 'YYYY-MM-DD', inclusive, in the organization's time zone. */
  from?: string | undefined;
  to?: string | undefined;
  kind?: LedgerKind | undefined;
  memberId?: string | undefined;
  planId?: string | undefined;
  /** The ledger transactions Stripe swept into this payout, and the payout's own postings. */
  payout?: PayoutContents | undefined;
}

/** What a payout holds, by the Stripe ids the ledger keys its postings with. */
export interface PayoutContents {
  payoutId: string;
  /** Stripe's balance transactions swept into the payout: postings that name one are matched by it. */
  balanceTransactionIds: string[];
  chargeIds: string[];
  /** Bank payments that failed after succeeding, taken back out in the payout. */
  reversedChargeIds: string[];
  refundIds: string[];
  /** Disputes whose funds were withdrawn in the payout, and those reinstated in it. */
  withdrawnDisputeIds: string[];
  reinstatedDisputeIds: string[];
}

/** One ledger transaction, with its entries folded into debit and credit. */
export interface LedgerExportRow {
  id: string;
  day: string;
  kind: LedgerKind;
  description: string;
  member_id: string | null;
  member_name: string | null;
  plan_name: string | null;
  period_start: string | null;
  period_end: string | null;
  amount_cents: number;
  gross_cents: number | null;
  fee_cents: number | null;
  net_cents: number | null;
  currency: string;
  payment_method: LedgerPaymentMethod | null;
  debit_accounts: string | null;
  credit_accounts: string | null;
  stripe_invoice_id: string | null;
  stripe_charge_id: string | null;
  stripe_refund_id: string | null;
  stripe_dispute_id: string | null;
  stripe_payout_id: string | null;
  payout_arrival_date: string | null;
  /** A late posting's own day ('YYYY-MM-DD'), when its month was closed and it was posted on the first open day. */
  original_day: string | null;
  /** Posting order's keys: when it was recorded, the database transaction, the first entry's sequence number. */
  posted_at: Date;
  xact: string;
  first_entry: number;
}

/** A day's start in the organization's time zone, as a timestamptz. */
const startOfDay = (day: string, timeZone: string) => sql`(${day}::date::timestamp AT TIME ZONE ${timeZone})`;
/** A day's end (the next day's start) in the organization's time zone; `day` a date or an SQL date. */
const endOfDay = (day: string | RawBuilder<unknown>, timeZone: string) => sql`(((${day})::date + 1)::timestamp AT TIME ZONE ${timeZone})`;

/** Kinds whose postings come from a charge's own balance transaction (not its refunds, disputes or reversals). */
const CHARGE_KINDS: LedgerKind[] = ['dues_payment', 'initiation_fee', 'processing_fee'];

/**
 * Ledger rows in posting order: by the day the money moved (the Date a row shows), then
 * within a day by when each transaction was recorded, then by the database transaction
 * that posted it and its first entry (a sequence), so postings of one moment keep the
 * order they were written in. occurred_at alone would put a manual payment (dated noon
 * UTC of the day received) among the day's Stripe charges by a time nobody recorded.
 * Needs the entries' lateral join as `e` with `first_entry`. (The export, which must stream
 * from the occurred_at index, sorts each day in the service instead: forEachInPostingOrder.)
 */
const postingOrder = (timeZone: string) => sql`(t.occurred_at AT TIME ZONE ${timeZone})::date, t.created_at, t.posted_in_xact, e.first_entry`;

/** The SQL matching a payout's contents; shared by the export and the reconciliation. */
export function payoutMatch(contents: PayoutContents): RawBuilder<boolean> {
  return sql<boolean>`(
    t.stripe_payout_id = ${contents.payoutId}
    OR t.stripe_balance_transaction_id = ANY(${contents.balanceTransactionIds}::text[])
    OR (t.stripe_charge_id = ANY(${contents.chargeIds}::text[]) AND t.kind = ANY(${CHARGE_KINDS}::text[]) AND t.stripe_refund_id IS NULL AND t.stripe_dispute_id IS NULL)
    OR (t.stripe_charge_id = ANY(${contents.reversedChargeIds}::text[]) AND t.kind = 'payment_reversal')
    OR t.stripe_refund_id = ANY(${contents.refundIds}::text[])
    OR (t.stripe_dispute_id = ANY(${contents.withdrawnDisputeIds}::text[]) AND t.net_cents < 0)
    OR (t.stripe_dispute_id = ANY(${contents.reinstatedDisputeIds}::text[]) AND t.net_cents > 0)
  )`;
}

/**
 * The export's query: one row per ledger transaction, its entries folded into the amount
 * (the sum of its debits), the debit accounts and the credit accounts, in posting order.
 * The same text feeds the cursor and the benchmark's COPY.
 */
export function ledgerExportQuery(organizationId: string, timeZone: string, filters: LedgerExportFilters): RawBuilder<LedgerExportRow> {
  // In the order of the occurred_at index, so the first rows leave at once; each day is put
  // in posting order as it streams (forEachInPostingOrder), from these last three columns.
  return sql<LedgerExportRow>`${ledgerRowsSelect(timeZone, POSTING_KEYS)} WHERE ${sql.join(ledgerConditions(organizationId, timeZone, filters), sql` AND `)}
    ORDER BY t.occurred_at, t.created_at, t.posted_in_xact, e.first_entry`;
}

const POSTING_KEYS = sql`, t.created_at AS posted_at, t.posted_in_xact::text AS xact, e.first_entry`;

/** Posting order within a day: recorded, then database transaction, then first entry. */
function byPostingTime(a: PostingKeys, b: PostingKeys): number {
  return a.posted_at.getTime() - b.posted_at.getTime() || (BigInt(a.xact) < BigInt(b.xact) ? -1 : BigInt(a.xact) > BigInt(b.xact) ? 1 : 0) || a.first_entry - b.first_entry;
}

interface PostingKeys {
  day: string;
  posted_at: Date;
  xact: string;
  first_entry: number;
}

/**
 * forEachBatch over rows in occurred_at order, handed on in posting order: a day's rows are
 * contiguous in occurred_at order, so one day is held at a time, sorted, and passed on when
 * the next day starts (memory: a day's rows, never the export's).
 */
export async function forEachInPostingOrder<Row extends PostingKeys>(db: Kysely<Database>, query: RawBuilder<Row>, onBatch: (rows: Row[]) => Promise<void>): Promise<number> {
  let held: Row[] = [];
  return forEachBatch(db, query, async (rows) => {
    const ready: Row[] = [];
    for (const row of rows) {
      if (held.length > 0 && held[0]!.day !== row.day) {
        ready.push(...held.sort(byPostingTime));
        held = [];
      }
      held.push(row);
    }
    if (ready.length > 0) await onBatch(ready);
  }, async () => {
    if (held.length > 0) await onBatch(held.sort(byPostingTime));
  });
}

/** The export's filters as SQL conditions on `t`. */
function ledgerConditions(organizationId: string, timeZone: string, filters: LedgerExportFilters): RawBuilder<unknown>[] {
  const conditions = [sql`t.organization_id = ${organizationId}`];
  if (filters.from !== undefined) conditions.push(sql`t.occurred_at >= ${startOfDay(filters.from, timeZone)}`);
  if (filters.to !== undefined) conditions.push(sql`t.occurred_at < (${filters.to}::date + 1)::timestamp AT TIME ZONE ${timeZone}`);
  if (filters.kind !== undefined) conditions.push(sql`t.kind = ${filters.kind}`);
  if (filters.memberId !== undefined) conditions.push(sql`t.member_id = ${filters.memberId}::uuid`);
  if (filters.planId !== undefined) conditions.push(sql`t.plan_id = ${filters.planId}::uuid`);
  if (filters.payout !== undefined) conditions.push(payoutMatch(filters.payout));
  return conditions;
}

/** The SELECT … FROM of a transaction row, entries folded; `extra` adds columns. */
function ledgerRowsSelect(timeZone: string, extra: RawBuilder<unknown>) {
  return sql`
    SELECT t.id, to_char(t.occurred_at AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day, t.kind, t.description,
      t.member_id, m.name AS member_name, p.name AS plan_name, t.period_start, t.period_end,
      e.amount_cents, t.gross_cents, t.fee_cents, t.net_cents, t.currency, t.payment_method,
      e.debit_accounts, e.credit_accounts, t.stripe_invoice_id, t.stripe_charge_id, t.stripe_refund_id,
      t.stripe_dispute_id, t.stripe_payout_id, t.payout_arrival_date,
      to_char(t.original_occurred_at AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS original_day${extra}
    FROM ledger_transactions t
    CROSS JOIN LATERAL (
      SELECT sum(e.amount_cents) FILTER (WHERE e.amount_cents > 0)::bigint AS amount_cents,
        string_agg(a.code, ';' ORDER BY e.id) FILTER (WHERE e.amount_cents > 0) AS debit_accounts,
        string_agg(a.code, ';' ORDER BY e.id) FILTER (WHERE e.amount_cents < 0) AS credit_accounts,
        min(e.id) AS first_entry
      FROM ledger_entries e
      JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
      WHERE e.organization_id = t.organization_id AND e.transaction_id = t.id
    ) e
    LEFT JOIN members m ON m.organization_id = t.organization_id AND m.id = t.member_id
    LEFT JOIN plans p ON p.organization_id = t.organization_id AND p.id = t.plan_id`;
}

/** Where a page of the ledger ends: the posting order's keys of its last row, as text that casts back exactly. */
export interface LedgerCursor {
  day: string;
  createdAt: string;
  xact: string;
  entry: string;
}

export interface LedgerPageRow extends LedgerExportRow {
  /** posted_at to the microsecond, as text that casts back exactly (the cursor's). */
  created_text: string;
}

/** One page of the export's rows, in the same order, after a cursor (keyset, so a page costs the same however deep). */
export async function ledgerPage(db: Kysely<Database>, organizationId: string, timeZone: string, filters: LedgerExportFilters, page: { after?: LedgerCursor | undefined; limit: number }): Promise<LedgerPageRow[]> {
  const conditions = ledgerConditions(organizationId, timeZone, filters);
  const join = (parts: RawBuilder<unknown>[]) => sql.join(parts, sql` AND `);
  // Posting order cannot come from an index (it ends with each posting's first entry), so
  // the page is chosen from a window of whole days, found first by the occurred_at index:
  // from the cursor's day to the end of the day of the `limit`-th row after it. Those days
  // hold the page, and every row of a later day comes after them. (Read apart, so that the
  // page's plan knows how few rows the window holds.)
  const afterDays = page.after === undefined ? conditions : [...conditions, sql`t.occurred_at >= ${endOfDay(page.after.day, timeZone)}`];
  const { rows: bounds } = await sql<{ until: Date | null }>`
    SELECT ${endOfDay(sql`(t.occurred_at AT TIME ZONE ${timeZone})::date`, timeZone)} AS until FROM ledger_transactions t
    WHERE ${join(afterDays)} ORDER BY t.occurred_at OFFSET ${page.limit - 1} LIMIT 1`.execute(db);
  const inWindow = [...conditions];
  if (bounds[0]) inWindow.push(sql`t.occurred_at < ${bounds[0].until}`);
  // A day before the cursor's: where midnight happens twice (a clock set back at 1:00), the
  // day starts at the first one, which `startOfDay` does not give; the keys below are exact.
  if (page.after !== undefined) inWindow.push(sql`t.occurred_at >= ${startOfDay(page.after.day, timeZone)} - interval '1 day'`);
  // Within it, the first `limit` postings by the transactions' own keys (with ties), and
  // those tied with the cursor's: only they have their entries read and are put in order.
  const keys = sql`(t.occurred_at AT TIME ZONE ${timeZone})::date, t.created_at, t.posted_in_xact`;
  let chosen = sql`(SELECT t.id FROM ledger_transactions t WHERE ${join(inWindow)} ORDER BY ${keys} FETCH FIRST (${page.limit}::bigint) ROWS WITH TIES)`;
  const outer = [sql`t.organization_id = ${organizationId}`];
  if (page.after !== undefined) {
    const { day, createdAt, xact, entry } = page.after;
    const cursorKeys = sql`(${day}::date, ${createdAt}::timestamptz, ${xact}::xid8)`;
    chosen = sql`(SELECT t.id FROM ledger_transactions t WHERE ${join(inWindow)} AND (${keys}) > ${cursorKeys} ORDER BY ${keys} FETCH FIRST (${page.limit}::bigint) ROWS WITH TIES)
      UNION ALL (SELECT t.id FROM ledger_transactions t WHERE ${join(inWindow)} AND (${keys}) = ${cursorKeys})`;
    outer.push(sql`(${keys}, e.first_entry) > (${day}::date, ${createdAt}::timestamptz, ${xact}::xid8, ${entry}::bigint)`);
  }
  const extra = sql`${POSTING_KEYS}, t.created_at::text AS created_text`;
  const { rows } = await sql<LedgerPageRow>`${ledgerRowsSelect(timeZone, extra)} WHERE ${join(outer)} AND t.id IN (SELECT c.id FROM (${chosen}) c)
    ORDER BY ${postingOrder(timeZone)} LIMIT ${page.limit}`.execute(db);
  return rows;
}

const EXPORT_FETCH_SIZE = 250;

/**
 * Reads a query through a server-side cursor, a batch at a time, in one read-only
 * repeatable-read transaction: memory stays at one batch whatever the row count, the
 * first rows go out at once, and every row comes from the same snapshot.
 */
export async function forEachBatch<Row>(db: Kysely<Database>, query: RawBuilder<Row>, onBatch: (rows: Row[]) => Promise<void>, onEnd?: () => Promise<void>): Promise<number> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const compiled = query.compile(trx);
      await trx.executeQuery(CompiledQuery.raw(`DECLARE treasurer_export NO SCROLL CURSOR FOR ${compiled.sql}`, [...compiled.parameters]));
      let count = 0;
      for (;;) {
        const { rows } = await trx.executeQuery<Row>(CompiledQuery.raw(`FETCH ${EXPORT_FETCH_SIZE} FROM treasurer_export`));
        if (rows.length === 0) {
          await onEnd?.();
          return count;
        }
        count += rows.length;
        await onBatch(rows);
      }
    });
}

/** Each account's debits and credits over [from, until) (days in the organization's time zone), in one currency. */
export async function accountMovements(db: Kysely<Database>, organizationId: string, timeZone: string, currency: string, from: string, until: string): Promise<AccountMovement[]> {
  const { rows } = await sql<{ code: AccountCode; debits: number; credits: number }>`
    SELECT a.code, coalesce(sum(e.amount_cents) FILTER (WHERE e.amount_cents > 0), 0)::bigint AS debits,
      coalesce(-sum(e.amount_cents) FILTER (WHERE e.amount_cents < 0), 0)::bigint AS credits
    FROM ledger_transactions t
    JOIN ledger_entries e ON e.organization_id = t.organization_id AND e.transaction_id = t.id
    JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
    WHERE t.organization_id = ${organizationId} AND t.currency = ${currency}
      AND t.occurred_at >= ${startOfDay(from, timeZone)} AND t.occurred_at < ${startOfDay(until, timeZone)}
    GROUP BY a.code`.execute(db);
  return rows.map((row) => ({ account: row.code, debitsCents: row.debits, creditsCents: row.credits }));
}

const PAYING_KINDS: LedgerKind[] = ['dues_payment', 'initiation_fee', 'manual_payment'];

/** Members paying, joined, lapsed and recovered in [from, until). */
export async function memberCounts(db: Kysely<Database>, organizationId: string, timeZone: string, from: string, until: string): Promise<MemberCounts> {
  const start = startOfDay(from, timeZone);
  const end = startOfDay(until, timeZone);
  const { rows } = await sql<MemberCounts>`
    SELECT
      (SELECT count(DISTINCT t.member_id) FROM ledger_transactions t
        WHERE t.organization_id = ${organizationId} AND t.kind = ANY(${PAYING_KINDS}::text[]) AND t.occurred_at >= ${start} AND t.occurred_at < ${end})::int AS paying,
      (SELECT count(*) FROM members m
        WHERE m.organization_id = ${organizationId} AND m.joined_on >= ${from}::date AND m.joined_on < ${until}::date)::int AS joined,
      (SELECT count(DISTINCT c.member_id) FROM member_standing_changes c
        WHERE c.organization_id = ${organizationId} AND c.to_standing = 'lapsed' AND c.created_at >= ${start} AND c.created_at < ${end})::int AS lapsed,
      (SELECT count(DISTINCT c.member_id) FROM member_standing_changes c
        WHERE c.organization_id = ${organizationId} AND c.to_standing = 'active' AND c.from_standing IN ('lapsed', 'past_due') AND c.created_at >= ${start} AND c.created_at < ${end})::int AS recovered`.execute(db);
  return rows[0]!;
}

/** Standings that count as good standing for per-capita tax: paid up, or within the grace period. */
const GOOD_STANDINGS = ['active', 'past_due'] as const;

/**
 * Members in good standing at a moment, from the standing history: the last change before
 * it; else, for a member whose history starts later, the standing that change left; else
 * the member's standing now. Only members who existed by then count.
 */
export async function membersInGoodStanding(db: Kysely<Database>, organizationId: string, at: RawBuilder<unknown>): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM members m
    WHERE m.organization_id = ${organizationId} AND m.created_at < ${at}
      AND coalesce(
        (SELECT c.to_standing FROM member_standing_changes c WHERE c.organization_id = m.organization_id AND c.member_id = m.id AND c.created_at < ${at} ORDER BY c.created_at DESC, c.id DESC LIMIT 1),
        (SELECT c.from_standing FROM member_standing_changes c WHERE c.organization_id = m.organization_id AND c.member_id = m.id AND c.created_at >= ${at} ORDER BY c.created_at, c.id LIMIT 1),
        m.standing
      ) = ANY(${[...GOOD_STANDINGS]}::text[])`.execute(db);
  return rows[0]!.n;
}

/** The end of a month (the next month's first moment) in the organization's time zone. */
export const monthEnd = (until: string, timeZone: string) => startOfDay(until, timeZone);

export async function affiliateRates(db: Kysely<Database>, organizationId: string): Promise<AffiliateRate[]> {
  const rows = await db
    .selectFrom('per_capita_rates as r')
    .innerJoin('affiliates as a', (join) => join.onRef('a.organization_id', '=', 'r.organization_id').onRef('a.id', '=', 'r.affiliate_id'))
    .select(['a.id', 'a.name', 'a.kind', 'r.rate_cents', 'r.effective_from'])
    .where('r.organization_id', '=', organizationId)
    .execute();
  return rows.map((row) => ({ affiliateId: row.id, affiliate: row.name, kind: row.kind, rateCents: row.rate_cents, effectiveFrom: row.effective_from }));
}

export async function listAffiliates(db: Kysely<Database>, organizationId: string) {
  const affiliates = await db.selectFrom('affiliates').select(['id', 'name', 'kind', 'created_at']).where('organization_id', '=', organizationId).orderBy('name').execute();
  const rates = await db.selectFrom('per_capita_rates').select(['id', 'affiliate_id', 'rate_cents', 'effective_from']).where('organization_id', '=', organizationId).orderBy('effective_from').execute();
  return affiliates.map((affiliate) => ({
    id: affiliate.id,
    name: affiliate.name,
    kind: affiliate.kind,
    createdAt: affiliate.created_at,
    rates: rates.filter((rate) => rate.affiliate_id === affiliate.id).map((rate) => ({ id: rate.id, rateCents: rate.rate_cents, effectiveFrom: rate.effective_from })),
  }));
}

export async function findAffiliate(db: Kysely<Database>, organizationId: string, affiliateId: string) {
  return db.selectFrom('affiliates').selectAll().where('organization_id', '=', organizationId).where('id', '=', affiliateId).executeTakeFirst();
}

/** The payouts whose arrival date falls in [from, to], with what the ledger posted for each. */
export async function payoutsArriving(db: Kysely<Database>, organizationId: string, from: string, to: string) {
  const { rows } = await sql<{ id: string; status: string; amount_cents: number; currency: string; arrival_date: string | null; posted_cents: number | null }>`
    SELECT p.id, p.status, p.amount_cents, p.currency, p.arrival_date,
      (SELECT -sum(t.net_cents) FROM ledger_transactions t WHERE t.organization_id = p.organization_id AND t.stripe_payout_id = p.id AND t.kind = 'payout')::bigint AS posted_cents
    FROM stripe_payouts p
    WHERE p.organization_id = ${organizationId} AND p.arrival_date >= ${from}::date AND p.arrival_date <= ${to}::date
    ORDER BY p.arrival_date, p.id`.execute(db);
  return rows;
}

/** The ledger transactions a payout's Stripe lines point at (not the payout's own postings). */
export async function payoutLedgerLines(db: Kysely<Database>, organizationId: string, timeZone: string, contents: PayoutContents): Promise<PayoutLedgerLine[]> {
  const { rows } = await sql<{
    id: string;
    kind: LedgerKind;
    day: string;
    description: string;
    member_id: string | null;
    net_cents: number | null;
    stripe_charge_id: string | null;
    stripe_refund_id: string | null;
    stripe_dispute_id: string | null;
    stripe_balance_transaction_id: string | null;
  }>`
    SELECT t.id, t.kind, to_char(t.occurred_at AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day, t.description, t.member_id, t.net_cents,
      t.stripe_charge_id, t.stripe_refund_id, t.stripe_dispute_id, t.stripe_balance_transaction_id
    FROM ledger_transactions t
    WHERE t.organization_id = ${organizationId} AND t.kind NOT IN ('payout', 'payout_failed') AND ${payoutMatch(contents)}`.execute(db);
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    day: row.day,
    description: row.description,
    memberId: row.member_id,
    netCents: row.net_cents ?? 0,
    stripeChargeId: row.stripe_charge_id,
    stripeRefundId: row.stripe_refund_id,
    stripeDisputeId: row.stripe_dispute_id,
    stripeBalanceTransactionId: row.stripe_balance_transaction_id,
  }));
}

/** A statement's days, 'YYYY-MM-DD' inclusive in the organization's time zone; either end open when absent. */
export interface StatementRange {
  from?: string | undefined;
  to?: string | undefined;
}

/** One member's ledger transactions and standing changes, those dated in the range when one is given. */
export async function statementFacts(db: Kysely<Database>, organizationId: string, timeZone: string, memberId: string, range: StatementRange = {}): Promise<{ ledger: StatementLedgerFact[]; standing: StatementStandingFact[] }> {
  const within = (column: RawBuilder<unknown>) =>
    sql.join(
      [
        sql`true`,
        ...(range.from !== undefined ? [sql`${column} >= ${startOfDay(range.from, timeZone)}`] : []),
        ...(range.to !== undefined ? [sql`${column} < (${range.to}::date + 1)::timestamp AT TIME ZONE ${timeZone}`] : []),
      ],
      sql` AND `,
    );
  const ledger = await sql<{ id: string; occurred_at: Date; day: string; kind: LedgerKind; description: string; amount_cents: number; payment_method: string | null; period_start: string | null; period_end: string | null; stripe_charge_id: string | null; credit_accounts: string | null }>`
    SELECT t.id, t.occurred_at, to_char(t.occurred_at AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day, t.kind, t.description,
      e.amount_cents, t.payment_method, t.period_start, t.period_end, t.stripe_charge_id, e.credit_accounts
    FROM ledger_transactions t
    CROSS JOIN LATERAL (
      SELECT sum(e.amount_cents) FILTER (WHERE e.amount_cents > 0)::bigint AS amount_cents,
        string_agg(a.code, ';' ORDER BY e.id) FILTER (WHERE e.amount_cents < 0) AS credit_accounts,
        min(e.id) AS first_entry
      FROM ledger_entries e JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
      WHERE e.organization_id = t.organization_id AND e.transaction_id = t.id
    ) e
    WHERE t.organization_id = ${organizationId} AND t.member_id = ${memberId}::uuid AND ${within(sql.ref('t.occurred_at'))}
    ORDER BY ${postingOrder(timeZone)}`.execute(db);
  const standing = await sql<{ created_at: Date; day: string; from_standing: string | null; to_standing: string; cause: string; reason: string | null }>`
    SELECT c.created_at, to_char(c.created_at AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day, c.from_standing, c.to_standing, c.cause, c.reason
    FROM member_standing_changes c
    WHERE c.organization_id = ${organizationId} AND c.member_id = ${memberId}::uuid AND ${within(sql.ref('c.created_at'))}
    ORDER BY c.created_at, c.id`.execute(db);
  return {
    ledger: ledger.rows.map((row) => ({
      id: row.id,
      at: row.occurred_at,
      day: row.day,
      kind: row.kind,
      description: row.description,
      amountCents: row.amount_cents,
      paymentMethod: row.payment_method,
      periodStart: row.period_start,
      periodEnd: row.period_end,
      stripeChargeId: row.stripe_charge_id,
      creditAccounts: row.credit_accounts,
    })),
    standing: standing.rows.map((row) => ({ at: row.created_at, day: row.day, from: row.from_standing, to: row.to_standing, cause: row.cause, reason: row.reason })),
  };
}

/** The organization's plans by name, for a filter's choices. */
export async function planChoices(db: Kysely<Database>, organizationId: string): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('plans').select(['id', 'name']).where('organization_id', '=', organizationId).orderBy('name').orderBy('id').execute();
}

/** Whether Stripe reported this payout to the organization (the export's and the ledger page's payout filter). */
export async function knownPayout(db: Kysely<Database>, organizationId: string, payoutId: string): Promise<boolean> {
  return (await db.selectFrom('stripe_payouts').select('id').where('organization_id', '=', organizationId).where('id', '=', payoutId).executeTakeFirst()) !== undefined;
}

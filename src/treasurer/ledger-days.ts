import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { RememberedPerHandle } from '../../db/remembered';
import type { AccountCode } from '../ledger/accounts';
import { accountIds } from '../ledger/queries';
import type { LedgerPaymentMethod } from '../ledger/postings';
import { ledgerDaySumsSince, type LedgerDaySumRow, type MethodMonthRow } from './dashboard-queries';

/**
 * The ledger summed by day, account, kind and payment method, for the dashboard and the
 * ledger's balances, which otherwise sum every entry on every view (seconds at a million
 * transactions). The ledger is append-only and a posting's entries are written in its own
 * database transaction, so the sums of what database transactions older than a snapshot's
 * xmin posted can never change: this process remembers them and each read asks the
 * database only for what was posted since. Nothing is stored in the database: every figure
 * is still a sum of entries (DESIGN: balances are never stored separately).
 */
export type LedgerDaySum = Omit<LedgerDaySumRow, 'settled'>;

interface Remembered {
  /** Every posting by a database transaction before this xid is in `sums`; none after it. */
  settledBefore: string;
  sums: readonly LedgerDaySum[];
}

/** Per database handle, per organization, time zone and currency: at most 32, the least recently read forgotten first. */
const daySums = new RememberedPerHandle<Remembered>(32);

/** Every day sum of the organization's ledger in one currency, as of one snapshot read now. */
export async function ledgerDaySums(db: Kysely<Database>, organizationId: string, timeZone: string, currency: string): Promise<readonly LedgerDaySum[]> {
  const key = `${organizationId} ${timeZone} ${currency}`;
  let base = daySums.get(db, key);
  let read = await ledgerDaySumsSince(db, organizationId, timeZone, currency, base?.settledBefore ?? '0');
  // xmin never goes back on one database history: if it did, the server is another one
  // (a failover or a restore) and what was remembered may not be in it. Start again.
  if (base && BigInt(read.xmin) < BigInt(base.settledBefore)) {
    base = undefined;
    read = await ledgerDaySumsSince(db, organizationId, timeZone, currency, '0');
  }
  const now = foldDaySums(base?.sums ?? [], read.rows);
  // Remember the settled part, added to the `base` this read started from (never changed in
  // place, so a concurrent read still adds its rows to the same base as its own).
  daySums.remember(db, key, { settledBefore: read.xmin, sums: foldDaySums(base?.sums ?? [], read.rows.filter((row) => row.settled)) });
  return now;
}

/** The day sums with more rows added: one sum per day, account, kind and method. */
export function foldDaySums(sums: readonly LedgerDaySum[], rows: readonly LedgerDaySum[]): readonly LedgerDaySum[] {
  if (rows.length === 0) return sums;
  const byKey = new Map<string, LedgerDaySum>();
  for (const sum of [...sums, ...rows]) {
    const key = `${sum.day} ${sum.account} ${sum.kind} ${sum.method ?? ''}`;
    const held = byKey.get(key);
    if (held) held.cents += sum.cents;
    else byKey.set(key, { day: sum.day, account: sum.account, kind: sum.kind, method: sum.method, cents: sum.cents });
  }
  return [...byKey.values()];
}

/**
 * Dues and processing fees per month ('YYYY-MM') and payment method over `months`: dues are
 * the credits to dues income by Stripe charges and manual payments, fees the processing
 * fees net of fees returned.
 */
export function moneyByMonthAndMethod(sums: readonly LedgerDaySum[], months: readonly string[]): MethodMonthRow[] {
  const shown = new Set(months);
  const rows = new Map<string, MethodMonthRow>();
  for (const sum of sums) {
    const month = sum.day.slice(0, 7);
    if (sum.method === null || !shown.has(month) || (sum.account !== 'dues_income' && sum.account !== 'processing_fees')) continue;
    const key = `${month} ${sum.method}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { month, method: sum.method as LedgerPaymentMethod, dues_cents: 0, fee_cents: 0 }));
    if (sum.account === 'processing_fees') row.fee_cents += sum.cents;
    else if (sum.kind === 'dues_payment' || sum.kind === 'manual_payment') row.dues_cents -= sum.cents;
  }
  return [...rows.values()].sort((a, b) => (a.month === b.month ? (a.method < b.method ? -1 : 1) : a.month < b.month ? -1 : 1));
}

/** Each account's balance (debits positive) at the end of `lastDay` (at the end of all days without it). */
export function balancesThrough(sums: readonly LedgerDaySum[], accounts: readonly AccountCode[], lastDay: string | undefined): { code: AccountCode; balance: number }[] {
  const balances = new Map<AccountCode, number>(accounts.map((code) => [code, 0]));
  for (const sum of sums) {
    if (lastDay !== undefined && sum.day > lastDay) continue;
    balances.set(sum.account, (balances.get(sum.account) ?? 0) + sum.cents);
  }
  return [...balances].map(([code, balance]) => ({ code, balance }));
}

/** Each of the organization's accounts with its balance at the end of `lastDay` (of all days without it). */
export async function ledgerBalances(db: Kysely<Database>, organizationId: string, timeZone: string, currency: string, lastDay: string | undefined): Promise<{ code: AccountCode; balance: number }[]> {
  const [accounts, sums] = await Promise.all([accountIds(db, organizationId, currency), ledgerDaySums(db, organizationId, timeZone, currency)]);
  return balancesThrough(sums, [...accounts.keys()], lastDay);
}

import { sql, type Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import type {} from '../../db/database-close';
import { bankGaps } from '../bank/readiness';
import { checkLedger, type LedgerProblem } from '../ledger/check';
import { checkPayouts } from '../ledger/payout-check';
import type { StripeClient } from '../stripe/client';
import { accountMovements, memberCounts } from '../treasurer/queries';
import { monthlySummary, type MemberCounts, type MonthlySummary } from '../treasurer/reports/monthly';
import { monthRange } from '../treasurer/reports/totals';
import { unexplainedSuspense, type UnexplainedSuspense } from '../payroll/queries';
import { monthIn } from './calendar';

export type ReadinessReason =
  | { code: 'month_not_over'; detail: string }
  | { code: 'payout_unmatched'; detail: string }
  | { code: 'ledger_check'; detail: string }
  | { code: 'webhook_events_unsettled'; detail: string; count: number }
  | { code: 'bank_unmatched'; detail: string; count: number }
  | { code: 'payroll_suspense_unexplained'; detail: string; count: number; remittances: UnexplainedSuspense[] };

export interface MonthState {
  month: string;
  closed: boolean;
  closedAt: Date | null;
  /** Why the month cannot be closed now; empty when it is ready (or already closed). */
  reasons: ReadinessReason[];
}

const startOf = (day: string, timeZone: string) => sql`(${day}::date::timestamp AT TIME ZONE ${timeZone})`;

/** The months of the organization closed now (not reopened), with when. */
export async function closedMonths(db: Kysely<Database>, organizationId: string): Promise<Map<string, Date>> {
  const rows = await db.selectFrom('closed_months').select(['month', 'closed_at']).where('organization_id', '=', organizationId).where('reopened_at', 'is', null).execute();
  return new Map(rows.map((row) => [row.month, row.closed_at]));
}

/**
 * What stands between a month and its closing: it must be over in the organization's time
 * zone; every paid payout arriving in it must match the ledger line by line (read back from
 * Stripe); the ledger check must be clean (the whole ledger: a problem elsewhere means the
 * books are not proven, and a closed month would freeze whatever it hides); and no Stripe
 * event created in the month may be failed or still pending, since it would post into it.
 * Once the organization imports bank statements, every payout arriving in the month and
 * every deposit batch deposited in it must also be matched to a bank line, and every
 * deposit line of the month to a payout or batch. Every employer remittance posted in the
 * month must leave nothing in payroll suspense unless a treasurer explained it.
 */
export async function readinessReasons(db: Kysely<Database>, stripe: StripeClient, organization: Organization, month: string, now: Date, ledgerProblems?: LedgerProblem[]): Promise<ReadinessReason[]> {
  const reasons: ReadinessReason[] = [];
  if (month >= monthIn(organization.time_zone, now)) reasons.push({ code: 'month_not_over', detail: `${month} is not over yet` });
  const { from, until } = monthRange(month);
  for (const problem of await checkPayouts(db, stripe, organization, { from, until })) reasons.push({ code: 'payout_unmatched', detail: problem.detail });
  for (const problem of ledgerProblems ?? (await checkLedger(db, organization.id))) reasons.push({ code: 'ledger_check', detail: `${problem.check}: ${problem.detail}` });
  const { rows } = await sql<{ count: number }>`
    SELECT count(*)::int AS count FROM stripe_events
    WHERE organization_id = ${organization.id} AND status IN ('failed', 'pending')
      AND stripe_created_at >= ${startOf(from, organization.time_zone)} AND stripe_created_at < ${startOf(until, organization.time_zone)}`.execute(db);
  const count = rows[0]!.count;
  if (count > 0) reasons.push({ code: 'webhook_events_unsettled', detail: `${count} Stripe event(s) created in ${month} failed or are still pending`, count });
  const bank = await bankGaps(db, organization.id, { from, until });
  const unexplained = bank ? bank.payouts + bank.batches + bank.remittances + bank.lines : 0;
  if (bank && unexplained > 0) {
    reasons.push({ code: 'bank_unmatched', detail: `${bank.payouts} payout(s), ${bank.batches} deposit batch(es) and ${bank.remittances} payroll remittance(s) of ${month} have no bank line matched, and ${bank.lines} bank deposit line(s) of ${month} are matched to nothing`, count: unexplained });
  }
  const suspense = await unexplainedSuspense(db, organization.id, startOf(from, organization.time_zone), startOf(until, organization.time_zone));
  if (suspense.length > 0) {
    reasons.push({ code: 'payroll_suspense_unexplained', detail: `${suspense.length} payroll remittance(s) posted in ${month} hold an unexplained difference in payroll suspense`, count: suspense.length, remittances: suspense });
  }
  return reasons;
}

export async function monthState(db: Kysely<Database>, stripe: StripeClient, organization: Organization, month: string, now: Date): Promise<MonthState> {
  return (await monthStates(db, stripe, organization, [month], now))[0]!;
}

/** Several months' states; the ledger check (of the whole ledger) runs once for them all. */
export async function monthStates(db: Kysely<Database>, stripe: StripeClient, organization: Organization, months: readonly string[], now: Date): Promise<MonthState[]> {
  const closed = await closedMonths(db, organization.id);
  const open = months.filter((month) => !closed.has(month));
  const ledgerProblems = open.length > 0 ? await checkLedger(db, organization.id) : [];
  const states: MonthState[] = [];
  for (const month of months) {
    const closedAt = closed.get(month) ?? null;
    states.push({ month, closed: closedAt !== null, closedAt, reasons: closedAt ? [] : await readinessReasons(db, stripe, organization, month, now, ledgerProblems) });
  }
  return states;
}

const lockKey = (organizationId: string) => sql`hashtextextended(${`closed_months:${organizationId}`}, 0)`;

/**
 * Closes the month in the caller's transaction. Takes the organization's closing lock
 * exclusive (posters hold it shared, see migration 0022), so it waits out any posting in
 * flight. Answers false when the month was already closed.
 */
export async function closeMonth(trx: Kysely<Database>, organization: Pick<Organization, 'id' | 'time_zone'>, month: string, staffUserId: string, at: Date): Promise<boolean> {
  const organizationId = organization.id;
  await sql`SELECT pg_advisory_xact_lock(${lockKey(organizationId)})`.execute(trx);
  const { from, until } = monthRange(month);
  const members = await memberCounts(trx, organizationId, organization.time_zone, from, until);
  const inserted = await trx
    .insertInto('closed_months')
    .values({ organization_id: organizationId, month, closed_at: at, closed_by_staff_user_id: staffUserId, member_counts: JSON.stringify(members) })
    .onConflict((oc) => oc.columns(['organization_id', 'month']).where('reopened_at', 'is', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Reopens a closed month; answers false when it was not closed. */
export async function reopenMonth(db: Kysely<Database>, organizationId: string, month: string, staffUserId: string, at: Date): Promise<boolean> {
  const updated = await db
    .updateTable('closed_months')
    .set({ reopened_at: at, reopened_by_staff_user_id: staffUserId })
    .where('organization_id', '=', organizationId)
    .where('month', '=', month)
    .where('reopened_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return updated !== undefined;
}

/**
 * The monthly report: the ledger's figures for the month, and its member counts (from the
 * member roll, frozen at the close for a closed month, so a closed month's report never
 * changes).
 */
export async function monthlyReport(db: Kysely<Database>, organization: Pick<Organization, 'id' | 'time_zone' | 'currency'>, month: string): Promise<MonthlySummary> {
  const { from, until } = monthRange(month);
  const movements = await accountMovements(db, organization.id, organization.time_zone, organization.currency, from, until);
  const frozen = await db.selectFrom('closed_months').select('member_counts').where('organization_id', '=', organization.id).where('month', '=', month).where('reopened_at', 'is', null).executeTakeFirst();
  const members: MemberCounts = frozen?.member_counts ?? (await memberCounts(db, organization.id, organization.time_zone, from, until));
  return monthlySummary(month, organization.currency, movements, members);
}

import { sql, type Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import type {} from '../../db/database-per-capita';
import { ApiError } from '../http/errors';
import { postLedgerTransactionsReturningKeys } from '../ledger/queries';
import { monthIn } from '../months/calendar';
import { todayIn } from '../organizations/calendar';
import { perCapitaReport } from './report-queries';
import { monthDays, postingsForPerCapitaPayment, postingsForPerCapitaReversal } from './per-capita-payments';

export interface PerCapitaPayment {
  id: string;
  affiliateId: string;
  affiliate: string;
  month: string;
  amountCents: number;
  currency: string;
  paidOn: string;
  reference: string;
  recordedAt: Date;
  /** When it was taken back as recorded by mistake; null while it stands. */
  reversedAt: Date | null;
}

export interface PerCapitaPaymentInput {
  affiliateId: string;
  /** 'YYYY-MM': the month the tax is for. */
  month: string;
  amountCents: number;
  paidOn: string;
  reference: string;
}

/** Why a payment is refused, for the form to point at its field. */
export type PerCapitaRefusal = 'month_not_over' | 'paid_in_future' | 'nothing_owed' | 'reference_used';

const refuse = (reason: PerCapitaRefusal, message: string) => new ApiError('conflict', message, { reason });

/** The payments recorded for a month (or the one payment named), oldest first, with their affiliates' names. */
export async function perCapitaPayments(db: Kysely<Database>, organizationId: string, which: { month: string } | { paymentId: string }): Promise<PerCapitaPayment[]> {
  const rows = await db
    .selectFrom('per_capita_payments as p')
    .innerJoin('affiliates as a', (join) => join.onRef('a.organization_id', '=', 'p.organization_id').onRef('a.id', '=', 'p.affiliate_id'))
    .select(['p.id', 'p.affiliate_id', 'a.name', 'p.month', 'p.amount_cents', 'p.currency', 'p.paid_on', 'p.reference', 'p.created_at', 'p.reversed_at'])
    .where('p.organization_id', '=', organizationId)
    .where('month' in which ? 'p.month' : 'p.id', '=', 'month' in which ? which.month : which.paymentId)
    .orderBy('p.paid_on')
    .orderBy('p.created_at')
    .orderBy('p.id')
    .execute();
  return rows.map((row) => ({ id: row.id, affiliateId: row.affiliate_id, affiliate: row.name, month: row.month, amountCents: Number(row.amount_cents), currency: row.currency, paidOn: row.paid_on, reference: row.reference, recordedAt: row.created_at, reversedAt: row.reversed_at }));
}

/** What the ledger has accrued for an affiliate and month, and whether any accrual was posted. */
async function accrued(db: Kysely<Database>, organizationId: string, affiliateId: string, month: string): Promise<{ cents: number; posted: boolean }> {
  const { rows } = await sql<{ accruals: number; cents: number }>`
    SELECT count(DISTINCT t.id)::int AS accruals, coalesce(sum(e.amount_cents) FILTER (WHERE a.code = 'per_capita_expense'), 0)::bigint AS cents
    FROM ledger_transactions t
    JOIN ledger_entries e ON e.organization_id = t.organization_id AND e.transaction_id = t.id
    JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
    WHERE t.organization_id = ${organizationId} AND t.affiliate_id = ${affiliateId}::uuid AND t.period_start = ${monthDays(month).first}::date AND t.kind = 'per_capita_accrual'`.execute(db);
  return { cents: Number(rows[0]!.cents), posted: rows[0]!.accruals > 0 };
}

/**
 * Records a per-capita payment and posts it, with the month's accrual brought to what the
 * month owes the affiliate now, in the caller's database transaction. The same affiliate,
 * month and reference again with the same amount and day is the same payment: nothing new is
 * recorded or posted. Payments to one affiliate are taken one at a time (its row is locked),
 * so two at once cannot both accrue the month.
 */
export async function recordPerCapitaPayment(
  trx: Kysely<Database>,
  organization: Pick<Organization, 'id' | 'time_zone' | 'currency'>,
  input: PerCapitaPaymentInput,
  staffUserId: string | null,
  now: Date,
): Promise<{ payment: PerCapitaPayment; recorded: boolean }> {
  if (input.month >= monthIn(organization.time_zone, now)) throw refuse('month_not_over', `${input.month} is not over yet: what it owes is known at its end`);
  if (input.paidOn > todayIn(organization.time_zone, now)) throw refuse('paid_in_future', `${input.paidOn} is in the future`);
  const affiliate = await trx.selectFrom('affiliates').select(['id', 'name']).where('organization_id', '=', organization.id).where('id', '=', input.affiliateId).forUpdate().executeTakeFirstOrThrow();
  const find = async () => (await perCapitaPayments(trx, organization.id, { month: input.month })).find((p) => p.affiliateId === affiliate.id && p.reference === input.reference && p.reversedAt === null);
  const existing = await find();
  if (existing) {
    if (existing.amountCents === input.amountCents && existing.paidOn === input.paidOn) return { payment: existing, recorded: false };
    throw refuse('reference_used', `a payment with reference "${input.reference}" is recorded for this affiliate and month already, for another amount or day`);
  }
  const line = (await perCapitaReport(trx, organization, input.month)).lines.find((l) => l.affiliateId === affiliate.id);
  if (!line) throw refuse('nothing_owed', `no per-capita rate for ${affiliate.name} is in force in ${input.month}: nothing is owed`);

  const { id } = await trx
    .insertInto('per_capita_payments')
    .values({ organization_id: organization.id, affiliate_id: affiliate.id, month: input.month, amount_cents: input.amountCents, currency: organization.currency, paid_on: input.paidOn, reference: input.reference, recorded_by_staff_user_id: staffUserId, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const soFar = await accrued(trx, organization.id, affiliate.id, input.month);
  const drafts = postingsForPerCapitaPayment({
    paymentId: id,
    affiliateId: affiliate.id,
    affiliate: affiliate.name,
    month: input.month,
    currency: organization.currency,
    paidOn: input.paidOn,
    reference: input.reference,
    amountCents: input.amountCents,
    owedCents: line.owedCents,
    accruedCents: soFar.cents,
    accrualPosted: soFar.posted,
  });
  await postLedgerTransactionsReturningKeys(trx, organization.id, drafts, now);
  return { payment: (await find())!, recorded: true };
}

/**
 * Takes back a payment recorded by mistake: a reversing posting (the bank has the money
 * again, the month owes it again), and the payment marked reversed, in the caller's
 * database transaction. A payment reversed already is left as it is. Undefined when the
 * organization has no such payment.
 */
export async function reversePerCapitaPayment(trx: Kysely<Database>, organizationId: string, paymentId: string, staffUserId: string | null, now: Date): Promise<{ payment: PerCapitaPayment; reversed: boolean } | undefined> {
  const locked = await trx.selectFrom('per_capita_payments').select('id').where('organization_id', '=', organizationId).where('id', '=', paymentId).forUpdate().executeTakeFirst();
  if (!locked) return undefined;
  const read = async () => (await perCapitaPayments(trx, organizationId, { paymentId }))[0]!;
  const payment = await read();
  if (payment.reversedAt !== null) return { payment, reversed: false };
  await postLedgerTransactionsReturningKeys(trx, organizationId, postingsForPerCapitaReversal({ ...payment, paymentId }), now);
  await trx.updateTable('per_capita_payments').set({ reversed_at: now, reversed_by_staff_user_id: staffUserId }).where('organization_id', '=', organizationId).where('id', '=', paymentId).execute();
  return { payment: await read(), reversed: true };
}

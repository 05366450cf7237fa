import { sql, type Kysely } from 'kysely';
import type { Database, Member } from '../../db/database';
import { ApiError, notFound } from '../http/errors';
import { postingsForManualPayment } from '../ledger/postings';
import { postLedgerTransactions } from '../ledger/queries';
import { findPlan, listPlanVersions } from '../plans/queries';
import { rederiveMember } from './derivation';
import { allocateManualPayment, billingPeriods, duesOfPeriods, periodKey, type AllocationLine, type PeriodDues } from './manual-dues';
import { fieldError, type ManualPayment, type ManualPaymentInput } from './members';
import { findMember, findMemberForUpdate } from './queries';

export interface ManualPaymentRecord {
  organizationId: string;
  memberId: string;
  /** The organization's currency: a treasurer records money in the currency the books keep. */
  currency: string;
  receivedOn: string;
  staffUserId: string;
  payment: Omit<ManualPaymentInput, 'receivedOn'>;
  /** When it is recorded, from the service's clock. */
  at: Date;
}

export interface RecordedManualPayment {
  payment: ManualPayment;
  /** What the payment paid towards each period it names. */
  periods: AllocationLine[];
  member: Member;
  /** The member's credit after this payment. */
  memberCreditCents: number;
}

const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/** The dues of the periods a payment names, from the member's plan: the rate in force when each begins. */
async function duesOfNamedPeriods(trx: Kysely<Database>, member: Member, range: { start: string; end: string }): Promise<PeriodDues[] | undefined> {
  if (member.plan_id === null) return undefined;
  const plan = await findPlan(trx, member.organization_id, member.plan_id);
  if (!plan) return undefined;
  const billing = { interval: plan.billing_interval, intervalCount: plan.billing_interval_count };
  const periods = billingPeriods(range, billing);
  if (!periods.ok) throw fieldError('body.periodEnd', periods.message);
  const versions = (await listPlanVersions(trx, member.organization_id, plan.id)).map((v) => ({ effectiveFrom: v.effective_from, rule: v.amount_rule }));
  const dues = duesOfPeriods(periods.periods, versions, billing, member.wage_facts);
  if (!dues.ok) throw new ApiError('conflict', `the dues of these periods cannot be worked out: ${dues.message}`, { fields: [{ path: 'body.periodStart', message: dues.message }] });
  return dues.dues;
}

/** What the member's earlier manual payments paid towards each period, and their credit left. */
async function earlierPayments(trx: Kysely<Database>, organizationId: string, memberId: string): Promise<{ paid: Map<string, number>; creditCents: number }> {
  const periods = await trx
    .selectFrom('manual_payment_periods as pp')
    .innerJoin('manual_payments as p', (join) => join.onRef('p.organization_id', '=', 'pp.organization_id').onRef('p.id', '=', 'pp.manual_payment_id'))
    .select(['pp.period_start', 'pp.period_end', sql<number>`sum(pp.applied_cents)::bigint`.as('applied')])
    .where('pp.organization_id', '=', organizationId)
    .where('pp.member_id', '=', memberId)
    // A payroll deduction whose remittance was reversed pays nothing.
    .where('p.reversed_at', 'is', null)
    .groupBy(['pp.period_start', 'pp.period_end'])
    .execute();
  const credit = await trx
    .selectFrom('manual_payments')
    .select(sql<number>`coalesce(sum(credit_cents - credit_used_cents), 0)::bigint`.as('credit'))
    .where('organization_id', '=', organizationId)
    .where('member_id', '=', memberId)
    .where('reversed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { paid: new Map(periods.map((p) => [periodKey({ start: p.period_start, end: p.period_end }), Number(p.applied)])), creditCents: Number(credit.credit) };
}

/** The member's credit: what manual payments paid beyond the dues they named, less what later ones used. */
export async function memberCreditCents(db: Kysely<Database>, organizationId: string, memberId: string): Promise<number> {
  return (await earlierPayments(db, organizationId, memberId)).creditCents;
}

/**
 * Records cash, a check or a payroll deduction for a member. The amount is checked against
 * the dues of the periods named (the plan's billing periods, each at the rate in force
 * when it begins, less what is paid already): less is refused unless recorded as a partial
 * payment, which pays towards the periods in order; more is kept as the member's credit.
 * The payment, what it paid towards each period, and its posting to the ledger (cash on
 * hand against dues income) are written, then the member's standing and paid-through date
 * are derived from their facts. Call it inside the transaction that audits it.
 */
export async function recordManualPayment(trx: Kysely<Database>, record: ManualPaymentRecord): Promise<RecordedManualPayment> {
  const member = await findMemberForUpdate(trx, record.organizationId, record.memberId);
  if (!member) throw notFound('member');
  const { payment: input } = record;
  const range = { start: input.periodStart, end: input.periodEnd };
  const dues = await duesOfNamedPeriods(trx, member, range);
  if (dues === undefined && !input.partial) {
    throw new ApiError('conflict', 'the member has no dues plan, so what these periods owe is unknown: put the member on a plan, or record the money as a partial payment (kept as credit)', {
      fields: [{ path: 'body.partial', message: 'the member has no dues plan' }],
    });
  }
  const earlier = await earlierPayments(trx, record.organizationId, record.memberId);
  const allocation = allocateManualPayment({
    periods: dues ?? [],
    alreadyPaid: earlier.paid,
    paidThrough: member.recorded_paid_through,
    amountCents: input.amountCents,
    creditCents: earlier.creditCents,
    partial: input.partial ?? false,
  });
  if (!allocation.ok) {
    throw new ApiError('validation_failed', `${money(input.amountCents)} is less than the ${money(allocation.owedCents)} owed for ${input.periodStart} to ${input.periodEnd}: record it as a partial payment to credit it to those periods`, {
      fields: [{ path: 'body.amountCents', message: `${money(allocation.shortCents)} short of the ${money(allocation.owedCents)} owed` }],
      owedCents: allocation.owedCents,
      shortCents: allocation.shortCents,
      periods: (dues ?? []).map((p) => ({ start: p.start, end: p.end, duesCents: p.duesCents })),
    });
  }

  const payment = await trx
    .insertInto('manual_payments')
    .values({
      organization_id: record.organizationId,
      member_id: record.memberId,
      method: input.method,
      amount_cents: input.amountCents,
      currency: record.currency,
      period_start: input.periodStart,
      period_end: input.periodEnd,
      received_on: record.receivedOn,
      reference: input.reference ?? null,
      note: input.note ?? null,
      recorded_by_staff_user_id: record.staffUserId,
      partial: input.partial ?? false,
      credit_cents: allocation.creditCents,
      credit_used_cents: allocation.creditUsedCents,
      created_at: record.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const paidTowards = allocation.lines.filter((line) => line.appliedCents > 0);
  if (paidTowards.length > 0) {
    await trx
      .insertInto('manual_payment_periods')
      .values(
        paidTowards.map((line) => ({
          organization_id: record.organizationId,
          manual_payment_id: payment.id,
          member_id: record.memberId,
          period_start: line.start,
          period_end: line.end,
          dues_cents: line.duesCents,
          applied_cents: line.appliedCents,
        })),
      )
      .execute();
  }
  await postLedgerTransactions(
    trx,
    record.organizationId,
    postingsForManualPayment({
      manualPaymentId: payment.id,
      method: payment.method,
      currency: payment.currency,
      amountCents: payment.amount_cents,
      receivedOn: payment.received_on,
      memberId: payment.member_id,
      planId: member.plan_id,
      periodStart: payment.period_start,
      periodEnd: payment.period_end,
      reference: payment.reference,
    }),
    record.at,
  );
  await rederiveMember(trx, { organizationId: record.organizationId, memberId: record.memberId, cause: 'manual_payment', causeReference: payment.id, staffUserId: record.staffUserId }, record.at);
  return {
    payment,
    periods: allocation.lines,
    member: (await findMember(trx, record.organizationId, record.memberId))!,
    memberCreditCents: earlier.creditCents - allocation.creditUsedCents + allocation.creditCents,
  };
}

import type { Kysely } from 'kysely';
import type { Database, Member } from '../../db/database';
import { notFound } from '../http/errors';
import { postingsForManualPayment } from '../ledger/postings';
import { postLedgerTransactions } from '../ledger/queries';
import { laterDay, standingAfterPayment, type ManualPayment, type ManualPaymentInput } from './members';
import { findMember, findMemberForUpdate, updateMember } from './queries';
import { changeStanding } from './standing';

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

/**
 * Records cash, a check or a payroll deduction for a member: the payment row, the
 * paid-through date advanced to the end of the period paid (never moved back), and the
 * member made active unless an officer's decision (exempt, resigned, dropped, suspended)
 * stands, and the money posted to the ledger (cash on hand against dues income). Call it
 * inside the transaction that audits it, so that the money and the standing commit together.
 */
export async function recordManualPayment(trx: Kysely<Database>, record: ManualPaymentRecord): Promise<{ payment: ManualPayment; member: Member }> {
  const member = await findMemberForUpdate(trx, record.organizationId, record.memberId);
  if (!member) throw notFound('member');

  const payment = await trx
    .insertInto('manual_payments')
    .values({
      organization_id: record.organizationId,
      member_id: record.memberId,
      method: record.payment.method,
      amount_cents: record.payment.amountCents,
      currency: record.currency,
      period_start: record.payment.periodStart,
      period_end: record.payment.periodEnd,
      received_on: record.receivedOn,
      reference: record.payment.reference ?? null,
      note: record.payment.note ?? null,
      recorded_by_staff_user_id: record.staffUserId,
      created_at: record.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
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

  const paidThrough = laterDay(member.paid_through, payment.period_end);
  if (paidThrough !== member.paid_through) await updateMember(trx, record.organizationId, record.memberId, { paid_through: paidThrough }, record.at);
  await changeStanding(trx, {
    organizationId: record.organizationId,
    memberId: record.memberId,
    to: standingAfterPayment(member.standing),
    cause: 'manual_payment',
    causeReference: payment.id,
    staffUserId: record.staffUserId,
    at: record.at,
  });
  return { payment, member: (await findMember(trx, record.organizationId, record.memberId))! };
}

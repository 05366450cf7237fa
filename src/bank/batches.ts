import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { DepositMethod } from '../../db/database-bank';
import { ApiError, notFound } from '../http/errors';
import type { LedgerTransactionDraft } from '../ledger/postings';
import { postLedgerTransactions } from '../ledger/queries';
import { recordManualPayment } from '../members/payments';
import { matchOpenLines } from './queries';

/**
 * Deposit batches: the checks and cash a treasurer takes to the bank on one slip. Each item
 * is a manual payment waiting to be posted; it is checked against the dues its periods owe
 * by recordManualPayment itself (run and rolled back), and posting the batch records them
 * all in one transaction, once. The batch's total is one deposit on the bank statement.
 */

export interface BatchItemInput {
  memberId: string;
  payer: string;
  method: DepositMethod;
  amountCents: number;
  checkNumber: string | null;
  periodStart: string;
  periodEnd: string;
  partial: boolean;
}

export interface BatchItem extends BatchItemInput {
  id: string;
  memberName: string;
  manualPaymentId: string | null;
}

export interface Batch {
  id: string;
  depositedOn: string;
  reference: string | null;
  createdAt: Date;
  postedAt: Date | null;
  items: BatchItem[];
  totalCents: number;
  bankLineId: string | null;
}

export interface BatchSummary {
  id: string;
  depositedOn: string;
  reference: string | null;
  postedAt: Date | null;
  items: number;
  totalCents: number;
  bankLineId: string | null;
}

export async function createBatch(db: Kysely<Database>, organizationId: string, input: { depositedOn: string; reference: string | null }, staffUserId: string, at: Date): Promise<string> {
  const row = await db
    .insertInto('deposit_batches')
    .values({ organization_id: organizationId, deposited_on: input.depositedOn, reference: input.reference, created_at: at, created_by_staff_user_id: staffUserId, posted_at: null, posted_by_staff_user_id: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listBatches(db: Kysely<Database>, organizationId: string, limit: number): Promise<BatchSummary[]> {
  const { rows } = await sql<{ id: string; deposited_on: string; reference: string | null; posted_at: Date | null; items: number; total_cents: number; bank_line_id: string | null }>`
    SELECT d.id, d.deposited_on, d.reference, d.posted_at,
           (SELECT count(*) FROM deposit_batch_items i WHERE i.organization_id = d.organization_id AND i.batch_id = d.id)::int AS items,
           (SELECT coalesce(sum(i.amount_cents), 0) FROM deposit_batch_items i WHERE i.organization_id = d.organization_id AND i.batch_id = d.id)::bigint AS total_cents,
           (SELECT b.id FROM bank_lines b WHERE b.organization_id = d.organization_id AND b.matched_batch_id = d.id) AS bank_line_id
      FROM deposit_batches d WHERE d.organization_id = ${organizationId}
     ORDER BY d.deposited_on DESC, d.created_at DESC LIMIT ${limit}`.execute(db);
  return rows.map((row) => ({ id: row.id, depositedOn: row.deposited_on, reference: row.reference, postedAt: row.posted_at, items: row.items, totalCents: Number(row.total_cents), bankLineId: row.bank_line_id }));
}

export async function findBatch(db: Kysely<Database>, organizationId: string, batchId: string): Promise<Batch | undefined> {
  const batch = await db.selectFrom('deposit_batches').selectAll().where('organization_id', '=', organizationId).where('id', '=', batchId).executeTakeFirst();
  if (!batch) return undefined;
  const items = await db
    .selectFrom('deposit_batch_items as i')
    .innerJoin('members as m', (join) => join.onRef('m.organization_id', '=', 'i.organization_id').onRef('m.id', '=', 'i.member_id'))
    .select(['i.id', 'i.member_id', 'm.name as member_name', 'i.payer', 'i.method', 'i.amount_cents', 'i.check_number', 'i.period_start', 'i.period_end', 'i.partial', 'i.manual_payment_id'])
    .where('i.organization_id', '=', organizationId)
    .where('i.batch_id', '=', batchId)
    .orderBy('i.seq')
    .execute();
  const line = await db.selectFrom('bank_lines').select('id').where('organization_id', '=', organizationId).where('matched_batch_id', '=', batchId).executeTakeFirst();
  const mapped: BatchItem[] = items.map((i) => ({
    id: i.id,
    memberId: i.member_id,
    memberName: i.member_name,
    payer: i.payer,
    method: i.method,
    amountCents: i.amount_cents,
    checkNumber: i.check_number,
    periodStart: i.period_start,
    periodEnd: i.period_end,
    partial: i.partial,
    manualPaymentId: i.manual_payment_id,
  }));
  return {
    id: batch.id,
    depositedOn: batch.deposited_on,
    reference: batch.reference,
    createdAt: batch.created_at,
    postedAt: batch.posted_at,
    items: mapped,
    totalCents: mapped.reduce((sum, item) => sum + item.amountCents, 0),
    bankLineId: line?.id ?? null,
  };
}

async function batchForUpdate(trx: Kysely<Database>, organizationId: string, batchId: string) {
  const batch = await trx.selectFrom('deposit_batches').selectAll().where('organization_id', '=', organizationId).where('id', '=', batchId).forUpdate().executeTakeFirst();
  if (!batch) throw notFound('deposit batch');
  return batch;
}

interface Poster {
  organizationId: string;
  currency: string;
  staffUserId: string;
  at: Date;
}

/** Records an item as the manual payment it becomes: the same checks against dues owed as the API's. */
function recordItem(trx: Kysely<Database>, poster: Poster, batch: { deposited_on: string; reference: string | null }, item: BatchItemInput) {
  return recordManualPayment(trx, {
    organizationId: poster.organizationId,
    memberId: item.memberId,
    currency: poster.currency,
    receivedOn: batch.deposited_on,
    staffUserId: poster.staffUserId,
    at: poster.at,
    payment: {
      method: item.method,
      amountCents: item.amountCents,
      periodStart: item.periodStart,
      periodEnd: item.periodEnd,
      ...(item.checkNumber ? { reference: item.checkNumber } : {}),
      note: `Deposit slip of ${batch.deposited_on}${batch.reference ? ` (${batch.reference})` : ''}, paid by ${item.payer}`.slice(0, 1000),
      ...(item.partial ? { partial: true } : {}),
    },
  });
}

const itemOf = (row: { member_id: string; payer: string; method: DepositMethod; amount_cents: number; check_number: string | null; period_start: string; period_end: string; partial: boolean }): BatchItemInput => ({
  memberId: row.member_id,
  payer: row.payer,
  method: row.method,
  amountCents: row.amount_cents,
  checkNumber: row.check_number,
  periodStart: row.period_start,
  periodEnd: row.period_end,
  partial: row.partial,
});

/**
 * Adds an item to an open batch. The batch's items and this one are recorded as manual
 * payments in order and rolled back: an item the dues refuse (less than owed, a period that
 * is not the plan's) is refused now, with the API's message, and nothing is written.
 */
export async function addBatchItem(trx: Kysely<Database>, poster: Poster, batchId: string, item: BatchItemInput): Promise<string> {
  const batch = await batchForUpdate(trx, poster.organizationId, batchId);
  if (batch.posted_at !== null) throw new ApiError('conflict', 'this deposit batch is posted: start a new one');
  const earlier = await trx.selectFrom('deposit_batch_items').selectAll().where('organization_id', '=', poster.organizationId).where('batch_id', '=', batchId).orderBy('seq').execute();
  await sql`SAVEPOINT deposit_batch_trial`.execute(trx);
  for (const row of earlier) await recordItem(trx, poster, batch, itemOf(row));
  await recordItem(trx, poster, batch, item);
  await sql`ROLLBACK TO SAVEPOINT deposit_batch_trial`.execute(trx);
  const inserted = await trx
    .insertInto('deposit_batch_items')
    .values({
      organization_id: poster.organizationId,
      batch_id: batchId,
      member_id: item.memberId,
      payer: item.payer,
      method: item.method,
      amount_cents: item.amountCents,
      check_number: item.checkNumber,
      period_start: item.periodStart,
      period_end: item.periodEnd,
      partial: item.partial,
      manual_payment_id: null,
      created_at: poster.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function removeBatchItem(trx: Kysely<Database>, organizationId: string, batchId: string, itemId: string): Promise<void> {
  const batch = await batchForUpdate(trx, organizationId, batchId);
  if (batch.posted_at !== null) throw new ApiError('conflict', 'this deposit batch is posted: its payments are in the books');
  const removed = await trx.deleteFrom('deposit_batch_items').where('organization_id', '=', organizationId).where('batch_id', '=', batchId).where('id', '=', itemId).returning('id').executeTakeFirst();
  if (!removed) throw notFound('deposit item');
}

/**
 * Posts a batch: each item recorded as a manual payment (posted to the ledger, the member's
 * standing derived), and the slip's total moved from cash on hand into the bank on the
 * deposit day, all in the caller's transaction; then the bank lines still open are
 * matched, since the batch is now a deposit. Answers false when it was already posted.
 */
export async function postBatch(trx: Kysely<Database>, poster: Poster, batchId: string): Promise<{ posted: boolean; payments: number; totalCents: number }> {
  const batch = await batchForUpdate(trx, poster.organizationId, batchId);
  const items = await trx.selectFrom('deposit_batch_items').selectAll().where('organization_id', '=', poster.organizationId).where('batch_id', '=', batchId).orderBy('seq').execute();
  const totalCents = items.reduce((sum, item) => sum + item.amount_cents, 0);
  if (batch.posted_at !== null) return { posted: false, payments: items.length, totalCents };
  if (items.length === 0) throw new ApiError('conflict', 'this deposit batch has nothing in it to post');
  for (const row of items) {
    const recorded = await recordItem(trx, poster, batch, itemOf(row));
    await trx.updateTable('deposit_batch_items').set({ manual_payment_id: recorded.payment.id }).where('organization_id', '=', poster.organizationId).where('id', '=', row.id).execute();
  }
  await postLedgerTransactions(trx, poster.organizationId, postingsForDepositBatch({ batchId, currency: poster.currency, amountCents: totalCents, depositedOn: batch.deposited_on, reference: batch.reference }), poster.at);
  await trx.updateTable('deposit_batches').set({ posted_at: poster.at, posted_by_staff_user_id: poster.staffUserId }).where('organization_id', '=', poster.organizationId).where('id', '=', batchId).execute();
  await matchOpenLines(trx, poster.organizationId, poster.at);
  return { posted: true, payments: items.length, totalCents };
}

/** The slip's checks and cash taken to the bank: cash on hand into the bank, on the day of the deposit, keyed by the batch. */
export function postingsForDepositBatch(input: { batchId: string; currency: string; amountCents: number; depositedOn: string; reference: string | null }): LedgerTransactionDraft[] {
  return [
    {
      sourceKey: `deposit_batch:${input.batchId}`,
      kind: 'bank_deposit',
      // Noon UTC falls on the day in every time zone from UTC-11 to UTC+11, as manual payments are dated.
      occurredAt: new Date(`${input.depositedOn}T12:00:00Z`),
      currency: input.currency,
      description: `Deposit slip of ${input.depositedOn} taken to the bank${input.reference ? ` (${input.reference})` : ''}`,
      entries: [
        { account: 'bank', amountCents: input.amountCents },
        { account: 'cash_on_hand', amountCents: -input.amountCents },
      ],
      grossCents: input.amountCents,
      feeCents: 0,
      netCents: input.amountCents,
    },
  ];
}

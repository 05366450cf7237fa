import { z } from 'zod';
import type { AppContext } from '../context';
import { apiRoute } from '../http/api-route';
import { notFound } from '../http/errors';
import { day, id, instant } from '../http/response-schemas';
import type { RouteDefinition } from '../http/routes';
import { calendarDay, fieldError } from '../members/members';
import { findMember } from '../members/queries';
import { todayIn } from '../organizations/calendar';
import { addBatchItem, createBatch, findBatch, postBatch, type Batch } from './batches';

// Deposit batches through the API, as the console's /console/deposits records them: the
// same checks against dues (recordManualPayment's), the same one-time posting.

const TREASURY = ['admin', 'treasurer'] as const;
const noNul = (value: string) => !value.includes('\u0000');
const text = z.string().trim().min(1).max(100).refine(noNul, 'contains a NUL character');
const batchParams = z.object({ batchId: z.uuid() });
const newBatch = z.object({ depositedOn: calendarDay, reference: text.optional() }).strict();
const newItem = z
  .object({
    memberId: z.uuid(),
    payer: text.optional(),
    method: z.enum(['cash', 'check']),
    amountCents: z.number().int().min(1).max(100_000_000),
    checkNumber: text.optional(),
    periodStart: calendarDay,
    periodEnd: calendarDay,
    partial: z.boolean().optional(),
  })
  .strict()
  .refine((item) => item.periodEnd >= item.periodStart, { path: ['periodEnd'], message: 'the period ends before it starts' });

const itemResponse = z
  .object({ id, memberId: id, payer: z.string(), method: z.enum(['cash', 'check']), amountCents: z.number().int(), checkNumber: z.string().nullable(), periodStart: day, periodEnd: day, partial: z.boolean(), manualPaymentId: id.nullable() })
  .strict();
const batchResponse = z.object({ id, depositedOn: day, reference: z.string().nullable(), postedAt: instant.nullable(), totalCents: z.number().int(), bankLineId: id.nullable(), items: z.array(itemResponse) }).strict();

const presentBatch = (batch: Batch) => ({
  id: batch.id,
  depositedOn: batch.depositedOn,
  reference: batch.reference,
  postedAt: batch.postedAt?.toISOString() ?? null,
  totalCents: batch.totalCents,
  bankLineId: batch.bankLineId,
  items: batch.items.map((item) => ({ id: item.id, memberId: item.memberId, payer: item.payer, method: item.method, amountCents: item.amountCents, checkNumber: item.checkNumber, periodStart: item.periodStart, periodEnd: item.periodEnd, partial: item.partial, manualPaymentId: item.manualPaymentId })),
});

export function depositBatchRoutes(ctx: AppContext): RouteDefinition[] {
  const findOwnBatch = async ({ me, params }: { me: { organizationId: string }; params: z.infer<typeof batchParams> }) => {
    const batch = await findBatch(ctx.db, me.organizationId, params.batchId);
    if (!batch) throw notFound('deposit batch');
    return batch;
  };
  const posterOf = (me: { organizationId: string; staffUserId: string }, currency: string) => ({ organizationId: me.organizationId, currency, staffUserId: me.staffUserId, at: ctx.now() });

  return [
    apiRoute(ctx, {
      method: 'post',
      path: '/api/deposit-batches',
      access: TREASURY,
      requestBody: newBatch,
      responses: { 201: batchResponse },
      summary: 'Start a deposit batch: the checks and cash taken to the bank on one slip',
      answer: async ({ me, body, organization, audit }) => {
        const { time_zone } = await organization();
        if (body.depositedOn > todayIn(time_zone, ctx.now())) throw fieldError('body.depositedOn', 'the day of the deposit cannot be in the future');
        const batchId = await ctx.db.transaction().execute(async (trx) => {
          const made = await createBatch(trx, me.organizationId, { depositedOn: body.depositedOn, reference: body.reference ?? null }, me.staffUserId, ctx.now());
          await audit('deposit_batch.created', { subjectType: 'deposit_batch', subjectId: made, details: { depositedOn: body.depositedOn } }, trx);
          return made;
        });
        return presentBatch((await findBatch(ctx.db, me.organizationId, batchId))!);
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/deposit-batches/:batchId',
      access: TREASURY,
      params: batchParams,
      responses: { 200: batchResponse },
      summary: 'A deposit batch with its payments, whether it is posted, and the bank line that shows it',
      find: findOwnBatch,
      answer: async ({ found }) => presentBatch(found),
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/deposit-batches/:batchId/items',
      access: TREASURY,
      params: batchParams,
      requestBody: newItem,
      responses: { 201: batchResponse },
      summary: 'Add a check or cash payment to an open deposit batch, checked against the dues its periods owe as POST /api/members/:memberId/payments checks them',
      find: findOwnBatch,
      answer: async ({ me, found, body, organization, audit }) => {
        const member = await findMember(ctx.db, me.organizationId, body.memberId);
        if (!member) throw notFound('member');
        const { currency } = await organization();
        await ctx.db.transaction().execute(async (trx) => {
          const itemId = await addBatchItem(trx, posterOf(me, currency), found.id, {
            memberId: member.id,
            payer: body.payer ?? member.name,
            method: body.method,
            amountCents: body.amountCents,
            checkNumber: body.method === 'check' ? (body.checkNumber ?? null) : null,
            periodStart: body.periodStart,
            periodEnd: body.periodEnd,
            partial: body.partial ?? false,
          });
          await audit('deposit_batch.item_added', { subjectType: 'deposit_batch', subjectId: found.id, details: { itemId, memberId: member.id, method: body.method, amountCents: body.amountCents, periodEnd: body.periodEnd } }, trx);
        });
        return presentBatch((await findBatch(ctx.db, me.organizationId, found.id))!);
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/deposit-batches/:batchId/post',
      access: TREASURY,
      params: batchParams,
      responses: { 200: batchResponse },
      summary: 'Post a deposit batch: its payments recorded and the slip taken into the bank, in one transaction, once (posting again changes nothing)',
      find: findOwnBatch,
      answer: async ({ me, found, organization, audit }) => {
        const { currency } = await organization();
        await ctx.db.transaction().execute(async (trx) => {
          const posted = await postBatch(trx, posterOf(me, currency), found.id);
          if (posted.posted) await audit('deposit_batch.posted', { subjectType: 'deposit_batch', subjectId: found.id, details: { payments: posted.payments, totalCents: posted.totalCents } }, trx);
        });
        return presentBatch((await findBatch(ctx.db, me.organizationId, found.id))!);
      },
    }),
  ];
}

import { z } from 'zod';
import type { AppContext } from '../context';
import { apiRoute } from '../http/api-route';
import { ApiError } from '../http/errors';
import { instant } from '../http/response-schemas';
import type { RouteDefinition } from '../http/routes';
import { closeMonth, monthState, readinessReasons, reopenMonth, type MonthState } from './queries';

/** A month in a path, as 'YYYY-MM'. */
export const monthParams = z.object({ month: z.string().regex(/^(19|2\d)\d{2}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM') });

const suspenseHeld = z.object({ remittanceId: z.uuid(), employerName: z.string(), currency: z.string(), heldCents: z.number().int() }).strict();
const reason = z
  .object({
    code: z.enum(['month_not_over', 'payout_unmatched', 'ledger_check', 'webhook_events_unsettled', 'bank_unmatched', 'payroll_suspense_unexplained']),
    detail: z.string(),
    count: z.number().int().optional(),
    remittances: z.array(suspenseHeld).optional(),
  })
  .strict();
export const monthStateResponse = z.object({ month: z.string(), closed: z.boolean(), closedAt: instant.nullable(), ready: z.boolean(), reasons: z.array(reason) }).strict();

export const presentMonthState = (state: MonthState) => ({ month: state.month, closed: state.closed, closedAt: state.closedAt?.toISOString() ?? null, ready: !state.closed && state.reasons.length === 0, reasons: state.reasons });

export function monthRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/months/:month',
      params: monthParams,
      access: ['admin', 'treasurer'],
      responses: { 200: monthStateResponse },
      summary: "A month's closing: whether it is closed, and if not, what stands between it and its closing",
      answer: async ({ params, organization, audit }) => {
        const state = presentMonthState(await monthState(ctx.db, ctx.stripe, await organization(), params.month, ctx.now()));
        await audit('month.read', { subjectType: 'month', subjectId: params.month, details: { closed: state.closed, ready: state.ready } });
        return state;
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/months/:month/close',
      params: monthParams,
      access: ['admin', 'treasurer'],
      responses: { 200: monthStateResponse },
      summary: 'Close a ready month: postings dated in it are refused from then on (late ones go to the first open day); 409 with the reasons when it is not ready',
      answer: async ({ me, params, organization: organizationOf, audit }) => {
        const organization = await organizationOf();
        const reasons = await readinessReasons(ctx.db, ctx.stripe, organization, params.month, ctx.now());
        if (reasons.length > 0) throw new ApiError('conflict', `${params.month} is not ready to close`, { reasons });
        const closed = await ctx.db.transaction().execute(async (trx) => {
          const done = await closeMonth(trx, organization, params.month, me.staffUserId, ctx.now());
          if (done) await audit('month.closed', { subjectType: 'month', subjectId: params.month }, trx);
          return done;
        });
        if (!closed) throw new ApiError('conflict', `${params.month} is already closed`);
        return presentMonthState(await monthState(ctx.db, ctx.stripe, organization, params.month, ctx.now()));
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/months/:month/reopen',
      params: monthParams,
      access: ['admin'],
      responses: { 200: monthStateResponse },
      summary: 'Reopen a closed month (admins only): postings dated in it are accepted again',
      answer: async ({ me, params, organization: organizationOf, audit }) => {
        const organization = await organizationOf();
        const reopened = await ctx.db.transaction().execute(async (trx) => {
          const done = await reopenMonth(trx, organization.id, params.month, me.staffUserId, ctx.now());
          if (done) await audit('month.reopened', { subjectType: 'month', subjectId: params.month }, trx);
          return done;
        });
        if (!reopened) throw new ApiError('conflict', `${params.month} is not closed`);
        return presentMonthState(await monthState(ctx.db, ctx.stripe, organization, params.month, ctx.now()));
      },
    }),
  ];
}

import { z } from 'zod';
import type { AppContext } from '../src/context';
import { apiRoute } from '../src/http/api-route';
import { notFound } from '../src/http/errors';
import type { RouteDefinition } from '../src/http/routes';
import { requeueEvents } from './processor';
import { webhookEventListResponse, webhookEventRequeuedResponse } from './admin-responses';

const listQuery = z.object({
  status: z.enum(['pending', 'processed', 'ignored', 'failed']).optional(),
  type: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime().optional(),
});
const eventParams = z.object({ eventId: z.string().regex(/^evt_[A-Za-z0-9]+$/, 'a Stripe event id, evt_...') });

/** Admins see the organization's Stripe events (the failed ones especially) and can run one again. */
export function webhookAdminRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/webhook-events',
      responses: { 200: webhookEventListResponse },
      query: listQuery,
      access: ['admin'],
      summary: "The organization's Stripe events, newest first (filter status=failed for the dead letters)",
      answer: async ({ me, query }) => {
        let rows = ctx.db
          .selectFrom('stripe_events')
          .select(['id', 'type', 'account', 'status', 'attempts', 'last_error', 'outcome', 'stripe_created_at', 'received_at', 'processed_at', 'next_attempt_at'])
          .where('organization_id', '=', me.organizationId)
          .orderBy('received_at', 'desc')
          .limit(query.limit);
        if (query.status) rows = rows.where('status', '=', query.status);
        if (query.type) rows = rows.where('type', '=', query.type);
        if (query.before) rows = rows.where('received_at', '<', new Date(query.before));
        const data = await rows.execute();
        return { data, nextBefore: data.length === query.limit ? data[data.length - 1]!.received_at : null };
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/webhook-events/:eventId/retry',
      params: eventParams,
      responses: { 202: webhookEventRequeuedResponse },
      access: ['admin'],
      summary: 'Put an event back in line to be processed now (processing is idempotent)',
      answer: async ({ me, params: { eventId }, audit }) => {
        const event = await ctx.db.selectFrom('stripe_events').select(['id', 'status']).where('id', '=', eventId).where('organization_id', '=', me.organizationId).executeTakeFirst();
        if (!event) throw notFound('webhook event');
        await requeueEvents(ctx.db, { ids: [eventId] }, ctx.now());
        await audit('webhook_event.requeued', { subjectType: 'stripe_event', subjectId: eventId, details: { previousStatus: event.status } });
        ctx.notifyWebhooks();
        return { id: eventId, status: 'pending' };
      },
    }),
  ];
}

import type { Request } from 'express';
import { z } from 'zod';
import { auditActor, recordAudit } from '../../audit/audit';
import type { AppContext } from '../../context';
import { notFound } from '../../http/errors';
import type { RouteDefinition } from '../../http/routes';
import { countFailedEvents, failedEventIds, findOrganizationEvent, memberEvents, unsettledEvents } from '../../../webhooks/admin-queries';
import { memberParams } from '../../members/members';
import { findMember } from '../../members/queries';
import { requeueEvents } from '../../../webhooks/processor';
import type { ConsoleRouteKit } from '../months';
import { EventPage, EventsPage } from '../pages/events';
import type { ConsoleSession } from '../session';

const EVENTS_SHOWN = 200;
const eventParams = z.object({ eventId: z.string().regex(/^evt_[A-Za-z0-9]{1,100}$/) });

/** Stripe events in the console (admins): failed and waiting ones, one event's payload, retry one or every failed one. */
export function eventConsoleRoutes(ctx: AppContext, kit: ConsoleRouteKit): RouteDefinition[] {
  async function eventInPath(req: Request, session: ConsoleSession) {
    const parsed = eventParams.safeParse(req.params);
    const event = parsed.success ? await findOrganizationEvent(ctx.db, session.organization.id, parsed.data.eventId) : undefined;
    if (!event) throw notFound('webhook event');
    return event;
  }

  return [
    kit.page('/console/events', ['admin'], "Stripe events that failed or wait to be processed, with their error and attempts", async (_req, _res, frame) => {
      const organizationId = frame.session.organization.id;
      const [events, failed] = await Promise.all([unsettledEvents(ctx.db, organizationId, undefined, EVENTS_SHOWN), countFailedEvents(ctx.db, organizationId)]);
      return <EventsPage frame={frame} events={events} failed={failed} />;
    }),
    kit.page('/console/members/:memberId/events', ['admin'], "A member's Stripe events: everything Stripe sent about their customer records", async (req, _res, frame) => {
      const organizationId = frame.session.organization.id;
      const parsed = memberParams.safeParse(req.params);
      const member = parsed.success ? await findMember(ctx.db, organizationId, parsed.data.memberId) : undefined;
      if (!member) throw notFound('member');
      const subscriptions = await ctx.db.selectFrom('stripe_subscriptions').select('customer_id').where('organization_id', '=', organizationId).where('member_id', '=', member.id).execute();
      const customers = [...new Set([...(member.stripe_customer_id ? [member.stripe_customer_id] : []), ...subscriptions.map((s) => s.customer_id)])];
      const events = await memberEvents(ctx.db, organizationId, customers, EVENTS_SHOWN);
      return <EventsPage frame={frame} events={events} failed={0} member={{ id: member.id, name: member.name }} />;
    }),
    // Before the :eventId routes, though no event id could read "retry-failed".
    kit.action('/console/events/retry-failed', ['admin'], 'Put every failed event back in line (processing is idempotent)', async (req, res, session) => {
      const ids = await failedEventIds(ctx.db, session.organization.id);
      const requeued = await ctx.db.transaction().execute(async (trx) => {
        const count = await requeueEvents(trx, { ids, status: 'failed' }, ctx.now());
        if (count > 0) await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'webhook_event.requeued_all', subjectType: 'organization', subjectId: session.organization.id, details: { count, via: 'console' } });
        return count;
      });
      ctx.notifyWebhooks();
      kit.redirectWithFlash(res, '/console/events', { kind: 'eventsRequeued', name: String(requeued) });
    }),
    kit.page('/console/events/:eventId', ['admin'], "One Stripe event: its state, error, attempts and payload", async (req, _res, frame) => {
      return <EventPage frame={frame} event={await eventInPath(req, frame.session)} />;
    }),
    kit.action('/console/events/:eventId/retry', ['admin'], 'Put one event back in line to be processed now (processing is idempotent)', async (req, res, session) => {
      const event = await eventInPath(req, session);
      await ctx.db.transaction().execute(async (trx) => {
        await requeueEvents(trx, { ids: [event.id] }, ctx.now());
        await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'webhook_event.requeued', subjectType: 'stripe_event', subjectId: event.id, details: { previousStatus: event.status, via: 'console' } });
      });
      ctx.notifyWebhooks();
      kit.redirectWithFlash(res, '/console/events', { kind: 'eventRequeued', name: event.id });
    }),
  ];
}

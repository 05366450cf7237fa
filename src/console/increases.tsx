import type { Request } from 'express';
import { z } from 'zod';
import { auditActor, recordAudit, recordBulkRead } from '../audit/audit';
import type { AppContext } from '../context';
import { notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { increaseRows, noticeDayFor, noticeStillPossible } from '../increases/increases';
import { createIncrease, findIncrease, increaseCandidates, increaseItems, listIncreases, retryFailedItems, upcomingVersions } from '../increases/queries';
import { advanceDuesIncreases } from '../increases/worker';
import { planTerms } from '../members/queries';
import { todayIn } from '../organizations/calendar';
import { findPlan } from '../plans/queries';
import type { ConsoleFormKit } from './bank';
import { IncreasePage, IncreasesPage, NewIncreasePage } from './pages/increases';
import type { ConsoleSession } from './session';

const ACCESS = ['admin', 'treasurer'] as const;
const DEFAULT_NOTICE_DAYS = '30';
const versionQuery = z.object({ version: z.uuid() });
const increaseParams = z.object({ increaseId: z.uuid() });
const noticeDays = z.string().trim().regex(/^\d{1,3}$/).transform(Number).pipe(z.number().int().min(0).max(365));

/**
 * Dues increases in the console: the new rates waiting, the table of what each member pays
 * before and after, the notice to give, the confirmation; then each increase's progress with
 * a retry of the failed changes. The work itself is the increase job's (src/increases/worker.ts).
 */
export function increaseConsoleRoutes(ctx: AppContext, kit: ConsoleFormKit): RouteDefinition[] {
  /** A rate version of this organization not yet in effect and not yet carried: with what each member would pay. */
  async function prepared(session: ConsoleSession, versionId: unknown) {
    const parsed = versionQuery.safeParse({ version: versionId });
    const organization = await kit.organizationOf(session);
    const today = todayIn(organization.time_zone, ctx.now());
    const version = parsed.success ? (await upcomingVersions(ctx.db, organization.id, today)).find((v) => v.id === parsed.data.version) : undefined;
    if (!version) throw notFound('rate version');
    const plan = (await findPlan(ctx.db, organization.id, version.plan_id))!;
    const { terms: oldTerms } = await planTerms(ctx.db, plan, today);
    const { terms: newTerms } = await planTerms(ctx.db, plan, version.effective_from);
    const rows = increaseRows(await increaseCandidates(ctx.db, organization.id, plan.id), newTerms!, oldTerms);
    return { organization, today, version, plan, rows };
  }
  const audit = (db: AppContext['db'], req: Request, action: string, increaseId: string, details: Record<string, unknown>) =>
    recordAudit(db, { ...auditActor(req, ctx.now()), action, subjectType: 'dues_increase', subjectId: increaseId, details: { via: 'console', ...details } });

  return [
    kit.page('/console/increases', ACCESS, 'Dues increases: new rates waiting to reach members, and increases under way', async (_req, _res, frame) => {
      const organization = await kit.organizationOf(frame.session);
      const today = todayIn(organization.time_zone, ctx.now());
      return <IncreasesPage frame={frame} upcoming={await upcomingVersions(ctx.db, organization.id, today)} increases={await listIncreases(ctx.db, organization.id)} />;
    }),
    kit.page('/console/increases/new', ACCESS, 'Prepare a dues increase: what each member pays before and after, and the notice', async (req, _res, frame) => {
      const { version, plan, rows } = await prepared(frame.session, req.query.version);
      // Each member's name and dues: a bulk read, recorded as the lists are (this page and the increase's own).
      await recordBulkRead(ctx.db, req, { action: 'dues_increase.previewed', rows: rows.length, filters: { planVersionId: version.id, via: 'console' }, at: ctx.now() });
      return <NewIncreasePage frame={frame} version={version} rows={rows} currency={plan.currency} noticeDays={DEFAULT_NOTICE_DAYS} />;
    }),
    kit.action('/console/increases', ACCESS, 'Confirm a dues increase', async (req, res, session) => {
      const body = req.body as Record<string, unknown>;
      const { organization, today, version, plan, rows } = await prepared(session, body.version);
      const typed = typeof body.noticeDays === 'string' ? body.noticeDays.slice(0, 10) : '';
      const days = noticeDays.safeParse(typed);
      const problem = !days.success ? session.m.increases.noticeInvalid : !noticeStillPossible(version.effective_from, days.data, today) ? session.m.increases.noticeTooLate : undefined;
      if (problem || !days.success) {
        kit.sendPage(res, 400, <NewIncreasePage frame={kit.frameFor(req, res, session)} version={version} rows={rows} currency={plan.currency} noticeDays={typed} error={problem} />);
        return;
      }
      const increaseId = await ctx.db.transaction().execute(async (trx) => {
        const id = await createIncrease(
          trx,
          { organizationId: organization.id, planId: plan.id, planVersionId: version.id, noticeDays: days.data, noticeOn: noticeDayFor(version.effective_from, days.data), effectiveFrom: version.effective_from, staffUserId: session.staffUserId, at: ctx.now() },
          rows,
        );
        await audit(trx, req, 'dues_increase.confirmed', id, { planId: plan.id, planVersionId: version.id, noticeDays: days.data, members: rows.length });
        return id;
      });
      kit.redirectWithFlash(res, `/console/increases/${increaseId}`, { kind: 'increaseConfirmed', name: plan.name });
    }),
    kit.page('/console/increases/:increaseId', ACCESS, 'A dues increase under way: notices, changes, failures', async (req, _res, frame) => {
      const parsed = increaseParams.safeParse(req.params);
      const increase = parsed.success ? await findIncrease(ctx.db, frame.session.organization.id, parsed.data.increaseId) : undefined;
      if (!increase) throw notFound('dues increase');
      const plan = (await findPlan(ctx.db, frame.session.organization.id, increase.plan_id))!;
      const items = await increaseItems(ctx.db, frame.session.organization.id, increase.id);
      await recordBulkRead(ctx.db, req, { action: 'dues_increase.viewed', rows: items.length, filters: { increaseId: increase.id, via: 'console' }, at: ctx.now() });
      return <IncreasePage frame={frame} increase={increase} items={items} currency={plan.currency} />;
    }),
    kit.action('/console/increases/:increaseId/retry', ACCESS, 'Retry the failed subscription changes of a dues increase', async (req, res, session) => {
      const parsed = increaseParams.safeParse(req.params);
      const increase = parsed.success ? await findIncrease(ctx.db, session.organization.id, parsed.data.increaseId) : undefined;
      if (!increase) throw notFound('dues increase');
      const retried = await retryFailedItems(ctx.db, session.organization.id, increase.id);
      await audit(ctx.db, req, 'dues_increase.retried', increase.id, { items: retried });
      // Run now rather than at the next tick: someone is looking at the page.
      await advanceDuesIncreases({ db: ctx.db, stripe: ctx.stripe, now: ctx.now, publicUrl: ctx.publicUrl, notifyOutbox: ctx.notifyOutbox }, await kit.organizationOf(session));
      kit.redirectWithFlash(res, `/console/increases/${increase.id}`, { kind: 'increaseRetried', count: retried });
    }),
  ];
}

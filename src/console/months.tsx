import type { Request, Response } from 'express';
import type { VNode } from 'preact';
import type { Organization, StaffRole } from '../../db/database';
import { auditActor, recordAudit } from '../audit/audit';
import { hasImportedStatements } from '../bank/queries';
import type { AppContext } from '../context';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { monthIn, monthsUpTo, previousMonth } from '../months/calendar';
import { closeMonth, monthStates, readinessReasons, reopenMonth } from '../months/queries';
import { monthParams } from '../months/routes';
import type { Frame } from './pages/members';
import { MonthsPage } from './pages/months';
import type { ConsoleSession, Flash } from './session';

/** The console's helpers the month pages use (see consoleRoutes). */
export interface ConsoleRouteKit {
  page: (path: string, access: readonly StaffRole[], summary: string, render: (req: Request, res: Response, frame: Frame) => Promise<VNode | undefined>) => RouteDefinition;
  action: (path: string, access: readonly StaffRole[], summary: string, run: (req: Request, res: Response, session: ConsoleSession) => Promise<void>, body?: 'form' | 'upload') => RouteDefinition;
  redirectWithFlash: (res: Response, to: string, flash: Flash) => void;
  /** The frame of a page an action answers itself (a form sent back with its errors). */
  frameFor: (req: Request, res: Response, session: ConsoleSession) => Frame;
  /** The signed-in staff member's organization, whole. */
  organizationOf: (session: ConsoleSession) => Promise<Organization>;
}

/** Closing a month in the console: the last twelve finished months, closed or ready or not, and the actions. */
export function monthConsoleRoutes(ctx: AppContext, kit: ConsoleRouteKit): RouteDefinition[] {
  const monthInPath = (req: Request) => {
    const parsed = monthParams.safeParse(req.params);
    if (!parsed.success) throw notFound('month');
    return parsed.data.month;
  };
  const audit = (db: AppContext['db'], req: Request, action: string, month: string) => recordAudit(db, { ...auditActor(req, ctx.now()), action, subjectType: 'month', subjectId: month, details: { via: 'console' } });

  return [
    kit.page('/console/months', ['admin', 'treasurer'], 'Closing a month: the last twelve months, their readiness, close and reopen', async (_req, _res, frame) => {
      const organization = await kit.organizationOf(frame.session);
      const months = monthsUpTo(previousMonth(monthIn(organization.time_zone, ctx.now())), 12);
      const [states, bankImported] = await Promise.all([monthStates(ctx.db, ctx.stripe, organization, months, ctx.now()), hasImportedStatements(ctx.db, organization.id)]);
      return <MonthsPage frame={frame} months={states} canReopen={frame.session.roles.includes('admin')} bankImported={bankImported} />;
    }),
    kit.action('/console/months/:month/close', ['admin', 'treasurer'], 'Close a ready month', async (req, res, session) => {
      const month = monthInPath(req);
      const organization = await kit.organizationOf(session);
      const reasons = await readinessReasons(ctx.db, ctx.stripe, organization, month, ctx.now());
      if (reasons.length > 0) throw new ApiError('conflict', `${month} is not ready to close`, { reasons });
      await ctx.db.transaction().execute(async (trx) => {
        if (await closeMonth(trx, organization, month, session.staffUserId, ctx.now())) await audit(trx, req, 'month.closed', month);
      });
      kit.redirectWithFlash(res, '/console/months', { kind: 'monthClosed', month });
    }),
    kit.action('/console/months/:month/reopen', ['admin'], 'Reopen a closed month (admins only)', async (req, res, session) => {
      const month = monthInPath(req);
      await ctx.db.transaction().execute(async (trx) => {
        if (await reopenMonth(trx, session.organization.id, month, session.staffUserId, ctx.now())) await audit(trx, req, 'month.reopened', month);
      });
      kit.redirectWithFlash(res, '/console/months', { kind: 'monthReopened', month });
    }),
  ];
}

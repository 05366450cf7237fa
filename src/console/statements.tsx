import { z } from 'zod';
import { recordBulkRead } from '../audit/audit';
import type { AppContext } from '../context';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { memberParams } from '../members/members';
import { statementFacts } from '../treasurer/queries';
import { memberStatement } from '../treasurer/reports/statement';
import type { ConsoleFormKit } from './bank';
import { StatementPage } from './pages/statement';

// Amounts: the statement is the bookkeepers', as in the API; organizers never reach it.
const BOOKKEEPERS = ['admin', 'treasurer'] as const;

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);
const rangeQuery = z.object({ from: z.preprocess(blankToUndefined, z.string().trim().max(20).optional()), to: z.preprocess(blankToUndefined, z.string().trim().max(20).optional()) });
const day = z.iso.date();

/** By default a year: from the first of this month a year ago to today. */
const yearBefore = (today: string) => `${Number(today.slice(0, 4)) - 1}-${today.slice(5, 7)}-01`;

/** A member's statement in the console, read by the same functions as the API's /api/members/:memberId/statement, whose CSV of the same days it links to. */
export function statementConsoleRoutes(ctx: AppContext, kit: ConsoleFormKit): RouteDefinition[] {
  return [
    kit.page('/console/members/:memberId/statement', BOOKKEEPERS, "A member's statement over chosen days: payments with the period each covered, refunds, disputes, standing changes, totals, and its CSV", async (req, res, frame) => {
      const session = frame.session;
      const params = memberParams.safeParse(req.params);
      const member = params.success ? await ctx.db.selectFrom('members').select(['id', 'name']).where('organization_id', '=', session.organization.id).where('id', '=', params.data.memberId).executeTakeFirst() : undefined;
      if (!member) throw notFound('member');
      const query = rangeQuery.safeParse(req.query ?? {});
      if (!query.success) throw new ApiError('bad_request', 'the address names days this page does not understand');
      const range = { from: query.data.from ?? yearBefore(session.today), to: query.data.to ?? session.today };
      const valid = day.safeParse(range.from).success && day.safeParse(range.to).success && range.from >= '1900-01-01' && range.to <= '2999-12-31' && range.from <= range.to;
      const currency = session.organization.currency;
      if (!valid) {
        kit.sendPage(res, 400, <StatementPage frame={frame} member={member} currency={currency} range={range} error={session.m.reports.statement.rangeError} statement={{ lines: [], totals: { paidCents: 0, refundedCents: 0, disputedCents: 0, reversedCents: 0 } }} />);
        return undefined;
      }
      const facts = await statementFacts(ctx.db, session.organization.id, session.organization.timeZone, member.id, range);
      const statement = memberStatement(facts.ledger, facts.standing);
      await recordBulkRead(ctx.db, req, { action: 'report.member_statement', rows: statement.lines.length, filters: { memberId: member.id, ...range, via: 'console' }, at: ctx.now() });
      return <StatementPage frame={frame} member={member} currency={currency} range={range} statement={statement} />;
    }),
  ];
}

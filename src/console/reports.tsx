import type { Request } from 'express';
import { z } from 'zod';
import { recordBulkRead } from '../audit/audit';
import type { AppContext } from '../context';
import { ApiError } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { monthIn, previousMonth } from '../months/calendar';
import { closedMonths, monthlyReport } from '../months/queries';
import { fiscalYearStartMonth } from '../organizations/settings';
import { annualReport, perCapitaReport } from '../treasurer/report-queries';
import type { ConsoleFormKit } from './bank';
import { AnnualReportPage, MonthlyReportPage, PerCapitaReportPage } from './pages/reports';

// Organizers never see amounts: the reports are the bookkeepers', as in the API.
const BOOKKEEPERS = ['admin', 'treasurer'] as const;

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);
const monthQuery = z.object({ month: z.preprocess(blankToUndefined, z.string().trim().regex(/^(19|2\d)\d{2}-(0[1-9]|1[0-2])$/).optional()) });
const yearQuery = z.object({ year: z.preprocess(blankToUndefined, z.string().trim().regex(/^(19|2\d)\d{2}$/).optional()) });

function queryOrBadRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ApiError('bad_request', `the address names ${what} this page does not understand`);
  return parsed.data;
}

/** The fiscal year (named by the year it ends in) that a month falls in. */
export function fiscalYearOf(month: string, startMonth: number): number {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return startMonth === 1 || mon < startMonth ? year : year + 1;
}

/**
 * The treasurer's reports in the console: the monthly summary, annual receipts for the
 * LM-2/3/4 and the per-capita tax owed to affiliates, read by the same functions as the
 * API's /api/reports/*, whose CSV downloads the pages link to. Each view is audited as the API's is.
 */
export function reportConsoleRoutes(ctx: AppContext, kit: ConsoleFormKit): RouteDefinition[] {
  /** The last month that is over, in the organization's time zone. */
  const lastFinishedMonth = (timeZone: string) => previousMonth(monthIn(timeZone, ctx.now()));
  const audit = (req: Request, action: string, rows: number, filters: Record<string, unknown>) => recordBulkRead(ctx.db, req, { action, rows, filters: { ...filters, via: 'console' }, at: ctx.now() });

  return [
    kit.page('/console/reports', BOOKKEEPERS, 'Reports: the monthly summary of money and members for a chosen month', async (req, _res, frame) => {
      const query = queryOrBadRequest(monthQuery, req.query, 'a month');
      const organization = await kit.organizationOf(frame.session);
      const month = query.month ?? lastFinishedMonth(organization.time_zone);
      const [summary, closed] = await Promise.all([monthlyReport(ctx.db, organization, month), closedMonths(ctx.db, organization.id)]);
      await audit(req, 'report.monthly', 12, { month });
      return <MonthlyReportPage frame={frame} summary={summary} closed={closed.has(month)} />;
    }),
    kit.page('/console/reports/annual', BOOKKEEPERS, "Annual receipts for the Department of Labor's LM-2/3/4, over a fiscal year", async (req, _res, frame) => {
      const query = queryOrBadRequest(yearQuery, req.query, 'a year');
      const organization = await kit.organizationOf(frame.session);
      // By default the last fiscal year that is over: the one the LM form is filed for.
      const year = query.year !== undefined ? Number(query.year) : fiscalYearOf(monthIn(organization.time_zone, ctx.now()), fiscalYearStartMonth(organization)) - 1;
      const receipts = await annualReport(ctx.db, organization, year);
      await audit(req, 'report.annual', 12, { fiscalYear: String(year) });
      return <AnnualReportPage frame={frame} receipts={receipts} />;
    }),
    kit.page('/console/reports/per-capita', BOOKKEEPERS, 'Per-capita tax owed to each affiliate for a month', async (req, _res, frame) => {
      const query = queryOrBadRequest(monthQuery, req.query, 'a month');
      const organization = await kit.organizationOf(frame.session);
      const month = query.month ?? lastFinishedMonth(organization.time_zone);
      const report = await perCapitaReport(ctx.db, organization, month);
      await audit(req, 'report.per_capita', report.lines.length, { month });
      return <PerCapitaReportPage frame={frame} month={month} currency={organization.currency} report={report} />;
    }),
  ];
}

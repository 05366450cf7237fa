import type { Request, Response } from 'express';
import { z } from 'zod';
import { auditActor, recordAudit, recordBulkRead } from '../audit/audit';
import type { AppContext } from '../context';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { monthIn, previousMonth } from '../months/calendar';
import { closedMonths, monthlyReport } from '../months/queries';
import { fiscalYearStartMonth } from '../organizations/settings';
import type { Organization } from '../../db/database';
import { perCapitaPayments, recordPerCapitaPayment, reversePerCapitaPayment, type PerCapitaRefusal } from '../treasurer/per-capita-queries';
import { typedMinorUnits } from '../treasurer/per-capita-payments';
import { annualReport, perCapitaReport } from '../treasurer/report-queries';
import type { ConsoleFormKit } from './bank';
import { AnnualReportPage, MonthlyReportPage, PerCapitaReportPage, ReversePaymentPage, type PaymentValues } from './pages/reports';
import type { Frame } from './pages/members';
import type { ConsoleSession } from './session';

// Organizers never see amounts: the reports are the bookkeepers', as in the API.
const BOOKKEEPERS = ['admin', 'treasurer'] as const;

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);
const month = z.string().regex(/^(19|2\d)\d{2}-(0[1-9]|1[0-2])$/);
const monthQuery = z.object({ month: z.preprocess(blankToUndefined, z.string().trim().pipe(month).optional()) });
const yearQuery = z.object({ year: z.preprocess(blankToUndefined, z.string().trim().regex(/^(19|2\d)\d{2}$/).optional()) });

function queryOrBadRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ApiError('bad_request', `the address names ${what} this page does not understand`);
  return parsed.data;
}

const field = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
const MAX_PAYMENT_CENTS = 100_000_000_00;

/** The payment form's fields checked, in the page's words; the amount in the organization's currency. */
function paymentFromForm(body: Record<string, unknown>, m: ConsoleSession['m'], currency: string, today: string) {
  const values: PaymentValues = { affiliate: field(body, 'affiliate'), amount: field(body, 'amount'), paidOn: field(body, 'paidOn'), reference: field(body, 'reference') };
  const errors: PaymentValues = {};
  const e = m.reports.payErrors;
  if (!z.uuid().safeParse(values.affiliate).success) errors.affiliate = e.affiliate;
  const amountCents = typedMinorUnits(values.amount!, currency);
  if (amountCents === null || amountCents < 1 || amountCents > MAX_PAYMENT_CENTS) errors.amount = e.amount;
  if (!z.iso.date().safeParse(values.paidOn).success || values.paidOn! < '1900-01-01' || values.paidOn! > today) errors.paidOn = e.paidOn;
  if (values.reference === '' || values.reference!.length > 100 || /\p{Cc}/u.test(values.reference!)) errors.reference = e.reference;
  return { values, errors, amountCents: amountCents ?? 0 };
}

/** Where a refusal of recordPerCapitaPayment points, in the page's words. */
const REFUSAL_FIELD: Record<PerCapitaRefusal, [keyof PaymentValues, keyof ConsoleSession['m']['reports']['payErrors']]> = {
  month_not_over: ['affiliate', 'monthNotOver'],
  paid_in_future: ['paidOn', 'paidOn'],
  nothing_owed: ['affiliate', 'affiliate'],
  reference_used: ['reference', 'referenceUsed'],
};

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

  async function perCapitaPage(frame: Frame, organization: Organization, chosen: string, values: PaymentValues, errors: PaymentValues) {
    const [report, payments] = await Promise.all([perCapitaReport(ctx.db, organization, chosen), perCapitaPayments(ctx.db, organization.id, { month: chosen })]);
    const monthOver = chosen < monthIn(organization.time_zone, ctx.now());
    return <PerCapitaReportPage frame={frame} month={chosen} currency={organization.currency} report={report} payments={payments} monthOver={monthOver} values={values} errors={errors} />;
  }

  async function sendPerCapita(req: Request, res: Response, session: ConsoleSession, organization: Organization, chosen: string, values: PaymentValues, errors: PaymentValues, status: number) {
    kit.sendPage(res, status, await perCapitaPage(kit.frameFor(req, res, session), organization, chosen, values, errors));
  }

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
    kit.page('/console/reports/per-capita', BOOKKEEPERS, 'Per-capita tax owed, paid and outstanding for each affiliate for a month, and the form recording a payment', async (req, _res, frame) => {
      const query = queryOrBadRequest(monthQuery, req.query, 'a month');
      const organization = await kit.organizationOf(frame.session);
      const month = query.month ?? lastFinishedMonth(organization.time_zone);
      const page = await perCapitaPage(frame, organization, month, { paidOn: frame.session.today }, {});
      await audit(req, 'report.per_capita', page.props.report.lines.length, { month });
      return page;
    }),
    kit.action('/console/reports/per-capita/payments', BOOKKEEPERS, 'Record a per-capita payment to an affiliate for a month (posted in the books; the same reference again posts nothing)', async (req, res, session) => {
      const body = req.body as Record<string, unknown>;
      const chosen = month.safeParse(field(body, 'month'));
      if (!chosen.success) throw new ApiError('bad_request', 'the form names a month this page does not understand');
      const organization = await kit.organizationOf(session);
      const { values, errors, amountCents } = paymentFromForm(body, session.m, organization.currency, session.today);
      const showForm = async (status: number) => sendPerCapita(req, res, session, organization, chosen.data, values, errors, status);
      if (Object.keys(errors).length > 0) return showForm(400);
      const known = await ctx.db.selectFrom('affiliates').select('id').where('organization_id', '=', organization.id).where('id', '=', values.affiliate!).executeTakeFirst();
      if (!known) {
        errors.affiliate = session.m.reports.payErrors.affiliate;
        return showForm(400);
      }
      try {
        const { recorded } = await ctx.db.transaction().execute(async (trx) => {
          const done = await recordPerCapitaPayment(trx, organization, { affiliateId: known.id, month: chosen.data, amountCents, paidOn: values.paidOn!, reference: values.reference! }, session.staffUserId, ctx.now());
          if (done.recorded) {
            const details = { affiliateId: known.id, paymentId: done.payment.id, month: chosen.data, amountCents, paidOn: values.paidOn, via: 'console' };
            await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'per_capita.payment_recorded', subjectType: 'affiliate', subjectId: known.id, details });
          }
          return done;
        });
        kit.redirectWithFlash(res, `/console/reports/per-capita?month=${chosen.data}`, { kind: 'bank', notice: recorded ? 'perCapitaPaid' : 'perCapitaAlreadyPaid', figures: [] });
      } catch (error) {
        const reason = error instanceof ApiError ? (error.details as { reason?: PerCapitaRefusal } | undefined)?.reason : undefined;
        if (reason === undefined || !(reason in REFUSAL_FIELD)) throw error;
        const [where, message] = REFUSAL_FIELD[reason];
        errors[where] = session.m.reports.payErrors[message];
        return showForm(409);
      }
    }),
    kit.page('/console/reports/per-capita/payments/:paymentId/reverse', BOOKKEEPERS, 'Before a per-capita payment is reversed: the payment, what reversing does, and the button', async (req, _res, frame) => {
      const paymentId = z.uuid().safeParse(req.params.paymentId);
      const payment = paymentId.success ? (await perCapitaPayments(ctx.db, frame.session.organization.id, { paymentId: paymentId.data }))[0] : undefined;
      if (!payment) throw notFound('per-capita payment');
      return <ReversePaymentPage frame={frame} payment={payment} />;
    }),
    kit.action('/console/reports/per-capita/payments/:paymentId/reverse', BOOKKEEPERS, 'Reverse a per-capita payment recorded by mistake (a reversing posting; the reference can be recorded again)', async (req, res, session) => {
      const paymentId = z.uuid().safeParse(req.params.paymentId);
      if (!paymentId.success) throw notFound('per-capita payment');
      const done = await ctx.db.transaction().execute(async (trx) => {
        const outcome = await reversePerCapitaPayment(trx, session.organization.id, paymentId.data, session.staffUserId, ctx.now());
        if (!outcome) throw notFound('per-capita payment');
        if (outcome.reversed) {
          const details = { paymentId: outcome.payment.id, affiliateId: outcome.payment.affiliateId, month: outcome.payment.month, amountCents: outcome.payment.amountCents, via: 'console' };
          await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'per_capita.payment_reversed', subjectType: 'affiliate', subjectId: outcome.payment.affiliateId, details });
        }
        return outcome;
      });
      kit.redirectWithFlash(res, `/console/reports/per-capita?month=${done.payment.month}`, { kind: 'bank', notice: 'perCapitaReversed', figures: [] });
    }),
  ];
}

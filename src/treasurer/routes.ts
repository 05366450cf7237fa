import { z } from 'zod';
import type { AppContext } from '../context';
import { apiRoute, type ApiCall } from '../http/api-route';
import { ApiError, notFound } from '../http/errors';
import { XLSX, type RouteDefinition } from '../http/routes';
import { LEDGER_KINDS } from '../ledger/postings';
import { memberInPath } from '../members/checks';
import { monthlyReport } from '../months/queries';
import { ClientGone, csvWriter, periodCovered, DATE_COLUMNS, DECIMAL_COLUMNS, EXPORT_COLUMNS, exportCells, INTEGER_COLUMNS } from './export';
import { payoutBalanceLines, payoutContents } from './payout-lines';
import {
  findAffiliate,
  forEachInPostingOrder,
  ledgerExportQuery,
  listAffiliates,
  payoutLedgerLines,
  payoutsArriving,
  statementFacts,
  type LedgerExportFilters,
} from './queries';
import { annualReport, perCapitaReport } from './report-queries';
import { reconcilePayout } from './reports/payouts';
import { memberStatement } from './reports/statement';
import { money, moneyTable, reportCsv, type ReportTable } from './tables';
import { xlsxWriter } from './xlsx';
import {
  affiliateListResponse,
  affiliateResponse,
  annualReceiptsResponse,
  memberStatementResponse,
  monthlySummaryResponse,
  payoutReconciliationResponse,
  perCapitaPaymentResponse,
  perCapitaReversalResponse,
  perCapitaResponse,
  rateCreatedResponse,
} from './responses';
import { recordPerCapitaPayment, reversePerCapitaPayment } from './per-capita-queries';

const BOOKKEEPERS = ['admin', 'treasurer'] as const;

/** A calendar day YYYY-MM-DD that exists. */
export const calendarDay = z
  .string()
  // Aborting on a failed pattern keeps '2026-13-01' from the refinement (and toISOString's RangeError).
  .regex(/^(19|2\d)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { message: 'a calendar day YYYY-MM-DD', abort: true })
  .refine((value) => new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'a calendar day YYYY-MM-DD');
const month = z.string().regex(/^(19|2\d)\d{2}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM');
const format = z.enum(['json', 'csv']).optional();

const exportQuery = z
  .object({
    from: calendarDay.optional(),
    to: calendarDay.optional(),
    format: z.enum(['csv', 'xlsx']).optional(),
    kind: z.enum(LEDGER_KINDS as [string, ...string[]]).optional(),
    memberId: z.uuid().optional(),
    planId: z.uuid().optional(),
    payoutId: z.string().regex(/^po_[A-Za-z0-9_]{1,100}$/, 'a Stripe payout id po_…').optional(),
    bom: z.enum(['true', 'false']).optional(),
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ['to'], message: 'to must not be before from' });

const monthlyQuery = z.object({ month, format }).strict();
const annualQuery = z.object({ fiscalYear: z.string().regex(/^(19|2\d)\d{2}$/, 'a year YYYY'), format }).strict();
const payoutQuery = z
  .object({ from: calendarDay, to: calendarDay, format })
  .strict()
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'to must not be before from' });
const statementQuery = z
  .object({ from: calendarDay.optional(), to: calendarDay.optional(), format })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ['to'], message: 'to must not be before from' });
const memberParams = z.object({ memberId: z.uuid() });
const affiliateParams = z.object({ affiliateId: z.uuid() });
const rateParams = z.object({ affiliateId: z.uuid(), rateId: z.uuid() });
const affiliateKind = z.enum(['international_union', 'state_federation', 'central_labor_council', 'other']);
const newAffiliate = z.object({ name: z.string().trim().min(1).max(200), kind: affiliateKind }).strict();
const affiliateChanges = z.object({ name: z.string().trim().min(1).max(200).optional(), kind: affiliateKind.optional() }).strict();
const newPayment = z
  .object({
    month,
    amountCents: z.number().int().min(1).max(100_000_000_00),
    paidOn: calendarDay,
    // A check number or transfer reference: printable text, one line.
    reference: z.string().trim().min(1).max(100).regex(/^\P{Cc}*$/u, 'printable text on one line'),
  })
  .strict();
const newRate = z.object({ rateCents: z.number().int().min(0).max(100_000_00), effectiveFrom: calendarDay }).strict();

const uniqueViolation = (error: unknown) => typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';

/** A report answers JSON, or with format=csv its table as a CSV download. */
const REPORT = { access: BOOKKEEPERS, otherContent: ['text/csv'] } as const;

export function treasurerRoutes(ctx: AppContext): RouteDefinition[] {
  /** The report's JSON body to answer, or its table sent as CSV; audited either way with the filters and the row count. */
  async function report(call: Pick<ApiCall<unknown, { format?: 'json' | 'csv' }>, 'res' | 'query' | 'audit'>, action: string, filters: Record<string, unknown>, body: unknown, table: ReportTable, filename: string): Promise<unknown> {
    const wantsCsv = call.query.format === 'csv';
    await call.audit(action, { details: { filters, format: wantsCsv ? 'csv' : 'json', rows: table.rows.length } });
    if (!wantsCsv) return body;
    call.res.attachment(`${filename}.csv`).type('text/csv; charset=utf-8').send(reportCsv(table));
    return undefined;
  }

  /** Another organization's affiliate is not found, before anything about the body is judged. */
  async function ownAffiliate({ me, params }: { me: { organizationId: string }; params: { affiliateId: string } }): Promise<void> {
    if (!(await findAffiliate(ctx.db, me.organizationId, params.affiliateId))) throw notFound('affiliate');
  }

  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/ledger/export',
      query: exportQuery,
      otherContent: ['text/csv', XLSX],
      access: BOOKKEEPERS,
      summary: 'The ledger as a CSV or XLSX download, one row per transaction, streamed from the database',
      answer: async ({ req, res, query, organization: organizationOf, audit }) => {
        const organization = await organizationOf();
        const filters: LedgerExportFilters = { from: query.from, to: query.to, kind: query.kind as LedgerExportFilters['kind'], memberId: query.memberId, planId: query.planId };
        if (query.payoutId !== undefined) {
          const known = await ctx.db.selectFrom('stripe_payouts').select('id').where('organization_id', '=', organization.id).where('id', '=', query.payoutId).executeTakeFirst();
          if (!known) throw notFound('payout');
          filters.payout = payoutContents(query.payoutId, await payoutBalanceLines(ctx.stripe, organization, query.payoutId));
        }
        const xlsx = query.format === 'xlsx';
        const name = `ledger-${organization.slug}-${query.from ?? 'start'}-to-${query.to ?? 'now'}`;
        // Opened with the first batch, so a query that fails at once still answers with a JSON error.
        let writer: ReturnType<typeof csvWriter> | undefined;
        const open = () => {
          if (writer) return writer;
          res.attachment(`${name}.${xlsx ? 'xlsx' : 'csv'}`);
          res.type(xlsx ? XLSX : 'text/csv; charset=utf-8');
          writer = xlsx
            ? xlsxWriter(res, 'Ledger', { header: EXPORT_COLUMNS, decimal: DECIMAL_COLUMNS, integer: INTEGER_COLUMNS, date: DATE_COLUMNS })
            : csvWriter(res, EXPORT_COLUMNS, { bom: query.bom !== 'false' });
          return writer;
        };
        let rows = 0;
        const { format: _format, bom: _bom, ...chosen } = query;
        const record = (completed: boolean) => audit('ledger.exported', { details: { filters: chosen, format: xlsx ? 'xlsx' : 'csv', rows, completed } });
        try {
          await forEachInPostingOrder(ctx.db, ledgerExportQuery(organization.id, organization.time_zone, filters), async (batch) => {
            rows += batch.length;
            await open().write(batch.map(exportCells));
          });
        } catch (error) {
          await record(false);
          if (!res.headersSent) throw error;
          // The headers are gone: all that is left is to cut the download short, so it cannot pass for a whole one.
          if (!(error instanceof ClientGone)) req.log?.error({ err: error }, 'ledger export failed mid-stream');
          res.destroy();
          return;
        }
        // Audited before the last bytes go out, so whoever holds the whole file can find its entry.
        await record(true);
        await open()
          .end()
          .catch(() => res.destroy());
      },
    }),
    apiRoute(ctx, {
      ...REPORT,
      method: 'get',
      path: '/api/reports/monthly',
      query: monthlyQuery,
      responses: { 200: monthlySummaryResponse },
      summary: 'Monthly summary: dues, fees, refunds, disputes and net; members paying, joined, lapsed and recovered',
      answer: async (call) => {
        const { query } = call;
        const organization = await call.organization();
        const summary = await monthlyReport(ctx.db, organization, query.month);
        const table = moneyTable(summary, organization.currency, [
          ['Members paying', summary.members.paying],
          ['Members joined', summary.members.joined],
          ['Members lapsed', summary.members.lapsed],
          ['Members recovered', summary.members.recovered],
        ]);
        return report(call, 'report.monthly', { month: query.month }, summary, table, `monthly-${organization.slug}-${query.month}`);
      },
    }),
    apiRoute(ctx, {
      ...REPORT,
      method: 'get',
      path: '/api/reports/annual',
      query: annualQuery,
      responses: { 200: annualReceiptsResponse },
      summary: "Annual receipts for the Department of Labor's LM-2/3/4, over the organization's fiscal year",
      answer: async (call) => {
        const { query } = call;
        const organization = await call.organization();
        const receipts = await annualReport(ctx.db, organization, Number(query.fiscalYear));
        const table = moneyTable(receipts, organization.currency, [
          ['Dues and agency fees', receipts.duesAndAgencyFeesCents, true],
          ['Per-capita tax to affiliates', receipts.perCapitaTaxCents, true],
          ['Total receipts', receipts.totalReceiptsCents, true],
          ['Form', receipts.form],
        ]);
        return report(call, 'report.annual', { fiscalYear: query.fiscalYear }, receipts, table, `annual-${organization.slug}-${query.fiscalYear}`);
      },
    }),
    apiRoute(ctx, {
      ...REPORT,
      method: 'get',
      path: '/api/reports/per-capita',
      query: monthlyQuery,
      responses: { 200: perCapitaResponse },
      summary: 'Per-capita tax owed to each affiliate for a month: members in good standing × the rate in force',
      answer: async (call) => {
        const { query } = call;
        const organization = await call.organization();
        const { lines, members, totalCents, paidCents, outstandingCents } = await perCapitaReport(ctx.db, organization, query.month);
        const amount = (cents: number) => [money(cents, organization.currency), String(cents)];
        const table: ReportTable = {
          header: ['Affiliate', 'Kind', 'Rate', 'Rate (minor units)', 'Effective from', 'Members in good standing', 'Owed', 'Owed (minor units)', 'Paid', 'Paid (minor units)', 'Outstanding', 'Outstanding (minor units)'],
          rows: lines.map((line) => [line.affiliate, line.kind.replace(/_/g, ' '), ...amount(line.rateCents), line.effectiveFrom, String(line.members), ...amount(line.owedCents), ...amount(line.paidCents), ...amount(line.outstandingCents)]),
        };
        const body = { month: query.month, currency: organization.currency, membersInGoodStanding: members, affiliates: lines, totalCents, paidCents, outstandingCents };
        return report(call, 'report.per_capita', { month: query.month }, body, table, `per-capita-${organization.slug}-${query.month}`);
      },
    }),
    apiRoute(ctx, {
      ...REPORT,
      method: 'get',
      path: '/api/reports/payouts',
      query: payoutQuery,
      responses: { 200: payoutReconciliationResponse },
      summary: 'Payout reconciliation: each payout arriving in the range with its transactions, checked against the bank deposit',
      answer: async (call) => {
        const { query } = call;
        const organization = await call.organization();
        const payouts = [];
        for (const payout of await payoutsArriving(ctx.db, organization.id, query.from, query.to)) {
          const balanceLines = await payoutBalanceLines(ctx.stripe, organization, payout.id);
          const ledgerLines = await payoutLedgerLines(ctx.db, organization.id, organization.time_zone, payoutContents(payout.id, balanceLines));
          payouts.push({ currency: payout.currency, ...reconcilePayout({ payoutId: payout.id, status: payout.status, arrivalDate: payout.arrival_date, amountCents: payout.amount_cents, postedCents: payout.posted_cents, balanceLines, ledgerLines }) });
        }
        const mismatches = payouts.flatMap((p) => p.mismatches.map((message) => ({ payoutId: p.payoutId, message })));
        const table: ReportTable = {
          header: ['Payout', 'Status', 'Arrival date', 'Payout amount', 'Transaction ID', 'Date', 'Kind', 'Description', 'Net', 'Net (minor units)', 'Problem'],
          rows: payouts.flatMap((p) => [
            ...p.transactions.map((t) => [p.payoutId, p.status, p.arrivalDate ?? '', money(p.amountCents, p.currency), t.id, t.day, t.kind.replace(/_/g, ' '), t.description, money(t.netCents, p.currency), String(t.netCents), '']),
            ...p.mismatches.map((message) => [p.payoutId, p.status, p.arrivalDate ?? '', money(p.amountCents, p.currency), '', '', '', '', '', '', message]),
          ]),
        };
        return report(call, 'report.payouts', { from: query.from, to: query.to }, { from: query.from, to: query.to, payouts, mismatches }, table, `payouts-${organization.slug}-${query.from}-to-${query.to}`);
      },
    }),
    apiRoute(ctx, {
      ...REPORT,
      method: 'get',
      path: '/api/members/:memberId/statement',
      params: memberParams,
      query: statementQuery,
      responses: { 200: memberStatementResponse },
      summary: "One member's history of charges, payments (with the period each covered), refunds, disputes and standing changes; all of it, or the days from and to",
      find: (call) => memberInPath(ctx.db, call),
      answer: async (call) => {
        const { found: member } = call;
        const organization = await call.organization();
        const range = { from: call.query.from, to: call.query.to };
        const facts = await statementFacts(ctx.db, organization.id, organization.time_zone, member.id, range);
        const statement = memberStatement(facts.ledger, facts.standing);
        const table: ReportTable = {
          header: ['Date', 'Type', 'Kind', 'Description', 'Period covered', 'Amount', 'Amount (minor units)', 'Transaction ID'],
          rows: statement.lines.map((line) => [line.day, line.type, line.kind.replace(/_/g, ' '), line.description, periodCovered(line.periodCovered?.start ?? null, line.periodCovered?.end ?? null), money(line.amountCents, organization.currency), String(line.amountCents), line.transactionId ?? '']),
        };
        const body = { member: { id: member.id, name: member.name, standing: member.standing, paidThrough: member.paid_through }, currency: organization.currency, ...statement };
        const days = range.from !== undefined || range.to !== undefined ? `-${range.from ?? 'start'}-to-${range.to ?? 'now'}` : '';
        return report(call, 'report.member_statement', { memberId: member.id, ...range }, body, table, `statement-${member.id}${days}`);
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/affiliates/:affiliateId/payments',
      responses: { 201: perCapitaPaymentResponse },
      params: affiliateParams,
      requestBody: newPayment,
      access: BOOKKEEPERS,
      summary: "Record a per-capita tax payment to an affiliate for a month (posted: the month's tax accrued, the payment from the bank); the same reference again posts nothing",
      find: ownAffiliate,
      answer: async ({ me, params: { affiliateId }, body: input, organization: organizationOf, audit }) => {
        const organization = await organizationOf();
        const { payment, recorded } = await ctx.db.transaction().execute(async (trx) => {
          const done = await recordPerCapitaPayment(trx, organization, { affiliateId, ...input }, me.staffUserId, ctx.now());
          if (done.recorded) await audit('per_capita.payment_recorded', { details: { affiliateId, paymentId: done.payment.id, month: input.month, amountCents: input.amountCents, paidOn: input.paidOn } }, trx);
          return done;
        });
        return { ...payment, recorded };
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/per-capita-payments/:paymentId/reverse',
      responses: { 200: perCapitaReversalResponse },
      params: z.object({ paymentId: z.uuid() }),
      access: BOOKKEEPERS,
      summary: 'Take back a per-capita payment recorded by mistake: a reversing posting (bank against per-capita payable), the payment marked reversed; its reference can then be recorded again',
      answer: async ({ me, params: { paymentId }, audit }) => {
        const done = await ctx.db.transaction().execute(async (trx) => {
          const outcome = await reversePerCapitaPayment(trx, me.organizationId, paymentId, me.staffUserId, ctx.now());
          if (!outcome) throw notFound('per-capita payment');
          if (outcome.reversed) await audit('per_capita.payment_reversed', { details: { paymentId, affiliateId: outcome.payment.affiliateId, month: outcome.payment.month, amountCents: outcome.payment.amountCents } }, trx);
          return outcome;
        });
        return { ...done.payment, reversed: done.reversed };
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/affiliates',
      responses: { 200: affiliateListResponse },
      access: BOOKKEEPERS,
      summary: 'Affiliates owed per-capita tax, with their rates and effective dates',
      answer: async ({ me }) => ({ affiliates: await listAffiliates(ctx.db, me.organizationId) }),
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/affiliates',
      responses: { 201: affiliateResponse },
      requestBody: newAffiliate,
      access: ['admin'],
      summary: 'Add an affiliate (international union, state federation, central labor council)',
      answer: async ({ me, body: input, audit }) => {
        try {
          const affiliate = await ctx.db.insertInto('affiliates').values({ organization_id: me.organizationId, name: input.name, kind: input.kind, created_at: ctx.now() }).returning(['id', 'name', 'kind', 'created_at']).executeTakeFirstOrThrow();
          await audit('affiliate.created', { details: { affiliateId: affiliate.id, name: affiliate.name, kind: affiliate.kind } });
          // The same shape as the list's.
          return { id: affiliate.id, name: affiliate.name, kind: affiliate.kind, createdAt: affiliate.created_at, rates: [] };
        } catch (error) {
          if (uniqueViolation(error)) throw new ApiError('conflict', `an affiliate named "${input.name}" exists already`);
          throw error;
        }
      },
    }),
    apiRoute(ctx, {
      method: 'patch',
      path: '/api/affiliates/:affiliateId',
      responses: { 200: affiliateResponse },
      params: affiliateParams,
      requestBody: affiliateChanges,
      access: ['admin'],
      summary: "Rename an affiliate or change its kind",
      find: ownAffiliate,
      answer: async ({ me, params: { affiliateId }, body: changes, audit }) => {
        try {
          if (Object.keys(changes).length > 0) await ctx.db.updateTable('affiliates').set(changes).where('organization_id', '=', me.organizationId).where('id', '=', affiliateId).execute();
        } catch (error) {
          if (uniqueViolation(error)) throw new ApiError('conflict', `an affiliate named "${changes.name}" exists already`);
          throw error;
        }
        await audit('affiliate.changed', { details: { affiliateId, changes } });
        return (await listAffiliates(ctx.db, me.organizationId)).find((a) => a.id === affiliateId);
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/affiliates/:affiliateId/rates',
      responses: { 201: rateCreatedResponse },
      params: affiliateParams,
      requestBody: newRate,
      access: ['admin'],
      summary: "Set an affiliate's per-capita rate from a day on (cents per member in good standing per month)",
      find: ownAffiliate,
      answer: async ({ me, params: { affiliateId }, body: input, audit }) => {
        try {
          const rate = await ctx.db
            .insertInto('per_capita_rates')
            .values({ organization_id: me.organizationId, affiliate_id: affiliateId, rate_cents: input.rateCents, effective_from: input.effectiveFrom, created_by_staff_user_id: me.staffUserId, created_at: ctx.now() })
            .returning(['id', 'rate_cents', 'effective_from'])
            .executeTakeFirstOrThrow();
          await audit('affiliate.rate_set', { details: { affiliateId, rateId: rate.id, rateCents: rate.rate_cents, effectiveFrom: rate.effective_from } });
          return { id: rate.id, affiliateId, rateCents: rate.rate_cents, effectiveFrom: rate.effective_from };
        } catch (error) {
          if (uniqueViolation(error)) throw new ApiError('conflict', `a rate effective from ${input.effectiveFrom} exists already; remove it first`);
          throw error;
        }
      },
    }),
    apiRoute(ctx, {
      method: 'delete',
      path: '/api/affiliates/:affiliateId/rates/:rateId',
      params: rateParams,
      responses: { 204: 'no body' },
      access: ['admin'],
      summary: 'Remove a rate entered by mistake',
      answer: async ({ me, params: { affiliateId, rateId }, audit }) => {
        const removed = await ctx.db
          .deleteFrom('per_capita_rates')
          .where('organization_id', '=', me.organizationId)
          .where('affiliate_id', '=', affiliateId)
          .where('id', '=', rateId)
          .returning(['rate_cents', 'effective_from'])
          .executeTakeFirst();
        if (!removed) throw notFound('rate');
        await audit('affiliate.rate_removed', { details: { affiliateId, rateId, rateCents: removed.rate_cents, effectiveFrom: removed.effective_from } });
      },
    }),
  ];
}

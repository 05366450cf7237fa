import { stringify } from 'csv-stringify/sync';
import type { Request } from 'express';
import { z } from 'zod';
import { recordBulkRead } from '../../audit/audit';
import { auditChoices, auditEntries, type AuditFilters } from '../../audit/queries';
import type { AppContext } from '../../context';
import { ApiError } from '../../http/errors';
import type { RouteDefinition } from '../../http/routes';
import { calendarDay } from '../../members/members';
import { neutralise } from '../../treasurer/format';
import type { ConsoleRouteKit } from '../months';
import { AuditPage } from '../pages/audit';

const AUDIT_PER_PAGE = 50;
// An export is one download, not a way round the pages: past this, narrow the filters.
const AUDIT_EXPORT_LIMIT = 100_000;

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);
const auditQuery = z
  .object({
    actor: z.preprocess(blankToUndefined, z.uuid().optional()),
    action: z.preprocess(blankToUndefined, z.string().regex(/^[a-z0-9_.]{1,100}$/).optional()),
    from: z.preprocess(blankToUndefined, calendarDay.optional()),
    to: z.preprocess(blankToUndefined, calendarDay.optional()),
    before: z.preprocess(blankToUndefined, z.string().regex(/^[1-9]\d{0,17}$/).optional()),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to);

function readQuery(req: Request) {
  const parsed = auditQuery.safeParse(req.query ?? {});
  if (!parsed.success) throw new ApiError('bad_request', 'the address has a filter this page does not understand');
  const { before, ...filters } = parsed.data;
  return { filters: filters as AuditFilters, before };
}

/** The audit log in the console (admins): filters by who, what and when, keyset pages, a CSV export that is itself audited. */
export function auditConsoleRoutes(ctx: AppContext, kit: ConsoleRouteKit): RouteDefinition[] {
  return [
    kit.page('/console/audit', ['admin'], 'The audit log: filter by who, what and when, newest first, in pages', async (req, _res, frame) => {
      const { organization } = frame.session;
      const { filters, before } = readQuery(req);
      const [rows, choices] = await Promise.all([auditEntries(ctx.db, organization.id, organization.timeZone, filters, { beforeId: before, limit: AUDIT_PER_PAGE + 1 }), auditChoices(ctx.db, organization.id)]);
      const page = rows.slice(0, AUDIT_PER_PAGE);
      const nextBefore = rows.length > AUDIT_PER_PAGE ? page[page.length - 1]!.id : undefined;
      return <AuditPage frame={frame} filters={filters} choices={choices} rows={page} nextBefore={nextBefore} paged={before !== undefined} />;
    }),
    kit.page('/console/audit.csv', ['admin'], 'The audit log entries matching the filters, as CSV (the download is audited)', async (req, res, frame) => {
      const { organization } = frame.session;
      const { filters } = readQuery(req);
      const rows = await auditEntries(ctx.db, organization.id, organization.timeZone, filters, { limit: AUDIT_EXPORT_LIMIT });
      await recordBulkRead(ctx.db, req, { action: 'audit.exported', rows: rows.length, filters: { ...filters, via: 'console' }, at: ctx.now() });
      const header = ['When (UTC)', 'Who', 'Staff ID', 'Action', 'Subject type', 'Subject ID', 'Details'];
      const lines = rows.map((row) => [new Date(row.created_at).toISOString(), neutralise(row.actor_name), row.actor_staff_user_id ?? '', row.action, row.subject_type ?? '', row.subject_id ?? '', neutralise(JSON.stringify(row.details))]);
      res
        .status(200)
        .set({ 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="audit-${organization.slug}.csv"` })
        .type('text/csv; charset=utf-8')
        .send('\ufeff' + stringify([header, ...lines], { record_delimiter: 'windows' }));
      return undefined;
    }),
  ];
}

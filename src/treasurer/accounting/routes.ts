import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { apiRoute } from '../../http/api-route';
import type { RouteDefinition } from '../../http/routes';
import { ClientGone, drained } from '../export';
import { calendarDay } from '../routes';
import { JOURNAL_FILES, type JournalEntry } from './formats';
import { accountMappingInput, accountMappingResponse, MAPPING_SETTING, mappingInForce, mappingView, storedMapping } from './mapping';
import { forEachJournalEntry } from './queries';

const journalQuery = z
  .object({ from: calendarDay, to: calendarDay, format: z.enum(['qbo', 'xero', 'iif']) })
  .strict()
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'to must not be before from' });

/** An entry whose lines do not sum to zero would be refused by every importer: the ledger forbids it, so this is a bug. */
function balanced(entry: JournalEntry): JournalEntry {
  if (entry.lines.reduce((sum, line) => sum + line.amountCents, 0) !== 0) throw new Error(`ledger transaction ${entry.transactionId} does not balance`);
  return entry;
}

/** The accountant's files: the ledger as journal entries for QuickBooks Online, Xero and QuickBooks Desktop, under the organization's own account names. */
export function accountingRoutes(ctx: AppContext): RouteDefinition[] {
  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/accounting/mapping',
      access: ['admin', 'treasurer'],
      responses: { 200: accountMappingResponse },
      summary: "Our accounts beside the names and numbers they go by in the organization's chart of accounts (ours where unmapped)",
      answer: async ({ organization }) => mappingView(storedMapping(await organization())),
    }),
    apiRoute(ctx, {
      method: 'put',
      path: '/api/accounting/mapping',
      access: ['admin'],
      requestBody: accountMappingInput,
      responses: { 200: accountMappingResponse },
      summary: "Set the mapping from our accounts to the organization's chart of accounts (the whole of it; accounts left out go by our names)",
      answer: async ({ me, body, audit }) => {
        await ctx.db.transaction().execute(async (trx) => {
          // Only this key changes: the organization's other settings stay as they are.
          await trx
            .updateTable('organizations')
            .set({ settings: sql`settings || jsonb_build_object(${MAPPING_SETTING}::text, ${JSON.stringify(body)}::jsonb)`, updated_at: ctx.now() })
            .where('id', '=', me.organizationId)
            .execute();
          await audit('accounting.mapping_changed', { details: { mapping: body } }, trx);
        });
        return mappingView(body);
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/accounting/journal',
      access: ['admin', 'treasurer'],
      query: journalQuery,
      // CSV for QuickBooks Online and Xero, IIF (tab-separated text) for QuickBooks Desktop.
      otherContent: ['text/csv', 'text/plain'],
      summary: 'Journal entries for a date range, one per ledger transaction, as an import file for QuickBooks Online (qbo), Xero (xero) or QuickBooks Desktop (iif)',
      answer: async ({ req, res, query, organization: organizationOf, audit }) => {
        const organization = await organizationOf();
        const mapping = mappingInForce(storedMapping(organization));
        const file = JOURNAL_FILES[query.format];
        let entries = 0;
        let lines = 0;
        let opened = false;
        const open = () => {
          if (opened) return;
          opened = true;
          res.attachment(`journal-${organization.slug}-${query.from}-to-${query.to}-${query.format}.${file.extension}`).type(file.type);
          res.write(file.header);
        };
        const record = (completed: boolean) => audit('accounting.exported', { details: { filters: { from: query.from, to: query.to }, format: query.format, entries, rows: lines, completed } });
        try {
          await forEachJournalEntry(ctx.db, organization.id, organization.time_zone, query, async (batch) => {
            open();
            res.write(batch.map((entry) => file.rows(balanced(entry), mapping)).join(''));
            entries += batch.length;
            lines += batch.reduce((sum, entry) => sum + entry.lines.length, 0);
            await drained(res);
          });
        } catch (error) {
          await record(false);
          if (!res.headersSent) throw error;
          // The headers are gone: cut the download short, so it cannot pass for a whole one.
          if (!(error instanceof ClientGone)) req.log?.error({ err: error }, 'journal export failed mid-stream');
          res.destroy();
          return;
        }
        open();
        await record(true);
        res.end();
      },
    }),
  ];
}

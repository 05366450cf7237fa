import type { Request, Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/database';
import { auditActor, recordAudit } from '../audit/audit';
import type { AppContext } from '../context';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { decodeText, uploadedFile } from '../http/upload';
import { readRoll, ROLL_COLUMNS, type RollRow } from '../members/import';
import { conflictFrom } from '../members/queries';
import { rollCheckedDetails, runRoll, type RollMode, type RollRun } from '../members/roll-import';
import { markRollImported, pendingRollUpload, storeRollUpload } from '../members/roll-uploads';
import type { ConsoleFormKit } from './bank';
import { RollPreviewPage, RollUploadPage, TEMPLATE_EXAMPLE, type RollPreview, type RollPreviewRow } from './pages/roll-import';
import type { ConsoleSession } from './session';

/** How many rows the preview lists (all are counted): errors first, then updates, then new members. */
export const PREVIEW_ROWS = 300;
const ACCESS = ['admin', 'treasurer'] as const;
const uploadParams = z.object({ uploadId: z.uuid() });
const OUTCOME_ORDER: Record<RollPreviewRow['outcome'], number> = { error: 0, updated: 1, added: 2, unchanged: 3 };

/** Each row of a checked roll with what it will do and the standing the next scan gives it. */
export function previewRows(rows: RollRow[], run: RollRun): Omit<RollPreview, 'uploadId' | 'fileName'> {
  const { check, preview, existingStandings } = run;
  const byLine = new Map(rows.map((row, index) => [row.line ?? index + 2, row]));
  const who = (line: number) => ({ row: line, name: byLine.get(line)?.name ?? '', email: byLine.get(line)?.email ?? '' });
  const errors = new Map<number, string[]>();
  for (const rejection of check.rejected) errors.set(rejection.row, [...(errors.get(rejection.row) ?? []), rejection.field === 'row' ? rejection.reason : `${rejection.field}: ${rejection.reason}`]);
  const listed: RollPreviewRow[] = [
    ...[...errors].map(([line, details]) => ({ ...who(line), outcome: 'error' as const, details })),
    ...check.updates.map((update) => ({ ...who(update.row), outcome: 'updated' as const, details: update.fields, standing: existingStandings.get(update.memberId)?.standing })),
    ...preview.members.map((member) => ({ ...who(member.row), outcome: 'added' as const, details: [], standing: member.standing })),
    ...check.unchanged.map((same) => ({ ...who(same.row), outcome: 'unchanged' as const, details: [], standing: existingStandings.get(same.memberId)?.standing })),
  ].sort((a, b) => OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome] || a.row - b.row);
  return {
    on: preview.on,
    counts: { added: check.accepted.length, updated: check.updates.length, unchanged: check.unchanged.length, errors: errors.size },
    rows: listed.slice(0, PREVIEW_ROWS),
    totalRows: listed.length,
  };
}

/**
 * The roll import in the console: upload a CSV, see what each row will do (new, update,
 * unchanged, error) and the standing each member will have at the next scan, then confirm.
 * The file waits server-side between the two (a browser sends a file once).
 */
export function rollImportConsoleRoutes(ctx: AppContext, kit: ConsoleFormKit): RouteDefinition[] {
  const modeOf = (value: unknown): RollMode => (value === 'update' ? 'update' : 'add');
  /** A preview shows members' next standings: audited as the API's dry run is. */
  const recordRollChecked = (trx: Kysely<Database>, req: Request, session: ConsoleSession, rows: RollRow[], run: RollRun, mode: RollMode) =>
    recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'member.import_checked', subjectType: 'organization', subjectId: session.organization.id, details: { ...rollCheckedDetails(rows.length, run, mode), via: 'console' } });

  async function check(req: Request, res: Response, session: ConsoleSession): Promise<void> {
    const mode = modeOf((req.body as Record<string, unknown>).mode);
    const file = uploadedFile(req, 'roll');
    const text = file ? decodeText(file.bytes) : '';
    const refuse = (message: string) => kit.sendPage(res, 400, <RollUploadPage frame={kit.frameFor(req, res, session)} mode={mode} error={message} />);
    if (text === '') return refuse(session.m.roll.fileNeeded);
    let rows: RollRow[];
    try {
      rows = readRoll(text);
    } catch (error) {
      if (error instanceof ApiError) return refuse(session.m.roll.fileUnreadable(error.message));
      throw error;
    }
    const organization = await kit.organizationOf(session);
    const fileName = file?.name.slice(0, 200) || 'roll.csv';
    const run = await ctx.db.transaction().execute(async (trx) => {
      const checked = await runRoll(trx, { organizationId: session.organization.id, staffUserId: session.staffUserId }, organization, rows, { mode, dryRun: true, now: ctx.now() });
      await recordRollChecked(trx, req, session, rows, checked, mode);
      return checked;
    });
    const uploadId = await storeRollUpload(ctx.db, { organizationId: session.organization.id, staffUserId: session.staffUserId, mode, fileName, text }, ctx.now());
    kit.sendPage(res, 200, <RollPreviewPage frame={kit.frameFor(req, res, session)} preview={{ uploadId, fileName, ...previewRows(rows, run) }} />);
  }

  async function confirm(req: Request, res: Response, session: ConsoleSession): Promise<void> {
    const parsed = uploadParams.safeParse(req.params);
    if (!parsed.success) throw notFound('roll');
    const organization = await kit.organizationOf(session);
    const outcome = await ctx.db
      .transaction()
      .execute(async (trx) => {
        const upload = await pendingRollUpload(trx, session.organization.id, parsed.data.uploadId, ctx.now());
        if (!upload) return undefined;
        const rows = readRoll(upload.file_text);
        const run = await runRoll(trx, { organizationId: session.organization.id, staffUserId: session.staffUserId }, organization, rows, { mode: upload.mode, dryRun: false, now: ctx.now() });
        if (!run.written) {
          await recordRollChecked(trx, req, session, rows, run, upload.mode);
          return { rows, run, upload };
        }
        await markRollImported(trx, upload.id, ctx.now());
        await recordAudit(trx, {
          ...auditActor(req, ctx.now()),
          action: 'member.imported',
          subjectType: 'organization',
          subjectId: session.organization.id,
          details: { rows: run.check.accepted.length, updated: run.check.updates.length, mode: upload.mode, via: 'console' },
        });
        return { rows, run, upload };
      })
      .catch((error: unknown) => {
        throw conflictFrom(error) ?? error;
      });
    if (!outcome) {
      kit.sendPage(res, 404, <RollUploadPage frame={kit.frameFor(req, res, session)} mode="add" error={session.m.roll.expired} />);
      return;
    }
    const { rows, run, upload } = outcome;
    // The books changed since the check (someone took an email meanwhile): show what is wrong now.
    if (!run.written) {
      kit.sendPage(res, 409, <RollPreviewPage frame={kit.frameFor(req, res, session)} preview={{ uploadId: upload.id, fileName: upload.file_name, ...previewRows(rows, run) }} />);
      return;
    }
    kit.redirectWithFlash(res, '/console/members', { kind: 'rollImported', added: run.check.accepted.length, updated: run.check.updates.length });
  }

  return [
    kit.page('/console/import', ACCESS, 'Import a roll of members: upload a CSV, see what each row will do', async (_req, _res, frame) => <RollUploadPage frame={frame} mode="add" />),
    {
      method: 'get',
      path: '/console/import/template.csv',
      access: ACCESS,
      summary: 'A roll template: every column the import reads, with an example row',
      handler: (_req, res) => {
        res
          .status(200)
          .set('Cache-Control', 'no-store')
          .type('text/csv; charset=utf-8')
          .attachment('roll-template.csv')
          .send(stringify([[...ROLL_COLUMNS], ROLL_COLUMNS.map((column) => TEMPLATE_EXAMPLE[column])], { bom: true }));
      },
    },
    kit.action('/console/import', ACCESS, 'Check an uploaded roll: what each row will do, nothing written', check, 'upload'),
    kit.action('/console/import/:uploadId/confirm', ACCESS, 'Import a checked roll', confirm),
  ];
}

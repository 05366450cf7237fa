import type { Request, Response } from 'express';
import type { VNode } from 'preact';
import { z } from 'zod';
import { auditActor, recordAudit } from '../audit/audit';
import { listBatches } from '../bank/batches';
import { payoutCarries } from '../bank/payout-carries';
import { hasImportedStatements, importStatement, listPayouts, matchByHand, matchedLines, matchOf, reconciliation, remittanceNames, saveStatementMapping, statementMapping, undoMatch } from '../bank/queries';
import type { DepositKind } from '../bank/matcher';
import { DATE_FORMATS, readStatement, sniffStatement, type DateFormat, type StatementMapping, type StatementRead } from '../bank/statement';
import { isOfx, OfxOtherCurrency, OfxUnreadable, readOfxStatement } from '../bank/ofx';
import type { AppContext } from '../context';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import type { ConsoleRouteKit } from './months';
import { decodeText, uploadedFile } from '../http/upload';
import { BankPage, MappingPage, type MappingErrors } from './pages/bank';
import type { Frame } from './pages/members';
import { PayoutsPage } from './pages/payouts';
import type { ConsoleSession } from './session';

/** What the bank's and the deposits' actions need beyond the month pages' kit: a page sent from an action (a form with its errors). */
export interface ConsoleFormKit extends ConsoleRouteKit {
  frameFor: (req: Request, res: Response, session: ConsoleSession) => Frame;
  sendPage: (res: Response, status: number, page: VNode) => void;
}

const TREASURY = ['admin', 'treasurer'] as const;
const PAYOUTS_SHOWN = 25;
const OPEN_LINES_SHOWN = 100;
const MATCHED_SHOWN = 50;

const lineParams = z.object({ lineId: z.uuid() });
const depositChoice = z.string().regex(/^(payout:po_[A-Za-z0-9_]{1,100}|(batch|remittance):[0-9a-f-]{36})$/);
const delimiters = { ',': ',', ';': ';', tab: '\t' } as const;

/** The mapping form's fields, checked against the file's header. */
function mappingFromForm(body: Record<string, string | undefined>, headers: readonly string[], m: ConsoleSession['m']): { mapping: StatementMapping; errors: MappingErrors } {
  const column = (name: string) => {
    const value = body[name] ?? '';
    return value !== '' && headers.includes(value) ? value : null;
  };
  const mapping: StatementMapping = {
    delimiter: delimiters[(body.delimiter ?? ',') as keyof typeof delimiters] ?? ',',
    decimalComma: body.decimal === 'comma',
    dateColumn: column('dateColumn') ?? '',
    dateFormat: (DATE_FORMATS as readonly string[]).includes(body.dateFormat ?? '') ? (body.dateFormat as DateFormat) : 'YYYY-MM-DD',
    amountColumn: column('amountColumn'),
    debitColumn: column('debitColumn'),
    creditColumn: column('creditColumn'),
    descriptionColumn: column('descriptionColumn') ?? '',
  };
  const errors: MappingErrors = {};
  if (mapping.dateColumn === '') errors.dateColumn = m.bank.errorColumn;
  if (mapping.descriptionColumn === '') errors.descriptionColumn = m.bank.errorColumn;
  if (mapping.amountColumn === null && (mapping.debitColumn === null || mapping.creditColumn === null)) errors.amountColumn = m.bank.errorAmountColumns;
  if (mapping.amountColumn !== null) {
    mapping.debitColumn = null;
    mapping.creditColumn = null;
  }
  return { mapping, errors };
}

const fitsHeader = (mapping: StatementMapping, headers: readonly string[]) =>
  [mapping.dateColumn, mapping.descriptionColumn, ...(mapping.amountColumn !== null ? [mapping.amountColumn] : [mapping.debitColumn, mapping.creditColumn])].every((name) => name !== null && headers.includes(name));

/** Payouts and the bank statement in the console: the payouts, the import with its column mapping, the matches made and undone by hand. */
export function bankConsoleRoutes(ctx: AppContext, kit: ConsoleFormKit): RouteDefinition[] {
  const audit = (db: AppContext['db'], req: Request, action: string, subjectType: string, subjectId: string, details: Record<string, unknown>) =>
    recordAudit(db, { ...auditActor(req, ctx.now()), action, subjectType, subjectId, details: { ...details, via: 'console' } });

  /** The line named in the path, of this organization; anything else is a 404 (before the form is read). */
  async function lineInPath(req: Request, organizationId: string): Promise<string> {
    const parsed = lineParams.safeParse(req.params);
    const found = parsed.success ? await ctx.db.selectFrom('bank_lines').select('id').where('organization_id', '=', organizationId).where('id', '=', parsed.data.lineId).executeTakeFirst() : undefined;
    if (!found) throw notFound('bank line');
    return found.id;
  }

  /** The bank page; with the reason a file just uploaded was refused, above the import form. */
  async function bankPage(frame: Frame, importError?: string): Promise<VNode> {
    const organizationId = frame.session.organization.id;
    const [mapping, open, matched, batches] = await Promise.all([
      statementMapping(ctx.db, organizationId),
      reconciliation(ctx.db, organizationId, OPEN_LINES_SHOWN),
      matchedLines(ctx.db, organizationId, MATCHED_SHOWN),
      listBatches(ctx.db, organizationId, 500),
    ]);
    const remittanceIds = [...open.lines.flatMap((line) => line.candidates), ...open.deposits, ...matched.map((line) => matchOf(line)!)].filter((deposit) => deposit.kind === 'remittance').map((deposit) => deposit.id);
    const names = { batchReferences: new Map(batches.map((batch) => [batch.id, batch.reference])), remittances: await remittanceNames(ctx.db, organizationId, remittanceIds) };
    return <BankPage frame={frame} mapping={mapping} lines={open.lines} linesTotal={open.linesTotal} deposits={open.deposits} matched={matched} names={names} currency={frame.session.organization.currency} importError={importError} />;
  }

  const importAction = kit.action('/console/payouts/bank/import', TREASURY, 'Import a bank statement (CSV, with the column mapping the first time; or OFX), then each deposit matched to a payout, deposit batch or payroll remittance', async (req, res, session) => {
    const m = session.m;
    const body = req.body as Record<string, string | undefined>;
    // The file the first time; the mapping step carries its text on in a field of the same name.
    const file = uploadedFile(req, 'statement');
    const statement = file ? decodeText(file.bytes) : (body.statement ?? '');
    const fileName = (file?.name ?? body.fileName ?? '').slice(0, 200) || null;
    const refuse = async (reason: string) => kit.sendPage(res, 400, await bankPage(kit.frameFor(req, res, session), reason));
    if (statement.trim() === '') return refuse(m.bank.errorNoFile);
    if (isOfx(statement)) {
      let read: StatementRead;
      try {
        read = readOfxStatement(statement, session.organization.currency);
      } catch (error) {
        if (error instanceof OfxUnreadable) return refuse(m.bank.errorOfxUnreadable);
        if (error instanceof OfxOtherCurrency) return refuse(m.bank.errorOfxCurrency(error.currency, session.organization.currency.toUpperCase()));
        throw error;
      }
      const first = read.errors[0];
      if (first) return refuse(m.bank.ofxProblems(read.errors.length, m.bank.ofxProblem(first.row, first.problem, first.value)));
      return storeStatement(req, res, session, { fileName, read, format: 'ofx' });
    }
    const sniff = sniffStatement(statement);
    if (!sniff) return refuse(m.bank.errorNoHeader);
    const stored = await statementMapping(ctx.db, session.organization.id);
    const showMapping = (status: number, mapping: StatementMapping, errors: MappingErrors, problems: string[]) =>
      kit.sendPage(res, status, <MappingPage frame={kit.frameFor(req, res, session)} fileName={fileName ?? ''} statement={statement} headers={sniff.headers} sample={sniff.sample} mapping={mapping} errors={errors} problems={problems} />);

    let mapping: StatementMapping;
    const fromForm = body.mapping === '1';
    if (fromForm) {
      const read = mappingFromForm(body, sniff.headers, m);
      if (Object.keys(read.errors).length > 0) return showMapping(400, read.mapping, read.errors, []);
      mapping = read.mapping;
    } else if (stored && body.remap !== '1' && stored.delimiter === sniff.delimiter && fitsHeader(stored, sniff.headers)) {
      mapping = stored;
    } else {
      return showMapping(200, stored && stored.delimiter === sniff.delimiter && fitsHeader(stored, sniff.headers) ? stored : sniff.guess, {}, []);
    }
    const read = readStatement(statement, mapping);
    if (read.errors.length > 0) {
      const problems = [m.bank.rowsUnreadable(read.errors.length), ...read.errors.slice(0, 10).map((e) => m.bank.rowProblem(e.row, e.problem, e.value))];
      return showMapping(400, mapping, {}, problems);
    }
    return storeStatement(req, res, session, { fileName, read, format: 'csv', mappingFromForm: fromForm ? mapping : undefined });
  });

  /** Stores a statement read without errors (and the mapping just named, if any), audited, and goes back to the bank page. */
  async function storeStatement(req: Request, res: Response, session: ConsoleSession, input: { fileName: string | null; read: StatementRead; format: 'csv' | 'ofx'; mappingFromForm?: StatementMapping | undefined }) {
    const { read } = input;
    const outcome = await ctx.db.transaction().execute(async (trx) => {
      if (input.mappingFromForm) {
        await saveStatementMapping(trx, session.organization.id, input.mappingFromForm, session.staffUserId, ctx.now());
        await audit(trx, req, 'bank.mapping_saved', 'organization', session.organization.id, { mapping: input.mappingFromForm });
      }
      const done = await importStatement(trx, { organizationId: session.organization.id, fileName: input.fileName, rowsRead: read.rowsRead, deposits: read.deposits, staffUserId: session.staffUserId, at: ctx.now() });
      await audit(trx, req, 'bank.statement_imported', 'bank_import', done.importId, { format: input.format, rowsRead: read.rowsRead, withdrawals: read.withdrawals, depositsNew: done.depositsNew, depositsKnown: done.depositsKnown, matched: done.matched });
      return done;
    });
    kit.redirectWithFlash(res, '/console/payouts/bank', { kind: 'bank', notice: 'imported', figures: [outcome.depositsNew, outcome.depositsKnown, outcome.matched] });
  }

  return [
    kit.page('/console/payouts', TREASURY, 'Payouts: each Stripe payout with its arrival date, what it carries and the bank line that shows it', async (_req, _res, frame) => {
      const organization = await kit.organizationOf(frame.session);
      const [payouts, imported] = await Promise.all([listPayouts(ctx.db, organization.id, PAYOUTS_SHOWN), hasImportedStatements(ctx.db, organization.id)]);
      const listed = await Promise.all(payouts.map(async (payout) => ({ ...payout, carries: (await payoutCarries(ctx.db, ctx.stripe, organization, payout.id)) ?? null })));
      return <PayoutsPage frame={frame} payouts={listed} statementImported={imported} />;
    }),
    kit.page('/console/payouts/bank', TREASURY, 'The bank statement: import, deposits matched to nothing with their candidates, payouts and batches no line shows, matches', async (_req, _res, frame) => bankPage(frame)),
    { ...importAction, body: 'upload' },
    kit.action('/console/payouts/bank/lines/:lineId/match', TREASURY, 'Match a bank deposit line to a payout, deposit batch or payroll remittance of the same amount, by hand', async (req, res, session) => {
      const lineId = await lineInPath(req, session.organization.id);
      const choice = depositChoice.safeParse((req.body as Record<string, unknown>).deposit);
      if (!choice.success) throw new ApiError('bad_request', 'choose a payout, deposit batch or remittance to match the line to');
      const separator = choice.data.indexOf(':');
      const kind = choice.data.slice(0, separator) as DepositKind;
      const id = choice.data.slice(separator + 1);
      await ctx.db.transaction().execute(async (trx) => {
        const deposit = await matchByHand(trx, session.organization.id, lineId, { kind, id }, session.staffUserId, ctx.now());
        await audit(trx, req, 'bank.line_matched', 'bank_line', lineId, { kind: deposit.kind, depositId: deposit.id, amountCents: deposit.amountCents });
      });
      kit.redirectWithFlash(res, '/console/payouts/bank', { kind: 'bank', notice: 'matched', figures: [] });
    }),
    kit.action('/console/payouts/bank/lines/:lineId/unmatch', TREASURY, "Undo a bank line's match (the matcher leaves the line alone from then on)", async (req, res, session) => {
      const lineId = await lineInPath(req, session.organization.id);
      await ctx.db.transaction().execute(async (trx) => {
        const was = await undoMatch(trx, session.organization.id, lineId);
        await audit(trx, req, 'bank.line_unmatched', 'bank_line', lineId, { kind: was.kind, depositId: was.id });
      });
      kit.redirectWithFlash(res, '/console/payouts/bank', { kind: 'bank', notice: 'unmatched', figures: [] });
    }),
  ];
}

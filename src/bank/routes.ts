import { z } from 'zod';
import type { AppContext } from '../context';
import { apiRoute } from '../http/api-route';
import { ApiError, notFound } from '../http/errors';
import { day, id, instant } from '../http/response-schemas';
import type { RouteDefinition } from '../http/routes';
import { DEPOSIT_KINDS, type Deposit } from './matcher';
import { importStatement, matchByHand, matchOf, reconciliation, saveStatementMapping, statementMapping, undoMatch } from './queries';
import { isOfx, OfxOtherCurrency, OfxUnreadable, readOfxStatement } from './ofx';
import { DATE_FORMATS, DELIMITERS, readStatement, sniffStatement, type StatementMapping, type StatementProblem, type StatementRead } from './statement';

// The bank statement through the API: the column mapping, imports of CSV text, what is
// left unmatched on both sides, and matches made or undone by hand. The console's pages
// (src/console/bank.tsx) do the same through the same queries.

const TREASURY = ['admin', 'treasurer'] as const;
const column = z.string().trim().min(1).max(200);
const mappingSchema = z
  .object({
    delimiter: z.enum(DELIMITERS),
    decimalComma: z.boolean(),
    dateColumn: column,
    dateFormat: z.enum(DATE_FORMATS),
    amountColumn: column.nullable(),
    debitColumn: column.nullable(),
    creditColumn: column.nullable(),
    descriptionColumn: column,
  })
  .strict()
  .refine((m) => m.amountColumn !== null || (m.debitColumn !== null && m.creditColumn !== null), { path: ['amountColumn'], message: 'an amount column, or both a debit and a credit column' });

const mappingResponse = z.object({ mapping: mappingSchema.nullable() }).strict();
const importedResponse = z.object({ importId: id, rowsRead: z.number().int(), withdrawals: z.number().int(), depositsNew: z.number().int(), depositsKnown: z.number().int(), matched: z.number().int() }).strict();
const depositResponse = z.object({ kind: z.enum(DEPOSIT_KINDS), id: z.string(), amountCents: z.number().int(), day }).strict();
const reconciliationResponse = z
  .object({
    lines: z.array(z.object({ id, bookedOn: day, amountCents: z.number().int(), description: z.string(), unmatchedByHand: z.boolean(), candidates: z.array(depositResponse) }).strict()),
    linesTotal: z.number().int(),
    deposits: z.array(depositResponse),
  })
  .strict();
const lineResponse = z.object({ id, matched: depositResponse.pick({ kind: true, id: true }).nullable(), matchedAt: instant.nullable() }).strict();
const lineParams = z.object({ lineId: z.uuid() });
const matchBody = z.object({ kind: z.enum(DEPOSIT_KINDS), id: z.string().trim().min(1).max(120) }).strict();

const presentDeposit = (deposit: Deposit) => ({ kind: deposit.kind, id: deposit.id, amountCents: deposit.amountCents, day: deposit.day });

/** A statement whose every line was read, or a 400 naming (up to 50 of) those that were not: nothing is imported. */
function readableOrRefused(read: StatementRead, unit: 'row' | 'transaction', message: (problem: StatementProblem) => string): StatementRead {
  if (read.errors.length === 0) return read;
  throw new ApiError('validation_failed', `${read.errors.length} ${unit}(s) could not be read: nothing was imported`, {
    fields: read.errors.slice(0, 50).map((e) => ({ path: `body.${unit}${e.row}`, message: message(e) })),
  });
}

export function bankRoutes(ctx: AppContext): RouteDefinition[] {
  const findLine = async ({ me, params }: { me: { organizationId: string }; params: z.infer<typeof lineParams> }) => {
    const line = await ctx.db.selectFrom('bank_lines').select('id').where('organization_id', '=', me.organizationId).where('id', '=', params.lineId).executeTakeFirst();
    if (!line) throw notFound('bank line');
    return line;
  };
  const presentLine = async (organizationId: string, lineId: string) => {
    const line = await ctx.db.selectFrom('bank_lines').select(['id', 'matched_payout_id', 'matched_batch_id', 'matched_remittance_id', 'matched_at']).where('organization_id', '=', organizationId).where('id', '=', lineId).executeTakeFirstOrThrow();
    return { id: line.id, matched: matchOf(line), matchedAt: line.matched_at?.toISOString() ?? null };
  };

  /** A CSV statement read with the organization's mapping; every row readable, or nothing. */
  const readCsv = async (organizationId: string, text: string): Promise<StatementRead> => {
    const mapping = await statementMapping(ctx.db, organizationId);
    if (!mapping) throw new ApiError('conflict', 'set how your bank statements read first (PUT /api/bank/mapping), or send OFX');
    if (!sniffStatement(text)) throw new ApiError('validation_failed', 'the statement has no header row with two or more columns', { fields: [{ path: 'body', message: 'no header row' }] });
    return readableOrRefused(readStatement(text, mapping), 'row', (e) => (e.problem === 'column' ? `no column "${e.value}"` : `"${e.value}" is not ${e.problem === 'day' ? `a day written ${mapping.dateFormat}` : 'an amount'}`));
  };
  const readOfx = (text: string, currency: string): StatementRead => {
    try {
      return readableOrRefused(readOfxStatement(text, currency), 'transaction', (e) => `"${e.value}" is not ${e.problem === 'day' ? 'a day' : 'an amount'}`);
    } catch (error) {
      if (error instanceof OfxUnreadable) throw new ApiError('validation_failed', `the OFX file holds no bank statement that can be read: ${error.message}`, { fields: [{ path: 'body', message: 'not a readable OFX bank statement' }] });
      if (error instanceof OfxOtherCurrency) throw new ApiError('validation_failed', `${error.message}, not in ${currency.toUpperCase()} as the books are: nothing was imported`, { fields: [{ path: 'body', message: `CURDEF ${error.currency}` }] });
      throw error;
    }
  };

  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/bank/mapping',
      access: TREASURY,
      responses: { 200: mappingResponse },
      summary: "How the organization's bank statement CSV reads (null until it is set)",
      answer: async ({ me }) => ({ mapping: (await statementMapping(ctx.db, me.organizationId)) ?? null }),
    }),
    apiRoute(ctx, {
      method: 'put',
      path: '/api/bank/mapping',
      access: TREASURY,
      requestBody: mappingSchema,
      responses: { 200: mappingResponse },
      summary: "Set how the organization's bank statement CSV reads: delimiter, decimal separator, the date, amount (or debit and credit) and description columns, the date order",
      answer: async ({ me, body, audit }) => {
        const mapping: StatementMapping = body.amountColumn !== null ? { ...body, debitColumn: null, creditColumn: null } : body;
        await ctx.db.transaction().execute(async (trx) => {
          await saveStatementMapping(trx, me.organizationId, mapping, me.staffUserId, ctx.now());
          await audit('bank.mapping_saved', { subjectType: 'organization', subjectId: me.organizationId, details: { mapping } }, trx);
        });
        return { mapping };
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/bank/statements',
      access: TREASURY,
      body: 'statement',
      responses: { 201: importedResponse },
      summary: 'Import a bank statement (CSV text read with the organization’s mapping, or OFX): its deposits stored once (a line imported before is known by its hash, an OFX one by the bank’s id) and matched to payouts, deposit batches and payroll remittances',
      answer: async ({ req, me, audit, organization }) => {
        const text = typeof req.body === 'string' ? req.body : '';
        const read = isOfx(text) ? readOfx(text, (await organization()).currency) : await readCsv(me.organizationId, text);
        const outcome = await ctx.db.transaction().execute(async (trx) => {
          const done = await importStatement(trx, { organizationId: me.organizationId, fileName: null, rowsRead: read.rowsRead, deposits: read.deposits, staffUserId: me.staffUserId, at: ctx.now() });
          await audit('bank.statement_imported', { subjectType: 'bank_import', subjectId: done.importId, details: { format: isOfx(text) ? 'ofx' : 'csv', rowsRead: read.rowsRead, withdrawals: read.withdrawals, depositsNew: done.depositsNew, depositsKnown: done.depositsKnown, matched: done.matched } }, trx);
          return done;
        });
        return { importId: outcome.importId, rowsRead: read.rowsRead, withdrawals: read.withdrawals, depositsNew: outcome.depositsNew, depositsKnown: outcome.depositsKnown, matched: outcome.matched };
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/bank/reconciliation',
      access: TREASURY,
      responses: { 200: reconciliationResponse },
      summary: 'What the bank statement and the books leave unexplained: deposit lines matched to nothing (the first 500, with the open deposits of their amount), and payouts and posted batches no line shows',
      answer: async ({ me, audit }) => {
        const open = await reconciliation(ctx.db, me.organizationId, 500);
        await audit('bank.reconciliation_read', { subjectType: 'organization', subjectId: me.organizationId, details: { lines: open.lines.length, deposits: open.deposits.length } });
        return {
          lines: open.lines.map((line) => ({ id: line.id, bookedOn: line.booked_on, amountCents: line.amount_cents, description: line.description, unmatchedByHand: line.unmatched_by_hand, candidates: line.candidates.map(presentDeposit) })),
          linesTotal: open.linesTotal,
          deposits: open.deposits.map(presentDeposit),
        };
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/bank/lines/:lineId/match',
      access: TREASURY,
      params: lineParams,
      requestBody: matchBody,
      responses: { 200: lineResponse },
      summary: 'Match a bank deposit line, by hand, to an open payout or posted deposit batch of the same amount',
      find: findLine,
      answer: async ({ me, found, body, audit }) => {
        await ctx.db.transaction().execute(async (trx) => {
          const deposit = await matchByHand(trx, me.organizationId, found.id, body, me.staffUserId, ctx.now());
          await audit('bank.line_matched', { subjectType: 'bank_line', subjectId: found.id, details: { kind: deposit.kind, depositId: deposit.id, amountCents: deposit.amountCents } }, trx);
        });
        return presentLine(me.organizationId, found.id);
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/bank/lines/:lineId/unmatch',
      access: TREASURY,
      params: lineParams,
      responses: { 200: lineResponse },
      summary: "Undo a bank line's match (the matcher leaves the line alone from then on)",
      find: findLine,
      answer: async ({ me, found, audit }) => {
        await ctx.db.transaction().execute(async (trx) => {
          const was = await undoMatch(trx, me.organizationId, found.id);
          await audit('bank.line_unmatched', { subjectType: 'bank_line', subjectId: found.id, details: { kind: was.kind, depositId: was.id } }, trx);
        });
        return presentLine(me.organizationId, found.id);
      },
    }),
  ];
}

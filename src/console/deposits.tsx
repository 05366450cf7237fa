import type { Request } from 'express';
import { z } from 'zod';
import { auditActor, recordAudit } from '../audit/audit';
import { addBatchItem, createBatch, findBatch, listBatches, postBatch, removeBatchItem, type BatchItemInput } from '../bank/batches';
import { parseAmount } from '../bank/statement';
import type { AppContext } from '../context';
import { ApiError, notFound, toApiError } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { formatMoney } from '../signup/i18n';
import type { ConsoleFormKit } from './bank';
import { BatchPage, DepositsPage, SlipPage, type BatchFormErrors, type ItemField, type ItemValues } from './pages/deposits';
import type { ConsoleSession } from './session';

const TREASURY = ['admin', 'treasurer'] as const;
const BATCHES_SHOWN = 50;
const batchParams = z.object({ batchId: z.uuid() });
const itemParams = z.object({ batchId: z.uuid(), itemId: z.uuid() });
const day = z.iso.date();
const noNul = (value: string) => !value.includes('\u0000');
const field = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');

/** A money figure typed by a person: a decimal point or a decimal comma. */
const typedAmount = (text: string) => parseAmount(text, false) ?? parseAmount(text, true);

/** Where a refusal of recordManualPayment points, in the page's words. */
function refusalText(m: ConsoleSession['m'], error: ApiError, currency: string): { field: ItemField; message: string } {
  const details = error.details as { fields?: Array<{ path: string }>; owedCents?: number; shortCents?: number } | undefined;
  const path = details?.fields?.[0]?.path;
  if (path === 'body.amountCents' && details?.owedCents !== undefined && details.shortCents !== undefined) return { field: 'amount', message: m.bank.errorShort(formatMoney(details.shortCents, currency), formatMoney(details.owedCents, currency)) };
  if (path === 'body.periodEnd') return { field: 'periodEnd', message: m.bank.errorPeriods };
  if (path === 'body.partial') return { field: 'partial', message: m.bank.errorNoPlan };
  if (path === 'body.periodStart') return { field: 'periodStart', message: m.bank.errorDues };
  return { field: 'amount', message: m.bank.errorRefused };
}

/** Deposit batches in the console: start a slip, add checks and cash (checked against dues as the API checks), print, post once. */
export function depositConsoleRoutes(ctx: AppContext, kit: ConsoleFormKit): RouteDefinition[] {
  const audit = (db: AppContext['db'], req: Request, action: string, batchId: string, details: Record<string, unknown>) =>
    recordAudit(db, { ...auditActor(req, ctx.now()), action, subjectType: 'deposit_batch', subjectId: batchId, details: { ...details, via: 'console' } });

  /** The batch named in the path, of this organization; anything else is a 404 (before the form is read). */
  async function batchInPath(req: Request, organizationId: string) {
    const parsed = batchParams.safeParse({ batchId: req.params.batchId });
    const batch = parsed.success ? await findBatch(ctx.db, organizationId, parsed.data.batchId) : undefined;
    if (!batch) throw notFound('deposit batch');
    return batch;
  }

  /** A member by the number on their card (external id) or by id. */
  async function memberByNumber(organizationId: string, text: string): Promise<{ id: string; name: string } | undefined> {
    if (text === '' || text.length > 100 || !noNul(text)) return undefined;
    const byId = z.uuid().safeParse(text).success;
    return ctx.db
      .selectFrom('members')
      .select(['id', 'name'])
      .where('organization_id', '=', organizationId)
      .where((eb) => (byId ? eb.or([eb('id', '=', text), eb('external_id', '=', text)]) : eb('external_id', '=', text)))
      .executeTakeFirst();
  }

  return [
    kit.page('/console/deposits', TREASURY, 'Deposit batches: the slips of checks and cash, latest first, and a new one', async (_req, _res, frame) => {
      const session = frame.session;
      const batches = await listBatches(ctx.db, session.organization.id, BATCHES_SHOWN);
      return <DepositsPage frame={frame} batches={batches} currency={session.organization.currency} today={session.today} values={{ depositedOn: session.today, reference: '' }} errors={{}} />;
    }),
    kit.action('/console/deposits', TREASURY, 'Start a deposit batch (a deposit slip)', async (req, res, session) => {
      const body = req.body as Record<string, unknown>;
      const values = { depositedOn: field(body, 'depositedOn'), reference: field(body, 'reference') };
      const errors: BatchFormErrors = {};
      if (!day.safeParse(values.depositedOn).success || values.depositedOn < '1900-01-01') errors.depositedOn = session.m.bank.errorDay;
      else if (values.depositedOn > session.today) errors.depositedOn = session.m.bank.errorFutureDay;
      if (values.reference.length > 100 || !noNul(values.reference)) errors.reference = session.m.bank.errorText;
      if (Object.keys(errors).length > 0) {
        const batches = await listBatches(ctx.db, session.organization.id, BATCHES_SHOWN);
        return kit.sendPage(res, 400, <DepositsPage frame={kit.frameFor(req, res, session)} batches={batches} currency={session.organization.currency} today={session.today} values={values} errors={errors} />);
      }
      const batchId = await ctx.db.transaction().execute(async (trx) => {
        const id = await createBatch(trx, session.organization.id, { depositedOn: values.depositedOn, reference: values.reference || null }, session.staffUserId, ctx.now());
        await audit(trx, req, 'deposit_batch.created', id, { depositedOn: values.depositedOn });
        return id;
      });
      kit.redirectWithFlash(res, `/console/deposits/${batchId}`, { kind: 'bank', notice: 'batchCreated', figures: [] });
    }),
    kit.page('/console/deposits/:batchId', TREASURY, 'A deposit batch: its checks and cash, the form to add one, print and post', async (req, _res, frame) => {
      const batch = await batchInPath(req, frame.session.organization.id);
      return <BatchPage frame={frame} batch={batch} currency={frame.session.organization.currency} values={{ method: 'check' }} errors={{}} />;
    }),
    kit.page('/console/deposits/:batchId/slip', TREASURY, 'A deposit slip to print', async (req, _res, frame) => {
      const batch = await batchInPath(req, frame.session.organization.id);
      return <SlipPage frame={frame} batch={batch} currency={frame.session.organization.currency} />;
    }),
    kit.action('/console/deposits/:batchId/items', TREASURY, 'Add a check or cash payment to an open deposit batch (checked against the dues its periods owe)', async (req, res, session) => {
      const batch = await batchInPath(req, session.organization.id);
      const m = session.m;
      const currency = session.organization.currency;
      const body = req.body as Record<string, unknown>;
      const values: ItemValues = {
        member: field(body, 'member'),
        payer: field(body, 'payer'),
        method: field(body, 'method'),
        amount: field(body, 'amount'),
        checkNumber: field(body, 'checkNumber'),
        periodStart: field(body, 'periodStart'),
        periodEnd: field(body, 'periodEnd'),
        partial: field(body, 'partial') === '1' ? '1' : '',
      };
      const errors: Partial<Record<ItemField, string>> = {};
      const member = await memberByNumber(session.organization.id, values.member!);
      if (!member) errors.member = m.bank.errorMember;
      if (values.payer!.length > 100 || !noNul(values.payer!)) errors.payer = m.bank.errorText;
      if (values.checkNumber!.length > 100 || !noNul(values.checkNumber!)) errors.checkNumber = m.bank.errorText;
      const method = values.method === 'cash' ? 'cash' : 'check';
      const amountCents = typedAmount(values.amount!);
      if (amountCents === null || amountCents <= 0 || amountCents > 100_000_000) errors.amount = m.bank.errorAmount;
      for (const name of ['periodStart', 'periodEnd'] as const) if (!day.safeParse(values[name]).success || values[name]! < '1900-01-01' || values[name]! > '2999-12-31') errors[name] = m.bank.errorDay;
      if (!errors.periodStart && !errors.periodEnd && values.periodEnd! < values.periodStart!) errors.periodEnd = m.bank.errorPeriodOrder;
      let problem: string | undefined;
      if (batch.postedAt !== null) problem = m.bank.errorPosted;
      if (Object.keys(errors).length === 0 && problem === undefined) {
        const item: BatchItemInput = {
          memberId: member!.id,
          payer: values.payer || member!.name,
          method,
          amountCents: amountCents!,
          checkNumber: method === 'check' && values.checkNumber ? values.checkNumber : null,
          periodStart: values.periodStart!,
          periodEnd: values.periodEnd!,
          partial: values.partial === '1',
        };
        try {
          await ctx.db.transaction().execute(async (trx) => {
            const itemId = await addBatchItem(trx, { organizationId: session.organization.id, currency, staffUserId: session.staffUserId, at: ctx.now() }, batch.id, item);
            await audit(trx, req, 'deposit_batch.item_added', batch.id, { itemId, memberId: item.memberId, method, amountCents: item.amountCents, periodEnd: item.periodEnd });
          });
          return kit.redirectWithFlash(res, `/console/deposits/${batch.id}`, { kind: 'bank', notice: 'itemAdded', figures: [] });
        } catch (error) {
          const refused = toApiError(error);
          if (!refused || (refused.code !== 'validation_failed' && refused.code !== 'conflict')) throw error;
          const where = refusalText(m, refused, currency);
          errors[where.field] = where.message;
        }
      }
      const fresh = (await findBatch(ctx.db, session.organization.id, batch.id))!;
      kit.sendPage(res, 400, <BatchPage frame={kit.frameFor(req, res, session)} batch={fresh} currency={currency} values={values} errors={errors} problem={problem} />);
    }),
    kit.action('/console/deposits/:batchId/items/:itemId/remove', TREASURY, 'Remove a payment from an open deposit batch', async (req, res, session) => {
      const batch = await batchInPath(req, session.organization.id);
      const parsed = itemParams.safeParse(req.params);
      if (!parsed.success || !batch.items.some((item) => item.id === parsed.data.itemId)) throw notFound('deposit item');
      await ctx.db.transaction().execute(async (trx) => {
        await removeBatchItem(trx, session.organization.id, batch.id, parsed.data.itemId);
        await audit(trx, req, 'deposit_batch.item_removed', batch.id, { itemId: parsed.data.itemId });
      });
      kit.redirectWithFlash(res, `/console/deposits/${batch.id}`, { kind: 'bank', notice: 'itemRemoved', figures: [] });
    }),
    kit.action('/console/deposits/:batchId/post', TREASURY, 'Post a deposit batch: every payment in it recorded in the books in one transaction, once', async (req, res, session) => {
      const batch = await batchInPath(req, session.organization.id);
      const result = await ctx.db.transaction().execute(async (trx) => {
        const posted = await postBatch(trx, { organizationId: session.organization.id, currency: session.organization.currency, staffUserId: session.staffUserId, at: ctx.now() }, batch.id);
        if (posted.posted) await audit(trx, req, 'deposit_batch.posted', batch.id, { payments: posted.payments, totalCents: posted.totalCents });
        return posted;
      });
      kit.redirectWithFlash(res, `/console/deposits/${batch.id}`, result.posted ? { kind: 'bank', notice: 'batchPosted', figures: [result.payments] } : { kind: 'bank', notice: 'batchAlreadyPosted', figures: [] });
    }),
  ];
}

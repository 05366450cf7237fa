import type { Request } from 'express';
import { z } from 'zod';
import { auditActor, recordAudit, recordBulkRead } from '../audit/audit';
import type { AppContext } from '../context';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { todayIn } from '../organizations/calendar';
import { readHundredths } from '../payroll/amounts';
import { columnMappingSchema } from '../payroll/mapping';
import { employerNamed, findEmployer, findRemittance, insertEmployer, listEmployers, memberIdByEmail, memberNames, remittanceSuspense, setLineMember, type Remittance } from '../payroll/queries';
import { addMemberFromLine, newMemberFromLine } from '../payroll/new-member';
import { explainSuspense } from '../payroll/suspense';
import { listPlans } from '../plans/queries';
import { postRemittance, reviewRemittance, uploadRemittance } from '../payroll/remittances';
import { employerReport } from '../payroll/report';
import { namedInReview } from '../payroll/responses';
import { employerBody, employerParams, remittanceParams, uploadQuery } from '../payroll/routes';
import { findMember } from '../members/queries';
import type { ConsoleFormKit } from './bank';
import type { Frame } from './pages/members';
import { EmployerPage, EmployersPage, RemittancePage } from './pages/payroll';
import type { FormError } from './pages/payroll-review';
import { sendPage } from './routes';
import type { ConsoleSession } from './session';
import { uploadedFile } from '../http/upload';


const NOTICES = ['added', 'uploaded', 'sameFile', 'filePosted', 'posted', 'alreadyPosted', 'matched', 'explained', 'alreadyExplained', 'memberAdded'] as const;
type Notice = (typeof NOTICES)[number];
// A 20,000-line file can have thousands of lines to check: they are listed this many to a page.
const EXCEPTIONS_PER_PAGE = 200;
const noticeIn = (req: Request): Notice | undefined => (NOTICES as readonly string[]).includes(String(req.query.notice)) ? (req.query.notice as Notice) : undefined;

/** A failed field check as the page's error summary lists it. */
function fieldErrors(error: unknown, fallbackField: string): Array<{ field: string; message: string }> {
  if (!(error instanceof ApiError) || error.status >= 500 || error.status === 404 || error.status === 403) throw error;
  const fields = (error.details as { fields?: Array<{ path: string; message: string }> } | undefined)?.fields ?? [];
  if (fields.length === 0) return [{ field: fallbackField, message: error.message }];
  return fields.map((f) => ({ field: f.path.replace(/^(body|query)\./, '').replace(/^mapping\./, 'mapping.'), message: `${error.message}: ${f.message}` }));
}

/** A file that cannot be read, said in the visitor's language (the API answers in English, with the problem's code). */
function fileProblem(session: ConsoleSession, error: unknown): Array<{ field: string; message: string }> | undefined {
  const details = error instanceof ApiError ? (error.details as { problem?: string; about?: string } | undefined) : undefined;
  const say = details?.problem === undefined ? undefined : (session.m.payroll.fileProblems as Record<string, (about: string) => string>)[details.problem];
  return say && [{ field: 'file', message: say(details?.about ?? '') }];
}

/** Employers, remittance uploads, their review and posting, in the console (treasurers and admins). */
export function payrollConsoleRoutes(ctx: AppContext, kit: ConsoleFormKit): RouteDefinition[] {
  const access = ['admin', 'treasurer'] as const;
  async function employerInPath(req: Request, organizationId: string) {
    const parsed = employerParams.safeParse(req.params);
    const employer = parsed.success ? await findEmployer(ctx.db, organizationId, parsed.data.employerId) : undefined;
    if (!employer) throw notFound('employer');
    return employer;
  }
  async function remittanceInPath(req: Request, organizationId: string) {
    const parsed = remittanceParams.safeParse(req.params);
    const remittance = parsed.success ? await findRemittance(ctx.db, organizationId, parsed.data.remittanceId) : undefined;
    if (!remittance) throw notFound('remittance');
    return remittance;
  }
  const audit = (db: AppContext['db'], req: Request, action: string, subjectType: string, subjectId: string, details: Record<string, unknown> = {}) =>
    recordAudit(db, { ...auditActor(req, ctx.now()), action, subjectType, subjectId, details: { via: 'console', ...details } });
  const noticeText = (session: ConsoleSession, notice: Notice | undefined) => {
    const m = session.m;
    if (notice === undefined) return undefined;
    return {
      added: m.payrollEmployerAdded,
      uploaded: m.payrollUploaded,
      sameFile: m.payrollSameFile,
      filePosted: m.payrollFilePosted,
      posted: m.payrollPosted,
      alreadyPosted: m.payrollAlreadyPosted,
      matched: m.payrollLineMatched,
      explained: m.payroll.suspenseExplainedNotice,
      alreadyExplained: m.payroll.suspenseAlreadyExplained,
      memberAdded: m.payroll.memberAddedNotice,
    }[notice];
  };
  const employerPage = async (req: Request, frame: Frame, employer: Awaited<ReturnType<typeof employerInPath>>, errors: Array<{ field: string; message: string }> = []) => {
    const organization = await kit.organizationOf(frame.session);
    const report = await employerReport(ctx.db, frame.session.organization.id, employer.id);
    return <EmployerPage frame={frame} employer={employer} report={report} currency={organization.currency} errors={errors} notice={noticeText(frame.session, noticeIn(req))} today={todayIn(organization.time_zone, ctx.now())} />;
  };

  const remittancePage = async (req: Request, frame: Frame, remittance: Remittance, errors: FormError[] = [], newMemberRow?: number) => {
    const review = await reviewRemittance(ctx.db, remittance);
    const all = review.summary.exceptions;
    const pages = Math.max(1, Math.ceil(all.length / EXCEPTIONS_PER_PAGE));
    const page = Math.min(pages, Math.max(1, Number.parseInt(String(req.query.exceptions ?? '1'), 10) || 1));
    const shown = all.slice((page - 1) * EXCEPTIONS_PER_PAGE, page * EXCEPTIONS_PER_PAGE);
    const named = [...namedInReview({ ...review, summary: { ...review.summary, exceptions: shown } }), ...review.lines.slice(0, 200).flatMap((l) => (l.member_id ? [l.member_id] : []))];
    const [names, suspense, plans] = await Promise.all([
      memberNames(ctx.db, remittance.organization_id, named),
      remittanceSuspense(ctx.db, remittance.organization_id, remittance.id),
      remittance.status === 'draft' ? listPlans(ctx.db, remittance.organization_id, 'active') : Promise.resolve([]),
    ]);
    await recordBulkRead(ctx.db, req, { action: 'remittance.read', rows: review.lines.length, filters: { remittanceId: remittance.id, via: 'console' }, at: ctx.now() });
    return (
      <RemittancePage
        frame={frame}
        review={review}
        names={names}
        notice={noticeText(frame.session, noticeIn(req))}
        exceptions={{ shown, page, perPage: EXCEPTIONS_PER_PAGE }}
        suspense={suspense}
        plans={plans}
        errors={errors}
        newMemberRow={newMemberRow}
      />
    );
  };
  const lineInPath = (req: Request) => {
    const row = z.coerce.number().int().min(1).max(1_000_000).safeParse(req.params.row);
    if (!row.success) throw notFound('line');
    return row.data;
  };

  return [
    kit.page('/console/employers', access, 'Employers that deduct dues from pay, and adding one', async (req, _res, frame) => {
      return <EmployersPage frame={frame} employers={await listEmployers(ctx.db, frame.session.organization.id)} errors={[]} notice={noticeText(frame.session, noticeIn(req))} />;
    }),
    kit.action('/console/employers', access, 'Add an employer', async (req, res, session) => {
      const form = req.body as Record<string, string>;
      const input = { name: form.name ?? '', payFrequency: form.payFrequency, contactName: form.contactName ?? '', contactEmail: form.contactEmail ?? '' };
      try {
        const body = employerBody.safeParse(input);
        if (!body.success) throw new ApiError('validation_failed', 'the employer cannot be added', { fields: body.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) });
        await ctx.db.transaction().execute(async (trx) => {
          if (await employerNamed(trx, session.organization.id, body.data.name)) throw new ApiError('conflict', 'the employer cannot be added', { fields: [{ path: 'name', message: 'an employer of this name exists' }] });
          const created = await insertEmployer(trx, session.organization.id, { contactName: null, contactEmail: null, contactPhone: null, worksites: [], columnMapping: null, ...body.data }, ctx.now());
          await audit(trx, req, 'employer.created', 'employer', created.id);
        });
      } catch (error) {
        const frame = kit.frameFor(req, res, session);
        return sendPage(res, 400, <EmployersPage frame={frame} employers={await listEmployers(ctx.db, session.organization.id)} errors={fieldErrors(error, 'name')} />);
      }
      res.redirect(303, '/console/employers?notice=added');
    }),
    kit.page('/console/employers/:employerId', access, "An employer: its remittances, and uploading one (with its files' column mapping)", async (req, _res, frame) => {
      return employerPage(req, frame, await employerInPath(req, frame.session.organization.id));
    }),
    kit.action(
      '/console/employers/:employerId/remittances',
      access,
      "Upload an employer's remittance file (multipart form): read and matched, then reviewed before posting",
      async (req, res, session) => {
        const employer = await employerInPath(req, session.organization.id);
        const form = req.body as Record<string, unknown>;
        const field = (name: string) => (typeof form[name] === 'string' ? form[name].trim() : '');
        try {
          const file = uploadedFile(req, 'file');
          const bytes = file?.bytes ?? Buffer.alloc(0);
          if (bytes.length === 0) throw new ApiError('validation_failed', 'the file is missing', { fields: [{ path: 'file', message: 'choose the file the employer sent' }] });
          const cents = readHundredths(field('amountReceived'));
          const query = uploadQuery.safeParse({ periodStart: field('periodStart'), periodEnd: field('periodEnd'), payDate: field('payDate') || undefined, receivedOn: field('receivedOn'), amountReceivedCents: cents !== undefined && cents > 0 ? cents : 1 });
          const problems = query.success ? [] : query.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
          // The amount as people write it; the hint says how.
          if (cents === undefined || cents <= 0) problems.push({ path: 'amountReceived', message: session.m.payrollAmountHint });
          if (!query.success || problems.length > 0) throw new ApiError('validation_failed', 'the remittance cannot be read', { fields: problems });
          const given = Object.fromEntries(['employeeNumber', 'name', 'firstName', 'amount', 'hours', 'wages', 'period'].flatMap((key) => (field(`mapping.${key}`) === '' ? [] : [[key, field(`mapping.${key}`)]])));
          const mapping = columnMappingSchema.safeParse(given);
          if (!mapping.success) throw new ApiError('validation_failed', 'the column mapping is incomplete', { fields: mapping.error.issues.map((issue) => ({ path: `mapping.${issue.path.join('.') || 'amount'}`, message: issue.message })) });
          const organization = await kit.organizationOf(session);
          const unchanged = JSON.stringify(mapping.data) === JSON.stringify(employer.column_mapping);
          const outcome = await ctx.db.transaction().execute(async (trx) => {
            const done = await uploadRemittance(trx, {
              organization,
              employer,
              ...query.data!,
              payDate: query.data!.payDate ?? null,
              fileName: file?.name.slice(0, 200) || null,
              bytes,
              mapping: unchanged ? undefined : mapping.data,
              staffUserId: session.staffUserId,
              at: ctx.now(),
            });
            if (done.outcome === 'created') await audit(trx, req, 'remittance.uploaded', 'remittance', done.remittance.id, { employerId: employer.id, replaced: done.replaced });
            return done;
          });
          const notice = { created: 'uploaded', same_file_draft: 'sameFile', already_posted: 'filePosted' }[outcome.outcome];
          res.redirect(303, `/console/remittances/${outcome.remittance.id}?notice=${notice}`);
        } catch (error) {
          const errors = fileProblem(session, error) ?? fieldErrors(error, 'file');
          sendPage(res, 400, await employerPage(req, kit.frameFor(req, res, session), employer, errors));
        }
      },
      'upload',
    ),
    kit.page('/console/remittances/:remittanceId', access, 'A remittance: its summary, its payroll suspense explained, what to check before posting (with "this is member …" and "add as a new member"), posting it, and its lines', async (req, _res, frame) => {
      return remittancePage(req, frame, await remittanceInPath(req, frame.session.organization.id));
    }),
    kit.action('/console/remittances/:remittanceId/lines/:row/member', access, 'Say which member a line of a remittance not yet posted is', async (req, res, session) => {
      const remittance = await remittanceInPath(req, session.organization.id);
      const row = z.coerce.number().int().min(1).max(1_000_000).safeParse(req.params.row);
      const form = req.body as Record<string, unknown>;
      // A proposed member's id, or for a line that matched no one the email of the member it is.
      const byEmail = typeof form.email === 'string' && form.email.trim() !== '' ? await memberIdByEmail(ctx.db, session.organization.id, form.email.trim().slice(0, 254)) : undefined;
      const memberId = z.uuid().safeParse(byEmail ?? form.memberId);
      if (!row.success) throw notFound('line');
      if (!memberId.success || !(await findMember(ctx.db, session.organization.id, memberId.data))) throw new ApiError('validation_failed', 'choose one of the members proposed, or give the email of a member of this organization');
      if (remittance.status !== 'draft') throw new ApiError('conflict', 'only a remittance not yet posted can be changed; upload a corrected file');
      await ctx.db.transaction().execute(async (trx) => {
        if (!(await setLineMember(trx, session.organization.id, remittance.id, row.data, memberId.data))) throw notFound('line');
        await audit(trx, req, 'remittance.line_matched', 'remittance', remittance.id, { row: row.data, memberId: memberId.data });
      });
      res.redirect(303, `/console/remittances/${remittance.id}?notice=matched`);
    }),
    kit.action('/console/remittances/:remittanceId/lines/:row/new-member', access, 'Add a line that matches no member as a new member on payroll deduction with the employer, and match the line to them', async (req, res, session) => {
      const remittance = await remittanceInPath(req, session.organization.id);
      const row = lineInPath(req);
      const form = req.body as Record<string, unknown>;
      const text = (name: string) => (typeof form[name] === 'string' ? form[name] : '');
      const field = (path: string) => `row-${row}-new-${{ email: 'email', phone: 'phone', planId: 'plan' }[path.replace(/^body\./, '').split('.')[0]!] ?? 'name'}`;
      try {
        const input = newMemberFromLine.safeParse({ name: text('name'), email: text('email').trim(), phone: text('phone'), planId: text('planId') });
        if (!input.success) throw new ApiError('validation_failed', 'the member cannot be added', { fields: input.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) });
        const organization = await kit.organizationOf(session);
        await ctx.db.transaction().execute(async (trx) => {
          const memberId = await addMemberFromLine(trx, organization, remittance, row, input.data, session.staffUserId, ctx.now());
          await audit(trx, req, 'member.created', 'member', memberId, { remittanceId: remittance.id, row });
          await audit(trx, req, 'remittance.line_matched', 'remittance', remittance.id, { row, memberId, newMember: true });
        });
      } catch (error) {
        const errors = fieldErrors(error, 'name').map((e) => ({ ...e, field: field(e.field) }));
        return sendPage(res, 400, await remittancePage(req, kit.frameFor(req, res, session), remittance, errors, row));
      }
      res.redirect(303, `/console/remittances/${remittance.id}?notice=memberAdded`);
    }),
    kit.action('/console/remittances/:remittanceId/suspense', access, "Explain a posted remittance's payroll suspense with a note: cleared to dues income or owed with the employer (once)", async (req, res, session) => {
      const remittance = await remittanceInPath(req, session.organization.id);
      const form = req.body as Record<string, unknown>;
      const note = typeof form.note === 'string' ? form.note.trim() : '';
      const resolution = form.resolution === 'dues_income' || form.resolution === 'employer' ? form.resolution : undefined;
      const errors: FormError[] = [];
      if (resolution === undefined) errors.push({ field: 'resolution', message: session.m.payroll.suspenseResolutionMissing });
      if (note === '') errors.push({ field: 'note', message: session.m.payroll.suspenseNoteMissing });
      if (resolution === undefined || errors.length > 0) return sendPage(res, 400, await remittancePage(req, kit.frameFor(req, res, session), remittance, errors));
      const outcome = await ctx.db.transaction().execute(async (trx) => {
        const done = await explainSuspense(trx, session.organization.id, remittance.id, { resolution, note: note.slice(0, 1000), staffUserId: session.staffUserId, at: ctx.now() });
        if (done.explained) await audit(trx, req, 'remittance.suspense_explained', 'remittance', remittance.id, { resolution, heldCents: done.heldCents });
        return done;
      });
      res.redirect(303, `/console/remittances/${remittance.id}?notice=${outcome.explained ? 'explained' : 'alreadyExplained'}`);
    }),
    kit.action('/console/remittances/:remittanceId/post', access, 'Post a reviewed remittance (a corrected file reverses the one it replaces); posting twice posts once', async (req, res, session) => {
      const remittance = await remittanceInPath(req, session.organization.id);
      if ((req.body as Record<string, unknown>).confirm !== 'true') throw new ApiError('validation_failed', 'confirm the posting');
      const organization = await kit.organizationOf(session);
      const outcome = await ctx.db.transaction().execute(async (trx) => {
        const done = await postRemittance(trx, organization, remittance.id, session.staffUserId, ctx.now());
        if (done.posted) await audit(trx, req, 'remittance.posted', 'remittance', remittance.id, { members: done.members, reversed: done.reversed });
        return done;
      });
      res.redirect(303, `/console/remittances/${remittance.id}?notice=${outcome.posted ? 'posted' : 'alreadyPosted'}`);
    }),
  ];
}

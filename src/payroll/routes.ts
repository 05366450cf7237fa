import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/database';
import { EMPLOYER_PAY_FREQUENCIES } from '../../db/database-payroll';
import type { AppContext } from '../context';
import { recordBulkRead } from '../audit/audit';
import { answerWith, apiRoute } from '../http/api-route';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { calendarDay, fieldError, memberParams } from '../members/members';
import { findMember } from '../members/queries';
import { columnMappingSchema } from './mapping';
import { employeeNumberHolder, employerNamed, endDeduction, findDeduction, findEmployer, findRemittance, insertEmployer, listEmployers, listRemittances, memberNames, setDeduction, setLineMember, updateEmployer } from './queries';
import { addMemberFromLine, newMemberFromLine } from './new-member';
import { postRemittance, reviewRemittance, uploadRemittance } from './remittances';
import { explainSuspense } from './suspense';
import { employerReport } from './report';
import {
  deductionResponse,
  employerListResponse,
  employerReportResponse,
  employerResponse,
  explainResponse,
  namedInReview,
  newMemberResponse,
  postResponse,
  presentDeduction,
  presentEmployer,
  presentRemittance,
  presentReview,
  remittanceListResponse,
  remittanceReviewResponse,
  uploadResponse,
} from './responses';

const noNul = (value: string) => !value.includes('\u0000');
const text = (max: number) => z.string().trim().min(1).max(max).refine(noNul, 'contains a NUL character');
const optionalText = (max: number) => z.union([text(max), z.literal('').transform(() => null), z.null()]).optional();

const employerFields = {
  name: text(200),
  contactName: optionalText(200),
  contactEmail: z.union([z.email().max(254), z.literal('').transform(() => null), z.null()]).optional(),
  contactPhone: optionalText(40),
  payFrequency: z.enum(EMPLOYER_PAY_FREQUENCIES as ['weekly', 'biweekly', 'semimonthly', 'monthly']),
  worksites: z.array(text(200)).max(200).optional(),
  columnMapping: columnMappingSchema.nullable().optional(),
};
export const employerBody = z.object(employerFields).strict();
export const employerChanges = z.object(employerFields).partial().strict().refine((changes) => Object.keys(changes).length > 0, 'send at least one field');
export const employerParams = z.object({ employerId: z.uuid() });
export const remittanceParams = z.object({ remittanceId: z.uuid() });
const lineParams = z.object({ remittanceId: z.uuid(), row: z.coerce.number().int().min(1).max(1_000_000) });

const explainBody = z.object({ resolution: z.enum(['dues_income', 'employer']), note: text(1000) }).strict();

const cents = z.coerce.number().int().min(1).max(10_000_000_000);
export const uploadQuery = z
  .object({
    periodStart: calendarDay,
    periodEnd: calendarDay,
    payDate: calendarDay.optional(),
    receivedOn: calendarDay,
    amountReceivedCents: cents,
    fileName: text(200).optional(),
    /** The column mapping as JSON, the first time (it is kept on the employer). */
    mapping: z.string().max(2000).optional(),
  })
  .strict()
  .refine((q) => q.periodEnd >= q.periodStart, { message: 'the pay period ends before it starts', path: ['periodEnd'] });

const deductionBody = z.object({ employerId: z.uuid(), employeeNumber: z.union([text(64), z.null()]).optional() }).strict();
const lineMemberBody = z.object({ memberId: z.uuid(), rememberEmployeeNumber: z.boolean().optional() }).strict();
const postBody = z.object({ confirm: z.literal(true) }).strict();

function mappingFrom(json: string | undefined) {
  if (json === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw fieldError('query.mapping', 'the mapping is not JSON');
  }
  const parsed = columnMappingSchema.safeParse(value);
  if (!parsed.success) throw new ApiError('validation_failed', 'the request has invalid fields', { fields: parsed.error.issues.map((issue) => ({ path: ['query', 'mapping', ...issue.path].join('.'), message: issue.message })) });
  return parsed.data;
}

async function ownEmployer(db: Kysely<Database>, organizationId: string, employerId: string) {
  const employer = await findEmployer(db, organizationId, employerId);
  if (!employer) throw notFound('employer');
  return employer;
}

async function ownRemittance(db: Kysely<Database>, organizationId: string, remittanceId: string) {
  const remittance = await findRemittance(db, organizationId, remittanceId);
  if (!remittance) throw notFound('remittance');
  return remittance;
}

const UPLOAD_MESSAGES = {
  created: 'the file was read and matched; review its exceptions, then post it',
  same_file_draft: 'this file was uploaded already and awaits posting; nothing new was read',
  already_posted: 'this file was posted already for this employer and pay period; nothing was posted again',
} as const;

/** Employers, members' payroll deduction, and remittances: the same as the console's pages, for employers' systems that send files directly. */
export function payrollRoutes(ctx: AppContext): RouteDefinition[] {
  const reviewOf = async (remittance: Awaited<ReturnType<typeof ownRemittance>>) => {
    const review = await reviewRemittance(ctx.db, remittance);
    return presentReview(review, await memberNames(ctx.db, remittance.organization_id, namedInReview(review)));
  };
  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/employers',
      access: ['admin', 'treasurer'],
      responses: { 200: employerListResponse },
      summary: 'The employers that deduct members’ dues from their pay, with how many members each deducts for',
      answer: async ({ me }) => ({ employers: (await listEmployers(ctx.db, me.organizationId)).map(presentEmployer) }),
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/employers',
      access: ['admin', 'treasurer'],
      requestBody: employerBody,
      responses: { 201: employerResponse },
      summary: 'Add an employer (name, contact, pay frequency, worksites, the column mapping of its remittance files)',
      answer: async ({ me, body, audit }) => {
        const employer = await ctx.db.transaction().execute(async (trx) => {
          if (await employerNamed(trx, me.organizationId, body.name)) throw new ApiError('conflict', 'an employer of this name exists', { fields: [{ path: 'body.name', message: 'already used' }] });
          const created = await insertEmployer(trx, me.organizationId, { contactName: null, contactEmail: null, contactPhone: null, worksites: [], columnMapping: null, ...body }, ctx.now());
          await audit('employer.created', { subjectType: 'employer', subjectId: created.id }, trx);
          return created;
        });
        return presentEmployer(employer);
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/employers/:employerId',
      params: employerParams,
      access: ['admin', 'treasurer'],
      responses: { 200: employerResponse },
      summary: 'One employer',
      find: ({ me, params }) => ownEmployer(ctx.db, me.organizationId, params.employerId),
      answer: async ({ found }) => presentEmployer(found),
    }),
    apiRoute(ctx, {
      method: 'patch',
      path: '/api/employers/:employerId',
      params: employerParams,
      access: ['admin', 'treasurer'],
      requestBody: employerChanges,
      responses: { 200: employerResponse },
      summary: "Change an employer's details or the column mapping of its files",
      find: ({ me, params }) => ownEmployer(ctx.db, me.organizationId, params.employerId),
      answer: async ({ me, found, body, audit }) => {
        const employer = await ctx.db.transaction().execute(async (trx) => {
          if (body.name !== undefined && (await employerNamed(trx, me.organizationId, body.name, found.id))) throw new ApiError('conflict', 'an employer of this name exists', { fields: [{ path: 'body.name', message: 'already used' }] });
          const updated = await updateEmployer(trx, me.organizationId, found.id, body, ctx.now());
          await audit('employer.updated', { subjectType: 'employer', subjectId: found.id, details: { fields: Object.keys(body) } }, trx);
          return updated!;
        });
        return presentEmployer(employer);
      },
    }),
    apiRoute(ctx, {
      method: 'put',
      path: '/api/members/:memberId/payroll-deduction',
      params: memberParams,
      access: ['admin', 'treasurer'],
      requestBody: deductionBody,
      responses: { 200: deductionResponse },
      summary: "Pay a member's dues by payroll deduction: their employer and employee number (a member who changes employer is moved)",
      find: async ({ me, params }) => {
        const member = await findMember(ctx.db, me.organizationId, params.memberId);
        if (!member) throw notFound('member');
        return member;
      },
      answer: async ({ me, found: member, body, audit }) => {
        return ctx.db.transaction().execute(async (trx) => {
          if (!(await findEmployer(trx, me.organizationId, body.employerId))) throw fieldError('body.employerId', 'no such employer in this organization');
          const number = body.employeeNumber ?? null;
          if (number !== null && (await employeeNumberHolder(trx, me.organizationId, body.employerId, number, member.id))) throw new ApiError('conflict', 'another member of this employer has this employee number', { fields: [{ path: 'body.employeeNumber', message: 'already used at this employer' }] });
          const deduction = await setDeduction(trx, me.organizationId, member.id, body.employerId, number, ctx.now());
          await audit('member.payroll_deduction_set', { subjectType: 'member', subjectId: member.id, details: { employerId: body.employerId } }, trx);
          return presentDeduction(deduction);
        });
      },
    }),
    apiRoute(ctx, {
      method: 'delete',
      path: '/api/members/:memberId/payroll-deduction',
      params: memberParams,
      access: ['admin', 'treasurer'],
      responses: { 204: 'no body' },
      summary: "Stop paying a member's dues by payroll deduction (they left the job, or revoked it)",
      find: async ({ me, params }) => {
        if (!(await findDeduction(ctx.db, me.organizationId, params.memberId))) throw notFound('payroll deduction');
      },
      answer: async ({ me, params, audit }) => {
        await ctx.db.transaction().execute(async (trx) => {
          await endDeduction(trx, me.organizationId, params.memberId);
          await audit('member.payroll_deduction_ended', { subjectType: 'member', subjectId: params.memberId }, trx);
        });
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/employers/:employerId/remittances',
      params: employerParams,
      access: ['admin', 'treasurer'],
      responses: { 200: remittanceListResponse },
      summary: "An employer's remittances, latest pay period first",
      find: ({ me, params }) => ownEmployer(ctx.db, me.organizationId, params.employerId),
      answer: async ({ me, found }) => ({
        remittances: (await listRemittances(ctx.db, me.organizationId, found.id)).map((r) => ({ ...presentRemittance(r), employerName: r.employer_name, linesTotalCents: Number(r.lines_total_cents), lines: r.lines })),
      }),
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/employers/:employerId/report',
      params: employerParams,
      access: ['admin', 'treasurer'],
      responses: { 200: employerReportResponse },
      summary: 'Per pay period: the dues expected from the members the employer deducts for, what its file remitted, what was received, and days from pay date to receipt',
      find: ({ me, params }) => ownEmployer(ctx.db, me.organizationId, params.employerId),
      answer: async ({ me, found }) => ({ rows: await employerReport(ctx.db, me.organizationId, found.id) }),
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/employers/:employerId/remittances',
      params: employerParams,
      query: uploadQuery,
      body: 'file',
      access: ['admin', 'treasurer'],
      responses: { 200: uploadResponse, 201: uploadResponse },
      summary: "Upload an employer's remittance file (CSV or XLSX) for a pay period with the amount received: read and matched, nothing posted; the same file again is recognised",
      find: ({ me, params }) => ownEmployer(ctx.db, me.organizationId, params.employerId),
      answer: async ({ req, me, found: employer, query, organization: organizationOf, audit }) => {
        const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const mapping = mappingFrom(query.mapping);
        const organization = await organizationOf();
        const outcome = await ctx.db.transaction().execute(async (trx) => {
          const done = await uploadRemittance(trx, {
            organization,
            employer,
            periodStart: query.periodStart,
            periodEnd: query.periodEnd,
            payDate: query.payDate ?? null,
            receivedOn: query.receivedOn,
            amountReceivedCents: query.amountReceivedCents,
            fileName: query.fileName ?? null,
            bytes,
            mapping,
            staffUserId: me.staffUserId,
            at: ctx.now(),
          });
          if (done.outcome === 'created') await audit('remittance.uploaded', { subjectType: 'remittance', subjectId: done.remittance.id, details: { employerId: employer.id, replaced: done.replaced } }, trx);
          return done;
        });
        const body = { outcome: outcome.outcome, replaced: outcome.replaced, message: UPLOAD_MESSAGES[outcome.outcome], review: await reviewOf(outcome.remittance) };
        return answerWith(outcome.outcome === 'created' ? 201 : 200, body);
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/remittances/:remittanceId',
      params: remittanceParams,
      access: ['admin', 'treasurer'],
      responses: { 200: remittanceReviewResponse },
      summary: 'A remittance with its lines and its exceptions: unmatched and proposed lines, amounts other than the dues, members missing from the file, a total other than the money received',
      find: ({ me, params }) => ownRemittance(ctx.db, me.organizationId, params.remittanceId),
      answer: async ({ req, found }) => {
        const review = await reviewOf(found);
        await recordBulkRead(ctx.db, req, { action: 'remittance.read', rows: review.lines.length, filters: { remittanceId: found.id }, at: ctx.now() });
        return review;
      },
    }),
    apiRoute(ctx, {
      method: 'put',
      path: '/api/remittances/:remittanceId/lines/:row/member',
      params: lineParams,
      access: ['admin', 'treasurer'],
      requestBody: lineMemberBody,
      responses: { 200: remittanceReviewResponse },
      summary: 'Say which member a line of a remittance not yet posted is ("this is member …"); optionally keep its employee number on the member',
      find: ({ me, params }) => ownRemittance(ctx.db, me.organizationId, params.remittanceId),
      answer: async ({ me, params, found, body, audit }) => {
        if (found.status !== 'draft') throw new ApiError('conflict', 'only a remittance not yet posted can be changed; upload a corrected file');
        await ctx.db.transaction().execute(async (trx) => {
          if (!(await findMember(trx, me.organizationId, body.memberId))) throw fieldError('body.memberId', 'no such member in this organization');
          const line = await trx.selectFrom('remittance_lines').select('employee_number').where('organization_id', '=', me.organizationId).where('remittance_id', '=', found.id).where('row_number', '=', params.row).executeTakeFirst();
          if (!line) throw notFound('line');
          await setLineMember(trx, me.organizationId, found.id, params.row, body.memberId);
          if (body.rememberEmployeeNumber) {
            const holder = line.employee_number === null ? undefined : await employeeNumberHolder(trx, me.organizationId, found.employer_id, line.employee_number, body.memberId);
            if (holder) throw new ApiError('conflict', 'another member of this employer has this employee number', { fields: [{ path: 'body.rememberEmployeeNumber', message: 'the number belongs to another member' }] });
            await setDeduction(trx, me.organizationId, body.memberId, found.employer_id, line.employee_number, ctx.now());
          }
          await audit('remittance.line_matched', { subjectType: 'remittance', subjectId: found.id, details: { row: params.row, memberId: body.memberId } }, trx);
        });
        return reviewOf(found);
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/remittances/:remittanceId/post',
      params: remittanceParams,
      access: ['admin', 'treasurer'],
      requestBody: postBody,
      responses: { 200: postResponse },
      summary: 'Post a reviewed remittance (confirm: true): one ledger transaction, a payroll-deduction payment per member, a corrected file reversing the one it replaces; posting twice posts once',
      find: ({ me, params }) => ownRemittance(ctx.db, me.organizationId, params.remittanceId),
      answer: async ({ me, found, organization: organizationOf, audit }) => {
        const organization = await organizationOf();
        const outcome = await ctx.db.transaction().execute(async (trx) => {
          const done = await postRemittance(trx, organization, found.id, me.staffUserId, ctx.now());
          if (done.posted) await audit('remittance.posted', { subjectType: 'remittance', subjectId: found.id, details: { members: done.members, reversed: done.reversed } }, trx);
          return done;
        });
        if (!outcome.posted) return { posted: false, alreadyPosted: true, message: 'this remittance was posted already; nothing was posted again' };
        return {
          posted: true,
          alreadyPosted: false,
          message: outcome.reversed ? 'posted; the remittance it corrects was reversed' : 'posted',
          members: outcome.members,
          duesCents: outcome.duesCents,
          suspenseCents: outcome.suspenseCents,
          reversedRemittanceId: outcome.reversed,
        };
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/remittances/:remittanceId/lines/:row/new-member',
      params: lineParams,
      access: ['admin', 'treasurer'],
      requestBody: newMemberFromLine,
      responses: { 201: newMemberResponse },
      summary: '"Add as a new member" for a line of a remittance not yet posted that matches no one: the member on payroll deduction with the employer and the line\'s employee number, the line matched to them',
      find: ({ me, params }) => ownRemittance(ctx.db, me.organizationId, params.remittanceId),
      answer: async ({ me, params, found, body, organization: organizationOf, audit }) => {
        const organization = await organizationOf();
        const memberId = await ctx.db.transaction().execute(async (trx) => {
          const id = await addMemberFromLine(trx, organization, found, params.row, body, me.staffUserId, ctx.now());
          await audit('member.created', { subjectType: 'member', subjectId: id, details: { remittanceId: found.id, row: params.row } }, trx);
          await audit('remittance.line_matched', { subjectType: 'remittance', subjectId: found.id, details: { row: params.row, memberId: id, newMember: true } }, trx);
          return id;
        });
        return answerWith(201, { memberId, review: await reviewOf(found) });
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/remittances/:remittanceId/suspense',
      params: remittanceParams,
      access: ['admin', 'treasurer'],
      requestBody: explainBody,
      responses: { 200: explainResponse },
      summary: "Explain a posted remittance's payroll suspense with a note: cleared to dues income, or owed with the employer (a refund owed to it, or a shortfall it owes); once, so its month can close",
      find: ({ me, params }) => ownRemittance(ctx.db, me.organizationId, params.remittanceId),
      answer: async ({ me, found, body, audit }) => {
        const outcome = await ctx.db.transaction().execute(async (trx) => {
          const done = await explainSuspense(trx, me.organizationId, found.id, { ...body, staffUserId: me.staffUserId, at: ctx.now() });
          if (done.explained) await audit('remittance.suspense_explained', { subjectType: 'remittance', subjectId: found.id, details: { resolution: body.resolution, heldCents: done.heldCents } }, trx);
          return done;
        });
        if (!outcome.explained) return { explained: false, alreadyExplained: true, message: 'this remittance\'s payroll suspense was explained already; nothing was posted again' };
        return { explained: true, alreadyExplained: false, message: 'explained and cleared out of payroll suspense', clearedCents: outcome.heldCents };
      },
    }),
  ];
}

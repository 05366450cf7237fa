import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, Organization } from '../../db/database';
import type { AppContext } from '../context';
import { recordBulkRead } from '../audit/audit';
import { answerWith, apiRoute } from '../http/api-route';
import { ApiError, errorBody, notFound } from '../http/errors';
import { ALL_STAFF, type RouteDefinition } from '../http/routes';
import { todayIn } from '../organizations/calendar';
import { findPlan } from '../plans/queries';
import { checkOrganizer, checkPlanAndFacts, checkUnique, memberInPath } from './checks';
import { readRoll } from './import';
import { rollCheckedDetails, runRoll } from './roll-import';
import {
  checkWageFacts,
  encodeCursor,
  fieldError,
  fieldsNotAllowed,
  manualPaymentSchema,
  memberChangesSchema,
  memberListQuery,
  memberParams,
  memberViewFor,
  newMemberSchema,
  presentManualPayment,
  presentMember,
  presentMemberRecord,
} from './members';
import { memberCreditCents, recordManualPayment } from './payments';
import { decideStanding } from './decisions';
import { deriveMembers } from './derivation';
import {
  conflictFrom,
  findMember,
  findMemberForUpdate,
  insertMembers,
  listManualPayments,
  listMembers,
  planTerms,
  updateMember,
} from './queries';
import { recordInitialStandings, standingHistory } from './standing';
import { importCheckedResponse, importedResponse, manualPaymentRecordedResponse, memberListResponse, memberRecordResponse, memberResponse } from './responses';

const importQuery = z.object({ dryRun: z.enum(['true', 'false']).optional(), mode: z.enum(['add', 'update']).default('add') }).strict();

/** Runs a change of members, answering a unique index lost to a concurrent request as the 409 it is. */
async function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(work);
  } catch (error) {
    throw conflictFrom(error) ?? error;
  }
}

export function memberRoutes(ctx: AppContext): RouteDefinition[] {
  const today = (organization: Organization) => todayIn(organization.time_zone, ctx.now());
  const ownMember = (call: Parameters<typeof memberInPath>[1]) => memberInPath(ctx.db, call);

  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/members',
      responses: { 200: memberListResponse },
      query: memberListQuery,
      access: ALL_STAFF,
      summary: 'Members, filtered by standing, plan, worksite, organizer or a search, a page at a time by name',
      answer: async ({ req, me, query }) => {
        const view = memberViewFor(me.roles);
        // Which plan a member pays on is a payment detail: organizers may not select members by it.
        if (view === 'contact' && query.planId !== undefined) throw new ApiError('forbidden', 'filtering by plan needs the treasurer or admin role');
        const page = await listMembers(ctx.db, me.organizationId, query);
        const { cursor, ...filters } = query;
        await recordBulkRead(ctx.db, req, { action: 'member.listed', rows: page.members.length, filters: { ...filters, paged: cursor !== undefined }, at: ctx.now() });
        const last = page.members[page.members.length - 1];
        return { data: page.members.map((member) => presentMember(member, view)), nextCursor: page.more && last ? encodeCursor(last) : null };
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/members',
      responses: { 201: memberResponse },
      requestBody: newMemberSchema,
      access: ['admin', 'treasurer'],
      summary: 'Add a member',
      answer: async ({ me, body: input, organization: organizationOf, audit }) => {
        const organization = await organizationOf();
        const member = await inTransaction(ctx.db, async (trx) => {
          await checkUnique(trx, me.organizationId, { email: input.email, externalId: input.externalId });
          if (input.organizerStaffUserId) await checkOrganizer(trx, me.organizationId, input.organizerStaffUserId);
          if (!input.planId && input.wageFacts !== undefined) throw fieldError('body.wageFacts', 'wage facts go with a plan: give planId too');
          const onPlan = input.planId
            ? await checkPlanAndFacts(trx, me.organizationId, { planId: input.planId, wageFacts: input.wageFacts ?? {}, joining: true, today: today(organization) })
            : undefined;
          const [created] = await insertMembers(trx, me.organizationId, [
            {
              name: input.name,
              email: input.email,
              phone: input.phone ?? null,
              preferred_language: input.preferredLanguage,
              employer: input.employer ?? null,
              worksite: input.worksite ?? null,
              member_class: input.memberClass ?? onPlan?.plan.member_class,
              organizer_staff_user_id: input.organizerStaffUserId ?? null,
              external_id: input.externalId ?? null,
              plan_id: onPlan?.plan.id ?? null,
              wage_facts: JSON.stringify(onPlan?.wageFacts ?? {}),
              joined_on: input.joinedOn ?? null,
              standing: input.standing,
            },
          ], ctx.now());
          await recordInitialStandings(trx, me.organizationId, [created!], 'created_by_staff', me.staffUserId, ctx.now());
          await audit('member.created', { subjectType: 'member', subjectId: created!.id }, trx);
          return created!;
        });
        return presentMember(member, 'full');
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/members/import',
      responses: { 200: importCheckedResponse, 201: importedResponse },
      query: importQuery,
      access: ['admin', 'treasurer'],
      body: 'csv',
      summary: 'Import a roll of members from CSV (?dryRun=true only checks it; ?mode=update updates the members a row names by email or member number instead of refusing them): every row valid, or nothing imported; both say the standing each new member will have at the next scan',
      answer: async ({ req, me, query, organization: organizationOf, audit }) => {
        const dryRun = query.dryRun === 'true';
        const rows = readRoll(typeof req.body === 'string' ? req.body : '');
        const organization = await organizationOf();
        const outcome = await inTransaction(ctx.db, async (trx) => {
          const run = await runRoll(trx, me, organization, rows, { mode: query.mode, dryRun, now: ctx.now() });
          if (run.written) await audit('member.imported', { subjectType: 'organization', subjectId: me.organizationId, details: { rows: run.check.accepted.length, updated: run.check.updates.length, mode: query.mode } }, trx);
          else await audit('member.import_checked', { subjectType: 'organization', subjectId: me.organizationId, details: rollCheckedDetails(rows.length, run, query.mode) }, trx);
          return run;
        });
        const { check, preview } = outcome;
        const nextScan = { on: preview.on, lapsed: preview.lapsed, suspended: preview.suspended, dropped: preview.dropped, standings: preview.standings, members: preview.members };
        const named = { updated: check.updates.length, unchanged: check.unchanged.length };
        if (dryRun) return answerWith(200, { dryRun: true, accepted: check.accepted.length, ...named, rejected: check.rejected, nextScan });
        if (check.rejected.length === 0) return answerWith(201, { imported: check.accepted.length, ...named, nextScan });
        // 422: the file was read, but its rows cannot all be imported; the error shape is the usual one.
        const rejectedRows = new Set(check.rejected.map((rejection) => rejection.row)).size;
        const error = new ApiError('validation_failed', `${rejectedRows} of ${rows.length} rows were rejected; nothing was imported`, {
          rejected: check.rejected,
          accepted: check.accepted.length,
        });
        return answerWith(422, errorBody(error));
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/members/:memberId',
      responses: { 200: memberRecordResponse },
      params: memberParams,
      access: ALL_STAFF,
      summary: 'One member with the history of their standing (and, for treasurers, payments and dues)',
      find: ownMember,
      answer: async ({ me, found: member, organization: organizationOf }) => {
        const view = memberViewFor(me.roles);
        const history = await standingHistory(ctx.db, me.organizationId, member.id);
        // Months in arrears move with the calendar: worked out for today from the member's facts.
        const [standing] = await deriveMembers(ctx.db, [{ organizationId: me.organizationId, memberId: member.id, cause: 'read' }], ctx.now());
        const withArrears = { ...member, monthsInArrears: standing?.derived.monthsInArrears ?? 0 };
        if (view === 'contact') return presentMemberRecord(withArrears, view, history, undefined);
        const organization = await organizationOf();
        const plan = member.plan_id === null ? undefined : await findPlan(ctx.db, me.organizationId, member.plan_id);
        const terms = plan && (await planTerms(ctx.db, plan, today(organization))).terms;
        const dues = terms && checkWageFacts(terms, member.wage_facts);
        return presentMemberRecord(withArrears, view, history, {
          duesCents: dues?.ok ? dues.duesCents : null,
          currency: plan?.currency ?? organization.currency,
          manualPayments: await listManualPayments(ctx.db, me.organizationId, member.id),
          creditCents: await memberCreditCents(ctx.db, me.organizationId, member.id),
        });
      },
    }),
    apiRoute(ctx, {
      method: 'patch',
      path: '/api/members/:memberId',
      responses: { 200: memberResponse },
      params: memberParams,
      requestBody: memberChangesSchema,
      access: ALL_STAFF,
      summary: "Change a member's details (organizers: contact details and organizer; admins: standing too)",
      find: ownMember,
      answer: async ({ me, found: { id: memberId }, body: changes, organization: organizationOf, audit }) => {
        const refused = fieldsNotAllowed(me.roles, changes);
        if (refused.length > 0) {
          throw new ApiError('forbidden', `your role may not change: ${refused.join(', ')}`, { fields: refused.map((field) => ({ path: `body.${field}`, message: 'not allowed for your role' })) });
        }
        const organization = await organizationOf();
        const member = await inTransaction(ctx.db, async (trx) => {
          const current = await findMemberForUpdate(trx, me.organizationId, memberId);
          if (!current) throw notFound('member');
          const emailChanged = changes.email !== undefined && changes.email.toLowerCase() !== current.email.toLowerCase();
          await checkUnique(trx, me.organizationId, { email: emailChanged ? changes.email : undefined, externalId: changes.externalId }, memberId);
          if (changes.organizerStaffUserId) await checkOrganizer(trx, me.organizationId, changes.organizerStaffUserId);

          const planId = changes.planId === undefined ? current.plan_id : changes.planId;
          let wageFacts = changes.wageFacts;
          if (planId === null) {
            if (changes.wageFacts !== undefined) throw fieldError('body.wageFacts', 'wage facts go with a plan: give planId too');
            wageFacts = {};
          } else if (changes.planId !== undefined || changes.wageFacts !== undefined) {
            const joining = planId !== current.plan_id;
            wageFacts = (await checkPlanAndFacts(trx, me.organizationId, { planId, wageFacts: changes.wageFacts ?? current.wage_facts, joining, today: today(organization) })).wageFacts;
          }

          await updateMember(trx, me.organizationId, memberId, {
            ...(changes.name !== undefined ? { name: changes.name } : {}),
            ...(changes.email !== undefined ? { email: changes.email } : {}),
            ...(changes.phone !== undefined ? { phone: changes.phone } : {}),
            ...(changes.preferredLanguage !== undefined ? { preferred_language: changes.preferredLanguage } : {}),
            ...(changes.employer !== undefined ? { employer: changes.employer } : {}),
            ...(changes.worksite !== undefined ? { worksite: changes.worksite } : {}),
            ...(changes.memberClass !== undefined ? { member_class: changes.memberClass } : {}),
            ...(changes.organizerStaffUserId !== undefined ? { organizer_staff_user_id: changes.organizerStaffUserId } : {}),
            ...(changes.externalId !== undefined ? { external_id: changes.externalId } : {}),
            ...(changes.joinedOn !== undefined ? { joined_on: changes.joinedOn } : {}),
            plan_id: planId,
            ...(wageFacts !== undefined ? { wage_facts: JSON.stringify(wageFacts) } : {}),
          }, ctx.now());
          const standing = changes.standing === undefined ? undefined : await decideStanding(trx, { organizationId: me.organizationId, memberId, staffUserId: me.staffUserId, to: changes.standing, reason: changes.standingReason, now: ctx.now() });
          await audit(
            'member.updated',
            {
              subjectType: 'member',
              subjectId: memberId,
              details: { fields: Object.keys(changes), ...(standing?.changed ? { standing: { from: standing.from, to: standing.derived.standing, reason: changes.standingReason ?? null } } : {}) },
            },
            trx,
          );
          return (await findMember(trx, me.organizationId, memberId))!;
        });
        return presentMember(member, memberViewFor(me.roles));
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/members/:memberId/payments',
      responses: { 201: manualPaymentRecordedResponse },
      params: memberParams,
      requestBody: manualPaymentSchema,
      access: ['admin', 'treasurer'],
      summary: 'Record a cash, check or payroll-deduction payment against the dues of the periods it names (less is refused unless partial; more is kept as credit)',
      find: ownMember,
      answer: async ({ me, found: { id: memberId }, body: payment, organization: organizationOf, audit }) => {
        const organization = await organizationOf();
        const receivedOn = payment.receivedOn ?? today(organization);
        if (receivedOn > today(organization)) throw fieldError('body.receivedOn', 'the day the money was received cannot be in the future');
        const recorded = await ctx.db.transaction().execute(async (trx) => {
          const result = await recordManualPayment(trx, { organizationId: me.organizationId, memberId, currency: organization.currency, receivedOn, staffUserId: me.staffUserId, payment, at: ctx.now() });
          await audit(
            'member.manual_payment_recorded',
            {
              subjectType: 'member',
              subjectId: memberId,
              details: { paymentId: result.payment.id, method: payment.method, amountCents: payment.amountCents, currency: organization.currency, periodEnd: payment.periodEnd, ...(payment.partial ? { partial: true } : {}) },
            },
            trx,
          );
          return result;
        });
        return {
          ...presentManualPayment(recorded.payment),
          periods: recorded.periods.map((p) => ({ start: p.start, end: p.end, duesCents: p.duesCents, appliedCents: p.appliedCents })),
          memberCreditCents: recorded.memberCreditCents,
          member: presentMember(recorded.member, 'full'),
        };
      },
    }),
  ];
}

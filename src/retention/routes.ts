import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { ExemptionKind, Organization, OutreachChannel, OutreachOutcome } from '../../db/database';
import type { AppContext } from '../context';
import { recordBulkRead } from '../audit/audit';
import { apiRoute, type ApiCall } from '../http/api-route';
import { ApiError } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { todayIn } from '../organizations/calendar';
import { checkOrganizer, memberInPath } from '../members/checks';
import { calendarDay, fieldError, memberParams } from '../members/members';
import { rederiveMember } from '../members/derivation';
import { applyPolicyChanges, policyChangesSchema, policyProblems } from './policy';
import { signalLabel } from './digest';
import {
  exemptionOverlaps,
  insertExemption,
  listAtRisk,
  listExemptions,
  listLapsed,
  listOutreach,
  listWorksiteOrganizers,
  loadPolicy,
  retentionMetrics,
  savePolicy,
  setWorksiteOrganizer,
  type CallListRow,
  type ListFilters,
} from './queries';
import { AT_RISK_SIGNALS } from './scan';
import { OUTREACH_CHANNELS, OUTREACH_OUTCOMES, recordOutreach } from './outreach';
import { callListResponse, exemptionEntry, exemptionListResponse, outreachListResponse, outreachRecordedResponse, policyResponse, retentionMetricsResponse, worksiteOrganizerListResponse } from './responses';

const EXEMPTION_KINDS: readonly ExemptionKind[] = ['hardship', 'layoff', 'leave', 'retired'];
const noNul = (value: string) => !value.includes('\u0000');
const optionalNote = z.string().trim().min(1).max(2000).refine(noNul, 'contains a NUL character').optional();

const outreachSchema = z
  .object({
    channel: z.enum(OUTREACH_CHANNELS as [OutreachChannel, ...OutreachChannel[]]),
    outcome: z.enum(OUTREACH_OUTCOMES as [OutreachOutcome, ...OutreachOutcome[]]),
    note: optionalNote,
    followUpOn: calendarDay.optional(),
    promisedOn: calendarDay.optional(),
  })
  .strict()
  .refine((o) => (o.outcome === 'promised_to_pay') === (o.promisedOn !== undefined), { path: ['promisedOn'], message: 'a promise to pay has the day promised, and only a promise has one' });

const exemptionSchema = z
  .object({ kind: z.enum(EXEMPTION_KINDS as [ExemptionKind, ...ExemptionKind[]]), startsOn: calendarDay, endsOn: calendarDay.nullable().optional(), note: optionalNote })
  .strict()
  .refine((e) => e.endsOn === undefined || e.endsOn === null || e.endsOn >= e.startsOn, { path: ['endsOn'], message: 'the exemption ends before it starts' });

const worksiteOrganizerSchema = z
  .object({ worksite: z.string().trim().min(1).max(200).refine(noNul, 'contains a NUL character'), organizerStaffUserId: z.uuid().nullable() })
  .strict();

const filterText = z.string().trim().max(200).refine(noNul, 'contains a NUL character').transform((value) => (value === '' ? undefined : value)).optional();
const listQuery = (reasons: readonly [string, ...string[]]) =>
  z
    .object({
      worksite: filterText,
      organizerId: z.uuid().optional(),
      reason: z.enum(reasons).optional(),
      monthsInArrears: z.coerce.number().int().min(0).max(1200).optional(),
      format: z.enum(['json', 'csv']).default('json'),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    })
    .strict();
const lapsedQuery = listQuery(['lapsed', 'suspended', 'dropped']);
const atRiskQuery = listQuery(AT_RISK_SIGNALS);
const metricsQuery = z.object({ month: z.string().regex(/^(19|2\d)\d\d-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM').optional() }).strict();

// The most rows one CSV export carries: a call list, not a dump of the roll.
const CSV_MAX_ROWS = 50_000;

/** A cell a spreadsheet would run as a formula is prefixed with a quote, so an exported name cannot execute. */
export function neutralizeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function presentCallListRow(row: CallListRow) {
  return {
    memberId: row.member_id,
    name: row.name,
    phone: row.phone,
    email: row.email,
    preferredLanguage: row.preferred_language,
    worksite: row.worksite,
    organizerStaffUserId: row.organizer_staff_user_id,
    organizerName: row.organizer_name,
    standing: row.standing,
    standingReason: row.standing_reason,
    reason: row.reason,
    monthsInArrears: row.months_in_arrears,
    paidThrough: row.paid_through,
    since: row.since,
    lastOutreachOutcome: row.last_outreach_outcome,
    lastOutreachOn: row.last_outreach_on,
    followUpOn: row.follow_up_on,
  };
}

function callListCsv(rows: CallListRow[]): string {
  const header = ['name', 'phone', 'email', 'preferred_language', 'worksite', 'organizer', 'standing', 'reason', 'months_in_arrears', 'paid_through', 'since', 'last_outreach', 'last_outreach_on', 'follow_up_on', 'standing_reason'];
  const body = rows.map((row) =>
    [row.name, row.phone, row.email, row.preferred_language, row.worksite, row.organizer_name, row.standing, signalLabel(row.reason), String(row.months_in_arrears), row.paid_through, row.since, row.last_outreach_outcome, row.last_outreach_on, row.follow_up_on, row.standing_reason].map(
      (cell) => neutralizeCell(cell ?? ''),
    ),
  );
  return stringify([header, ...body]);
}

function presentOutreach(row: Awaited<ReturnType<typeof listOutreach>>[number]) {
  return {
    id: row.id,
    memberId: row.member_id,
    staffUserId: row.staff_user_id,
    episodeId: row.episode_id,
    channel: row.channel,
    outcome: row.outcome,
    note: row.note,
    followUpOn: row.follow_up_on,
    promisedOn: row.promised_on,
    contactedOn: row.contacted_on,
    createdAt: row.created_at,
  };
}

function presentExemption(row: Awaited<ReturnType<typeof listExemptions>>[number]) {
  return { id: row.id, memberId: row.member_id, kind: row.kind, startsOn: row.starts_on, endsOn: row.ends_on, note: row.note, createdAt: row.created_at };
}

type CallListQuery = z.output<typeof lapsedQuery> | z.output<typeof atRiskQuery>;

export function retentionRoutes(ctx: AppContext): RouteDefinition[] {
  const todayOf = async (organization: () => Promise<Organization>) => todayIn((await organization()).time_zone, ctx.now());
  const ownMember = (call: Parameters<typeof memberInPath>[1]) => memberInPath(ctx.db, call);

  /** A call list as JSON, or as CSV with the export in the audit log. */
  function callList(kind: 'lapsed' | 'at_risk') {
    return async ({ req, res, me, query, organization, audit }: ApiCall<undefined, CallListQuery>) => {
      const today = await todayOf(organization);
      const csv = query.format === 'csv';
      const filters: ListFilters = {
        worksite: query.worksite,
        organizerId: query.organizerId,
        reason: query.reason,
        minMonthsInArrears: query.monthsInArrears,
        limit: csv ? CSV_MAX_ROWS : query.limit,
        offset: csv ? 0 : query.offset,
      };
      const rows = kind === 'lapsed' ? await listLapsed(ctx.db, me.organizationId, today, filters) : await listAtRisk(ctx.db, me.organizationId, today, filters);
      if (!csv) {
        const { format: _format, ...filtersUsed } = query;
        await recordBulkRead(ctx.db, req, { action: `retention.${kind}_listed`, rows: rows.length, filters: filtersUsed, at: ctx.now() });
        return { data: rows.map(presentCallListRow) };
      }
      const { format: _format, limit: _limit, offset: _offset, ...filtersUsed } = query;
      await audit(`retention.${kind}_exported`, { subjectType: 'organization', subjectId: me.organizationId, details: { rows: rows.length, filters: filtersUsed } });
      res.type('text/csv; charset=utf-8').attachment(`${kind === 'lapsed' ? 'lapsed' : 'at-risk'}-${today}.csv`).send(callListCsv(rows));
      return undefined;
    };
  }

  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/retention/policy',
      responses: { 200: policyResponse },
      access: ['admin'],
      summary: "The organization's good-standing policy (grace, suspension, drop, notices, digest hour, alert list)",
      answer: ({ me }) => loadPolicy(ctx.db, me.organizationId),
    }),
    apiRoute(ctx, {
      method: 'patch',
      path: '/api/retention/policy',
      responses: { 200: policyResponse },
      requestBody: policyChangesSchema,
      access: ['admin'],
      summary: 'Change the good-standing policy; the next daily scan applies it',
      answer: async ({ me, body: changes, audit }) => {
        const policy = await ctx.db.transaction().execute(async (trx) => {
          const next = applyPolicyChanges(await loadPolicy(trx, me.organizationId), changes);
          const problems = policyProblems(next);
          if (problems.length > 0) throw new ApiError('validation_failed', 'the request has invalid fields', { fields: problems });
          await savePolicy(trx, me.organizationId, next, me.staffUserId, ctx.now());
          await audit('retention.policy_changed', { subjectType: 'organization', subjectId: me.organizationId, details: { fields: Object.keys(changes) } }, trx);
          return next;
        });
        return policy;
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/retention/worksite-organizers',
      responses: { 200: worksiteOrganizerListResponse },
      access: ['admin', 'organizer'],
      summary: 'Which organizer each worksite routes alerts to',
      answer: async ({ me }) => {
        const rows = await listWorksiteOrganizers(ctx.db, me.organizationId);
        return { data: rows.map((row) => ({ worksite: row.worksite, organizerStaffUserId: row.organizer_staff_user_id, organizerName: row.name, organizerEmail: row.email })) };
      },
    }),
    apiRoute(ctx, {
      method: 'put',
      path: '/api/retention/worksite-organizers',
      responses: { 200: worksiteOrganizerSchema },
      requestBody: worksiteOrganizerSchema,
      access: ['admin'],
      summary: "Route a worksite's alerts to an organizer (null removes the worksite's organizer)",
      answer: async ({ me, body: input, audit }) => {
        await ctx.db.transaction().execute(async (trx) => {
          if (input.organizerStaffUserId !== null) await checkOrganizer(trx, me.organizationId, input.organizerStaffUserId);
          await setWorksiteOrganizer(trx, me.organizationId, input.worksite, input.organizerStaffUserId, ctx.now());
          await audit('retention.worksite_organizer_set', { subjectType: 'organization', subjectId: me.organizationId, details: input }, trx);
        });
        return input;
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/retention/lapsed',
      responses: { 200: callListResponse },
      otherContent: ['text/csv'],
      query: lapsedQuery,
      access: ['admin', 'organizer'],
      summary: 'Lapsed, suspended and dropped members to call, filtered by worksite, organizer, reason (the standing) or months in arrears (?format=csv exports a call list, audited)',
      answer: callList('lapsed'),
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/retention/at-risk',
      responses: { 200: callListResponse },
      otherContent: ['text/csv'],
      query: atRiskQuery,
      access: ['admin', 'organizer'],
      summary: 'Members at risk: in good standing with a failed payment, ACH return, card expiring, cancellation scheduled or manual payer due, or signed up with a first payment that failed; same filters and CSV export',
      answer: callList('at_risk'),
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/retention/metrics',
      responses: { 200: retentionMetricsResponse },
      query: metricsQuery,
      access: ['admin', 'organizer'],
      summary: 'Lapsed, recovered, recovery rate, median days to recovery and outreach for a month, per organization, worksite and organizer',
      answer: async ({ me, query, organization }) => {
        const month = query.month ?? (await todayOf(organization)).slice(0, 7);
        const start = `${month}-01`;
        const [year, monthNumber] = month.split('-').map(Number) as [number, number];
        const end = monthNumber === 12 ? `${year + 1}-01-01` : `${year}-${String(monthNumber + 1).padStart(2, '0')}-01`;
        const rows = await retentionMetrics(ctx.db, me.organizationId, start, end);
        const present = (row: (typeof rows)[number]) => ({
          lapsed: row.lapsed,
          recovered: row.recovered,
          recoveryRate: row.lapsed === 0 ? null : Math.round((row.recovered_of_lapsed / row.lapsed) * 1000) / 1000,
          medianDaysToRecovery: row.median_days_to_recovery === null ? null : Number(row.median_days_to_recovery),
          outreach: { contacts: row.contacts, reached: row.reached, recommitted: row.recommitted, resigned: row.resigned },
        });
        const whole = rows.find((row) => row.scope === 'organization');
        return {
          month,
          organization: whole ? present(whole) : present({ scope: 'organization', key: null, lapsed: 0, recovered: 0, recovered_of_lapsed: 0, median_days_to_recovery: null, contacts: 0, reached: 0, recommitted: 0, resigned: 0 }),
          byWorksite: rows.filter((row) => row.scope === 'worksite').map((row) => ({ worksite: row.key, ...present(row) })),
          byOrganizer: rows.filter((row) => row.scope === 'organizer').map((row) => ({ organizerStaffUserId: row.key, ...present(row) })),
        };
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/members/:memberId/outreach',
      responses: { 201: outreachRecordedResponse },
      params: memberParams,
      requestBody: outreachSchema,
      access: ['admin', 'organizer'],
      summary: "Record a contact with a member (channel, outcome, note, follow-up); 'resigned' sets the standing",
      find: ownMember,
      answer: async ({ me, found: { id: memberId }, body: input, organization, audit }) => {
        const today = await todayOf(organization);
        if (input.followUpOn !== undefined && input.followUpOn < today) throw fieldError('body.followUpOn', 'a follow-up is today or later');
        if (input.promisedOn !== undefined && input.promisedOn < today) throw fieldError('body.promisedOn', 'a promise to pay is for today or later');
        const result = await ctx.db.transaction().execute(async (trx) => {
          const recorded = await recordOutreach(trx, {
            organizationId: me.organizationId,
            memberId,
            staffUserId: me.staffUserId,
            channel: input.channel,
            outcome: input.outcome,
            note: input.note ?? null,
            followUpOn: input.followUpOn ?? null,
            promisedOn: input.promisedOn ?? null,
            today,
            now: ctx.now(),
          });
          await audit('member.outreach_recorded', { subjectType: 'member', subjectId: memberId, details: { outreachId: recorded.entryId, channel: input.channel, outcome: input.outcome } }, trx);
          const entry = await trx.selectFrom('outreach_log').selectAll().where('organization_id', '=', me.organizationId).where('id', '=', recorded.entryId).executeTakeFirstOrThrow();
          return { entry, standing: recorded.standing };
        });
        return { ...presentOutreach(result.entry), memberStanding: result.standing };
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/members/:memberId/outreach',
      responses: { 200: outreachListResponse },
      params: memberParams,
      access: ['admin', 'organizer'],
      summary: "The member's outreach log, newest first",
      find: ownMember,
      answer: async ({ found: member }) => ({ data: (await listOutreach(ctx.db, member.organization_id, member.id)).map(presentOutreach) }),
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/members/:memberId/exemptions',
      responses: { 200: exemptionListResponse },
      params: memberParams,
      access: ['admin', 'organizer'],
      summary: "The member's exemptions from dues (hardship, layoff, leave, retired)",
      find: ownMember,
      answer: async ({ found: member }) => ({ data: (await listExemptions(ctx.db, member.organization_id, member.id)).map(presentExemption) }),
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/members/:memberId/exemptions',
      responses: { 201: exemptionEntry },
      params: memberParams,
      requestBody: exemptionSchema,
      access: ['admin'],
      summary: 'Exempt a member from dues for a time (or open-ended); arrears pause while it runs; applied at once (one starting later, by the scan on its day)',
      find: ownMember,
      answer: async ({ me, found: member, body: input, audit }) => {
        const created = await ctx.db.transaction().execute(async (trx) => {
          // The member row's lock keeps two overlapping exemptions from passing the check at once.
          await trx.selectFrom('members').select('id').where('organization_id', '=', me.organizationId).where('id', '=', member.id).forUpdate().execute();
          if (await exemptionOverlaps(trx, me.organizationId, member.id, input.startsOn, input.endsOn ?? null)) throw new ApiError('conflict', 'the member already has an exemption over part of these dates');
          const exemption = await insertExemption(trx, { organizationId: me.organizationId, memberId: member.id, kind: input.kind, startsOn: input.startsOn, endsOn: input.endsOn ?? null, note: input.note ?? null, staffUserId: me.staffUserId, at: ctx.now() });
          // An exemption is a fact of the member's standing: derived at once (one starting later is applied by the scan on its day).
          await rederiveMember(trx, { organizationId: me.organizationId, memberId: member.id, cause: 'exemption', causeReference: exemption.id, staffUserId: me.staffUserId }, ctx.now());
          await audit('member.exemption_added', { subjectType: 'member', subjectId: member.id, details: { exemptionId: exemption.id, kind: input.kind, startsOn: input.startsOn, endsOn: input.endsOn ?? null } }, trx);
          return exemption;
        });
        return presentExemption(created);
      },
    }),
  ];
}

import type { Request, Response } from 'express';
import type { VNode } from 'preact';
import { z } from 'zod';
import { STANDINGS, type OutreachChannel, type OutreachOutcome, type Organization, type Standing, type StaffRole } from '../../db/database';
import type { AppContext } from '../context';
import { principal, SESSION_COOKIE } from '../auth/guard';
import { revokeStaffSession } from '../auth/sessions';
import { auditActor, bulkReadRecord, recordAudit, recordBulkRead } from '../audit/audit';
import { renderDocument } from '../html/render';
import { ApiError, notFound, toApiError } from '../http/errors';
import { ALL_STAFF, type RouteDefinition } from '../http/routes';
import { changeContactDetails, type ContactChanges } from '../members/contact';
import { calendarDay, fieldsNotAllowed, memberChangesSchema, memberParams, memberViewFor, ORGANIZER_EDITABLE } from '../members/members';
import { findMember } from '../members/queries';
import { OUTREACH_CHANNELS, OUTREACH_OUTCOMES, recordOutreach } from '../retention/outreach';
import { recoveryCounts, type RecoveryCounts } from '../retention/queries';
import { dashboardFigures, lastMonths } from '../treasurer/dashboard';
import { lapsesByMonth, standingAtMonthEnds } from '../treasurer/dashboard-queries';
import { ledgerBalances, ledgerDaySums, moneyByMonthAndMethod } from '../treasurer/ledger-days';
import { LEDGER_KINDS, type LedgerKind } from '../ledger/postings';
import { findOrganizationById } from '../organizations/queries';
import { payoutBalanceLines, payoutContents } from '../treasurer/payout-lines';
import { knownPayout, ledgerPage, planChoices, type LedgerCursor, type LedgerExportFilters } from '../treasurer/queries';
import { CONSOLE_STYLESHEET } from './assets';
import type { NavItem } from './layout';
import { callList } from './call-list';
import { filterOptions, memberDetail, memberListing, memberTimeline, worksites, type MemberCursor, type MemberFilters, type MemberSort } from './queries';
import { EditContactPage, membersHref, MembersListPage, MemberPage, ResignConfirmPage, type ContactField, type Frame } from './pages/members';
import { DashboardPage } from './pages/dashboard';
import { LedgerPage, ledgerHref, type LedgerFilters } from './pages/ledger';
import { OutcomeForm, WorkspacePage, WorksitePage, WorksitesPage, type RecoveryFigures } from './pages/calls';
import { ConsolePage } from './layout';
import { monthConsoleRoutes } from './months';
import { policyConsoleRoutes } from './policy';
import { rollImportConsoleRoutes } from './roll-import';
import { increaseConsoleRoutes } from './increases';
import { authorizationConsoleRoutes } from './authorization';
import { bankConsoleRoutes } from './bank';
import { depositConsoleRoutes } from './deposits';
import { adminConsoleRoutes } from './admin';
import { payrollConsoleRoutes } from './payroll';
import { reportConsoleRoutes } from './reports';
import { statementConsoleRoutes } from './statements';
import { csrfValid, flashText, loadSession, safeReturnPath, setFlash, setStaffLanguage, takeFlash, type ConsoleSession, type Flash } from './session';

// The staff console: server-rendered pages under /console, in the route table like the API
// (same roles, same organization scoping), working without JavaScript.

/** Console pages show people's data: never cached. (helmet's Content-Security-Policy keeps them to our own origin.) */
export function sendPage(res: Response, status: number, page: VNode): void {
  sendHtml(res, status, renderDocument(page));
}

export function sendHtml(res: Response, status: number, html: string): void {
  res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
}

/** The navigation: each entry shown only to the roles its page admits (read from the route table itself). */
const NAVIGATION: ReadonlyArray<{ href: string; label: (m: ConsoleSession['m']) => string }> = [
  { href: '/console/workspace', label: (m) => m.nav.workspace },
  { href: '/console/members', label: (m) => m.nav.members },
  { href: '/console/worksites', label: (m) => m.nav.worksites },
  { href: '/console/dashboard', label: (m) => m.nav.dashboard },
  { href: '/console/ledger', label: (m) => m.nav.ledger },
  { href: '/console/payouts', label: (m) => m.bank.navPayouts },
  { href: '/console/deposits', label: (m) => m.bank.navDeposits },
  { href: '/console/reports', label: (m) => m.reports.nav },
  { href: '/console/months', label: (m) => m.nav.months },
  { href: '/console/policy', label: (m) => m.policy.nav },
  { href: '/console/import', label: (m) => m.roll.nav },
  { href: '/console/increases', label: (m) => m.increases.nav },
  { href: '/console/authorization', label: (m) => m.authorization.nav },
  { href: '/console/plans', label: (m) => m.admin.nav.plans },
  { href: '/console/organization', label: (m) => m.admin.nav.organization },
  { href: '/console/staff', label: (m) => m.admin.nav.staff },
  { href: '/console/audit', label: (m) => m.admin.nav.audit },
  { href: '/console/events', label: (m) => m.admin.nav.events },
  { href: '/console/employers', label: (m) => m.payrollNav },
];

/** The entries of the navigation the session's roles may open, by the access of their routes. */
export function navigationFor(routes: readonly RouteDefinition[], session: Pick<ConsoleSession, 'roles' | 'm'>): NavItem[] {
  const access = navigationAccess(routes);
  return NAVIGATION.filter((item) => {
    const roles = access.get(item.href);
    return roles !== undefined && session.roles.some((role) => roles.includes(role));
  }).map((item) => ({ href: item.href, label: item.label(session.m) }));
}

// Which roles open each entry, looked up once per route table rather than on every page.
const navigationAccessOf = new WeakMap<readonly RouteDefinition[], Map<string, readonly StaffRole[]>>();
function navigationAccess(routes: readonly RouteDefinition[]): Map<string, readonly StaffRole[]> {
  let access = navigationAccessOf.get(routes);
  if (access === undefined) {
    access = new Map();
    for (const item of NAVIGATION) {
      const route = routes.find((r) => r.method === 'get' && r.path === item.href);
      if (route !== undefined && route.access !== 'public') access.set(item.href, route.access);
    }
    navigationAccessOf.set(routes, access);
  }
  return access;
}

const MEMBERS_PER_PAGE = 50;
const CALLS_PER_PAGE = 20;

// A form's empty select or search box means "no filter".
const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);
const noNul = (value: string) => !value.includes('\u0000');
const filterText = z.preprocess(blankToUndefined, z.string().trim().min(1).max(200).refine(noNul).optional());
const cursorSchema = z.tuple([z.enum(['name', 'owed']), calendarDay.nullable(), z.string().max(400).refine(noNul), z.uuid()]);

const listQuery = z.object({
  q: filterText,
  standing: z.preprocess(blankToUndefined, z.enum(STANDINGS as [Standing, ...Standing[]]).optional()),
  worksite: filterText,
  organizer: z.preprocess(blankToUndefined, z.uuid().optional()),
  plan: z.preprocess(blankToUndefined, z.uuid().optional()),
  sort: z.preprocess(blankToUndefined, z.enum(['name', 'owed']).default('name')),
  after: z.preprocess(blankToUndefined, z.string().max(1200).optional()),
});

function decodeMemberCursor(value: string | undefined, sort: MemberSort): MemberCursor | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    if (parsed.success && parsed.data[0] === sort) return { sort, paidThrough: parsed.data[1], name: parsed.data[2], id: parsed.data[3] };
  } catch {
    // Not a cursor we handed out: fall through to the 400.
  }
  throw new ApiError('bad_request', 'the page position in the address is not one this list handed out');
}

const encodeMemberCursor = (cursor: MemberCursor) => Buffer.from(JSON.stringify([cursor.sort, cursor.paidThrough, cursor.name, cursor.id])).toString('base64url');

const LEDGER_PER_PAGE = 50;

const ledgerQuery = z
  .object({
    from: z.preprocess(blankToUndefined, calendarDay.optional()),
    to: z.preprocess(blankToUndefined, calendarDay.optional()),
    kind: z.preprocess(blankToUndefined, z.enum(LEDGER_KINDS as [LedgerKind, ...LedgerKind[]]).optional()),
    member: z.preprocess(blankToUndefined, z.uuid().optional()),
    plan: z.preprocess(blankToUndefined, z.uuid().optional()),
    payout: z.preprocess(blankToUndefined, z.string().trim().regex(/^po_[A-Za-z0-9_]{1,100}$/).optional()),
    after: z.preprocess(blankToUndefined, z.string().max(400).optional()),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to);

const ledgerCursorSchema = z.tuple([calendarDay, z.string().max(64).refine(noNul), z.string().regex(/^\d{1,20}$/), z.string().regex(/^\d{1,20}$/)]);

function decodeLedgerCursor(value: string | undefined): LedgerCursor | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = ledgerCursorSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    // The time must also read back as one, or the database would refuse it with a 500.
    if (parsed.success && !Number.isNaN(Date.parse(parsed.data[1]))) return { day: parsed.data[0], createdAt: parsed.data[1], xact: parsed.data[2], entry: parsed.data[3] };
  } catch {
    // Not a cursor we handed out: fall through to the 400.
  }
  throw new ApiError('bad_request', 'the page position in the address is not one this list handed out');
}

const encodeLedgerCursor = (cursor: LedgerCursor) => Buffer.from(JSON.stringify([cursor.day, cursor.createdAt, cursor.xact, cursor.entry])).toString('base64url');

const workspaceQuery = z.object({
  scope: z.preprocess(blankToUndefined, z.enum(['mine', 'all']).default('mine')),
  from: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(1_000_000).default(0)),
});

const outcomeForm = z.object({
  channel: z.preprocess(blankToUndefined, z.enum(OUTREACH_CHANNELS as [OutreachChannel, ...OutreachChannel[]]).default('call')),
  outcome: z.enum(OUTREACH_OUTCOMES as [OutreachOutcome, ...OutreachOutcome[]]).optional().catch(undefined),
  note: z.preprocess(blankToUndefined, z.string().trim().optional()).catch(undefined),
  promisedOn: z.preprocess(blankToUndefined, z.string().optional()).catch(undefined),
  confirm: z.string().optional().catch(undefined),
  back: z.string().optional().catch(undefined),
});

const CONTACT_FIELDS_ALL: readonly ContactField[] = ['name', 'email', 'phone', 'preferredLanguage', 'worksite', 'organizerStaffUserId', 'employer'];
const contactFieldsFor = (roles: readonly StaffRole[]): readonly ContactField[] =>
  roles.includes('admin') || roles.includes('treasurer') ? CONTACT_FIELDS_ALL : CONTACT_FIELDS_ALL.filter((field) => (ORGANIZER_EDITABLE as readonly string[]).includes(field));

export function consoleRoutes(ctx: AppContext): RouteDefinition[] {
  const secret = ctx.config.jwtSecret;
  const secureCookie = ctx.publicUrl.startsWith('https:');
  let routes: RouteDefinition[] = [];

  function frameFor(req: Request, res: Response, session: ConsoleSession): Frame {
    const flash = takeFlash(req, res, secret);
    return { session, stylesheet: CONSOLE_STYLESHEET.href, navigation: navigationFor(routes, session), path: req.path, flash: flash && flashText(session.m, flash) };
  }

  /** A GET page: the session and frame, then the page's own reads. */
  function page(path: string, access: readonly StaffRole[], summary: string, render: (req: Request, res: Response, frame: Frame) => Promise<VNode | undefined>): RouteDefinition {
    return {
      method: 'get',
      path,
      access,
      summary,
      handler: async (req, res) => {
        const session = loadSession(ctx, req);
        const view = await render(req, res, frameFor(req, res, session));
        if (view) sendPage(res, 200, view);
      },
    };
  }

  /** A form's POST: the session, then the CSRF token (a mismatch changes nothing), then the action. */
  function action(path: string, access: readonly StaffRole[], summary: string, run: (req: Request, res: Response, session: ConsoleSession) => Promise<void>, body: 'form' | 'upload' = 'form'): RouteDefinition {
    return {
      method: 'post',
      path,
      access,
      summary,
      body,
      handler: async (req, res) => {
        const session = loadSession(ctx, req);
        if (!csrfValid(secret, req)) throw new ApiError('forbidden', 'the form token is missing or does not belong to this session', { reason: 'csrf' });
        await run(req, res, session);
      },
    };
  }

  function redirectWithFlash(res: Response, to: string, flash: Flash): void {
    setFlash(res, secret, flash, secureCookie);
    res.redirect(303, to);
  }

  /** The member named in the path, of this organization; anything else is a 404. */
  async function memberInPath(req: Request) {
    const parsed = memberParams.safeParse(req.params);
    const member = parsed.success ? await findMember(ctx.db, principal(req).organizationId, parsed.data.memberId) : undefined;
    if (!member) throw notFound('member');
    return member;
  }

  const callsHref = (base: string, params: Record<string, string | number | undefined>) => {
    const query = new URLSearchParams(Object.entries(params).flatMap(([key, value]) => (value === undefined || value === '' ? [] : [[key, String(value)]]))).toString();
    return `${base}${query ? `${base.includes('?') ? '&' : '?'}${query}` : ''}`;
  };

  async function organizationOf(session: ConsoleSession): Promise<Organization> {
    const organization = await findOrganizationById(ctx.db, session.organization.id);
    if (!organization) throw notFound('organization');
    return organization;
  }
  const kit = { page, action, redirectWithFlash, frameFor, sendPage, organizationOf };
  routes = [
    CONSOLE_STYLESHEET.route,
    ...monthConsoleRoutes(ctx, kit),
    ...policyConsoleRoutes(ctx, kit),
    ...rollImportConsoleRoutes(ctx, kit),
    ...increaseConsoleRoutes(ctx, kit),
    ...authorizationConsoleRoutes(ctx, kit),
    ...bankConsoleRoutes(ctx, kit),
    ...depositConsoleRoutes(ctx, kit),
    ...adminConsoleRoutes(ctx, kit),
    ...payrollConsoleRoutes(ctx, kit),
    ...reportConsoleRoutes(ctx, kit),
    ...statementConsoleRoutes(ctx, kit),
    {
      method: 'get',
      path: '/',
      access: 'public',
      summary: 'The service root: the staff console (which asks for sign-in when needed)',
      handler: (_req, res) => res.redirect(303, '/console'),
    },
    {
      method: 'get',
      path: '/members/:memberId',
      access: 'public',
      summary: 'Member links in digests sent before the console: moved to /console/members/:memberId',
      handler: (req, res) => {
        const parsed = memberParams.safeParse(req.params);
        if (!parsed.success) throw notFound('member');
        res.redirect(301, `/console/members/${parsed.data.memberId}`);
      },
    },
    {
      method: 'get',
      path: '/console',
      access: ALL_STAFF,
      summary: 'The console: each role lands on its own first page',
      handler: (req, res) => {
        const roles = principal(req).roles;
        res.redirect(303, roles.includes('organizer') || roles.includes('admin') ? '/console/workspace' : '/console/members');
      },
    },
    page('/console/workspace', ['admin', 'organizer'], "The organizer's workspace: recovery this month and the call list, most urgent first", async (req, _res, frame) => {
      const session = frame.session;
      const query = listOrBadRequest(workspaceQuery, req.query);
      const month = session.today.slice(0, 7);
      const [metrics, rows] = await Promise.all([
        recoveryCounts(ctx.db, session.organization.id, `${month}-01`, nextMonthStart(month), session.staffUserId),
        callList(ctx.db, session.organization.id, {
          scope: query.scope === 'mine' ? { organizerId: session.staffUserId } : {},
          today: session.today,
          now: ctx.now(),
          limit: CALLS_PER_PAGE,
          offset: query.from,
          timeZone: session.organization.timeZone,
          audit: bulkReadRecord(req, { action: 'retention.call_list_viewed', filters: { scope: query.scope, from: query.from, via: 'console' }, at: ctx.now() }),
        }),
      ]);
      const figures = (counts: RecoveryCounts): RecoveryFigures => ({ lapsed: counts.lapsed, recovered: counts.recovered, recoveredOfLapsed: counts.recovered_of_lapsed });
      const total = rows[0]?.total ?? 0;
      const next = query.from + rows.length < total ? callsHref('/console/workspace', { scope: query.scope === 'all' ? 'all' : undefined, from: query.from + CALLS_PER_PAGE }) : undefined;
      return (
        <WorkspacePage
          frame={{ ...frame, path: query.scope === 'all' ? '/console/workspace?scope=all' : '/console/workspace' }}
          scope={query.scope}
          month={month}
          me={session.roles.includes('organizer') ? figures(metrics.organizer) : undefined}
          organization={figures(metrics.organization)}
          rows={rows}
          total={total}
          nextHref={next}
          publicUrl={ctx.publicUrl}
        />
      );
    }),
    page('/console/members', ALL_STAFF, 'Members: search, filters, counts per standing, keyset pages', async (req, _res, frame) => {
      const session = frame.session;
      const query = listOrBadRequest(listQuery, req.query);
      const full = memberViewFor(session.roles) === 'full';
      // Which plan a member pays on is a payment detail: organizers may not select members by it.
      if (!full && query.plan !== undefined) throw new ApiError('forbidden', 'filtering by plan needs the treasurer or admin role');
      const filters: MemberFilters = { q: query.q, standing: query.standing, worksite: query.worksite, organizerId: query.organizer, planId: full ? query.plan : undefined };
      const sort = query.sort;
      const cursor = decodeMemberCursor(query.after, sort);
      const audit = bulkReadRecord(req, { action: 'member.listed', filters: { ...filters, sort, paged: cursor !== undefined, via: 'console' }, at: ctx.now() });
      const list = await memberListing(ctx.db, session.organization.id, { filters, sort, cursor, limit: MEMBERS_PER_PAGE, today: session.today, withPlans: full, audit });
      const last = list.rows[list.rows.length - 1];
      const nextCursor = list.more && last ? encodeMemberCursor({ sort, paidThrough: last.paid_through, name: last.name, id: last.id }) : undefined;
      return <MembersListPage frame={{ ...frame, path: membersHref({ ...filters, sort }) }} filters={filters} sort={sort} options={list.filterOptions} counts={list.counts} rows={list.rows} nextCursor={nextCursor} paged={cursor !== undefined} showPlans={full} />;
    }),
    page('/console/members/:memberId', ALL_STAFF, 'A member: contact details, standing, what to do next and the timeline (amounts for treasurers and admins only)', async (req, _res, frame) => {
      const session = frame.session;
      const parsed = memberParams.safeParse(req.params);
      if (!parsed.success) throw notFound('member');
      const full = memberViewFor(session.roles) === 'full';
      const [member, timeline] = await Promise.all([
        memberDetail(ctx.db, session.organization.id, parsed.data.memberId, { today: session.today, timeZone: session.organization.timeZone, withPlan: full }),
        memberTimeline(ctx.db, session.organization.id, parsed.data.memberId, { timeZone: session.organization.timeZone, withAmounts: full }),
      ]);
      if (!member) throw notFound('member');
      const canRecordOutcome = session.roles.includes('admin') || session.roles.includes('organizer');
      return <MemberPage frame={frame} member={member} timeline={timeline} canRecordOutcome={canRecordOutcome} publicUrl={ctx.publicUrl} />;
    }),
    page('/console/members/:memberId/edit', ALL_STAFF, "Edit a member's contact details (organizers: phone, language, worksite, organizer)", async (req, _res, frame) => {
      const member = await memberInPath(req);
      const fields = contactFieldsFor(frame.session.roles);
      const options = await filterOptions(ctx.db, frame.session.organization.id, false);
      const values: Partial<Record<ContactField, string>> = {
        name: member.name,
        email: member.email,
        phone: member.phone ?? '',
        preferredLanguage: member.preferred_language,
        worksite: member.worksite ?? '',
        organizerStaffUserId: member.organizer_staff_user_id ?? '',
        employer: member.employer ?? '',
      };
      return <EditContactPage frame={frame} member={member} fields={fields} values={values} errors={{}} organizers={options.organizers} />;
    }),
    action('/console/members/:memberId/edit', ALL_STAFF, "Save a member's contact details", async (req, res, session) => {
      const member = await memberInPath(req);
      const m = session.m;
      const fields = contactFieldsFor(session.roles);
      const body = req.body as Record<string, unknown>;
      const values: Partial<Record<ContactField, string>> = {};
      for (const field of fields) values[field] = typeof body[field] === 'string' ? (body[field] as string) : '';
      const changes: Record<string, unknown> = {};
      for (const field of fields) {
        const value = values[field]!.trim();
        if (field === 'name' || field === 'email' || field === 'preferredLanguage') changes[field] = value;
        else changes[field] = value === '' ? null : value;
      }
      const errors: Partial<Record<ContactField, string>> = {};
      const parsed = memberChangesSchema.safeParse(changes);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0]) as ContactField;
          errors[field] ??= contactError(m, field);
        }
      } else if (fieldsNotAllowed(session.roles, parsed.data).length > 0) {
        throw new ApiError('forbidden', 'your role may not change some of these fields');
      } else {
        try {
          await ctx.db.transaction().execute(async (trx) => {
            await changeContactDetails(trx, session.organization.id, member.id, member, parsed.data as ContactChanges, ctx.now());
            await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'member.updated', subjectType: 'member', subjectId: member.id, details: { fields: Object.keys(parsed.data), via: 'console' } });
          });
          return redirectWithFlash(res, `/console/members/${member.id}`, { kind: 'contactSaved', name: parsed.data.name ?? member.name });
        } catch (error) {
          const apiError = toApiError(error);
          const paths = (apiError?.details as { fields?: Array<{ path: string }> } | undefined)?.fields?.map((f) => f.path) ?? [];
          if (!apiError || paths.length === 0) throw error;
          if (paths.includes('body.email')) errors.email = m.fieldErrors.emailTaken;
          if (paths.includes('body.organizerStaffUserId')) errors.organizerStaffUserId = m.fieldErrors.organizer;
        }
      }
      const options = await filterOptions(ctx.db, session.organization.id, false);
      const frame = frameFor(req, res, session);
      sendPage(res, 400, <EditContactPage frame={{ ...frame, path: `/console/members/${member.id}/edit` }} member={member} fields={fields} values={values} errors={errors} organizers={options.organizers} />);
    }),
    action('/console/members/:memberId/outreach', ['admin', 'organizer'], 'Record an outreach outcome from the call list or the member page (a resignation is confirmed first)', async (req, res, session) => {
      const member = await memberInPath(req);
      const m = session.m;
      const form = outcomeForm.parse(req.body ?? {});
      const back = safeReturnPath(form.back, `/console/members/${member.id}`);
      const promisedOn = form.outcome === 'promised_to_pay' ? validPromise(form.promisedOn, session.today) : null;
      const noteTooLong = form.note !== undefined && (form.note.length > 2000 || !noNul(form.note));
      const problem =
        form.outcome === undefined ? m.outcomeInvalid : form.outcome === 'promised_to_pay' && promisedOn === undefined ? m.promisedOnMissing : noteTooLong ? m.noteTooLong : undefined;
      const frame = { ...frameFor(req, res, session), path: back };
      if (problem !== undefined) {
        return sendPage(
          res,
          400,
          <ConsolePage {...frame} title={m.recordOutcomeFor(member.name)}>
            <div class="summary" role="alert">
              <p class="error">{problem}</p>
            </div>
            <OutcomeForm session={session} memberId={member.id} memberName={member.name} back={back} open={true} formKey="outcome" />
          </ConsolePage>,
        );
      }
      const outcome = form.outcome!;
      if (outcome === 'resigned' && form.confirm !== 'yes') {
        const carried: Record<string, string> = { channel: form.channel, back, ...(form.note ? { note: form.note } : {}) };
        return sendPage(res, 200, <ResignConfirmPage frame={frame} member={member} carried={carried} back={back} />);
      }
      await ctx.db.transaction().execute(async (trx) => {
        const recorded = await recordOutreach(trx, {
          organizationId: session.organization.id,
          memberId: member.id,
          staffUserId: session.staffUserId,
          channel: form.channel,
          outcome,
          note: form.note ?? null,
          followUpOn: null,
          promisedOn: promisedOn ?? null,
          today: session.today,
          now: ctx.now(),
        });
        await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'member.outreach_recorded', subjectType: 'member', subjectId: member.id, details: { outreachId: recorded.entryId, channel: form.channel, outcome, via: 'console' } });
      });
      redirectWithFlash(res, back, { kind: 'outcomeSaved', name: member.name });
    }),
    page('/console/dashboard', ['admin', 'treasurer'], "The treasurer's dashboard: dues by method, fees, standing and lapses over the last 12 months, as charts with their tables", async (_req, _res, frame) => {
      const { organization, today } = frame.session;
      const range = { organizationId: organization.id, timeZone: organization.timeZone, currency: organization.currency, months: lastMonths(today), now: ctx.now() };
      const [money, standing, lapses] = await Promise.all([ledgerDaySums(ctx.db, range.organizationId, range.timeZone, range.currency).then((sums) => moneyByMonthAndMethod(sums, range.months)), standingAtMonthEnds(ctx.db, range), lapsesByMonth(ctx.db, range)]);
      return <DashboardPage frame={frame} figures={dashboardFigures(range.months, money, standing, lapses)} currency={organization.currency} />;
    }),
    page('/console/ledger', ['admin', 'treasurer'], 'The ledger: transactions with filters, account balances at the end of the range, keyset pages, the export links', async (req, _res, frame) => {
      const { organization } = frame.session;
      const query = listOrBadRequest(ledgerQuery, req.query);
      const shown: LedgerFilters = { from: query.from, to: query.to, kind: query.kind, member: query.member, plan: query.plan, payout: query.payout };
      const filters: LedgerExportFilters = { from: query.from, to: query.to, kind: query.kind, memberId: query.member, planId: query.plan };
      if (query.payout !== undefined) {
        const full = await findOrganizationById(ctx.db, organization.id);
        if (!full || !(await knownPayout(ctx.db, organization.id, query.payout))) throw notFound('payout');
        filters.payout = payoutContents(query.payout, await payoutBalanceLines(ctx.stripe, full, query.payout));
      }
      const cursor = decodeLedgerCursor(query.after);
      const [rows, balances, plans] = await Promise.all([
        ledgerPage(ctx.db, organization.id, organization.timeZone, filters, { after: cursor, limit: LEDGER_PER_PAGE + 1 }),
        ledgerBalances(ctx.db, organization.id, organization.timeZone, organization.currency, query.to),
        planChoices(ctx.db, organization.id),
      ]);
      const page = rows.slice(0, LEDGER_PER_PAGE);
      await recordBulkRead(ctx.db, req, { action: 'ledger.viewed', rows: page.length, filters: { ...shown, paged: cursor !== undefined, via: 'console' }, at: ctx.now() });
      const last = page[page.length - 1];
      const nextCursor = rows.length > LEDGER_PER_PAGE && last ? encodeLedgerCursor({ day: last.day, createdAt: last.created_text, xact: last.xact, entry: String(last.first_entry) }) : undefined;
      return <LedgerPage frame={{ ...frame, path: ledgerHref(shown) }} filters={shown} plans={plans} rows={page} balances={balances} currency={organization.currency} nextCursor={nextCursor} paged={cursor !== undefined} />;
    }),
    page('/console/worksites', ['admin', 'organizer'], 'Worksites: members by standing and the organizer responsible', async (_req, _res, frame) => {
      return <WorksitesPage frame={frame} rows={await worksites(ctx.db, frame.session.organization.id)} />;
    }),
    page('/console/worksites/:worksite', ['admin', 'organizer'], "A worksite: its members by standing and its own call list", async (req, _res, frame) => {
      const session = frame.session;
      const name = String(req.params.worksite ?? '');
      if (name.length === 0 || name.length > 200 || !noNul(name)) throw notFound('worksite');
      const query = listOrBadRequest(workspaceQuery, req.query);
      const [sites, rows] = await Promise.all([
        worksites(ctx.db, session.organization.id, name),
        callList(ctx.db, session.organization.id, { scope: { worksite: name }, today: session.today, now: ctx.now(), limit: CALLS_PER_PAGE, offset: query.from, timeZone: session.organization.timeZone,
          audit: bulkReadRecord(req, { action: 'retention.call_list_viewed', filters: { worksite: name, from: query.from, via: 'console' }, at: ctx.now() }) }),
      ]);
      const site = sites[0];
      if (!site) throw notFound('worksite');
      const total = rows[0]?.total ?? 0;
      const next = query.from + rows.length < total ? callsHref(`/console/worksites/${encodeURIComponent(name)}`, { from: query.from + CALLS_PER_PAGE }) : undefined;
      return <WorksitePage frame={frame} site={site} rows={rows} total={total} nextHref={next} publicUrl={ctx.publicUrl} />;
    }),
    action('/console/language', ALL_STAFF, 'Switch the console between English and Spanish (kept for the staff member)', async (req, res, session) => {
      const parsed = z.object({ language: z.enum(['en', 'es']), back: z.string().optional() }).safeParse(req.body);
      if (!parsed.success) throw new ApiError('bad_request', 'choose en or es');
      await setStaffLanguage(ctx.db, session.staffUserId, parsed.data.language);
      await recordAudit(ctx.db, { ...auditActor(req, ctx.now()), action: 'staff.language_changed', subjectType: 'staff_user', subjectId: session.staffUserId, details: { language: parsed.data.language } });
      redirectWithFlash(res, safeReturnPath(parsed.data.back, '/console'), { kind: 'languageSaved' });
    }),
    action('/console/sign-out', ALL_STAFF, 'Sign out of the console: ends the session server-side', async (req, res) => {
      await ctx.db.transaction().execute(async (trx) => {
        await revokeStaffSession(trx, principal(req), ctx.now());
        await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'staff.signed_out' });
      });
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.redirect(303, '/login?signed_out=1');
    }),
  ];
  return routes;
}

function listOrBadRequest<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ApiError('bad_request', 'the address has a filter this page does not understand');
  return parsed.data;
}

function nextMonthStart(month: string): string {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  return monthNumber === 12 ? `${year + 1}-01-01` : `${year}-${String(monthNumber + 1).padStart(2, '0')}-01`;
}

/** The promised day if it is a real day from today on; undefined otherwise. */
function validPromise(value: string | undefined, today: string): string | undefined {
  const parsed = calendarDay.safeParse(value);
  return parsed.success && parsed.data >= today ? parsed.data : undefined;
}

function contactError(m: ConsoleSession['m'], field: ContactField): string {
  switch (field) {
    case 'name':
      return m.fieldErrors.name;
    case 'email':
      return m.fieldErrors.email;
    case 'phone':
      return m.fieldErrors.phone;
    case 'preferredLanguage':
      return m.fieldErrors.language;
    case 'worksite':
      return m.fieldErrors.worksite;
    case 'organizerStaffUserId':
      return m.fieldErrors.organizer;
    case 'employer':
      return m.fieldErrors.employer;
  }
}

import type { Language, Standing } from '../../../db/database';
import { STANDINGS } from '../../../db/database';
import { formatMoney } from '../../signup/i18n';
import { dialable, memberText, smsHref, telHref } from '../contact';
import { formatCount, formatDay, formatInstant, type Messages } from '../i18n';
import { ConsolePage, Csrf, ErrorSummary, Field, SelectField, StandingBadge, type PageProps } from '../layout';
import type { FilterOptions, MemberDetail, MemberFilters, MemberListRow, MemberSort, TimelineRow } from '../queries';
import { TIMELINE_LIMIT } from '../queries';
import { OutcomeForm } from './calls';

export type Frame = Omit<PageProps, 'title' | 'children'>;

/** Months owed, where it means something: members who owe. */
const OWING: readonly Standing[] = ['past_due', 'lapsed', 'suspended', 'dropped'];
const owed = (m: Messages, standing: Standing, months: number) => (OWING.includes(standing) && months > 0 ? String(months) : m.none);

/** A link to the list with these filters (the filters live in the URL, so a list can be shared and bookmarked). */
export function membersHref(filters: MemberFilters & { sort?: MemberSort | undefined; after?: string | undefined }): string {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.standing) params.set('standing', filters.standing);
  if (filters.worksite) params.set('worksite', filters.worksite);
  if (filters.organizerId) params.set('organizer', filters.organizerId);
  if (filters.planId) params.set('plan', filters.planId);
  if (filters.sort && filters.sort !== 'name') params.set('sort', filters.sort);
  if (filters.after) params.set('after', filters.after);
  const query = params.toString();
  return `/console/members${query ? `?${query}` : ''}`;
}

export function MembersListPage(props: {
  frame: Frame;
  filters: MemberFilters;
  sort: MemberSort;
  options: FilterOptions;
  counts: Map<Standing, number>;
  rows: MemberListRow[];
  nextCursor: string | undefined;
  paged: boolean;
  showPlans: boolean;
}) {
  const { frame, filters, rows } = props;
  const m = frame.session.m;
  const total = [...props.counts.values()].reduce((sum, n) => sum + n, 0);
  const chosen = (value: string | undefined) => value ?? '';
  return (
    <ConsolePage {...frame} title={m.membersTitle}>
      <form method="get" action="/console/members" class="panel" role="search">
        <div class="filters">
          <div class="wide">
            <Field id="q" label={m.search} hint={m.searchHint} value={filters.q} type="search" />
          </div>
          <SelectField id="standing" label={m.filterStanding} value={chosen(filters.standing)} options={[{ value: '', label: m.any }, ...STANDINGS.map((s) => ({ value: s, label: m.standings[s] }))]} />
          <SelectField id="worksite" label={m.filterWorksite} value={chosen(filters.worksite)} options={[{ value: '', label: m.any }, ...props.options.worksites.map((w) => ({ value: w, label: w }))]} />
          <SelectField id="organizer" label={m.filterOrganizer} value={chosen(filters.organizerId)} options={[{ value: '', label: m.any }, ...props.options.organizers.map((o) => ({ value: o.id, label: o.name }))]} />
          {props.showPlans ? <SelectField id="plan" label={m.filterPlan} value={chosen(filters.planId)} options={[{ value: '', label: m.any }, ...props.options.plans.map((p) => ({ value: p.id, label: p.name }))]} /> : null}
          <SelectField id="sort" label={m.sortBy} value={props.sort} options={[{ value: 'name', label: m.sortName }, { value: 'owed', label: m.sortOwed }]} />
        </div>
        <div class="actions">
          <button type="submit">{m.apply}</button>
          <a href="/console/members">{m.clearFilters}</a>
        </div>
      </form>

      <nav aria-label={m.countsLabel}>
        <ul class="counts">
          <li>
            <a href={membersHref({ ...filters, standing: undefined, sort: props.sort })} aria-current={filters.standing === undefined ? 'true' : undefined}>
              {m.countAll} <strong>{formatCount(m, total)}</strong>
            </a>
          </li>
          {STANDINGS.filter((s) => (props.counts.get(s) ?? 0) > 0 || s === filters.standing).map((s) => (
            <li>
              <a href={membersHref({ ...filters, standing: s, sort: props.sort })} aria-current={filters.standing === s ? 'true' : undefined}>
                {m.standings[s]} <strong>{formatCount(m, props.counts.get(s) ?? 0)}</strong>
              </a>
            </li>
          ))}
        </ul>
      </nav>

      {rows.length === 0 ? (
        <p class="notice">{m.noMembers}</p>
      ) : (
        <table class="stack">
          <caption>{filters.q ? m.searchResults(filters.q) : m.membersCount(formatCount(m, filters.standing ? (props.counts.get(filters.standing) ?? 0) : total), total)}</caption>
          <thead>
            <tr>
              <th scope="col">{m.columns.name}</th>
              <th scope="col">{m.columns.standing}</th>
              <th scope="col" class="num">
                {m.columns.monthsOwed}
              </th>
              <th scope="col">{m.columns.worksite}</th>
              <th scope="col">{m.columns.phone}</th>
              <th scope="col">{m.columns.memberNumber}</th>
              {props.showPlans ? <th scope="col">{m.columns.plan}</th> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <td class="lead">
                  <a href={`/console/members/${row.id}`}>{row.name}</a>
                </td>
                <td data-label={m.columns.standing}>{StandingBadge({ m, standing: row.standing })}</td>
                <td class="num" data-label={m.columns.monthsOwed}>
                  {owed(m, row.standing, row.months_owed)}
                </td>
                <td data-label={m.columns.worksite}>{row.worksite ?? m.none}</td>
                <td data-label={m.columns.phone}>{row.phone ?? m.none}</td>
                <td data-label={m.columns.memberNumber}>{row.external_id ?? m.none}</td>
                {props.showPlans ? <td data-label={m.columns.plan}>{row.plan_name ?? m.none}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="pager">
        {props.paged ? <a href={membersHref({ ...filters, sort: props.sort })}>{m.firstPage}</a> : null}
        {props.nextCursor ? (
          <a href={membersHref({ ...filters, sort: props.sort, after: props.nextCursor })} rel="next">
            {m.nextPage}
          </a>
        ) : null}
      </div>
    </ConsolePage>
  );
}

// ---- One member.

export type NextStep = keyof Messages['next'];

/** A pending member's step follows the derivation's reason: a debit in progress is not an abandoned signup. */
const PENDING_STEPS: Readonly<Record<string, NextStep>> = {
  checkout_not_completed: 'pending_checkout',
  payment_processing: 'pending_processing',
  first_payment_failed: 'pending_first_failed',
};

/** What an organizer should do about a member, from what the page knows. */
export function nextStep(member: Pick<MemberDetail, 'standing' | 'payment_retrying' | 'standing_reason' | 'promised_on'>): NextStep {
  const { standing } = member;
  if (standing === 'resigned' || standing === 'exempt') return standing;
  if (member.promised_on !== null && standing !== 'active') return 'promised';
  if (standing === 'pending') return PENDING_STEPS[member.standing_reason ?? ''] ?? 'pending';
  if (member.payment_retrying && (standing === 'active' || standing === 'past_due')) return 'payment_retrying';
  return standing;
}

function nextStepText(m: Messages, step: NextStep, member: MemberDetail): string {
  if (step === 'promised') return m.next.promised(formatDay(m, member.promised_on!));
  if (step === 'pending_processing') return m.next.pending_processing(member.standing_reason_since === null ? null : formatDay(m, member.standing_reason_since));
  return m.next[step];
}

function causeText(m: Messages, cause: string | null): string {
  return (cause !== null ? m.causes[cause] : undefined) ?? m.causes.other!;
}

/** A timeline entry in words; amounts appear only when the row carries one (never for organizers). */
export function describeEvent(m: Messages, row: TimelineRow, currency: string): { text: string; detail?: string | undefined } {
  const money = (cents: number | null) => (cents === null ? undefined : formatMoney(cents, row.currency ?? currency));
  const period = row.from_day && row.to_day ? m.event.covering(formatDay(m, row.from_day), formatDay(m, row.to_day)) : undefined;
  switch (row.kind) {
    case 'standing': {
      const to = m.standings[row.b as Standing] ?? row.b ?? '';
      if (row.a === null) return { text: m.event.joinedAs(to, causeText(m, row.c)) };
      return { text: m.event.standingChanged(m.standings[row.a as Standing] ?? row.a, to, causeText(m, row.c)) };
    }
    case 'payment': {
      const amount = money(row.amount_cents);
      return { text: amount === undefined ? m.event.paymentReceived : m.event.paymentAmount(amount), detail: period };
    }
    case 'reversal': {
      const amount = money(row.amount_cents);
      return { text: amount === undefined ? m.event.reversal : m.event.reversalAmount(amount) };
    }
    case 'manual_payment': {
      const method = m.paymentMethods[row.a ?? ''] ?? row.a ?? '';
      const amount = money(row.amount_cents);
      return { text: amount === undefined ? m.event.manualPayment(method) : m.event.manualPaymentAmount(method, amount), detail: period };
    }
    case 'outreach': {
      const outcome = m.outcomes[row.a as keyof Messages['outcomes']] ?? row.a ?? '';
      const channel = m.channels[row.b as keyof Messages['channels']] ?? row.b ?? '';
      const promise = row.from_day ? m.event.promise(formatDay(m, row.from_day)) : undefined;
      return { text: m.event.outreach(outcome, channel, row.c ?? m.event.someone), detail: [promise, row.note].filter(Boolean).join(' · ') || undefined };
    }
    case 'notice':
      return { text: m.event.notice(m.noticeKinds[row.a ?? ''] ?? row.a ?? '') };
    case 'authorization':
      return { text: m.event.authorization(row.n ?? 1, m.languages[row.a as Language] ?? row.a ?? '') };
    case 'episode_opened':
      return { text: m.event.episodeOpened };
    case 'episode_closed':
      return { text: m.event.episodeClosed(m.closeReasons[row.c ?? ''] ?? row.c ?? '') };
    case 'dues_notice':
      return { text: m.increases.event.notice(money(row.amount_cents), formatDay(m, row.from_day!)) };
    case 'dues_changed':
      return { text: m.increases.event.changed(money(row.amount_cents)) };
  }
}

export function MemberPage(props: { frame: Frame; member: MemberDetail; timeline: TimelineRow[]; canRecordOutcome: boolean; publicUrl: string }) {
  const { frame, member } = props;
  const session = frame.session;
  const m = session.m;
  const number = dialable(member.phone);
  const step = nextStep(member);
  const text = memberText({
    memberName: member.name,
    memberLanguage: member.preferred_language,
    staffName: session.staffName,
    organizationName: session.organization.name,
    organizationSlug: session.organization.slug,
    publicUrl: props.publicUrl,
  });
  const day = (value: string | null) => (value === null ? m.notOnFile : formatDay(m, value));
  return (
    <ConsolePage {...frame} title={member.name}>
      <div class="reach">
        {number ? (
          <>
            <a class="button" href={telHref(number)}>
              {m.call} {member.phone}
            </a>
            <a class="button secondary" href={smsHref(number, text)} aria-label={m.textMember(member.name)}>
              {m.text}
            </a>
          </>
        ) : (
          <p class="hint">{m.noPhone}</p>
        )}
        <a class="button secondary" href={`/console/members/${member.id}/edit`}>
          {m.editContact}
        </a>
      </div>

      <section class="panel" aria-labelledby="next-title">
        <h2 id="next-title">{m.nextTitle}</h2>
        <p>{nextStepText(m, step, member)}</p>
        {props.canRecordOutcome && member.standing !== 'resigned' ? <OutcomeForm session={session} memberId={member.id} memberName={member.name} back={frame.path} open={false} formKey="outcome" /> : null}
      </section>

      <section aria-labelledby="facts-title">
        <h2 id="facts-title">{m.memberFacts}</h2>
        <dl class="facts panel">
          <dt>{m.standingLabel}</dt>
          <dd>
            <StandingBadge m={m} standing={member.standing} /> {m.since(formatDay(m, member.standing_since))}
          </dd>
          <dt>{m.monthsOwedLabel}</dt>
          <dd>{owed(m, member.standing, member.months_owed)}</dd>
          <dt>{m.paidThrough}</dt>
          <dd>{day(member.paid_through)}</dd>
          <dt>{m.phone}</dt>
          <dd>{member.phone ?? m.notOnFile}</dd>
          <dt>{m.email}</dt>
          <dd>
            <a href={`mailto:${member.email}`}>{member.email}</a>
          </dd>
          <dt>{m.memberLanguage}</dt>
          <dd>{m.languages[member.preferred_language]}</dd>
          <dt>{m.worksite}</dt>
          <dd>{member.worksite ? <a href={`/console/worksites/${encodeURIComponent(member.worksite)}`}>{member.worksite}</a> : m.notOnFile}</dd>
          <dt>{m.organizer}</dt>
          <dd>{member.organizer_name ?? m.none}</dd>
          <dt>{m.employer}</dt>
          <dd>{member.employer ?? m.notOnFile}</dd>
          <dt>{m.memberNumber}</dt>
          <dd>{member.external_id ?? m.none}</dd>
          <dt>{m.joined}</dt>
          <dd>{day(member.joined_on)}</dd>
          {member.plan_name !== null ? (
            <>
              <dt>{m.plan}</dt>
              <dd>{member.plan_name}</dd>
            </>
          ) : null}
        </dl>
      </section>

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{m.timelineTitle}</h2>
        {session.roles.includes('admin') || session.roles.includes('treasurer') ? (
          <p>
            <a href={`/console/members/${member.id}/statement`}>{m.reports.statement.link}</a>
          </p>
        ) : null}
        {session.roles.includes('admin') ? (
          <p>
            <a href={`/console/members/${member.id}/events`}>{m.admin.memberEventsLink}</a>
          </p>
        ) : null}
        {props.timeline.length === 0 ? (
          <p>{m.timelineEmpty}</p>
        ) : (
          <ol class="timeline">
            {props.timeline.map((row) => {
              const described = describeEvent(m, row, session.organization.currency);
              return (
                <li>
                  <time dateTime={row.day ?? row.at.toISOString()}>{row.day ? formatDay(m, row.day) : formatInstant(m, row.at, session.organization.timeZone)}</time>
                  {described.text}
                  {described.detail ? <span class="hint"> · {described.detail}</span> : null}
                </li>
              );
            })}
          </ol>
        )}
        {props.timeline.length >= TIMELINE_LIMIT ? <p class="hint">{m.timelineMore(TIMELINE_LIMIT)}</p> : null}
      </section>
    </ConsolePage>
  );
}

// ---- Editing contact details.

export type ContactField = 'name' | 'email' | 'phone' | 'preferredLanguage' | 'worksite' | 'organizerStaffUserId' | 'employer';

export function EditContactPage(props: {
  frame: Frame;
  member: { id: string; name: string };
  fields: readonly ContactField[];
  values: Partial<Record<ContactField, string>>;
  errors: Partial<Record<ContactField, string>>;
  organizers: Array<{ id: string; name: string }>;
}) {
  const { frame, values, errors } = props;
  const m = frame.session.m;
  const has = (field: ContactField) => props.fields.includes(field);
  const errorList = (Object.entries(errors) as Array<[ContactField, string]>).map(([field, message]) => ({ field, message }));
  return (
    <ConsolePage {...frame} title={m.editTitle(props.member.name)}>
      <ErrorSummary m={m} errors={errorList} />
      <form method="post" action={`/console/members/${props.member.id}/edit`} novalidate>
        <Csrf token={frame.session.csrf} />
        {has('name') ? <Field id="name" label={m.fieldName} value={values.name} error={errors.name} autocomplete="off" /> : null}
        {has('email') ? <Field id="email" label={m.fieldEmail} type="email" value={values.email} error={errors.email} autocomplete="off" /> : null}
        {has('phone') ? <Field id="phone" label={m.fieldPhone} type="tel" value={values.phone} error={errors.phone} autocomplete="off" /> : null}
        {has('preferredLanguage') ? (
          <SelectField id="preferredLanguage" label={m.fieldLanguage} value={values.preferredLanguage} error={errors.preferredLanguage} options={[{ value: 'en', label: m.languages.en }, { value: 'es', label: m.languages.es }]} />
        ) : null}
        {has('worksite') ? <Field id="worksite" label={m.fieldWorksite} value={values.worksite} error={errors.worksite} autocomplete="off" /> : null}
        {has('organizerStaffUserId') ? (
          <SelectField
            id="organizerStaffUserId"
            label={m.fieldOrganizer}
            value={values.organizerStaffUserId}
            error={errors.organizerStaffUserId}
            options={[{ value: '', label: m.noOrganizerOption }, ...props.organizers.map((o) => ({ value: o.id, label: o.name }))]}
          />
        ) : null}
        {has('employer') ? <Field id="employer" label={m.fieldEmployer} value={values.employer} error={errors.employer} autocomplete="off" /> : null}
        <div class="actions">
          <button type="submit">{m.save}</button>
          <a href={`/console/members/${props.member.id}`}>{m.cancel}</a>
        </div>
      </form>
    </ConsolePage>
  );
}

/** "Check your answers" before a resignation: it ends a membership. */
export function ResignConfirmPage(props: { frame: Frame; member: { id: string; name: string }; carried: Record<string, string>; back: string }) {
  const m = props.frame.session.m;
  return (
    <ConsolePage {...props.frame} title={m.resignTitle(props.member.name)}>
      <p class="notice">{m.resignWarning}</p>
      <form method="post" action={`/console/members/${props.member.id}/outreach`}>
        <Csrf token={props.frame.session.csrf} />
        {Object.entries(props.carried).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="outcome" value="resigned" />
        <input type="hidden" name="confirm" value="yes" />
        <div class="actions">
          <button type="submit" class="warning">
            {m.resignConfirm}
          </button>
          <a href={props.back}>{m.cancel}</a>
        </div>
      </form>
    </ConsolePage>
  );
}

import type { OutreachOutcome, Standing } from '../../../db/database';
import { STANDINGS } from '../../../db/database';
import { addDays } from '../../retention/policy';
import { OUTREACH_CHANNELS } from '../../retention/outreach';
import { dialable, memberText, smsHref, telHref } from '../contact';
import { formatCount, formatDay, formatMonth, formatShare, type Messages } from '../i18n';
import { ConsolePage, Csrf, StandingBadge, type PageProps } from '../layout';
import type { CallRow, WorksiteRow } from '../queries';
import type { ConsoleSession } from '../session';

type Frame = Omit<PageProps, 'title' | 'children'>;

/** The outcomes an organizer records from a call list, in two taps: open the form, press the outcome. */
export const CALL_OUTCOMES: readonly OutreachOutcome[] = ['reached', 'left_message', 'no_answer', 'wrong_number', 'promised_to_pay', 'resigned'];
/** The day a promise to pay defaults to: a week from today, changeable before pressing. */
export const DEFAULT_PROMISE_DAYS = 7;

// The same for every form of a page (twenty on a call list): worked out once per day.
let promiseDefault = { today: '', day: '' };
function defaultPromiseDay(today: string): string {
  if (promiseDefault.today !== today) promiseDefault = { today, day: addDays(today, DEFAULT_PROMISE_DAYS) };
  return promiseDefault.day;
}

/** `formKey` keeps the form's field ids unique on a page of several (short: a call list carries twenty). */
export function OutcomeForm(props: { session: ConsoleSession; memberId: string; memberName: string; back: string; open: boolean; formKey: string }) {
  const { session, memberId } = props;
  const m = session.m;
  const id = (name: string) => `${props.formKey}-${name}`;
  return (
    <details class="outcome" open={props.open}>
      <summary>
        {m.recordOutcome}
        <span class="visually-hidden"> · {props.memberName}</span>
      </summary>
      <form method="post" action={`/console/members/${memberId}/outreach`}>
        {Csrf({ token: session.csrf })}
        <input type="hidden" name="back" value={props.back} />
        <label for={id('channel')}>{m.outcomeChannel}</label>
        <select id={id('channel')} name="channel">
          {OUTREACH_CHANNELS.map((channel) => (
            <option value={channel}>{m.channels[channel]}</option>
          ))}
        </select>
        <label for={id('promisedOn')}>{m.promisedOn}</label>
        <p class="hint" id={id('promisedOn-hint')}>
          {m.promisedOnHint}
        </p>
        <input type="date" id={id('promisedOn')} name="promisedOn" value={defaultPromiseDay(session.today)} min={session.today} aria-describedby={id('promisedOn-hint')} />
        <label for={id('note')}>{m.outcomeNote}</label>
        <textarea id={id('note')} name="note" rows={2} maxLength={2000} />
        <div class="outcomes">
          {CALL_OUTCOMES.map((outcome) => (
            <button type="submit" name="outcome" value={outcome} class={outcome === 'resigned' ? 'secondary' : undefined}>
              {m.outcomes[outcome]}
            </button>
          ))}
        </div>
      </form>
    </details>
  );
}

/** Why a member is on the call list, in words. */
export function callReason(m: Messages, row: CallRow): string {
  const day = (value: string | null) => (value === null ? '' : formatDay(m, value));
  switch (row.signal) {
    case 'suspension_coming':
      return m.reasons.suspension_coming(day(row.signal_key));
    case 'payment_failed':
    case 'ach_returned':
      return m.reasons[row.signal](day(row.signal_on));
    case 'payroll_missing':
      return m.reasons.payroll_missing(day(row.signal_key));
    default:
      break;
  }
  switch (row.standing) {
    case 'suspended':
    case 'lapsed':
    case 'past_due':
      return m.reasons[row.standing](row.months_owed);
    case 'dropped':
      return m.reasons.dropped(day(row.dropped_on));
    default:
      break;
  }
  if (row.signal === 'manual_due_soon') return m.reasons.manual_due_soon(day(row.paid_through));
  if (row.signal === 'card_expiring' || row.signal === 'cancel_scheduled') return m.reasons[row.signal]();
  return m.standings[row.standing];
}

export function CallCard(props: { session: ConsoleSession; row: CallRow; back: string; publicUrl: string; formKey: string }) {
  const { session, row } = props;
  const m = session.m;
  const number = dialable(row.phone);
  const text = memberText({
    memberName: row.name,
    memberLanguage: row.preferred_language,
    staffName: session.staffName,
    organizationName: session.organization.name,
    organizationSlug: session.organization.slug,
    publicUrl: props.publicUrl,
  });
  return (
    <li class={`call${row.promised_on ? ' promised' : ''}`}>
      <h3>
        <a href={`/console/members/${row.id}`}>{row.name}</a> {StandingBadge({ m, standing: row.standing })}
      </h3>
      <p class="why">{callReason(m, row)}</p>
      {row.promised_on ? <p class="meta">{m.promisedBy(formatDay(m, row.promised_on))}</p> : null}
      <p class="meta">
        {row.last_outcome && row.last_contacted_on ? m.lastContact(m.outcomes[row.last_outcome], formatDay(m, row.last_contacted_on)) : m.notContacted}
        {row.worksite ? ` · ${row.worksite}` : ''} · {m.languages[row.preferred_language]}
      </p>
      {number ? (
        <div class="reach">
          <a class="button" href={telHref(number)} aria-label={m.callMember(row.name)}>
            {m.call}
          </a>
          <a class="button secondary" href={smsHref(number, text)} aria-label={m.textMember(row.name)}>
            {m.text}
          </a>
        </div>
      ) : (
        <p class="meta">{m.noPhone}</p>
      )}
      {OutcomeForm({ session, memberId: row.id, memberName: row.name, back: props.back, open: false, formKey: props.formKey })}
    </li>
  );
}

export function CallList(props: { session: ConsoleSession; rows: CallRow[]; back: string; publicUrl: string; nextHref: string | undefined }) {
  const m = props.session.m;
  if (props.rows.length === 0) return <p class="notice">{m.noCalls}</p>;
  return (
    <>
      <ol class="calls">
        {/* The per-card pieces are called, not mounted: same markup, without a component instance each. */}
        {props.rows.map((row, i) => CallCard({ session: props.session, row, back: props.back, publicUrl: props.publicUrl, formKey: `c${i}` }))}
      </ol>
      {props.nextHref ? (
        <p class="pager">
          <a href={props.nextHref} rel="next">
            {m.nextCalls}
          </a>
        </p>
      ) : null}
    </>
  );
}

export interface RecoveryFigures {
  lapsed: number;
  recovered: number;
  recoveredOfLapsed: number;
}

function RecoveryTable(props: { m: Messages; month: string; me: RecoveryFigures | undefined; organization: RecoveryFigures }) {
  const { m } = props;
  const rate = (figures: RecoveryFigures) => (figures.lapsed === 0 ? m.noRate : formatShare(m, figures.recoveredOfLapsed / figures.lapsed));
  const row = (label: string, figures: RecoveryFigures) => (
    <tr>
      <th scope="row">{label}</th>
      <td class="num" data-label={m.lapsedThisMonth}>
        {formatCount(m, figures.lapsed)}
      </td>
      <td class="num" data-label={m.recoveredThisMonth}>
        {formatCount(m, figures.recovered)}
      </td>
      <td class="num" data-label={m.recoveryRate}>
        {rate(figures)}
      </td>
    </tr>
  );
  return (
    <table class="stack">
      <caption>{m.recoveryTitle(formatMonth(m, props.month))}</caption>
      <thead>
        <tr>
          <th scope="col">{m.recoveryWho}</th>
          <th scope="col" class="num">
            {m.lapsedThisMonth}
          </th>
          <th scope="col" class="num">
            {m.recoveredThisMonth}
          </th>
          <th scope="col" class="num">
            {m.recoveryRate}
          </th>
        </tr>
      </thead>
      <tbody>
        {props.me ? row(m.recoveryMe, props.me) : null}
        {row(m.recoveryOrganization, props.organization)}
      </tbody>
    </table>
  );
}

export function WorkspacePage(props: {
  frame: Frame;
  scope: 'mine' | 'all';
  month: string;
  me: RecoveryFigures | undefined;
  organization: RecoveryFigures;
  rows: CallRow[];
  total: number;
  nextHref: string | undefined;
  publicUrl: string;
}) {
  const { frame } = props;
  const m = frame.session.m;
  return (
    <ConsolePage {...frame} title={m.workspaceTitle}>
      <section aria-labelledby="recovery-title">
        <h2 id="recovery-title">{m.recoveryCaption}</h2>
        <RecoveryTable m={m} month={props.month} me={props.me} organization={props.organization} />
      </section>
      <section aria-labelledby="calls-title">
        <h2 id="calls-title">{m.callListTitle}</h2>
        <p>{m.callListIntro}</p>
        <nav aria-label={m.scopeLabel}>
          <ul class="counts">
            <li>
              <a href="/console/workspace" aria-current={props.scope === 'mine' ? 'true' : undefined}>
                {m.scopeMine}
              </a>
            </li>
            <li>
              <a href="/console/workspace?scope=all" aria-current={props.scope === 'all' ? 'true' : undefined}>
                {m.scopeAll}
              </a>
            </li>
          </ul>
        </nav>
        <p>
          <strong>{m.callCount(formatCount(m, props.total), props.total)}</strong>
        </p>
        <CallList session={frame.session} rows={props.rows} back={frame.path} publicUrl={props.publicUrl} nextHref={props.nextHref} />
      </section>
    </ConsolePage>
  );
}

const SHOWN_STANDINGS: readonly Standing[] = STANDINGS.filter((s) => s !== 'resigned');

export function WorksitesPage(props: { frame: Frame; rows: WorksiteRow[] }) {
  const m = props.frame.session.m;
  return (
    <ConsolePage {...props.frame} title={m.worksitesTitle}>
      {props.rows.length === 0 ? (
        <p class="notice">{m.noWorksites}</p>
      ) : (
        <table class="stack">
          <caption>{m.worksitesCaption}</caption>
          <thead>
            <tr>
              <th scope="col">{m.worksiteColumn}</th>
              <th scope="col">{m.organizerColumn}</th>
              <th scope="col" class="num">
                {m.totalColumn}
              </th>
              {SHOWN_STANDINGS.map((s) => (
                <th scope="col" class="num">
                  {m.standings[s]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr>
                <td class="lead">
                  <a href={`/console/worksites/${encodeURIComponent(row.worksite)}`}>{row.worksite}</a>
                </td>
                <td data-label={m.organizerColumn}>{row.organizer_name ?? m.noOrganizer}</td>
                <td class="num" data-label={m.totalColumn}>
                  {formatCount(m, row.total)}
                </td>
                {SHOWN_STANDINGS.map((s) => (
                  <td class="num" data-label={m.standings[s]}>
                    {formatCount(m, row.counts[s] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </ConsolePage>
  );
}

export function WorksitePage(props: { frame: Frame; site: WorksiteRow; rows: CallRow[]; total: number; nextHref: string | undefined; publicUrl: string }) {
  const { frame, site } = props;
  const m = frame.session.m;
  return (
    <ConsolePage {...frame} title={m.worksiteTitle(site.worksite)}>
      <dl class="facts panel">
        <dt>{m.worksiteOrganizer}</dt>
        <dd>{site.organizer_name ?? m.noOrganizer}</dd>
        <dt>{m.totalColumn}</dt>
        <dd>
          <a href={`/console/members?worksite=${encodeURIComponent(site.worksite)}`}>{m.membersCount(formatCount(m, site.total), site.total)}</a>
        </dd>
      </dl>
      <dl class="stats">
        {SHOWN_STANDINGS.filter((s) => (site.counts[s] ?? 0) > 0).map((s) => (
          <div>
            <dt>{m.standings[s]}</dt>
            <dd>{formatCount(m, site.counts[s] ?? 0)}</dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby="calls-title">
        <h2 id="calls-title">{m.callListTitle}</h2>
        <p>
          <strong>{m.callCount(formatCount(m, props.total), props.total)}</strong>
        </p>
        <CallList session={frame.session} rows={props.rows} back={frame.path} publicUrl={props.publicUrl} nextHref={props.nextHref} />
      </section>
    </ConsolePage>
  );
}

import type { IncreaseRow } from '../../increases/increases';
import type { IncreaseSummary } from '../../increases/queries';
import { formatMoney } from '../../signup/i18n';
import { formatCount, formatDay, formatInstant } from '../i18n';
import { ConsolePage, Csrf, ErrorSummary, Field, type PageProps } from '../layout';
import { ScrollTable } from './dashboard';

type Frame = Omit<PageProps, 'title' | 'children'>;

export interface UpcomingVersion {
  id: string;
  plan_name: string;
  version: number;
  effective_from: string;
  authorization_note: string;
}

/** The increases confirmed, and the new rates waiting to be carried to members. */
export function IncreasesPage(props: { frame: Frame; upcoming: UpcomingVersion[]; increases: IncreaseSummary[] }) {
  const { frame } = props;
  const m = frame.session.m;
  const t = m.increases;
  return (
    <ConsolePage {...frame} title={t.title}>
      <p>{t.intro}</p>
      <h2>{t.upcomingTitle}</h2>
      {props.upcoming.length === 0 ? (
        <p>{t.upcomingEmpty}</p>
      ) : (
        <ul class="calls">
          {props.upcoming.map((version) => (
            <li class="panel">
              <a href={`/console/increases/new?version=${version.id}`}>{t.prepare(version.plan_name)}</a>
              <p class="hint">
                {t.effectiveColumn}: {formatDay(m, version.effective_from)} · {t.authorizedColumn}: {version.authorization_note}
              </p>
            </li>
          ))}
        </ul>
      )}
      <h2>{t.confirmedTitle}</h2>
      {props.increases.length === 0 ? (
        <p>{t.confirmedEmpty}</p>
      ) : (
        <table class="stack">
          <caption class="visually-hidden">{t.confirmedTitle}</caption>
          <thead>
            <tr>
              <th scope="col">{t.planColumn}</th>
              <th scope="col">{t.effectiveColumn}</th>
              <th scope="col">{t.noticeColumn}</th>
              <th scope="col">{t.progressColumn}</th>
            </tr>
          </thead>
          <tbody>
            {props.increases.map((increase) => (
              <tr>
                <th scope="row">
                  <a href={`/console/increases/${increase.id}`}>{increase.plan_name}</a>
                </th>
                <td data-label={t.effectiveColumn}>{formatDay(m, increase.effective_from)}</td>
                <td data-label={t.noticeColumn}>{formatDay(m, increase.notice_on)}</td>
                <td data-label={t.progressColumn}>{t.progress(increase.noticed, increase.applied, increase.items, increase.failed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </ConsolePage>
  );
}

function AmountsTable(props: { frame: Frame; rows: Array<Pick<IncreaseRow, 'memberId' | 'name' | 'beforeCents' | 'afterCents'> & { status?: string | undefined; problem?: string | null | undefined }>; currency: string; withStatus?: boolean }) {
  const m = props.frame.session.m;
  const t = m.increases;
  const money = (cents: number | null) => (cents === null ? m.none : formatMoney(cents, props.currency));
  return (
    <ScrollTable id="amounts" label={t.memberColumn}>
      <table>
        <caption class="visually-hidden">{t.memberColumn}</caption>
        <thead>
          <tr>
            <th scope="col">{t.memberColumn}</th>
            <th scope="col" class="num">
              {t.beforeColumn}
            </th>
            <th scope="col" class="num">
              {t.afterColumn}
            </th>
            <th scope="col" class="num">
              {t.changeColumn}
            </th>
            {props.withStatus ? <th scope="col">{t.progressColumn}</th> : null}
            {props.withStatus ? <th scope="col">{t.errorColumn}</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr>
              <th scope="row">
                <a href={`/console/members/${row.memberId}`}>{row.name}</a>
              </th>
              <td class="num">{money(row.beforeCents)}</td>
              <td class="num">{row.afterCents === null ? t.notComputable : money(row.afterCents)}</td>
              <td class="num">{row.afterCents === null || row.beforeCents === null ? m.none : `${row.afterCents >= row.beforeCents ? '+' : '−'}${money(Math.abs(row.afterCents - row.beforeCents))}`}</td>
              {props.withStatus ? <td>{row.status}</td> : null}
              {props.withStatus ? <td class="wrap">{row.problem ?? m.none}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollTable>
  );
}

/** Before it is confirmed: what each member pays now and will pay, and the notice to give. */
export function NewIncreasePage(props: { frame: Frame; version: UpcomingVersion; rows: IncreaseRow[]; currency: string; noticeDays: string; error?: string | undefined }) {
  const { frame, rows } = props;
  const m = frame.session.m;
  const t = m.increases;
  const uncomputable = rows.filter((row) => row.afterCents === null).length;
  return (
    <ConsolePage {...frame} title={t.newTitle(props.version.plan_name)}>
      <ErrorSummary m={m} errors={props.error ? [{ field: 'noticeDays', message: props.error }] : []} />
      <p>{t.newIntro(formatDay(m, props.version.effective_from), formatCount(m, rows.length), rows.length)}</p>
      <p class="hint">
        {t.authorizedColumn}: {props.version.authorization_note}
      </p>
      {uncomputable > 0 ? <p class="notice">{t.uncomputable(formatCount(m, uncomputable), uncomputable)}</p> : null}
      <form method="post" action="/console/increases" class="panel" novalidate>
        <Csrf token={frame.session.csrf} />
        <input type="hidden" name="version" value={props.version.id} />
        <Field id="noticeDays" label={t.noticeDays} hint={t.noticeDaysHint} value={props.noticeDays} error={props.error} inputMode="numeric" autocomplete="off" />
        <div class="actions">
          <button type="submit">{t.confirm}</button>
          <a href="/console/increases">{m.cancel}</a>
        </div>
      </form>
      <AmountsTable frame={frame} rows={rows} currency={props.currency} />
    </ConsolePage>
  );
}

export interface IncreaseItemView {
  member_id: string;
  name: string;
  before_cents: number | null;
  after_cents: number | null;
  notice_sent_at: Date | null;
  applied_at: Date | null;
  last_error: string | null;
}

/** An increase under way: each member's notice and change, the failures and their retry. */
export function IncreasePage(props: { frame: Frame; increase: IncreaseSummary; items: IncreaseItemView[]; currency: string }) {
  const { frame, increase } = props;
  const m = frame.session.m;
  const t = m.increases;
  const zone = frame.session.organization.timeZone;
  const status = (item: IncreaseItemView) =>
    item.applied_at ? `${t.changedAt} ${formatInstant(m, item.applied_at, zone)}` : item.notice_sent_at ? `${t.noticeSent} ${formatInstant(m, item.notice_sent_at, zone)}` : t.waiting;
  return (
    <ConsolePage {...frame} title={t.newTitle(increase.plan_name)}>
      <p>{t.detailIntro(formatDay(m, increase.notice_on), formatDay(m, increase.effective_from), increase.authorization_note)}</p>
      <p role="status">
        <strong>{t.progress(increase.noticed, increase.applied, increase.items, increase.failed)}</strong>
      </p>
      {increase.failed > 0 ? (
        <form method="post" action={`/console/increases/${increase.id}/retry`}>
          <Csrf token={frame.session.csrf} />
          <button type="submit">{t.retry}</button>
        </form>
      ) : null}
      <AmountsTable
        frame={frame}
        currency={props.currency}
        withStatus
        rows={props.items.map((item) => ({ memberId: item.member_id, name: item.name, beforeCents: item.before_cents, afterCents: item.after_cents, status: status(item), problem: item.applied_at ? null : item.last_error }))}
      />
    </ConsolePage>
  );
}

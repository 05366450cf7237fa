import type { AuditFilters, AuditRow } from '../../audit/queries';
import { formatInstant } from '../i18n';
import { ConsolePage, Field, SelectField, Frame } from '../layout';
import { ScrollTable } from './dashboard';

/** The page's address with these filters (and a page position): filters stay in the URL. */
export function auditHref(base: string, filters: AuditFilters, before?: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, before })) if (value !== undefined) params.set(key, value);
  const query = params.toString();
  return query ? `${base}?${query}` : base;
}

/** A short, one-line view of an entry's details (the CSV has them whole). */
const detailsText = (details: Record<string, unknown>) => {
  const text = JSON.stringify(details);
  return text === '{}' ? '' : text.length > 160 ? `${text.slice(0, 159)}…` : text;
};

export function AuditPage(props: { frame: Frame; filters: AuditFilters; choices: { actions: string[]; actors: Array<{ id: string; name: string }> }; rows: AuditRow[]; nextBefore: string | undefined; paged: boolean }) {
  const { frame, filters } = props;
  const m = frame.session.m;
  const a = m.admin;
  const zone = frame.session.organization.timeZone;
  return (
    <ConsolePage {...frame} title={a.auditTitle}>
      <p>{a.auditIntro}</p>
      <form method="get" action="/console/audit" class="panel filters">
        <SelectField id="actor" label={a.auditWho} value={filters.actor} options={[{ value: '', label: a.auditAnyone }, ...props.choices.actors.map((actor) => ({ value: actor.id, label: actor.name }))]} />
        <SelectField id="action" label={a.auditAction} value={filters.action} options={[{ value: '', label: a.auditAnyAction }, ...props.choices.actions.map((action) => ({ value: action, label: action }))]} />
        <Field id="from" label={a.auditFrom} type="date" value={filters.from} />
        <Field id="to" label={a.auditTo} type="date" value={filters.to} />
        <div class="actions wide">
          <button type="submit">{a.auditApply}</button>
          <a href="/console/audit">{a.auditClear}</a>
          <a href={auditHref('/console/audit.csv', filters)}>{a.auditExport}</a>
        </div>
      </form>
      {props.rows.length === 0 ? (
        <p>{a.auditEmpty}</p>
      ) : (
        <ScrollTable id="audit" label={a.auditTable}>
          <table>
            <caption class="visually-hidden">{a.auditTitle}</caption>
            <thead>
              <tr>
                <th scope="col">{a.auditWhen}</th>
                <th scope="col">{a.auditWho}</th>
                <th scope="col">{a.auditAction}</th>
                <th scope="col">{a.auditSubject}</th>
                <th scope="col">{a.auditDetails}</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((row) => (
                <tr>
                  <td>{formatInstant(m, new Date(row.created_at), zone)}</td>
                  <td>{row.actor_name ?? a.auditSystem}</td>
                  <td>
                    <code>{row.action}</code>
                  </td>
                  <td>{row.subject_type ? `${row.subject_type} ${row.subject_id ?? ''}` : m.none}</td>
                  <td class="wrap">
                    <code>{detailsText(row.details)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
      <p class="pager">
        {props.paged ? <a href={auditHref('/console/audit', filters)}>{a.auditFirst}</a> : null}
        {props.nextBefore ? <a href={auditHref('/console/audit', filters, props.nextBefore)}>{a.auditNext}</a> : null}
      </p>
    </ConsolePage>
  );
}

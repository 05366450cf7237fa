import type { Standing } from '../../../db/database';
import { ROLL_COLUMNS, type RollColumn } from '../../members/import';
import { formatCount, formatDay } from '../i18n';
import { ConsolePage, Csrf, ErrorSummary, StandingBadge, type PageProps } from '../layout';

type Frame = Omit<PageProps, 'title' | 'children'>;

/** What one row of a checked roll will do. */
export interface RollPreviewRow {
  row: number;
  name: string;
  email: string;
  outcome: 'added' | 'updated' | 'unchanged' | 'error';
  /** Updates: the columns changed. Errors: each column with its reason. */
  details: string[];
  standing?: Standing | undefined;
}

export interface RollPreview {
  uploadId: string;
  fileName: string;
  on: string;
  counts: { added: number; updated: number; unchanged: number; errors: number };
  rows: RollPreviewRow[];
  totalRows: number;
}

/** The template's example cells, column by column. */
export const TEMPLATE_EXAMPLE: Record<RollColumn, string> = {
  name: 'Rosa Díaz',
  email: 'rosa@example.org',
  phone: '312-555-0142',
  preferred_language: 'es',
  employer: 'Acme Logistics',
  worksite: 'Dock 4',
  member_class: 'regular',
  external_id: 'M-1001',
  plan: 'Regular monthly',
  joined_on: '2025-06-01',
  paid_through: '2026-10-31',
  standing: 'active',
  organizer_email: 'organizer@example.org',
  gross_wage: '',
  pay_frequency: '',
  hourly_wage: '',
  bracket: '',
  chosen_amount: '',
};

/** The upload form and the columns it reads, documented; `error` when the last upload could not be read. */
export function RollUploadPage(props: { frame: Frame; mode: 'add' | 'update'; error?: string | undefined }) {
  const { frame } = props;
  const m = frame.session.m;
  const r = m.roll;
  return (
    <ConsolePage {...frame} title={r.title}>
      <ErrorSummary m={m} errors={props.error ? [{ field: 'roll', message: props.error }] : []} />
      <p>{r.intro}</p>
      <form method="post" action="/console/import" enctype="multipart/form-data" class="panel">
        <Csrf token={frame.session.csrf} />
        <div class="field">
          <label for="roll">{r.fileLabel}</label>
          <p class="hint" id="roll-hint">
            {r.fileHint}
          </p>
          {props.error ? (
            <p class="error" id="roll-error">
              {props.error}
            </p>
          ) : null}
          <input type="file" id="roll" name="roll" accept=".csv,text/csv" aria-describedby={props.error ? 'roll-hint roll-error' : 'roll-hint'} aria-invalid={props.error ? 'true' : undefined} />
        </div>
        <fieldset>
          <legend>{r.modeLegend}</legend>
          {(['add', 'update'] as const).map((mode) => (
            <div class="check">
              <input type="radio" id={`mode-${mode}`} name="mode" value={mode} checked={props.mode === mode} />
              <label for={`mode-${mode}`}>{r.modes[mode]}</label>
            </div>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit">{r.check}</button>
          <a href="/console/import/template.csv" download>
            {r.template}
          </a>
        </div>
      </form>
      <h2>{r.columnsTitle}</h2>
      <p>{r.columnsIntro}</p>
      <table class="stack">
        <caption class="visually-hidden">{r.columnsTitle}</caption>
        <thead>
          <tr>
            <th scope="col">{r.columnHeader}</th>
            <th scope="col">{r.meaningHeader}</th>
            <th scope="col">{r.exampleHeader}</th>
          </tr>
        </thead>
        <tbody>
          {ROLL_COLUMNS.map((column) => (
            <tr>
              <th scope="row">
                <code>{column}</code>
              </th>
              <td data-label={r.meaningHeader}>{r.columns[column]}</td>
              <td data-label={r.exampleHeader}>{TEMPLATE_EXAMPLE[column] || m.none}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ConsolePage>
  );
}

/** What each row will do, and the confirmation when no row has an error. */
export function RollPreviewPage(props: { frame: Frame; preview: RollPreview }) {
  const { frame, preview } = props;
  const m = frame.session.m;
  const r = m.roll;
  const { counts } = preview;
  const n = (count: number) => formatCount(m, count);
  const importable = counts.added + counts.updated;
  return (
    <ConsolePage {...frame} title={r.previewTitle(preview.fileName)}>
      <p role="status">
        <strong>{r.summary({ added: n(counts.added), updated: n(counts.updated), unchanged: n(counts.unchanged), errors: n(counts.errors) }, counts)}</strong> {r.nextScan(formatDay(m, preview.on))}
      </p>
      {counts.errors > 0 ? <p class="notice">{r.fixFirst}</p> : null}
      <div class="actions">
        {counts.errors === 0 && importable > 0 ? (
          <form method="post" action={`/console/import/${preview.uploadId}/confirm`}>
            <Csrf token={frame.session.csrf} />
            <button type="submit">{r.confirm(n(importable), importable)}</button>
          </form>
        ) : null}
        <a href="/console/import">{r.checkAnother}</a>
      </div>
      {preview.rows.length < preview.totalRows ? <p>{r.shownFirst(preview.rows.length, n(preview.totalRows))}</p> : null}
      <table class="stack">
        <caption class="visually-hidden">{r.previewTitle(preview.fileName)}</caption>
        <thead>
          <tr>
            <th scope="col">{r.rowHeader}</th>
            <th scope="col">{r.memberHeader}</th>
            <th scope="col">{r.outcomeHeader}</th>
            <th scope="col">{r.standingHeader}</th>
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((row) => (
            <tr>
              <td data-label={r.rowHeader}>{row.row}</td>
              <th scope="row">
                {row.name || m.none}
                <br />
                <span class="hint">{row.email}</span>
              </th>
              <td data-label={r.outcomeHeader}>
                <strong class={row.outcome === 'error' ? 'error' : undefined}>{r.outcomes[row.outcome]}</strong>
                {row.outcome === 'updated' ? `: ${r.changedFields(row.details.join(', '))}` : null}
                {row.outcome === 'error' ? (
                  <ul>
                    {row.details.map((detail) => (
                      <li>{detail}</li>
                    ))}
                  </ul>
                ) : null}
              </td>
              <td data-label={r.standingHeader}>{row.standing ? <StandingBadge m={m} standing={row.standing} /> : m.none}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ConsolePage>
  );
}

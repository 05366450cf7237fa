import type { ColumnMapping } from '../../payroll/mapping';
import type { Employer, Remittance } from '../../payroll/queries';
import type { EmployerReportRow } from '../../payroll/report';
import type { RemittanceReview } from '../../payroll/remittances';
import { formatMoney } from '../../signup/i18n';
import { formatCount, formatDay, type Messages } from '../i18n';
import type { Plan } from '../../../db/database';
import { ConsolePage, Csrf, type PageProps } from '../layout';
import { ExceptionPager, NewMemberForm, SuspenseSection, type FormError } from './payroll-review';

type Frame = Omit<PageProps, 'title' | 'children'>;

export const signedMoney = (cents: number, currency: string) => (cents < 0 ? `-${formatMoney(-cents, currency)}` : formatMoney(cents, currency));
const period = (m: Messages, r: Pick<Remittance, 'period_start' | 'period_end'>) => m.payrollPeriod(formatDay(m, r.period_start), formatDay(m, r.period_end));

/** An error summary at the top of a form, GOV.UK style: what is wrong, linking to the field. */
export function ErrorSummary(props: { m: Messages; errors: Array<{ field: string; message: string }> }) {
  if (props.errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabIndex={-1}>
      <h2>{props.m.payrollErrorSummary}</h2>
      <ul>
        {props.errors.map((error) => (
          <li>
            <a href={`#${error.field}`}>{error.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Field(props: { id: string; label: string; type?: string; value?: string; required?: boolean; hint?: string; inputMode?: 'decimal'; accept?: string }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <input id={props.id} name={props.id} type={props.type ?? 'text'} value={props.value} required={props.required} inputMode={props.inputMode} accept={props.accept} aria-describedby={props.hint ? `${props.id}-hint` : undefined} />
    </>
  );
}

export function EmployersPage(props: { frame: Frame; employers: Array<Employer & { members: number }>; notice?: string; errors: Array<{ field: string; message: string }> }) {
  const { frame } = props;
  const { m, csrf } = frame.session;
  return (
    <ConsolePage {...frame} title={m.payrollEmployersTitle} flash={props.notice ?? frame.flash}>
      <p>{m.payrollEmployersIntro}</p>
      {props.employers.length === 0 ? (
        <p>{m.payrollNoEmployers}</p>
      ) : (
        <table class="stack" aria-label={m.payrollEmployersTitle}>
          <thead>
            <tr>
              <th scope="col">{m.payrollEmployerColumn}</th>
              <th scope="col">{m.payrollFrequencyColumn}</th>
              <th scope="col" class="num">
                {m.payrollMembersColumn}
              </th>
            </tr>
          </thead>
          <tbody>
            {props.employers.map((employer) => (
              <tr>
                <th scope="row">
                  <a href={`/console/employers/${employer.id}`}>{employer.name}</a>
                </th>
                <td data-label={m.payrollFrequencyColumn}>{m.payrollFrequencies[employer.pay_frequency] ?? employer.pay_frequency}</td>
                <td class="num" data-label={m.payrollMembersColumn}>
                  {formatCount(m, employer.members)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{m.payrollAddEmployer}</h2>
      <ErrorSummary m={m} errors={props.errors} />
      <form method="post" action="/console/employers">
        <Csrf token={csrf} />
        <Field id="name" label={m.payrollName} required />
        <label for="payFrequency">{m.payrollFrequencyColumn}</label>
        <select id="payFrequency" name="payFrequency">
          {Object.entries(m.payrollFrequencies).map(([value, label]) => (
            <option value={value}>{label}</option>
          ))}
        </select>
        <Field id="contactName" label={m.payrollContactName} />
        <Field id="contactEmail" label={m.payrollContactEmail} type="email" />
        <button type="submit">{m.payrollAdd}</button>
      </form>
    </ConsolePage>
  );
}

const MAPPING_FIELDS: ReadonlyArray<keyof ColumnMapping> = ['employeeNumber', 'name', 'firstName', 'amount', 'hours', 'wages', 'period'];

export function EmployerPage(props: { frame: Frame; employer: Employer; report: EmployerReportRow[]; currency: string; notice?: string; errors: Array<{ field: string; message: string }>; today: string }) {
  const { frame, employer } = props;
  const { m, csrf } = frame.session;
  const mapping = employer.column_mapping;
  return (
    <ConsolePage {...frame} title={employer.name} flash={props.notice ?? frame.flash}>
      <p>
        {m.payrollFrequencies[employer.pay_frequency]}
        {employer.contact_name ? ` · ${employer.contact_name}` : ''}
        {employer.contact_email ? ` · ${employer.contact_email}` : ''}
      </p>
      <h2>{m.payrollRemittancesTitle}</h2>
      {props.report.length === 0 ? (
        <p>{m.payrollNoRemittances}</p>
      ) : (
        <table class="stack" aria-label={m.payrollRemittancesTitle}>
          <thead>
            <tr>
              <th scope="col">{m.payrollPeriodColumn}</th>
              <th scope="col" class="num">
                {m.payrollExpectedColumn}
              </th>
              <th scope="col" class="num">
                {m.payrollRemittedColumn}
              </th>
              <th scope="col" class="num">
                {m.payrollReceivedColumn}
              </th>
              <th scope="col" class="num">
                {m.payrollDaysColumn}
              </th>
              <th scope="col">{m.payrollStatusColumn}</th>
            </tr>
          </thead>
          <tbody>
            {props.report.map((r) => (
              <tr>
                <th scope="row">
                  <a href={`/console/remittances/${r.remittanceId}`}>{period(m, { period_start: r.periodStart, period_end: r.periodEnd })}</a>
                </th>
                <td class="num" data-label={m.payrollExpectedColumn}>
                  {formatMoney(r.expectedCents, props.currency)}
                </td>
                <td class="num" data-label={m.payrollRemittedColumn}>
                  {formatMoney(r.remittedCents, props.currency)}
                </td>
                <td class="num" data-label={m.payrollReceivedColumn}>
                  {formatMoney(r.receivedCents, props.currency)}
                </td>
                <td class="num" data-label={m.payrollDaysColumn}>
                  {r.daysToReceipt === null ? m.none : formatCount(m, r.daysToReceipt)}
                </td>
                <td data-label={m.payrollStatusColumn}>{m.payrollStatuses[r.status]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{m.payrollUploadTitle}</h2>
      <p>{m.payrollUploadIntro}</p>
      <ErrorSummary m={m} errors={props.errors} />
      <form method="post" action={`/console/employers/${employer.id}/remittances`} enctype="multipart/form-data">
        <Csrf token={csrf} />
        <Field id="file" label={m.payrollFile} type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required />
        <Field id="periodStart" label={m.payrollPeriodStart} type="date" required />
        <Field id="periodEnd" label={m.payrollPeriodEnd} type="date" required />
        <Field id="payDate" label={m.payrollPayDate} type="date" />
        <Field id="receivedOn" label={m.payrollReceivedOn} type="date" value={props.today} required />
        <Field id="amountReceived" label={m.payrollAmountReceived} hint={m.payrollAmountHint} inputMode="decimal" required />
        <fieldset>
          <legend>{m.payrollMappingTitle}</legend>
          <p class="hint">{m.payrollMappingIntro}</p>
          {MAPPING_FIELDS.map((field) => (
            <Field id={`mapping.${field}`} label={m.payrollMappingFields[field]!} value={mapping?.[field] ?? ''} required={field === 'amount'} />
          ))}
        </fieldset>
        <button type="submit">{m.payrollUpload}</button>
      </form>
    </ConsolePage>
  );
}

function ExceptionItem(props: { m: Messages; e: RemittanceReview['summary']['exceptions'][number]; names: ReadonlyMap<string, string>; currency: string; csrf: string; remittanceId: string; open: boolean; plans: readonly Plan[]; newMemberOpen: boolean }) {
  const { m, e, names } = props;
  const money = (cents: number) => formatMoney(cents, props.currency);
  const name = (id: string) => names.get(id) ?? id;
  const who = (line: { name: string | null; employeeNumber: string | null }) => [line.name ?? m.payrollNoName, line.employeeNumber].filter(Boolean).join(', ');
  switch (e.kind) {
    case 'bad_line':
      return <li>{m.payrollException.bad_line(e.row, e.message)}</li>;
    case 'unmatched':
      return (
        <li>
          {m.payrollException.unmatched(e.row, who(e))}
          {props.open ? (
            <form method="post" action={`/console/remittances/${props.remittanceId}/lines/${e.row}/member`}>
              <Csrf token={props.csrf} />
              <label for={`row-${e.row}-email`}>{m.payrollMemberEmail}</label>
              <input id={`row-${e.row}-email`} name="email" type="email" required />
              <button type="submit" class="secondary">
                {m.payrollThisIsMember}
              </button>
            </form>
          ) : null}
          {props.open ? <NewMemberForm m={m} csrf={props.csrf} remittanceId={props.remittanceId} row={e.row} name={e.name} plans={props.plans} open={props.newMemberOpen} /> : null}
        </li>
      );
    case 'proposed':
      return (
        <li>
          {m.payrollException.proposed(e.row, who(e))} <span class="hint">({m.payrollReasons[e.reason]})</span>
          {props.open ? (
            <div class="outcomes">
              {e.candidates.map((id) => (
                <form method="post" action={`/console/remittances/${props.remittanceId}/lines/${e.row}/member`}>
                  <Csrf token={props.csrf} />
                  <input type="hidden" name="memberId" value={id} />
                  <button type="submit" class="secondary">
                    {m.payrollThisIs(name(id))}
                  </button>
                </form>
              ))}
            </div>
          ) : (
            <ul>
              {e.candidates.map((id) => (
                <li>{name(id)}</li>
              ))}
            </ul>
          )}
        </li>
      );
    case 'amount_differs':
      return <li>{m.payrollException.amount_differs(name(e.memberId), e.rows.join(', '), money(e.expectedCents), money(e.amountCents))}</li>;
    case 'dues_unknown':
      return <li>{m.payrollException.dues_unknown(name(e.memberId), e.rows.join(', '), e.message)}</li>;
    case 'member_twice':
      return <li>{m.payrollException.member_twice(name(e.memberId), e.rows.join(', '))}</li>;
    case 'missing_member':
      return <li>{m.payrollException.missing_member(name(e.memberId))}</li>;
    case 'total_differs':
      return <li>{m.payrollException.total_differs(money(e.fileTotalCents), money(e.receivedCents))}</li>;
  }
}

const LINES_SHOWN = 200;

export interface RemittancePageProps {
  frame: Frame;
  review: RemittanceReview;
  names: ReadonlyMap<string, string>;
  notice?: string;
  /** One page of the list to check: a 20,000-line file can list thousands. */
  exceptions: { shown: RemittanceReview['summary']['exceptions']; page: number; perPage: number };
  /** What a posted remittance holds in payroll suspense now, and what an explanation cleared. */
  suspense: { heldCents: number; clearedCents: number };
  plans: readonly Plan[];
  errors: FormError[];
  /** The row whose "add as a new member" form was sent back with errors. */
  newMemberRow?: number;
}

export function RemittancePage(props: RemittancePageProps) {
  const { frame, review } = props;
  const { m, csrf } = frame.session;
  const { remittance, summary } = review;
  const money = (cents: number) => signedMoney(cents, remittance.currency);
  const draft = remittance.status === 'draft';
  return (
    <ConsolePage {...frame} title={m.payrollReviewTitle(review.employer.name)} flash={props.notice ?? frame.flash}>
      <ErrorSummary m={m} errors={props.errors} />
      <p>
        {period(m, remittance)} · {m.payrollStatuses[remittance.status]}
      </p>
      <h2>{m.payrollSummary}</h2>
      <dl class="figures">
        <dt>{m.payrollAmountReceived}</dt>
        <dd>{money(remittance.amount_received_cents)}</dd>
        <dt>{m.payrollFileTotal}</dt>
        <dd>{money(summary.fileTotalCents)}</dd>
        <dt>{m.payrollMatched}</dt>
        <dd>{money(summary.matchedCents)}</dd>
        <dt>{m.payrollSuspense}</dt>
        <dd>{money(summary.suspenseCents)}</dd>
        <dt>{m.payrollLines}</dt>
        <dd>{formatCount(m, summary.lines)}</dd>
      </dl>
      <SuspenseSection m={m} csrf={csrf} remittance={remittance} heldCents={props.suspense.heldCents} clearedCents={props.suspense.clearedCents} money={money} timeZone={frame.session.organization.timeZone} errors={props.errors} />
      <h2 id="exceptions">{m.payrollExceptionsTitle}</h2>
      {summary.exceptions.length === 0 ? (
        <p>{m.payrollNoExceptions}</p>
      ) : (
        <>
          <ExceptionPager m={m} remittanceId={remittance.id} page={props.exceptions.page} perPage={props.exceptions.perPage} total={summary.exceptions.length} />
          <ul>
            {props.exceptions.shown.map((e) => (
              <ExceptionItem m={m} e={e} names={props.names} currency={remittance.currency} csrf={csrf} remittanceId={remittance.id} open={draft} plans={props.plans} newMemberOpen={e.kind === 'unmatched' && e.row === props.newMemberRow} />
            ))}
          </ul>
        </>
      )}
      {draft ? (
        <>
          <h2>{m.payrollPostTitle}</h2>
          <p>{m.payrollPostCheck(money(remittance.amount_received_cents), money(summary.matchedCents), money(summary.suspenseCents))}</p>
          {remittance.corrects_remittance_id ? <p>{m.payrollPostCorrection}</p> : null}
          <form method="post" action={`/console/remittances/${remittance.id}/post`}>
            <Csrf token={csrf} />
            <input type="hidden" name="confirm" value="true" />
            <button type="submit">{m.payrollPost}</button>
          </form>
        </>
      ) : null}
      <h2>{m.payrollLines}</h2>
      {review.lines.length > LINES_SHOWN ? <p class="hint">{m.payrollLinesShown(LINES_SHOWN, review.lines.length)}</p> : null}
      <table class="stack" aria-label={m.payrollLines}>
        <thead>
          <tr>
            <th scope="col">{m.payrollRowColumn}</th>
            <th scope="col">{m.payrollNumberColumn}</th>
            <th scope="col">{m.payrollNameColumn}</th>
            <th scope="col" class="num">
              {m.payrollAmountColumn}
            </th>
            <th scope="col">{m.payrollMemberColumn}</th>
          </tr>
        </thead>
        <tbody>
          {review.lines.slice(0, LINES_SHOWN).map((line) => (
            <tr>
              <th scope="row">{line.row_number}</th>
              <td data-label={m.payrollNumberColumn}>{line.employee_number ?? m.none}</td>
              <td data-label={m.payrollNameColumn}>{line.name ?? m.none}</td>
              <td class="num" data-label={m.payrollAmountColumn}>
                {line.amount_cents === null ? m.none : money(line.amount_cents)}
              </td>
              <td data-label={m.payrollMemberColumn}>{line.member_id ? <a href={`/console/members/${line.member_id}`}>{props.names.get(line.member_id) ?? m.none}</a> : m.payrollUnmatched}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href={`/console/employers/${review.employer.id}`}>{m.payrollBack}</a>
      </p>
    </ConsolePage>
  );
}

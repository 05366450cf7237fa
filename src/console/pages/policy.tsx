import type { Standing } from '../../../db/database';
import type { ScanPreview } from '../../retention/preview';
import { formatCount, formatDay } from '../i18n';
import type { PolicyField } from '../i18n/policy';
import { CheckField, ConsolePage, Csrf, ErrorSummary, Field, SelectField, StandingBadge, TextArea, type Frame } from '../layout';
import type { PolicyForm, PolicyFormError } from '../policy-form';


// Standings in the order a member falls through them, for the preview's sentence.
const INTO_ORDER: readonly Standing[] = ['active', 'past_due', 'lapsed', 'suspended', 'dropped', 'exempt', 'resigned', 'pending'];

export interface PolicyPreviews {
  proposed: ScanPreview;
  inForce: ScanPreview;
}

/**
 * The good-standing rules as a form. Preview runs the next scan's verdicts under the typed
 * rules and shows whom they would change; saving is offered only from there, with what was previewed.
 */
export function PolicyPage(props: { frame: Frame; form: PolicyForm; errors: Partial<Record<PolicyField, PolicyFormError>>; previews?: PolicyPreviews | undefined }) {
  const { frame, form, errors, previews } = props;
  const m = frame.session.m;
  const p = m.policy;
  const error = (field: PolicyField) => (errors[field] === undefined ? undefined : p.errors[errors[field]]);
  const errorList = (Object.keys(errors) as PolicyField[]).map((field) => ({ field, message: error(field)! }));
  const number = (id: PolicyField, label: string, hint?: string) => <Field id={id} label={label} value={form[id]} error={error(id)} hint={hint} inputMode="numeric" autocomplete="off" />;
  return (
    <ConsolePage {...frame} title={p.title}>
      <ErrorSummary m={m} errors={errorList} />
      {previews ? <PreviewSection frame={frame} previews={previews} /> : <p>{p.intro}</p>}
      <form method="post" action="/console/policy" novalidate>
        <Csrf token={frame.session.csrf} />
        <fieldset>
          <legend>{p.arrearsLegend}</legend>
          {number('graceDays', p.graceDays, p.graceDaysHint)}
          {number('suspendAtMonthsOwed', p.suspendAt, p.neverHint)}
          {number('dropAtMonthsOwed', p.dropAt, p.neverHint)}
          <CheckField id="arrangementKeepsGoodStanding" label={p.arrangementKeeps} checked={form.arrangementKeepsGoodStanding !== undefined} />
          <SelectField
            id="reinstatement"
            label={p.reinstatement}
            value={form.reinstatement}
            error={error('reinstatement')}
            options={(['pay_arrears', 'fee'] as const).map((value) => ({ value, label: p.reinstatementChoices[value] }))}
          />
          <Field id="reinstatementFee" label={p.reinstatementFee} hint={p.reinstatementFeeHint} value={form.reinstatementFee} error={error('reinstatementFee')} inputMode="numeric" autocomplete="off" />
          <CheckField id="partialRefundUnpaysPeriod" label={p.partialRefund} checked={form.partialRefundUnpaysPeriod !== undefined} />
        </fieldset>
        <fieldset>
          <legend>{p.noticesLegend}</legend>
          <CheckField id="noticePaymentFailed" label={p.noticePaymentFailed} checked={form.noticePaymentFailed !== undefined} />
          <CheckField id="noticeCardExpiring" label={p.noticeCardExpiring} checked={form.noticeCardExpiring !== undefined} />
          <CheckField id="noticeBeforeSuspension" label={p.noticeBeforeSuspension} checked={form.noticeBeforeSuspension !== undefined} />
          {number('noticeDaysBeforeSuspension', p.noticeDays)}
          <SelectField id="dailyHour" label={p.dailyHour} value={form.dailyHour} error={error('dailyHour')} options={Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: p.hour(h) }))} />
          <TextArea id="alertEmails" label={p.alertEmails} hint={p.alertEmailsHint} value={form.alertEmails} error={error('alertEmails')} />
          <CheckField id="immediateFailureAlert" label={p.immediateAlert} checked={form.immediateFailureAlert !== undefined} />
        </fieldset>
        <fieldset>
          <legend>{p.contactLegend}</legend>
          <Field id="contactName" label={p.contactName} value={form.contactName} error={error('contactName')} autocomplete="off" />
          <Field id="contactEmail" label={p.contactEmail} type="email" value={form.contactEmail} error={error('contactEmail')} autocomplete="off" />
          <Field id="contactPhone" label={p.contactPhone} type="tel" value={form.contactPhone} error={error('contactPhone')} autocomplete="off" />
        </fieldset>
        <div class="actions">
          <button type="submit" name="intent" value="preview" class={previews ? 'secondary' : undefined}>
            {p.preview}
          </button>
          {previews ? (
            <button type="submit" name="intent" value="save">
              {p.save}
            </button>
          ) : null}
        </div>
      </form>
    </ConsolePage>
  );
}

function PreviewSection({ frame, previews }: { frame: Frame; previews: PolicyPreviews }) {
  const m = frame.session.m;
  const p = m.policy;
  const { proposed, inForce } = previews;
  const parts = INTO_ORDER.flatMap((standing) => (proposed.into[standing] ? [p.intoStanding(formatCount(m, proposed.into[standing]), m.standings[standing])] : []));
  return (
    <section aria-labelledby="preview-title" class="panel">
      <h2 id="preview-title">{p.previewTitle}</h2>
      <p role="status">
        <strong>{p.previewSummary(formatDay(m, proposed.on), formatCount(m, proposed.total), proposed.total, parts)}</strong> {p.inForce(formatCount(m, inForce.total), inForce.total)} {p.notSaved}
      </p>
      {proposed.changes.length > 0 ? (
        <>
          {proposed.changes.length < proposed.total ? <p>{p.previewFirst(proposed.changes.length, formatCount(m, proposed.total))}</p> : null}
          <table class="stack">
            <caption>{p.previewCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{p.memberColumn}</th>
                <th scope="col">{p.fromColumn}</th>
                <th scope="col">{p.toColumn}</th>
                <th scope="col">{p.whyColumn}</th>
                <th scope="col" class="num">
                  {p.owedColumn}
                </th>
              </tr>
            </thead>
            <tbody>
              {proposed.changes.map((change) => (
                <tr>
                  <th scope="row">
                    <a href={`/console/members/${change.memberId}`}>{change.name}</a>
                  </th>
                  <td data-label={p.fromColumn}>
                    <StandingBadge m={m} standing={change.from} />
                  </td>
                  <td data-label={p.toColumn}>
                    <StandingBadge m={m} standing={change.to} />
                  </td>
                  <td data-label={p.whyColumn}>{p.reasons[change.reason]}</td>
                  <td data-label={p.owedColumn} class="num">
                    {formatCount(m, change.monthsInArrears)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

import type { Plan } from '../../../db/database';
import type { Remittance } from '../../payroll/queries';
import { formatCount, formatInstant, type Messages } from '../i18n';
import { Csrf } from '../layout';

// The remittance page's later pieces (issue 22): the payroll suspense explained, a new
// member from an unmatched line, and the list to check in pages.

export interface FormError {
  field: string;
  message: string;
}

const sign = (cents: number) => (cents > 0 ? 'more' : 'less');

/** A posted remittance's suspense: the form to explain it, or how it was explained. */
export function SuspenseSection(props: { m: Messages; csrf: string; remittance: Remittance; heldCents: number; clearedCents: number; money: (cents: number) => string; timeZone: string; errors: FormError[] }) {
  const { m, remittance } = props;
  const p = m.payroll;
  if (remittance.suspense_resolution !== null && remittance.suspense_explained_at !== null) {
    const what = p.suspenseResolutions(sign(props.clearedCents))[remittance.suspense_resolution];
    return (
      <>
        <h2>{p.suspenseTitle}</h2>
        <p>{p.suspenseExplained(formatInstant(m, remittance.suspense_explained_at, props.timeZone), `${what} (${props.money(Math.abs(props.clearedCents))})`)}</p>
        <blockquote>{remittance.suspense_note}</blockquote>
      </>
    );
  }
  if (remittance.status !== 'posted' || props.heldCents === 0) return null;
  const resolutions = p.suspenseResolutions(sign(props.heldCents));
  const errorOf = (field: string) => props.errors.find((e) => e.field === field)?.message;
  return (
    <>
      <h2>{p.suspenseTitle}</h2>
      <p>{p.suspenseHeld(sign(props.heldCents), props.money(Math.abs(props.heldCents)))}</p>
      <form method="post" action={`/console/remittances/${remittance.id}/suspense`}>
        <Csrf token={props.csrf} />
        <fieldset id="resolution">
          <legend>{p.suspenseLegend}</legend>
          {errorOf('resolution') ? <p class="error">{errorOf('resolution')}</p> : null}
          {(['dues_income', 'employer'] as const).map((resolution) => (
            <div class="check">
              <input type="radio" id={`resolution-${resolution}`} name="resolution" value={resolution} required />
              <label for={`resolution-${resolution}`}>{resolutions[resolution]}</label>
            </div>
          ))}
        </fieldset>
        <label for="note">{p.suspenseNote}</label>
        <p class="hint" id="note-hint">
          {p.suspenseNoteHint}
        </p>
        {errorOf('note') ? (
          <p class="error" id="note-error">
            {errorOf('note')}
          </p>
        ) : null}
        <textarea id="note" name="note" rows={3} maxLength={1000} required aria-describedby={errorOf('note') ? 'note-hint note-error' : 'note-hint'} aria-invalid={errorOf('note') ? 'true' : undefined} />
        <button type="submit">{p.suspenseExplain}</button>
      </form>
    </>
  );
}

/** "Add as a new member" for a line that matches no one: name from the line, an email, a plan. */
export function NewMemberForm(props: { m: Messages; csrf: string; remittanceId: string; row: number; name: string | null; plans: readonly Plan[]; open: boolean }) {
  const { m, row } = props;
  const p = m.payroll;
  const id = (field: string) => `row-${row}-new-${field}`;
  return (
    <details open={props.open}>
      <summary>{p.addMember}</summary>
      {props.plans.length === 0 ? (
        <p>{p.addMemberNoPlan}</p>
      ) : (
        <form method="post" action={`/console/remittances/${props.remittanceId}/lines/${row}/new-member`}>
          <Csrf token={props.csrf} />
          <p class="hint">{p.addMemberIntro}</p>
          <label for={id('name')}>{p.addMemberName}</label>
          <input id={id('name')} name="name" value={props.name ?? ''} maxLength={200} required />
          <label for={id('email')}>{p.addMemberEmail}</label>
          <input id={id('email')} name="email" type="email" maxLength={320} required />
          <label for={id('phone')}>{p.addMemberPhone}</label>
          <input id={id('phone')} name="phone" type="tel" maxLength={40} />
          <label for={id('plan')}>{p.addMemberPlan}</label>
          <select id={id('plan')} name="planId">
            {props.plans.map((plan) => (
              <option value={plan.id}>{plan.name}</option>
            ))}
          </select>
          <button type="submit" class="secondary">
            {p.addMember}
          </button>
        </form>
      )}
    </details>
  );
}

/** Where the page of the list to check sits in it, with links to the pages either side. */
export function ExceptionPager(props: { m: Messages; remittanceId: string; page: number; perPage: number; total: number }) {
  const { m, page, perPage, total } = props;
  if (total <= perPage) return null;
  const from = (page - 1) * perPage + 1;
  const to = Math.min(total, page * perPage);
  const href = (n: number) => `/console/remittances/${props.remittanceId}?exceptions=${n}#exceptions`;
  return (
    <nav aria-label={m.payroll.exceptionsPages}>
      <p>{m.payroll.exceptionsShown(formatCount(m, from), formatCount(m, to), formatCount(m, total))}</p>
      <p>
        {page > 1 ? <a href={href(page - 1)}>{m.payroll.exceptionsPrevious}</a> : null}
        {page > 1 && to < total ? ' · ' : null}
        {to < total ? <a href={href(page + 1)}>{m.payroll.exceptionsNext}</a> : null}
      </p>
    </nav>
  );
}

import type { Language, Standing } from '../../db/database';
import { formatMoney, messagesFor } from '../signup/i18n';
import { layoutPage } from '../signup/page';
import { ownPageMessages } from './i18n';
import type { OwnPayment } from './queries';

// The member's own page, on the signup pages' components and stylesheet.

const LOCALES: Record<Language, string> = { en: 'en-US', es: 'es-MX' };
const longDay = (language: Language, day: string) => new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
const period = (language: Language, p: OwnPayment) => (p.periodStart && p.periodEnd ? `${longDay(language, p.periodStart)} – ${longDay(language, p.periodEnd)}` : '');

export interface OwnRecord {
  name: string;
  phone: string | null;
  employer: string | null;
  worksite: string | null;
  preferred_language: Language;
  standing: Standing;
  paid_through: string | null;
  stripe_customer_id: string | null;
}

interface Frame {
  language: Language;
  organization: { slug: string; name: string };
}

const base = (frame: Frame) => `/join/${encodeURIComponent(frame.organization.slug)}/me`;

function Payments({ language, payments }: { language: Language; payments: OwnPayment[] }) {
  const m = ownPageMessages(language);
  if (payments.length === 0) return <p>{m.noPayments}</p>;
  // A list, not a table: it reads the same on a phone and to a screen reader.
  return (
    <ul class="payments">
      {payments.map((p) => (
        <li>
          <strong>{`${longDay(language, p.day)}: ${m.kinds[p.kind] ?? p.kind}${p.employer ? ` (${p.employer})` : ''} ${formatMoney(Math.abs(p.amountCents), p.currency)}`}</strong>
          {period(language, p) ? (
            <>
              <br />
              {`${m.paymentColumns.period}: ${period(language, p)}`}
            </>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

export function ownPage(state: Frame & { member: OwnRecord; payments: OwnPayment[]; csrf: string; year: number; notice?: string; errors?: Record<string, string> }): string {
  const { language, member } = state;
  const m = ownPageMessages(language);
  const signup = messagesFor(language);
  const errors = state.errors ?? {};
  const field = (name: 'phone' | 'employer' | 'worksite', label: string, limit: number, autocomplete?: string) => (
    <div class={`field${errors[name] ? ' invalid' : ''}`}>
      <label for={name}>{label}</label>
      {errors[name] ? (
        <p class="error" id={`${name}-error`}>
          {errors[name]}
        </p>
      ) : null}
      <input id={name} name={name} type={name === 'phone' ? 'tel' : 'text'} value={member[name] ?? ''} maxLength={limit} autocomplete={autocomplete} aria-describedby={errors[name] ? `${name}-error` : undefined} aria-invalid={errors[name] ? 'true' : undefined} />
    </div>
  );
  return layoutPage(
    { m: signup, organizationName: state.organization.name, title: m.title },
    <>
      <p>{m.signedInAs(member.name)}</p>
      {state.notice ? (
        <p class="notice" role="status">
          {state.notice}
        </p>
      ) : null}
      <h2>{m.standingHeading}</h2>
      <p>{m.standings[member.standing]}</p>
      <p>{member.paid_through ? m.paidThrough(longDay(language, member.paid_through)) : m.notPaidYet}</p>
      <h2>{m.paymentsHeading}</h2>
      <Payments language={language} payments={state.payments} />
      <p>
        <a href={`${base(state)}/statement?year=${state.year}`}>{m.statementLink(state.year)}</a>
      </p>
      {member.stripe_customer_id ? (
        <>
          <h2>{m.payHeading}</h2>
          <p>{m.payIntro}</p>
          <form method="post" action={`${base(state)}/portal`}>
            <input type="hidden" name="csrf" value={state.csrf} />
            <button type="submit">{m.payButton}</button>
          </form>
          <p>
            <a href={`${base(state)}/cancel`}>{m.cancelLink}</a>
          </p>
        </>
      ) : null}
      <h2>{m.detailsHeading}</h2>
      <p>{m.detailsIntro}</p>
      <form method="post" action={base(state)} novalidate>
        <input type="hidden" name="csrf" value={state.csrf} />
        {field('phone', m.phone, 40, 'tel')}
        {field('employer', m.employer, 200, 'organization')}
        {field('worksite', m.worksite, 200)}
        <div class="field">
          <label for="language">{m.language}</label>
          <select id="language" name="language">
            <option value="en" selected={member.preferred_language === 'en'} lang="en">
              English
            </option>
            <option value="es" selected={member.preferred_language === 'es'} lang="es">
              Español
            </option>
          </select>
        </div>
        <button type="submit">{m.save}</button>
      </form>
      <form method="post" action={`${base(state)}/sign-out`}>
        <input type="hidden" name="csrf" value={state.csrf} />
        <p>
          <button type="submit" class="secondary">
            {m.signOut}
          </button>
        </p>
      </form>
    </>,
  );
}

/** What the union wants said before someone stops paying, and the way on to Stripe's cancel page. */
export function cancelPage(state: Frame & { csrf: string }): string {
  const m = ownPageMessages(state.language);
  return layoutPage(
    { m: messagesFor(state.language), organizationName: state.organization.name, title: m.cancelTitle },
    <>
      <p>{m.cancelMessage(state.organization.name)}</p>
      <p>{m.cancelContact(state.organization.name)}</p>
      <form method="post" action={`${base(state)}/portal`}>
        <input type="hidden" name="csrf" value={state.csrf} />
        <button type="submit" class="secondary">
          {m.cancelButton}
        </button>
      </form>
      <p>
        <a href={base(state)}>{m.back}</a>
      </p>
    </>,
  );
}

/** A year's payments on one printable page, for the member's taxes. */
export function statementPage(state: Frame & { member: { name: string }; payments: OwnPayment[]; year: number }): string {
  const { language } = state;
  const m = ownPageMessages(language);
  const totals = new Map<string, number>();
  for (const p of state.payments) totals.set(p.currency, (totals.get(p.currency) ?? 0) + p.amountCents);
  const total = [...totals].map(([currency, cents]) => formatMoney(Math.max(0, cents), currency)).join(', ') || formatMoney(0, 'usd');
  return layoutPage(
    { m: messagesFor(language), organizationName: state.organization.name, title: m.statementTitle(state.year) },
    <>
      <p>{m.statementIntro(state.member.name, state.organization.name, state.year)}</p>
      <Payments language={language} payments={[...state.payments].reverse()} />
      <p>
        <strong>{m.statementTotal(total)}</strong>
      </p>
      <p class="hint">{m.print}</p>
      <p>
        <a href={base(state)}>{m.back}</a>
      </p>
    </>,
  );
}

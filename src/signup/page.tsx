import type { ComponentChildren } from 'preact';
import type { Language } from '../../db/database';
import { renderDocument } from '../html/render';
import { PAY_FREQUENCIES, wageFactsNeeded, type WageFacts } from '../plans/dues';
import { formatMoney, type Messages } from './i18n';
import type { Authorization } from './queries';
import { describeRule, factField, feeComparison, FIELD_LIMITS, previewDues, type FieldErrors, type FormValues, type SignupInput, type SignupPlan } from './signup';
import { SIGNUP_CSS_PATH } from './styles';

// The hosted signup pages, as components rendered on the server (every string escaped by
// the renderer). Each exported function returns the whole document.

export interface PageFrame {
  m: Messages;
  /** Absent where no organization is known (an unknown signup address): the page is the service's own. */
  organizationName?: string;
  title: string;
  /** Where the other language's link goes (the same page with ?lang=). */
  switchHref?: string;
  /** The organization's logo, from our own origin. */
  logoSrc?: string;
}

function Layout({ frame, children }: { frame: PageFrame; children?: ComponentChildren }) {
  const { m } = frame;
  const other = m.otherLanguage;
  return (
    <html lang={m.htmlLang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{`${frame.title} · ${frame.organizationName ?? 'Good Standing'}`}</title>
        <link rel="stylesheet" href={SIGNUP_CSS_PATH} />
      </head>
      <body>
        <main>
          {frame.logoSrc && frame.organizationName ? <img class="logo" src={frame.logoSrc} alt={m.logoAlt(frame.organizationName)} /> : null}
          <header>
            <h1>{frame.title}</h1>
            {frame.switchHref ? (
              <a href={frame.switchHref} hreflang={other.code} lang={other.code}>
                {other.label}
              </a>
            ) : null}
          </header>
          {children}
          <footer>{frame.organizationName ? m.footer(frame.organizationName) : 'Good Standing'}</footer>
        </main>
      </body>
    </html>
  );
}

export function layoutPage(frame: PageFrame, body: ComponentChildren): string {
  return renderDocument(<Layout frame={frame}>{body}</Layout>);
}

/** Terms and their details, as the confirm and welcome pages list a signup's answers. */
function Answers({ answers }: { answers: Array<[string, string]> }) {
  return (
    <dl class="answers">
      {answers.map(([term, detail]) => (
        <div>
          <dt>{term}</dt>
          <dd>{detail}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A page with a few paragraphs, optional answers and an optional link: confirmations, welcome, expired links, errors. */
export function messagePage(frame: PageFrame, paragraphs: string[], link?: { href: string; label: string }, answers?: { heading: string; list: Array<[string, string]> }): string {
  return layoutPage(
    frame,
    <>
      {paragraphs.map((text) => (
        <p>{text}</p>
      ))}
      {answers && answers.list.length > 0 ? (
        <>
          <h2>{answers.heading}</h2>
          <Answers answers={answers.list} />
        </>
      ) : null}
      {link ? (
        <p>
          <a href={link.href}>{link.label}</a>
        </p>
      ) : null}
    </>,
  );
}

interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'tel';
  autocomplete?: string;
  inputmode?: 'decimal';
  required?: boolean;
  hint?: string;
  maxLength?: number;
}

/** One labelled input; its hint and error are tied to it by aria-describedby so screen readers read them with it. */
function Field({ spec, values, errors }: { spec: FieldSpec; values: FormValues; errors: FieldErrors }) {
  const error = errors[spec.name];
  const described = [spec.hint ? `${spec.name}-hint` : '', error ? `${spec.name}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={spec.name}>
        {spec.label}
        {spec.required ? ' *' : ''}
      </label>
      {spec.hint ? (
        <p class="hint" id={`${spec.name}-hint`}>
          {spec.hint}
        </p>
      ) : null}
      {error ? (
        <p class="error" id={`${spec.name}-error`}>
          {error}
        </p>
      ) : null}
      <input
        id={spec.name}
        name={spec.name}
        type={spec.type ?? 'text'}
        value={values[spec.name] ?? ''}
        autocomplete={spec.autocomplete}
        inputMode={spec.inputmode}
        maxLength={spec.maxLength}
        required={spec.required}
        aria-describedby={described || undefined}
        aria-invalid={error ? 'true' : undefined}
      />
    </div>
  );
}

function Select(props: { name: string; label: string; options: Array<[string, string]>; placeholder: string; values: FormValues; errors: FieldErrors }) {
  const { name } = props;
  const error = props.errors[name];
  const chosen = props.values[name] ?? '';
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={name}>{props.label} *</label>
      {error ? (
        <p class="error" id={`${name}-error`}>
          {error}
        </p>
      ) : null}
      <select id={name} name={name} required aria-describedby={error ? `${name}-error` : undefined} aria-invalid={error ? 'true' : undefined}>
        <option value="">{props.placeholder}</option>
        {props.options.map(([value, text]) => (
          <option value={value} selected={value === chosen}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function FactInputs({ m, slug, plan, values, errors }: { m: Messages; slug: string; plan: SignupPlan; values: FormValues; errors: FieldErrors }) {
  const money = (cents: number) => formatMoney(cents, plan.currency);
  const period = m.period(plan.period);
  const name = (fact: keyof WageFacts) => factField(plan.id, fact);
  const rule = plan.rule;
  const inputs = wageFactsNeeded(rule).map((fact) => {
    switch (fact) {
      case 'grossWageCents':
        return <Field spec={{ name: name(fact), label: m.grossWage, inputmode: 'decimal', required: true, autocomplete: 'off' }} values={values} errors={errors} />;
      case 'payFrequency':
        return (
          <Select
            name={name(fact)}
            label={m.payFrequency}
            options={(Object.keys(PAY_FREQUENCIES) as Array<keyof typeof PAY_FREQUENCIES>).map((f) => [f, m.frequencies[f]])}
            placeholder={m.chooseBracket}
            values={values}
            errors={errors}
          />
        );
      case 'hourlyWageCents':
        return <Field spec={{ name: name(fact), label: m.hourlyWage, inputmode: 'decimal', required: true, autocomplete: 'off' }} values={values} errors={errors} />;
      case 'bracket':
        return rule.kind === 'income_brackets' ? (
          <Select name={name(fact)} label={m.bracket} options={rule.brackets.map((b, i) => [String(i), `${b.label}: ${money(b.amountCents)} ${period}`])} placeholder={m.chooseBracket} values={values} errors={errors} />
        ) : null;
      case 'chosenAmountCents':
        return rule.kind === 'member_chosen' ? <Field spec={{ name: name(fact), label: m.chosenAmount, inputmode: 'decimal', required: true, hint: describeRule(m, plan) }} values={values} errors={errors} /> : null;
    }
  });
  const dues = previewDues(m, plan, values);
  const computed = rule.kind !== 'flat' && rule.kind !== 'income_brackets' && rule.kind !== 'member_chosen';
  return (
    <>
      {inputs}
      {dues !== undefined && rule.kind !== 'flat' ? <p class="dues">{m.yourDues(money(dues), period)}</p> : null}
      {computed ? (
        // The answer lands on this plan's figures, not at the top of the page a screen above.
        <button type="submit" name="intent" value={`preview:${plan.id}`} class="secondary" formAction={`/join/${slug}#facts-${plan.id}`} formNoValidate>
          {m.preview}
        </button>
      ) : null}
      {plan.initiationFeeCents ? <p class="hint">{m.initiationFee(money(plan.initiationFeeCents))}</p> : null}
    </>
  );
}

/** What the signup page says about the organization: set by its admin, each part optional. */
export interface SignupAbout {
  logoSrc?: string | undefined;
  phone?: string | null;
  email?: string | null;
  address?: string | null;
  privacy?: { text: string; language: Language } | undefined;
}

/** How to reach the union: phone and email as links a phone opens, the address as written. */
function Contact({ m, about }: { m: Messages; about: SignupAbout }) {
  if (!about.phone && !about.email && !about.address) return null;
  return (
    <section class="about" aria-labelledby="contact-title">
      <h2 id="contact-title">{m.contactTitle}</h2>
      {about.phone ? (
        <p>
          {m.contactPhone}: <a href={`tel:${about.phone.replace(/[^0-9+]/g, '')}`}>{about.phone}</a>
        </p>
      ) : null}
      {about.email ? (
        <p>
          {m.contactEmail}: <a href={`mailto:${about.email}`}>{about.email}</a>
        </p>
      ) : null}
      {about.address ? <p>{about.address}</p> : null}
    </section>
  );
}

export interface JoinFormState {
  m: Messages;
  language: Language;
  organization: { slug: string; name: string };
  about?: SignupAbout;
  plans: readonly SignupPlan[];
  authorization: Authorization;
  values: FormValues;
  errors: FieldErrors;
  csrf: string;
  notice?: string;
}

/** The honeypot: people never see or reach it; a script that fills it gets an answer that changes nothing. */
const Honeypot = () => (
  <div class="hp" aria-hidden="true">
    <label for="website">Website</label>
    <input id="website" name="website" tabIndex={-1} autocomplete="off" />
  </div>
);

/** The signup form: with errors, a summary on top links to each field, and each field carries its own message. */
export function joinForm(state: JoinFormState): string {
  const { m, values, errors, plans } = state;
  const slug = encodeURIComponent(state.organization.slug);
  const about = state.about ?? {};
  const frame: PageFrame = { m, organizationName: state.organization.name, title: m.joinTitle(state.organization.name), switchHref: `/join/${slug}?lang=${m.otherLanguage.code}`, ...(about.logoSrc ? { logoSrc: about.logoSrc } : {}) };
  if (plans.length === 0) return messagePage(frame, [m.noPlans]);

  const errorEntries = Object.entries(errors);
  const target = (name: string) => (name === 'plan' ? `plan-${plans[0]!.id}` : name === 'paymentMethod' ? 'paymentMethod-us_bank_account' : name);
  // What the visitor chose, else the plan the organization preselected.
  const selected = plans.length === 1 ? plans[0]!.id : (values.plan ?? plans.find((plan) => plan.preselected)?.id);
  const planError = errors.plan;
  const chosenPlan = plans.find((plan) => plan.id === selected);
  const dues = chosenPlan && previewDues(m, chosenPlan, values);
  const method = values.paymentMethod === 'card' ? 'card' : 'us_bank_account';
  const paymentError = errors.paymentMethod;
  const authorizationError = errors.authorization;
  const MethodChoice = ({ value, label }: { value: 'us_bank_account' | 'card'; label: string }) => (
    <div class="choice">
      <input type="radio" name="paymentMethod" id={`paymentMethod-${value}`} value={value} checked={value === method} aria-describedby={`fees${paymentError ? ' paymentMethod-error' : ''}`} />
      <label for={`paymentMethod-${value}`}>{label}</label>
    </div>
  );

  return layoutPage(
    frame,
    <>
      <p>{m.welcomeIntro(state.organization.name)}</p>
      {state.notice ? <p class="notice">{state.notice}</p> : null}
      <div id="error-summary" aria-live="assertive">
        {errorEntries.length ? (
          <div class="summary" role="alert">
            <h2>{m.errorSummary}</h2>
            <ul>
              {errorEntries.map(([name, message]) => (
                <li>
                  <a href={`#${target(name)}`}>{message}</a>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
      <form method="post" action={`/join/${slug}`} novalidate>
        <input type="hidden" name="csrf" value={state.csrf} />
        <input type="hidden" name="lang" value={state.language} />
        <input type="hidden" name="authorizationVersion" value={String(state.authorization.version)} />
        <p class="hint">{m.requiredNote}</p>
        <fieldset>
          <legend>{m.aboutYou}</legend>
          <Field spec={{ name: 'name', label: m.name, autocomplete: 'name', required: true, maxLength: FIELD_LIMITS.name }} values={values} errors={errors} />
          <Field spec={{ name: 'email', label: m.email, type: 'email', autocomplete: 'email', required: true, hint: m.emailHint, maxLength: FIELD_LIMITS.email }} values={values} errors={errors} />
          <Field spec={{ name: 'phone', label: m.phone, type: 'tel', autocomplete: 'tel', maxLength: FIELD_LIMITS.phone }} values={values} errors={errors} />
          <Field spec={{ name: 'employer', label: m.employer, autocomplete: 'organization', maxLength: FIELD_LIMITS.employer }} values={values} errors={errors} />
          <Field spec={{ name: 'worksite', label: m.worksite, maxLength: FIELD_LIMITS.worksite }} values={values} errors={errors} />
        </fieldset>
        <fieldset class="plans">
          <legend>{m.planLegend} *</legend>
          {planError ? (
            <p class="error" id="plan-error">
              {planError}
            </p>
          ) : null}
          {plans.map((plan) => (
            <div class="plan">
              <div class="choice">
                <input type="radio" name="plan" id={`plan-${plan.id}`} value={plan.id} checked={plan.id === selected} aria-describedby={[plan.description ? `plan-${plan.id}-about` : '', planError ? 'plan-error' : ''].filter(Boolean).join(' ') || undefined} />
                <label for={`plan-${plan.id}`}>
                  <strong>{plan.name}</strong>
                  <br />
                  {describeRule(m, plan)}
                </label>
              </div>
              {plan.description ? (
                <p class="hint" id={`plan-${plan.id}-about`}>
                  {plan.description}
                </p>
              ) : null}
              <div class="facts" id={`facts-${plan.id}`}>
                <FactInputs m={m} slug={slug} plan={plan} values={values} errors={errors} />
              </div>
            </div>
          ))}
        </fieldset>
        <fieldset>
          <legend>{m.paymentLegend} *</legend>
          {paymentError ? (
            <p class="error" id="paymentMethod-error">
              {paymentError}
            </p>
          ) : null}
          <MethodChoice value="us_bank_account" label={m.bankAccount} />
          <MethodChoice value="card" label={m.card} />
          <p class="hint" id="fees">
            {dues !== undefined && dues > 0 ? feeComparison(m, dues, chosenPlan!.currency) : m.feeRules}
          </p>
        </fieldset>
        <fieldset>
          <legend>{m.authorizationLegend} *</legend>
          {/* Shown whole, never in a scrolling box: on a phone a box cut it mid-line, and a person accepts what they can read. */}
          <div class="authorization" id="authorization-text" lang={state.authorization.language}>
            {state.authorization.text}
          </div>
          {authorizationError ? (
            <p class="error" id="authorization-error">
              {authorizationError}
            </p>
          ) : null}
          <div class={`choice${authorizationError ? ' invalid' : ''}`}>
            <input
              type="checkbox"
              name="authorization"
              id="authorization"
              value="yes"
              checked={values.authorization === 'yes' && !authorizationError}
              required
              aria-describedby={`authorization-text${authorizationError ? ' authorization-error' : ''}`}
              aria-invalid={authorizationError ? 'true' : undefined}
            />
            <label for="authorization">{m.authorize}</label>
          </div>
        </fieldset>
        {about.privacy ? (
          <section class="about" aria-labelledby="privacy-title">
            <h2 id="privacy-title">{m.privacyTitle}</h2>
            <p lang={about.privacy.language}>{about.privacy.text}</p>
          </section>
        ) : null}
        <Honeypot />
        <button type="submit" name="intent" value="join">
          {m.submit}
        </button>
        <p class="hint">{m.secureNote}</p>
      </form>
      <Contact m={m} about={about} />
      <p>
        <a href={`/join/${slug}/manage?lang=${state.language}`}>{m.manageTitle}</a>
      </p>
    </>,
  );
}

export function manageForm(state: { m: Messages; language: Language; organization: { slug: string; name: string }; csrf: string; values: FormValues; errors: FieldErrors; notice?: string }): string {
  const { m } = state;
  const slug = encodeURIComponent(state.organization.slug);
  const error = Object.values(state.errors)[0];
  return layoutPage(
    { m, organizationName: state.organization.name, title: m.manageTitle, switchHref: `/join/${slug}/manage?lang=${m.otherLanguage.code}` },
    <>
      <p>{m.manageIntro}</p>
      {state.notice ? <p class="notice">{state.notice}</p> : null}
      <div id="error-summary" aria-live="assertive">
        {error ? (
          <div class="summary" role="alert">
            <ul>
              <li>
                <a href="#email">{error}</a>
              </li>
            </ul>
          </div>
        ) : null}
      </div>
      <form method="post" action={`/join/${slug}/manage`} novalidate>
        <input type="hidden" name="csrf" value={state.csrf} />
        <input type="hidden" name="lang" value={state.language} />
        <Field spec={{ name: 'email', label: m.email, type: 'email', autocomplete: 'email', required: true, maxLength: FIELD_LIMITS.email }} values={state.values} errors={state.errors.email ? { email: state.errors.email } : {}} />
        <Honeypot />
        <p>
          <button type="submit">{m.manageSubmit}</button>
        </p>
      </form>
    </>,
  );
}

/** The landing page of an emailed link: a button, so that mail scanners fetching the link do not spend it. */
export function openManageForm(state: { m: Messages; language: Language; organization: { slug: string; name: string }; token: string }): string {
  const { m } = state;
  return layoutPage(
    { m, organizationName: state.organization.name, title: m.openTitle },
    <>
      <p>{m.openIntro}</p>
      <form method="post" action={`/join/${encodeURIComponent(state.organization.slug)}/manage/open`}>
        <input type="hidden" name="token" value={state.token} />
        <input type="hidden" name="lang" value={state.language} />
        <button type="submit">{m.openSubmit}</button>
      </form>
    </>,
  );
}

/**
 * The page the emailed signup link opens: the answers to check, and a button that goes on
 * to Checkout (a button, so mail scanners that fetch the link start nothing).
 */
export function confirmForm(state: { m: Messages; language: Language; organization: { slug: string; name: string }; token: string; input: SignupInput }): string {
  const { m, input } = state;
  const slug = encodeURIComponent(state.organization.slug);
  const answers: Array<[string, string]> = [
    [m.name, input.name],
    [m.email, input.email],
    ...(input.phone ? [[m.phone, input.phone] as [string, string]] : []),
    ...(input.employer ? [[m.employer, input.employer] as [string, string]] : []),
    ...(input.worksite ? [[m.worksite, input.worksite] as [string, string]] : []),
    [m.planLegend, `${input.plan.name}: ${formatMoney(input.duesCents, input.plan.currency)} ${m.period(input.plan.period)}`],
    [m.paymentLegend, input.paymentMethod === 'card' ? m.card : m.bankAccount],
  ];
  return layoutPage(
    { m, organizationName: state.organization.name, title: m.confirmTitle },
    <>
      <p>{m.confirmIntro}</p>
      <Answers answers={answers} />
      {input.plan.initiationFeeCents ? <p class="hint">{m.initiationFee(formatMoney(input.plan.initiationFeeCents, input.plan.currency))}</p> : null}
      <form method="post" action={`/join/${slug}/confirm`}>
        <input type="hidden" name="token" value={state.token} />
        <input type="hidden" name="lang" value={state.language} />
        <button type="submit" name="intent" value="checkout">
          {m.confirmSubmit}
        </button>
        <p>
          <button type="submit" name="intent" value="edit" class="secondary">
            {m.confirmEdit}
          </button>
        </p>
      </form>
      <p class="hint">{m.secureNote}</p>
    </>,
  );
}

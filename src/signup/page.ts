import type { Language } from '../../db/database';
import { escapeHtml } from '../email/templates';
import { PAY_FREQUENCIES, wageFactsNeeded, type WageFacts } from '../plans/dues';
import { formatMoney, type Messages } from './i18n';
import type { Authorization } from './queries';
import { describeRule, factField, feeComparison, previewDues, type FieldErrors, type FormValues, type SignupPlan } from './signup';
import { SIGNUP_CSS_PATH } from './styles';

const e = escapeHtml;

export interface PageFrame {
  m: Messages;
  organizationName: string;
  title: string;
  /** Where the other language's link goes (the same page with ?lang=). */
  switchHref?: string;
}

export function layoutPage(frame: PageFrame, body: string): string {
  const { m } = frame;
  const other = m.otherLanguage;
  const switcher = frame.switchHref ? `<a href="${e(frame.switchHref)}" hreflang="${other.code}" lang="${other.code}">${e(other.label)}</a>` : '';
  return `<!doctype html>
<html lang="${m.htmlLang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(frame.title)} · ${e(frame.organizationName)}</title><link rel="stylesheet" href="${SIGNUP_CSS_PATH}"></head>
<body><main><header><h1>${e(frame.title)}</h1>${switcher}</header>
${body}
<footer>${e(m.footer(frame.organizationName))}</footer></main></body></html>`;
}

/** A page with a few paragraphs and an optional link: confirmations, expired links, errors. */
export function messagePage(frame: PageFrame, paragraphs: string[], link?: { href: string; label: string }): string {
  return layoutPage(frame, `${paragraphs.map((p) => `<p>${e(p)}</p>`).join('\n')}${link ? `\n<p><a href="${e(link.href)}">${e(link.label)}</a></p>` : ''}`);
}

interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'tel';
  autocomplete?: string;
  inputmode?: 'decimal';
  required?: boolean;
  hint?: string;
}

/** One labelled input; its hint and error are tied to it by aria-describedby so screen readers read them with it. */
function field(spec: FieldSpec, values: FormValues, errors: FieldErrors): string {
  const error = errors[spec.name];
  const described = [spec.hint ? `${spec.name}-hint` : '', error ? `${spec.name}-error` : ''].filter(Boolean).join(' ');
  return `<div class="field${error ? ' invalid' : ''}"><label for="${e(spec.name)}">${e(spec.label)}${spec.required ? ' *' : ''}</label>
${spec.hint ? `<p class="hint" id="${e(spec.name)}-hint">${e(spec.hint)}</p>` : ''}${error ? `<p class="error" id="${e(spec.name)}-error">${e(error)}</p>` : ''}
<input id="${e(spec.name)}" name="${e(spec.name)}" type="${spec.type ?? 'text'}" value="${e(values[spec.name] ?? '')}"${spec.autocomplete ? ` autocomplete="${spec.autocomplete}"` : ''}${spec.inputmode ? ` inputmode="${spec.inputmode}"` : ''}${spec.required ? ' required' : ''}${described ? ` aria-describedby="${described}"` : ''}${error ? ' aria-invalid="true"' : ''}></div>`;
}

function select(name: string, label: string, options: Array<[string, string]>, placeholder: string, values: FormValues, errors: FieldErrors): string {
  const error = errors[name];
  const chosen = values[name] ?? '';
  return `<div class="field${error ? ' invalid' : ''}"><label for="${e(name)}">${e(label)} *</label>${error ? `<p class="error" id="${e(name)}-error">${e(error)}</p>` : ''}
<select id="${e(name)}" name="${e(name)}" required${error ? ` aria-describedby="${e(name)}-error" aria-invalid="true"` : ''}><option value="">${e(placeholder)}</option>
${options.map(([value, text]) => `<option value="${e(value)}"${value === chosen ? ' selected' : ''}>${e(text)}</option>`).join('')}</select></div>`;
}

function factInputs(m: Messages, plan: SignupPlan, values: FormValues, errors: FieldErrors): string {
  const money = (cents: number) => formatMoney(cents, plan.currency);
  const period = m.period(plan.period);
  const name = (fact: keyof WageFacts) => factField(plan.id, fact);
  const rule = plan.rule;
  const inputs = wageFactsNeeded(rule).map((fact) => {
    switch (fact) {
      case 'grossWageCents':
        return field({ name: name(fact), label: m.grossWage, inputmode: 'decimal', required: true, autocomplete: 'off' }, values, errors);
      case 'payFrequency':
        return select(name(fact), m.payFrequency, (Object.keys(PAY_FREQUENCIES) as Array<keyof typeof PAY_FREQUENCIES>).map((f) => [f, m.frequencies[f]]), m.chooseBracket, values, errors);
      case 'hourlyWageCents':
        return field({ name: name(fact), label: m.hourlyWage, inputmode: 'decimal', required: true, autocomplete: 'off' }, values, errors);
      case 'bracket':
        return rule.kind === 'income_brackets'
          ? select(name(fact), m.bracket, rule.brackets.map((b, i) => [String(i), `${b.label}: ${money(b.amountCents)} ${period}`]), m.chooseBracket, values, errors)
          : '';
      case 'chosenAmountCents':
        return rule.kind === 'member_chosen'
          ? field({ name: name(fact), label: m.chosenAmount, inputmode: 'decimal', required: true, hint: describeRule(m, plan) }, values, errors)
          : '';
    }
  });
  const dues = previewDues(m, plan, values);
  const computed = rule.kind !== 'flat' && rule.kind !== 'income_brackets' && rule.kind !== 'member_chosen';
  return [
    ...inputs,
    dues !== undefined && rule.kind !== 'flat' ? `<p class="dues">${e(m.yourDues(money(dues), period))}</p>` : '',
    computed ? `<button type="submit" name="intent" value="preview" class="secondary" formnovalidate>${e(m.preview)}</button>` : '',
    plan.initiationFeeCents ? `<p class="hint">${e(m.initiationFee(money(plan.initiationFeeCents)))}</p>` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export interface JoinFormState {
  m: Messages;
  language: Language;
  organization: { slug: string; name: string };
  plans: readonly SignupPlan[];
  authorization: Authorization;
  values: FormValues;
  errors: FieldErrors;
  csrf: string;
  notice?: string;
}

/** The signup form: with errors, a summary on top links to each field, and each field carries its own message. */
export function joinForm(state: JoinFormState): string {
  const { m, values, errors, plans } = state;
  const slug = encodeURIComponent(state.organization.slug);
  const frame: PageFrame = { m, organizationName: state.organization.name, title: m.joinTitle(state.organization.name), switchHref: `/join/${slug}?lang=${m.otherLanguage.code}` };
  if (plans.length === 0) return messagePage(frame, [m.noPlans]);

  const errorEntries = Object.entries(errors);
  const target = (name: string) => (name === 'plan' ? `plan-${plans[0]!.id}` : name === 'paymentMethod' ? 'paymentMethod-us_bank_account' : name);
  const summary = `<div id="error-summary" aria-live="assertive">${
    errorEntries.length
      ? `<div class="summary" role="alert"><h2>${e(m.errorSummary)}</h2><ul>${errorEntries.map(([name, message]) => `<li><a href="#${e(target(name))}">${e(message)}</a></li>`).join('')}</ul></div>`
      : ''
  }</div>`;

  const selected = plans.length === 1 ? plans[0]!.id : values.plan;
  const planError = errors.plan;
  const planList = plans
    .map((plan) => {
      const id = `plan-${plan.id}`;
      return `<div class="plan"><div class="choice"><input type="radio" name="plan" id="${e(id)}" value="${e(plan.id)}"${plan.id === selected ? ' checked' : ''}${planError ? ' aria-describedby="plan-error"' : ''}>
<label for="${e(id)}"><strong>${e(plan.name)}</strong><br>${e(describeRule(m, plan))}</label></div>
<div class="facts">${factInputs(m, plan, values, errors)}</div></div>`;
    })
    .join('\n');

  const chosenPlan = plans.find((plan) => plan.id === selected);
  const dues = chosenPlan && previewDues(m, chosenPlan, values);
  const method = values.paymentMethod === 'card' ? 'card' : 'us_bank_account';
  const paymentError = errors.paymentMethod;
  const methodChoice = (value: 'us_bank_account' | 'card', label: string) =>
    `<div class="choice"><input type="radio" name="paymentMethod" id="paymentMethod-${value}" value="${value}"${value === method ? ' checked' : ''} aria-describedby="fees${paymentError ? ' paymentMethod-error' : ''}"><label for="paymentMethod-${value}">${e(label)}</label></div>`;
  const authorizationError = errors.authorization;

  return layoutPage(
    frame,
    `<p>${e(m.welcomeIntro(state.organization.name))}</p>
${state.notice ? `<p class="notice">${e(state.notice)}</p>` : ''}
${summary}
<form method="post" action="/join/${slug}" novalidate>
<input type="hidden" name="csrf" value="${e(state.csrf)}"><input type="hidden" name="lang" value="${state.language}">
<input type="hidden" name="authorizationVersion" value="${state.authorization.version}">
<p class="hint">${e(m.requiredNote)}</p>
<fieldset><legend>${e(m.aboutYou)}</legend>
${field({ name: 'name', label: m.name, autocomplete: 'name', required: true }, values, errors)}
${field({ name: 'email', label: m.email, type: 'email', autocomplete: 'email', required: true, hint: m.emailHint }, values, errors)}
${field({ name: 'phone', label: m.phone, type: 'tel', autocomplete: 'tel' }, values, errors)}
${field({ name: 'employer', label: m.employer, autocomplete: 'organization' }, values, errors)}
${field({ name: 'worksite', label: m.worksite }, values, errors)}
</fieldset>
<fieldset class="plans"><legend>${e(m.planLegend)} *</legend>${planError ? `<p class="error" id="plan-error">${e(planError)}</p>` : ''}
${planList}
</fieldset>
<fieldset><legend>${e(m.paymentLegend)} *</legend>${paymentError ? `<p class="error" id="paymentMethod-error">${e(paymentError)}</p>` : ''}
${methodChoice('us_bank_account', m.bankAccount)}
${methodChoice('card', m.card)}
<p class="hint" id="fees">${e(dues !== undefined && dues > 0 ? feeComparison(m, dues, chosenPlan!.currency) : m.feeRules)}</p>
</fieldset>
<fieldset><legend>${e(m.authorizationLegend)} *</legend>
<div class="authorization" id="authorization-text" lang="${state.authorization.language}">${e(state.authorization.text)}</div>
${authorizationError ? `<p class="error" id="authorization-error">${e(authorizationError)}</p>` : ''}
<div class="choice${authorizationError ? ' invalid' : ''}"><input type="checkbox" name="authorization" id="authorization" value="yes"${values.authorization === 'yes' && !authorizationError ? ' checked' : ''} required aria-describedby="authorization-text${authorizationError ? ' authorization-error' : ''}"${authorizationError ? ' aria-invalid="true"' : ''}>
<label for="authorization">${e(m.authorize)}</label></div>
</fieldset>
<div class="hp" aria-hidden="true"><label for="website">Website</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>
<button type="submit" name="intent" value="join">${e(m.submit)}</button>
<p class="hint">${e(m.secureNote)}</p>
</form>
<p><a href="/join/${slug}/manage?lang=${state.language}">${e(m.manageTitle)}</a></p>`,
  );
}

export function manageForm(state: { m: Messages; language: Language; organization: { slug: string; name: string }; csrf: string; values: FormValues; errors: FieldErrors }): string {
  const { m } = state;
  const slug = encodeURIComponent(state.organization.slug);
  const error = Object.values(state.errors)[0];
  return layoutPage(
    { m, organizationName: state.organization.name, title: m.manageTitle, switchHref: `/join/${slug}/manage?lang=${m.otherLanguage.code}` },
    `<p>${e(m.manageIntro)}</p>
<div id="error-summary" aria-live="assertive">${error ? `<div class="summary" role="alert"><ul><li><a href="#email">${e(error)}</a></li></ul></div>` : ''}</div>
<form method="post" action="/join/${slug}/manage" novalidate>
<input type="hidden" name="csrf" value="${e(state.csrf)}"><input type="hidden" name="lang" value="${state.language}">
${field({ name: 'email', label: m.email, type: 'email', autocomplete: 'email', required: true }, state.values, { ...(state.errors.email ? { email: state.errors.email } : {}) })}
<div class="hp" aria-hidden="true"><label for="website">Website</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>
<p><button type="submit">${e(m.manageSubmit)}</button></p>
</form>`,
  );
}

/** The landing page of an emailed link: a button, so that mail scanners fetching the link do not spend it. */
export function openManageForm(state: { m: Messages; language: Language; organization: { slug: string; name: string }; token: string }): string {
  const { m } = state;
  return layoutPage(
    { m, organizationName: state.organization.name, title: m.openTitle },
    `<p>${e(m.openIntro)}</p>
<form method="post" action="/join/${encodeURIComponent(state.organization.slug)}/manage/open"><input type="hidden" name="token" value="${e(state.token)}"><input type="hidden" name="lang" value="${state.language}">
<button type="submit">${e(m.openSubmit)}</button></form>`,
  );
}

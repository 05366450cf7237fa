import type { ComponentChildren } from 'preact';
import type { Standing } from '../../db/database';
import type { Messages } from './i18n';
import type { ConsoleSession } from './session';

export interface NavItem {
  href: string;
  label: string;
}

export interface PageProps {
  session: ConsoleSession;
  /** The page's own name: the h1 and the start of the document title. */
  title: string;
  stylesheet: string;
  navigation: NavItem[];
  /** The path of this page, for the navigation's current item and the language switch's return. */
  path: string;
  flash?: string | undefined;
  children?: ComponentChildren;
}

/** Hidden field every console form carries. */
export const Csrf = ({ token }: { token: string }) => <input type="hidden" name="csrf" value={token} />;

/**
 * The frame of every console page: a skip link, who is signed in and where, the language
 * switch and sign-out, the navigation the roles allow, the message after an action, and
 * the page's title as its h1.
 */
export function ConsolePage(props: PageProps) {
  const { session, title } = props;
  const m = session.m;
  const other = m.otherLanguage;
  return (
    <html lang={m.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{`${title} · ${session.organization.name} · ${m.product}`}</title>
        <link rel="stylesheet" href={props.stylesheet} />
      </head>
      <body>
        <a class="skip" href="#main">
          {m.skipLink}
        </a>
        <header class="top">
          <div class="bar">
            <span class="org">{session.organization.name}</span>
            <div class="who">
              <span>
                {m.signedInAs} <strong>{session.staffName}</strong> ({session.roles.map((role) => m.roles[role]).join(', ')})
              </span>
              <form method="post" action="/console/language">
                <Csrf token={session.csrf} />
                <input type="hidden" name="back" value={props.path} />
                <button type="submit" class="link" name="language" value={other.code} lang={other.code} aria-label={other.action}>
                  {other.label}
                </button>
              </form>
              <form method="post" action="/console/sign-out">
                <Csrf token={session.csrf} />
                <button type="submit" class="link">
                  {m.signOut}
                </button>
              </form>
            </div>
          </div>
          <nav class="main" aria-label={m.navLabel}>
            <ul>
              {props.navigation.map((item) => (
                <li>
                  <a href={item.href} aria-current={props.path.split('?')[0]!.startsWith(item.href) ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </header>
        <main id="main" tabIndex={-1}>
          {props.flash ? (
            <p class="flash" role="status">
              {props.flash}
            </p>
          ) : null}
          <h1>{title}</h1>
          {props.children}
        </main>
        <footer class="foot">{m.footer}</footer>
      </body>
    </html>
  );
}

/** A page for someone not signed in (the sign-in form, errors before sign-in): no navigation. */
export function PublicPage(props: { m: Messages; title: string; stylesheet: string; children?: ComponentChildren }) {
  const { m } = props;
  return (
    <html lang={m.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{`${props.title} · ${m.product}`}</title>
        <link rel="stylesheet" href={props.stylesheet} />
      </head>
      <body>
        <a class="skip" href="#main">
          {m.skipLink}
        </a>
        <header class="top">
          <div class="bar">
            <span class="org">{m.product}</span>
          </div>
        </header>
        <main id="main" tabIndex={-1} class="signin">
          <h1>{props.title}</h1>
          {props.children}
        </main>
        <footer class="foot">{m.footer}</footer>
      </body>
    </html>
  );
}

export const StandingBadge = ({ m, standing }: { m: Messages; standing: Standing }) => <span class={`badge s-${standing}`}>{m.standings[standing]}</span>;

/** A GOV.UK-style error summary: each problem links to its field. */
export function ErrorSummary({ m, errors }: { m: Messages; errors: Array<{ field: string; message: string }> }) {
  if (errors.length === 0) return null;
  return (
    <div class="summary" role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{m.errorSummary}</h2>
      <ul>
        {errors.map((error) => (
          <li>
            <a href={`#${error.field}`}>{error.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

interface FieldProps {
  id: string;
  label: string;
  value?: string | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  type?: 'text' | 'email' | 'tel' | 'date' | 'search';
  autocomplete?: string;
  inputMode?: 'numeric' | 'tel' | 'email' | 'search';
  required?: boolean;
}

/** A labelled input with its hint and error tied to it, so a screen reader reads them together. */
export function Field(props: FieldProps) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        required={props.required}
        aria-describedby={described || undefined}
        aria-invalid={props.error ? 'true' : undefined}
      />
    </div>
  );
}

export function SelectField(props: { id: string; label: string; value: string | undefined; options: Array<{ value: string; label: string }>; error?: string | undefined }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.error ? (
        <p class="error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
      <select id={props.id} name={props.id} aria-describedby={props.error ? `${props.id}-error` : undefined} aria-invalid={props.error ? 'true' : undefined}>
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === (props.value ?? '')}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

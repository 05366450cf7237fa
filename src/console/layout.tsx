import type { ComponentChildren } from 'preact';
import type { Language, Standing } from '../../db/database';
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

const describedBy = (id: string, hint: string | undefined, error: string | undefined) => [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

/** A field's label, hint and error around its control, tied to it by ids, so a screen reader reads them together. */
function FieldFrame(props: { id: string; label: string; hint?: string | undefined; error?: string | undefined; children: ComponentChildren }) {
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
      {props.children}
    </div>
  );
}

/** A labelled input with its hint and error. */
export function Field(props: FieldProps) {
  return (
    <FieldFrame id={props.id} label={props.label} hint={props.hint} error={props.error}>
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        required={props.required}
        aria-describedby={describedBy(props.id, props.hint, props.error)}
        aria-invalid={props.error ? 'true' : undefined}
      />
    </FieldFrame>
  );
}

/** A labelled multi-line input with its hint and error; `lang` when its text is in a language of its own. */
export function TextArea(props: { id: string; label: string; value?: string | undefined; error?: string | undefined; hint?: string | undefined; rows?: number; lang?: Language | undefined }) {
  return (
    <FieldFrame id={props.id} label={props.label} hint={props.hint} error={props.error}>
      <textarea id={props.id} name={props.id} rows={props.rows ?? 3} lang={props.lang} autocomplete="off" aria-describedby={describedBy(props.id, props.hint, props.error)} aria-invalid={props.error ? 'true' : undefined}>
        {props.value ?? ''}
      </textarea>
    </FieldFrame>
  );
}

/** A checkbox posting "yes" when ticked (an unticked box posts nothing). */
export function CheckField(props: { id: string; label: string; checked: boolean; hint?: string | undefined }) {
  return (
    <div class="check">
      <input type="checkbox" id={props.id} name={props.id} value="yes" checked={props.checked} aria-describedby={props.hint ? `${props.id}-hint` : undefined} />
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

export function SelectField(props: { id: string; label: string; value: string | undefined; options: Array<{ value: string; label: string }>; error?: string | undefined }) {
  return (
    <FieldFrame id={props.id} label={props.label} error={props.error}>
      <select id={props.id} name={props.id} aria-describedby={describedBy(props.id, undefined, props.error)} aria-invalid={props.error ? 'true' : undefined}>
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === (props.value ?? '')}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** The frame a page component receives: the page's own title and children are its own. */
export type Frame = Omit<PageProps, 'title' | 'children'>;

import type { Messages } from '../i18n';
import { ConsolePage, ErrorSummary, Field, PublicPage, type PageProps } from '../layout';

/** The staff sign-in form: the page for /login and for any console page asked for without a session. */
export function SignInPage(props: { m: Messages; stylesheet: string; notice?: string | undefined; email?: string | undefined; error?: string | undefined }) {
  const { m } = props;
  return (
    <PublicPage m={m} title={m.signInTitle} stylesheet={props.stylesheet}>
      {props.notice ? <p class="notice">{props.notice}</p> : null}
      <ErrorSummary m={m} errors={props.error ? [{ field: 'email', message: props.error }] : []} />
      <p>{m.signInIntro}</p>
      <form method="post" action="/auth/login" novalidate>
        <input type="hidden" name="lang" value={m.language} />
        <Field id="email" label={m.signInEmail} type="email" autocomplete="email" value={props.email} error={props.error} required />
        <Field id="organization" label={m.signInOrganization} hint={m.signInOrganizationHint} autocomplete="organization" />
        <div class="actions">
          <button type="submit">{m.signInSubmit}</button>
        </div>
      </form>
      <p>
        <a href={`?lang=${m.otherLanguage.code}`} hreflang={m.otherLanguage.code} lang={m.otherLanguage.code}>
          {m.otherLanguage.label}
        </a>
      </p>
    </PublicPage>
  );
}

/** A page with a few paragraphs, for someone not signed in ("check your email", a spent link). */
export function PublicMessagePage(props: { m: Messages; stylesheet: string; title: string; paragraphs: string[]; link?: { href: string; label: string } | undefined }) {
  return (
    <PublicPage m={props.m} title={props.title} stylesheet={props.stylesheet}>
      {props.paragraphs.map((text) => (
        <p>{text}</p>
      ))}
      {props.link ? (
        <p>
          <a href={props.link.href}>{props.link.label}</a>
        </p>
      ) : null}
    </PublicPage>
  );
}

/** An error inside the console, in its frame: a way back is always one tap away. */
export function ConsoleErrorPage(props: Omit<PageProps, 'children'> & { paragraphs: string[] }) {
  const m = props.session.m;
  return (
    <ConsolePage {...props}>
      {props.paragraphs.map((text) => (
        <p>{text}</p>
      ))}
      <p>
        <a href="/console">{m.backToConsole}</a>
      </p>
    </ConsolePage>
  );
}

import type { Language } from '../../db/database';
import { CONSOLE_STYLESHEET } from '../console/assets';
import { messagesFor } from '../console/i18n';
import { Field, PublicPage } from '../console/layout';
import { PublicMessagePage, SignInPage } from '../console/pages/public';
import { renderDocument } from '../html/render';

// The staff sign-in pages, on the console's components and stylesheet.

export function signInPage(language: Language, options: { signedOut?: boolean; email?: string | undefined; invalidEmail?: boolean } = {}): string {
  const m = messagesFor(language);
  return renderDocument(
    <SignInPage m={m} stylesheet={CONSOLE_STYLESHEET.href} notice={options.signedOut ? m.signedOut : undefined} email={options.email} error={options.invalidEmail ? m.signInEmailInvalid : undefined} />,
  );
}

export function signInSentPage(language: Language): string {
  const m = messagesFor(language);
  return renderDocument(<PublicMessagePage m={m} stylesheet={CONSOLE_STYLESHEET.href} title={m.signInTitle} paragraphs={[m.signInSent]} />);
}

/** The page an emailed sign-in link opens: one button, so mail scanners that fetch links spend nothing. */
export function signInLinkPage(language: Language, token: string): string {
  const m = messagesFor(language);
  return renderDocument(
    <PublicPage m={m} title={m.signInLinkTitle} stylesheet={CONSOLE_STYLESHEET.href}>
      <p>{m.signInLinkIntro}</p>
      <form method="post" action="/auth/callback">
        <input type="hidden" name="token" value={token} />
        <div class="actions">
          <button type="submit">{m.signInLinkButton}</button>
        </div>
      </form>
    </PublicPage>,
  );
}

/** A spent, expired or unknown link, with the way to a new one. */
export function signInLinkUnusablePage(language: Language, minutes: number): string {
  const m = messagesFor(language);
  return renderDocument(
    <PublicPage m={m} title={m.signInLinkUnusableTitle} stylesheet={CONSOLE_STYLESHEET.href}>
      <p>{m.signInLinkUnusable(minutes)}</p>
      <form method="post" action="/auth/login" novalidate>
        <input type="hidden" name="lang" value={m.language} />
        <Field id="email" label={m.signInEmail} type="email" autocomplete="email" required />
        <div class="actions">
          <button type="submit">{m.signInNewLink}</button>
        </div>
      </form>
    </PublicPage>
  );
}

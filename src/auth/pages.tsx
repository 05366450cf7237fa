import type { Language } from '../../db/database';
import { CONSOLE_STYLESHEET } from '../console/assets';
import { messagesFor } from '../console/i18n';
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

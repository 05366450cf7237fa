import type { Language, StaffRole } from '../../db/database';
import { CONSOLE_STYLESHEET } from '../console/assets';
import { messagesFor } from '../console/i18n';
import { PublicPage } from '../console/layout';
import { renderDocument } from '../html/render';

/** The page an invitation's link opens: one button, so mail scanners that fetch links accept nothing. */
export function invitationPage(language: Language, invitation: { token: string; organizationName: string; role: StaffRole }): string {
  const m = messagesFor(language);
  return renderDocument(
    <PublicPage m={m} title={m.invitationTitle(invitation.organizationName)} stylesheet={CONSOLE_STYLESHEET.href}>
      <p>{m.invitationIntro(invitation.organizationName, m.roles[invitation.role])}</p>
      <form method="post" action="/staff/invitations/accept">
        <input type="hidden" name="token" value={invitation.token} />
        <div class="actions">
          <button type="submit">{m.invitationButton}</button>
        </div>
      </form>
    </PublicPage>,
  );
}

export function invitationUnusablePage(language: Language): string {
  const m = messagesFor(language);
  return renderDocument(
    <PublicPage m={m} title={m.invitationUnusableTitle} stylesheet={CONSOLE_STYLESHEET.href}>
      <p>{m.invitationUnusable}</p>
    </PublicPage>,
  );
}

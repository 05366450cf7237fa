import { emailHtml, type EmailContent } from './layout';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** The plain-text part is the message; the HTML part says the same with a button for the link. */
export function layout(options: EmailContent): RenderedEmail {
  const text = [
    ...options.paragraphs,
    ...(options.action ? [`${options.action.label}: ${options.action.url}`] : []),
    '--',
    options.footer,
  ].join('\n\n');
  return { subject: options.title, text, html: emailHtml(options) };
}

export function staffInvitationEmail(options: { inviteeName: string; organizationName: string; role: string; link: string; days: number }): RenderedEmail {
  return layout({
    title: `You are invited to ${options.organizationName} on Good Standing`,
    paragraphs: [
      `Hello ${options.inviteeName},`,
      `An admin of ${options.organizationName} has invited you to their staff as ${options.role}. Use the link below to accept and sign in. It works once, within ${options.days} days.`,
      'If you were not expecting this, you can ignore this email: nothing changes unless you accept.',
    ],
    action: { label: 'Accept the invitation', url: options.link },
    footer: 'Good Standing — dues and membership for your organization',
  });
}

export function signInEmail(options: { staffName: string; organizationName: string; link: string; minutes: number }): RenderedEmail {
  return layout({
    title: `Sign in to Good Standing for ${options.organizationName}`,
    paragraphs: [
      `Hello ${options.staffName},`,
      `Use the link below to sign in. It works once and expires in ${options.minutes} minutes.`,
      'If you did not ask to sign in, you can ignore this email: nobody can sign in without the link.',
    ],
    action: { label: 'Sign in', url: options.link },
    footer: 'Good Standing — dues and membership for your organization',
  });
}

/** The answer to a sign-in request for an address with no staff account (or none in the organization asked for). */
export function noStaffAccountEmail(options: { signInUrl: string }): RenderedEmail {
  return layout({
    title: 'Signing in to Good Standing',
    paragraphs: [
      'Someone (we hope you) asked for a link to sign in to Good Standing with this email address, but it has no staff account, or none in the organization that was named.',
      'If you should have one, ask an admin of your organization to invite you, or try again without naming an organization.',
      'If you did not ask to sign in, you can ignore this email.',
    ],
    action: { label: 'Sign in', url: options.signInUrl },
    footer: 'Good Standing — dues and membership for your organization',
  });
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** The plain-text part is the message; the HTML part says the same with a button for the link. */
export function layout(options: { title: string; paragraphs: string[]; action?: { label: string; url: string }; footer: string }): RenderedEmail {
  const text = [
    ...options.paragraphs,
    ...(options.action ? [`${options.action.label}: ${options.action.url}`] : []),
    '--',
    options.footer,
  ].join('\n\n');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:560px">
<h1 style="font-size:20px">${escapeHtml(options.title)}</h1>
${options.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${options.action ? `<p><a href="${escapeHtml(options.action.url)}" style="display:inline-block;padding:10px 16px;background:#14532d;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(options.action.label)}</a></p>
<p style="font-size:13px;color:#555">${escapeHtml(options.action.url)}</p>` : ''}
<hr><p style="font-size:13px;color:#555">${escapeHtml(options.footer)}</p>
</body></html>`;
  return { subject: options.title, text, html };
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

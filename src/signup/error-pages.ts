import type { ErrorRequestHandler } from 'express';
import { toApiError } from '../http/errors';
import { messagesFor } from './i18n';
import { messagePage } from './page';
import { wantsHtml } from './routes';
import { pickLanguage } from './signup';

/**
 * A failure on a member's page is a page in their language, never the API's JSON: what
 * happened and the way to a new link. The cause goes to the log with the request id.
 */
export const signupErrorPages: ErrorRequestHandler = (error, req, res, next) => {
  const slug = /^\/join\/([^/]+)/.exec(req.path)?.[1];
  if (!slug || slug === 'assets' || res.headersSent || !wantsHtml(req)) return next(error);
  const apiError = toApiError(error);
  if (!apiError || apiError.status >= 500) req.log?.error({ err: error }, 'member page failed');
  const m = messagesFor(pickLanguage(req.query.lang ?? (req.body as { lang?: unknown } | undefined)?.lang, req.headers['accept-language']));
  const status = apiError && apiError.status < 500 ? apiError.status : 500;
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(messagePage({ m, title: m.unavailableTitle }, [m.failed], { href: `/join/${slug}/manage?lang=${m.htmlLang}`, label: m.newLink }));
};

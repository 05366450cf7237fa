import type { ErrorRequestHandler, Request } from 'express';
import type { AppContext } from '../context';
import { authenticate } from '../auth/guard';
import { toApiError, type ApiError } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { pickLanguage } from '../signup/signup';
import { CONSOLE_STYLESHEET } from './assets';
import { messagesFor, type Messages } from './i18n';
import { ConsoleErrorPage, PublicMessagePage, SignInPage } from './pages/public';
import { navigationFor, sendPage } from './routes';
import { loadSession, type ConsoleSession } from './session';

/** Console pages are for people: their errors are pages (the API keeps its JSON). */
export const isConsolePath = (path: string): boolean => path === '/console' || path.startsWith('/console/');

function wordsFor(m: Messages, error: ApiError | undefined, requestId: string): { title: string; paragraphs: string[] } {
  if (!error) return { title: m.errorTitle, paragraphs: [m.errorBody(requestId)] };
  if (error.status === 403) {
    return (error.details as { reason?: string } | undefined)?.reason === 'csrf' ? { title: m.expiredTitle, paragraphs: [m.expiredBody] } : { title: m.forbiddenTitle, paragraphs: [m.forbiddenBody] };
  }
  if (error.status === 404) return { title: m.notFoundTitle, paragraphs: [m.notFoundBody] };
  if (error.status === 429) return { title: m.tooManyTitle, paragraphs: [m.tooManyBody] };
  if (error.status >= 500) return { title: m.errorTitle, paragraphs: [m.errorBody(requestId)] };
  return { title: m.badRequestTitle, paragraphs: [m.badRequestBody] };
}

/**
 * Errors on console paths as HTML: not signed in → the sign-in page (401); no access,
 * unknown page, bad address, our failure → a page in the console's frame, in the staff
 * member's language, with a way back. Everything else goes on to the JSON handler.
 */
export function consoleErrorPages(ctx: AppContext, routes: readonly RouteDefinition[]): ErrorRequestHandler {
  return async (error, req: Request, res, next) => {
    if (!isConsolePath(req.path) || res.headersSent) return next(error);
    const apiError = toApiError(error);
    const requestId = String(req.id ?? '');
    if (!apiError || apiError.status >= 500) req.log?.error({ err: error }, 'console page failed');
    const status = apiError?.status ?? 500;
    if (status === 401) {
      const m = messagesFor(pickLanguage(req.query.lang, req.headers['accept-language']));
      return sendPage(res, 401, <SignInPage m={m} stylesheet={CONSOLE_STYLESHEET.href} notice={m.signInNeeded} />);
    }
    // A page that matched no route ran no guard: a signed-in person still gets their frame.
    if (!req.staff && status === 404) await new Promise<void>((resolve) => void authenticate(ctx)(req, res, () => resolve()));
    let session: ConsoleSession | undefined;
    if (req.staff) {
      try {
        session = loadSession(ctx, req);
      } catch {
        // The frame is a courtesy: without it the page still says what went wrong.
      }
    }
    const m = session?.m ?? messagesFor(pickLanguage(undefined, req.headers['accept-language']));
    const words = wordsFor(m, apiError, requestId);
    if (session) {
      return sendPage(res, status, <ConsoleErrorPage session={session} title={words.title} stylesheet={CONSOLE_STYLESHEET.href} navigation={navigationFor(routes, session)} path="/console" paragraphs={words.paragraphs} />);
    }
    return sendPage(res, status, <PublicMessagePage m={m} stylesheet={CONSOLE_STYLESHEET.href} title={words.title} paragraphs={words.paragraphs} link={{ href: '/console', label: m.backToConsole }} />);
  };
}

import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { AppContext } from './context';
import { authenticate, requireRole } from './auth/guard';
import { signInAddressLimiter } from './auth/address-limit';
import { apiDocumentRoutes } from './api-docs/routes';
import { authRoutes } from './auth/routes';
import { ApiError, errorBody, handleErrors, handleNotFound } from './http/errors';
import { refuseUnreadableInput } from './http/input-guard';
import { checkDeclaredResponses } from './http/response-contract';
import { bareRequestId, requestLogger } from './http/logging';
import { consoleErrorPages } from './console/errors';
import { consoleRoutes } from './console/routes';
import { rateLimited } from './http/rate-limit';
import { declaresSuccess, XLSX, type RouteDefinition } from './http/routes';
import { healthRoutes } from './health/routes';
import { faviconRoute } from './home/favicon';
import { memberRoutes } from './members/routes';
import { timeRequests } from './metrics/http';
import { metricsRoutes } from './metrics/routes';
import { organizationRoutes } from './organizations/routes';
import { planRoutes } from './plans/routes';
import { retentionRoutes } from './retention/routes';
import { memberPageRoutes } from './member-page/routes';
import { signupErrorPages } from './signup/error-pages';
import { countSignupPosts, signupRoutes } from './signup/routes';
import { staffRoutes } from './staff/routes';
import { accountingRoutes } from './treasurer/accounting/routes';
import { treasurerRoutes } from './treasurer/routes';
import { monthRoutes } from './months/routes';
import { uploadBodyReaders } from './http/upload';
import { bankRoutes } from './bank/routes';
import { depositBatchRoutes } from './bank/batch-routes';
import { payrollRoutes } from './payroll/routes';
import { webhookAdminRoutes } from '../webhooks/admin-routes';
import { webhookRoutes, WEBHOOK_BODY_LIMIT } from '../webhooks/receiver';

export const JSON_BODY_LIMIT = '100kb';

/** Every route the service serves, as data. */
export function routeTable(ctx: AppContext): RouteDefinition[] {
  const table: RouteDefinition[] = [...healthRoutes(ctx), faviconRoute, ...authRoutes(ctx), ...consoleRoutes(ctx), ...organizationRoutes(ctx), ...staffRoutes(ctx), ...planRoutes(ctx), ...webhookRoutes(ctx), ...webhookAdminRoutes(ctx), ...memberRoutes(ctx), ...signupRoutes(ctx), ...memberPageRoutes(ctx), ...treasurerRoutes(ctx), ...accountingRoutes(ctx), ...monthRoutes(ctx), ...payrollRoutes(ctx), ...bankRoutes(ctx), ...depositBatchRoutes(ctx), ...retentionRoutes(ctx), ...metricsRoutes(ctx)];
  table.push(...apiDocumentRoutes(ctx, () => table));
  return table;
}

export const CSV_BODY_LIMIT = '10mb';

// Each API route reads one kind of body; anything else is refused before it reaches a handler.
const FILE_TYPES = ['text/csv', XLSX];
/** A bank statement: CSV, or OFX under the media types banks and browsers give it. */
export const STATEMENT_TYPES = ['text/csv', 'application/x-ofx', 'application/vnd.intu.qfx'];

function requireBody(kind: 'json' | 'csv' | 'statement' | 'file' | 'form'): RequestHandler {
  const mediaTypes = { json: ['application/json'], csv: ['text/csv'], statement: STATEMENT_TYPES, file: FILE_TYPES, form: ['application/x-www-form-urlencoded'] }[kind];
  return (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(mediaTypes)) return next(new ApiError('unsupported_media_type', `send the request body as ${mediaTypes.join(' or ')}`));
    next();
  };
}

export function buildApp(ctx: AppContext, options: { loginRateLimit?: number; loginAddressRateLimit?: number; signupRateLimit?: number; checkResponses?: boolean } = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  // Pages and answers are not cached (no-store) and the sign-in link is single use: a body hash per response (ETag) would only cost CPU.
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.use(timeRequests);
  // Stripe's deliveries are the hot path: their routes go ahead of the general middleware,
  // with a request id of their own (header and error lines) and no per-request log line.
  const earlyRoutes = routeTable(ctx).filter((route) => route.early);
  for (const route of earlyRoutes) {
    // Signatures are over the exact bytes sent, so no parser but raw may touch them first.
    app[route.method](route.path, bareRequestId(ctx.logger), express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), route.handler);
  }
  app.use(requestLogger(ctx.logger));
  // upgrade-insecure-requests turns a form's http target into https, which a service reached
  // over plain http (from another machine on the LAN) does not answer: only where it is https.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: ctx.publicUrl.startsWith('https:') ? [] : null } } }));

  const loginLimiter = rateLimited({
    windowMs: 15 * 60_000,
    limit: options.loginRateLimit ?? 20,
    now: ctx.now,
    onLimited: (_req, res) => {
      res.status(429).json(errorBody(new ApiError('rate_limited', 'too many sign-in requests; wait a few minutes and try again')));
    },
  });
  app.use('/auth/login', loginLimiter);
  app.use('/join', countSignupPosts(options.signupRateLimit ?? 500, ctx.now));
  app.use('/auth', express.json({ limit: JSON_BODY_LIMIT }), express.urlencoded({ extended: false, limit: '10kb' }));
  app.use('/auth/login', signInAddressLimiter({ secret: ctx.config.jwtSecret, now: ctx.now, limit: options.loginAddressRateLimit }));

  // API answers (members, ledgers, downloads, errors) are never kept by a browser or a proxy.
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  const staffGuard = authenticate(ctx);
  const bodyReaders = {
    json: [requireBody('json'), express.json({ limit: JSON_BODY_LIMIT })],
    csv: [requireBody('csv'), express.text({ type: 'text/csv', limit: CSV_BODY_LIMIT })],
    statement: [requireBody('statement'), express.text({ type: STATEMENT_TYPES, limit: CSV_BODY_LIMIT })],
    file: [requireBody('file'), express.raw({ type: FILE_TYPES, limit: CSV_BODY_LIMIT })],
    form: [requireBody('form'), express.urlencoded({ extended: false, limit: '20kb' })],
    upload: uploadBodyReaders(CSV_BODY_LIMIT),
  };
  const router = express.Router();
  const routes = routeTable(ctx);
  for (const route of routes.filter((r) => !r.early)) {
    const guards = route.access === 'public' ? [] : [staffGuard, requireRole(...route.access)];
    const body = route.body ? bodyReaders[route.body] : route.path.startsWith('/api/') ? bodyReaders.json : [];
    const contract = options.checkResponses && declaresSuccess(route) ? [checkDeclaredResponses(route)] : [];
    router[route.method](route.path, ...guards, ...body, refuseUnreadableInput, ...contract, route.handler);
  }
  app.use(router);
  app.use(handleNotFound);
  app.use(consoleErrorPages(ctx, routes));
  app.use(signupErrorPages);
  app.use(handleErrors);
  return app;
}

import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Request, RequestHandler } from 'express';
import { routePatternOf } from './routes';

export type { Logger };

export function createLogger(level: string, options: { pretty?: boolean; destination?: pino.DestinationStream } = {}): Logger {
  const settings: pino.LoggerOptions = {
    level,
    // Readable lines for a person at a terminal; JSON lines everywhere else.
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss' } } } : {}),
    base: { service: 'good-standing' },
    serializers: { err: errorForLog },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/**
 * What an error line keeps: its kind, code, message and stack. Everything else an error
 * carries is left out, since it can hold personal data: PostgreSQL's `detail` quotes the
 * failing row, Stripe's errors carry the request they answered.
 */
export function errorForLog(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  return { type: error.name, message: error.message, stack: error.stack, ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}) };
}

const INCOMING_ID = /^[A-Za-z0-9._-]{8,100}$/;

function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The request id without the per-request log line, for hot routes: the id goes in the
 * response header and on every line the request does log (its errors).
 */
export function bareRequestId(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = requestIdOf(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', id);
    req.id = id;
    // Made on first use: a delivery that logs nothing (nearly all) skips building a child logger.
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', { configurable: true, enumerable: true, get: () => (child ??= logger.child({ reqId: id })), set: (value: Logger) => (child = value) });
    next();
  };
}

/**
 * One line per request: method, route pattern, status, time and request id, a few hundred
 * bytes. The route pattern (`/join/:orgSlug/manage/open`), never the URL: URLs carry sign-in,
 * manage-link and draft tokens and staff searches in their query strings and paths. No
 * headers (cookies and bearer tokens live there).
 */
export function requestLogger(logger: Logger) {
  const line = (req: Request, res: { statusCode: number }, ms: number) => ({ method: req.method, route: routePatternOf(req), status: res.statusCode, ms });
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const id = requestIdOf(req.headers['x-request-id']);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    // Health probes every few seconds would drown the log.
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    quietReqLogger: true,
    quietResLogger: true,
    // pino-http would put its own error serializer (every property an error has) on its child loggers.
    wrapSerializers: false,
    // pino-http binds the whole request to a child logger it makes for every request (and we
    // never use): without a serializer that child would stringify the request, cookies included.
    serializers: { err: errorForLog, req: () => undefined },
    customSuccessObject: (req, res, value: { responseTime: number }) => line(req as Request, res, value.responseTime),
    customSuccessMessage: (req, res, ms) => `${req.method} ${routePatternOf(req as Request)} ${res.statusCode} ${ms} ms`,
    // A failure's error is logged by the error handler (with this request id); this line says which request it was.
    customErrorObject: (req, res, _error, value: { responseTime: number }) => line(req as Request, res, value.responseTime),
    customErrorMessage: (req, res) => `${req.method} ${routePatternOf(req as Request)} ${res.statusCode}`,
  });
}

import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { RequestHandler } from 'express';

export type { Logger };

export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  return pino({
    level,
    // Readable lines for a person at a terminal; JSON lines everywhere else.
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss' } } } : {}),
    base: { service: 'good-standing' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
  });
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

/** Logs every request with a request id (taken from X-Request-Id when sane) that is also sent back in the response. */
export function requestLogger(logger: Logger) {
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
  });
}

import type { RequestHandler } from 'express';
import { httpRequestSeconds } from './metrics';

/**
 * Times every request into the latency histogram, labelled by the route's pattern
 * (`/api/members/:memberId`, never an id) once the router has matched it.
 */
export const timeRequests: RequestHandler = (req, res, next) => {
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    const route = req.route as { path?: unknown } | undefined;
    const pattern = typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : 'unmatched';
    httpRequestSeconds.observe({ method: req.method, route: pattern, status: String(res.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
  });
  next();
};

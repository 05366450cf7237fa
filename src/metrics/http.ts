import type { RequestHandler } from 'express';
import { httpRequestSeconds } from './metrics';
import { routePatternOf } from '../http/routes';

/**
 * Times every request into the latency histogram, labelled by the route's pattern
 * (`/api/members/:memberId`, never an id) once the router has matched it.
 */
export const timeRequests: RequestHandler = (req, res, next) => {
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    httpRequestSeconds.observe({ method: req.method, route: routePatternOf(req), status: String(res.statusCode) }, Number(process.hrtime.bigint() - started) / 1e9);
  });
  next();
};

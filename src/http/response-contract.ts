import type { RequestHandler } from 'express';
import type { RouteDefinition } from './routes';

/**
 * Under test, every JSON answer of a route that declares its responses is checked, in its
 * JSON form, against the schema for its status, and a success status it does not declare
 * is refused: the whole suite's real responses then prove the API document. A broken
 * contract answers 500 with what was refused, so the test that made the request fails and
 * says why.
 */
export function checkDeclaredResponses(route: RouteDefinition): RequestHandler {
  return (_req, res, next) => {
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const schema = route.responses?.[res.statusCode as 200 | 201 | 202];
      const success = res.statusCode >= 200 && res.statusCode < 300;
      if (schema === undefined && !success) return send(body);
      const result = schema?.safeParse(JSON.parse(JSON.stringify(body)));
      if (result?.success) return send(body);
      const broken = (message: string, details: Record<string, unknown>) => {
        res.status(500);
        return send({ error: { code: 'response_contract_broken', message: `${route.method.toUpperCase()} ${route.path} answered ${res.statusCode} ${message}`, details } });
      };
      return result ? broken('with a body its declared schema refuses', { issues: result.error.issues }) : broken('with JSON, a success it does not declare', {});
    };
    next();
  };
}

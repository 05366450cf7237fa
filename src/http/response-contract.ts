import type { RequestHandler } from 'express';
import type { RouteDefinition } from './routes';

/**
 * Under test, every JSON answer of a route that declares its responses is checked, in its
 * JSON form, against the schema for its status: the whole suite's real responses then prove
 * the API document. A broken contract answers 500 with what was refused, so the test that
 * made the request fails and says why.
 */
export function checkDeclaredResponses(route: RouteDefinition): RequestHandler {
  return (_req, res, next) => {
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const schema = route.responses?.[res.statusCode as 200 | 201 | 202];
      if (schema === undefined) return send(body);
      const result = schema.safeParse(JSON.parse(JSON.stringify(body)));
      if (result.success) return send(body);
      res.status(500);
      return send({
        error: {
          code: 'response_contract_broken',
          message: `${route.method.toUpperCase()} ${route.path} answered ${res.statusCode} with a body its declared schema refuses`,
          details: { issues: result.error.issues },
        },
      });
    };
    next();
  };
}

import { z } from 'zod';
import { XLSX, type RouteDefinition } from '../http/routes';

/**
 * The OpenAPI 3.1 document of the JSON API, generated from the route table: each route's
 * declared query, path parameters, request body and responses are the zod schemas its
 * handler validates with, turned into JSON Schema by zod itself (OpenAPI 3.1 speaks JSON
 * Schema 2020-12), so the document cannot drift from what the service accepts.
 */

type JsonSchema = Record<string, unknown>;

export interface ApiOperation {
  method: RouteDefinition['method'];
  path: string;
  summary: string;
  /** Who may call it: 'public' or the staff roles. */
  access: RouteDefinition['access'];
  tag: string;
}

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'A stable machine-readable code, e.g. validation_failed, not_found, forbidden.' },
        message: { type: 'string' },
        details: {
          type: 'object',
          description: 'For validation_failed: `fields`, each with the path of the field (body.name, query.limit) and what is wrong.',
          properties: { fields: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } } },
        },
      },
    },
  },
};

export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete converted.$schema;
  return converted;
}

/** The capability a route belongs to, from its path: /api/members/:id/outreach → members. */
export function tagOf(path: string): string {
  return path.split('/')[2] ?? 'api';
}

export function apiRoutes(routes: readonly RouteDefinition[]): RouteDefinition[] {
  return routes.filter((route) => route.path.startsWith('/api/'));
}

/** Express's `/api/members/:memberId` as OpenAPI writes it: `/api/members/{memberId}`. */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

function parameters(route: RouteDefinition): JsonSchema[] {
  const result: JsonSchema[] = [];
  const pathSchema = route.params ? toJsonSchema(route.params, 'input') : undefined;
  for (const [, name] of route.path.matchAll(/:(\w+)/g)) {
    const schema = (pathSchema?.properties as Record<string, JsonSchema> | undefined)?.[name!] ?? { type: 'string' };
    result.push({ name, in: 'path', required: true, schema });
  }
  if (route.query) {
    const query = toJsonSchema(route.query, 'input');
    const required = new Set((query.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((query.properties as Record<string, JsonSchema> | undefined) ?? {})) {
      result.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  return result;
}

function responses(route: RouteDefinition): Record<string, JsonSchema> {
  const result: Record<string, JsonSchema> = {};
  for (const [status, schema] of Object.entries(route.responses ?? {})) {
    result[status] = typeof schema === 'string' ? { description: 'Done: no content' } : { description: 'Success', content: { 'application/json': { schema: toJsonSchema(schema, 'output') } } };
  }
  if (route.otherContent) {
    const files = Object.fromEntries(route.otherContent.map((type) => [type, { schema: type === XLSX ? { type: 'string', contentEncoding: 'binary' } : { type: 'string' } }]));
    const json = (result['200'] as { content?: JsonSchema } | undefined)?.content;
    result['200'] = { description: json ? 'Success: JSON, or the download the `format` parameter asks for' : 'Success', content: { ...json, ...files } };
  }
  const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  result['400'] = { description: 'Invalid input: the fields and what is wrong with each', ...error };
  if (route.access !== 'public') {
    result['401'] = { description: 'No valid session or token', ...error };
    result['403'] = { description: 'The caller’s roles may not use this route', ...error };
  }
  if (route.path.includes(':')) result['404'] = { description: 'Nothing of the caller’s organization has this id', ...error };
  return result;
}

function requestBody(route: RouteDefinition): JsonSchema | undefined {
  if (route.requestBody) return { required: true, content: { 'application/json': { schema: toJsonSchema(route.requestBody, 'input') } } };
  if (route.body === 'csv') return { required: true, content: { 'text/csv': { schema: { type: 'string' } } } };
  if (route.body === 'statement') return { required: true, content: { 'text/csv': { schema: { type: 'string' } }, 'application/x-ofx': { schema: { type: 'string' } } } };
  if (route.body === 'file') return { required: true, content: { 'text/csv': { schema: { type: 'string' } }, [XLSX]: { schema: { type: 'string', contentEncoding: 'binary' } } } };
  return undefined;
}

export function operationId(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  const words = route.path
    .replace(/^\/api\//, '')
    .split(/[/-]/)
    .map((part) => (part.startsWith(':') ? `by ${part.slice(1)}` : part))
    .join(' ')
    .split(/\s+/);
  return [route.method, ...words].map((word, i) => (i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1))).join('');
}

export function openApiDocument(routes: readonly RouteDefinition[], options: { version: string; serverUrl: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of apiRoutes(routes)) {
    const access = route.access === 'public' ? 'Public.' : `Roles: ${route.access.join(', ')}.`;
    const operation: JsonSchema = {
      operationId: operationId(route),
      summary: route.summary,
      description: access,
      tags: [tagOf(route.path)],
      parameters: parameters(route),
      responses: responses(route),
      ...(route.access === 'public' ? { security: [] } : {}),
    };
    const body = requestBody(route);
    if (body) operation.requestBody = body;
    (paths[openApiPath(route.path)] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Good Standing API',
      version: options.version,
      description: 'Dues, members, standing, retention and the books of one organization. Every call acts in the organization of the session or token; another organization’s ids answer 404.',
    },
    servers: [{ url: options.serverUrl }],
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A staff token: `npm run -s issue-token -- --email …`.' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'gs_session', description: 'The session of a staff member signed in from an emailed link.' },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}

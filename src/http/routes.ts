import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { StaffRole } from '../../db/database';

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export type MediaType = 'text/csv' | 'text/plain' | typeof XLSX | 'text/html';

/**
 * One entry of the route table. Keeping routes as data lets the app mount them with the
 * right guards and lets tests walk every staff route (isolation, roles) without a list of
 * their own.
 */
export interface RouteDefinition {
  method: HttpMethod;
  path: string;
  /** `public` needs no sign-in; otherwise the staff roles that may call it. */
  access: 'public' | readonly StaffRole[];
  summary: string;
  /** How the request body is read: JSON (the default on /api), CSV text for imports, a CSV or XLSX file as bytes (remittances), url-encoded forms, console forms with a file (multipart, `upload`). */
  body?: 'json' | 'csv' | 'statement' | 'file' | 'form' | 'upload';
  /**
   * The schema the handler reads its query parameters with (where it reads any): declared
   * here so the fuzz test walks every parameter. The handler checks it itself, after its own
   * 404s, so another organization's id is answered the same whatever the query.
   */
  query?: z.ZodObject;
  /** The path parameters, where the handler checks more than their presence (the API document shows them). */
  params?: z.ZodObject;
  /** The JSON body the handler parses: the same schema object, so the API document cannot drift from it. */
  requestBody?: z.ZodType;
  /**
   * What a successful call answers, by status: the JSON body's schema, or for 204 that there
   * is no body (the API document; the suite checks real JSON answers against it).
   */
  responses?: { 200?: z.ZodType; 201?: z.ZodType; 202?: z.ZodType; 204?: 'no body' };
  /** What a 200 answers other than JSON, by media type (a CSV or XLSX download, an HTML page): documented, not checked. */
  otherContent?: readonly MediaType[];
  /** Served ahead of the general middleware (per-request logging, helmet), with a raw body: Stripe's webhook deliveries. */
  early?: true;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

/**
 * The pattern of the route a request matched (`/api/members/:memberId`), for logs and
 * metrics: never the URL, whose path and query can carry ids, tokens and searches.
 */
export function routePatternOf(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : 'unmatched';
}

export const ALL_STAFF: readonly StaffRole[] = ['admin', 'treasurer', 'organizer'];

/** Whether a route says what its success answers: a status with its body, or a download or page. */
export const declaresSuccess = (route: Pick<RouteDefinition, 'responses' | 'otherContent'>): boolean =>
  Object.keys(route.responses ?? {}).length > 0 || (route.otherContent?.length ?? 0) > 0;

import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { StaffRole } from '../../db/database';

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

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
  /** How the request body is read: JSON (the default on /api), CSV text for imports, url-encoded forms of public pages. */
  body?: 'json' | 'csv' | 'form';
  /**
   * The schema the handler reads its query parameters with (where it reads any): declared
   * here so the fuzz test walks every parameter. The handler checks it itself, after its own
   * 404s, so another organization's id is answered the same whatever the query.
   */
  query?: z.ZodObject;
  /** Served ahead of the general middleware (per-request logging, helmet), with a raw body: Stripe's webhook deliveries. */
  early?: true;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

export const ALL_STAFF: readonly StaffRole[] = ['admin', 'treasurer', 'organizer'];

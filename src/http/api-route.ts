import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database, Organization, StaffRole } from '../../db/database';
import type { AppContext } from '../context';
import { principal, type StaffPrincipal } from '../auth/guard';
import { auditActor, recordAudit } from '../audit/audit';
import { findOrganizationById } from '../organizations/queries';
import { notFound } from './errors';
import type { RouteDefinition } from './routes';
import { parseInput } from './validate';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What an audit entry says beyond who, when and from which request. */
export interface AuditNote {
  subjectType?: string;
  subjectId?: string;
  details?: Record<string, unknown>;
}

/** A staff call as its route's rule sees it: the caller, the input parsed with the route's declared schemas. */
export interface ApiCall<P = undefined, Q = undefined, B = undefined, F = undefined> {
  req: Request;
  res: Response;
  /** The signed-in staff member and the organization they act in. */
  me: StaffPrincipal;
  params: P;
  query: Q;
  body: B;
  /** What the route's `find` looked up. */
  found: F;
  /** The caller's organization, read when first asked for. */
  organization: () => Promise<Organization>;
  /** An entry in the audit log for this request; given a transaction, it commits with the change. */
  audit: (action: string, note?: AuditNote, db?: Kysely<Database>) => Promise<void>;
}

/** An answer with a status of its own: one of several the route declares, or a failure with a body. */
class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export const answerWith = (status: number, body: unknown): Answer => new Answer(status, body);

export type ApiRoute<P extends z.ZodObject | undefined, Q extends z.ZodObject | undefined, B extends z.ZodType | undefined, F> = Omit<RouteDefinition, 'handler' | 'access' | 'params' | 'query' | 'requestBody'> & {
  access: readonly StaffRole[];
  params?: P;
  query?: Q;
  requestBody?: B;
  /**
   * What the path names, looked up in the caller's organization (a 404 otherwise). It runs
   * before the query and the body are read, so another organization's id answers the same
   * whatever they hold.
   */
  find?: (call: Omit<ApiCall<Parsed<P>>, 'query' | 'body' | 'found'>) => Promise<F>;
  /**
   * The route's rule. What it returns is the answer, as JSON with the route's one declared
   * status (`answerWith` for another); it returns nothing when it answered itself (a
   * download) or when the answer is the 204 it declares.
   */
  answer: (call: ApiCall<Parsed<P>, Parsed<Q>, Parsed<B>, F>) => Promise<unknown>;
};

/**
 * A staff API route from its declared schemas and its rule: the repeated part of every
 * handler (parse the input with the schemas the route table declares, find the
 * organization, audit, answer with the declared status) is here once.
 */
export function apiRoute<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined, B extends z.ZodType | undefined = undefined, F = undefined>(
  ctx: AppContext,
  route: ApiRoute<P, Q, B, F>,
): RouteDefinition {
  const { find, answer, ...definition } = route;
  const jsonStatuses = ([200, 201, 202] as const).filter((status) => route.responses?.[status] !== undefined);
  return {
    ...definition,
    handler: async (req, res) => {
      const me = principal(req);
      let organization: Promise<Organization> | undefined;
      const call = {
        req,
        res,
        me,
        params: (route.params ? parseInput(route.params, req.params, 'params') : undefined) as Parsed<P>,
        organization: () =>
          (organization ??= findOrganizationById(ctx.db, me.organizationId).then((found) => {
            if (!found) throw notFound('organization');
            return found;
          })),
        audit: (action: string, note: AuditNote = {}, db: Kysely<Database> = ctx.db) => recordAudit(db, { ...auditActor(req, ctx.now()), action, ...note }),
      };
      const found = (find ? await find(call) : undefined) as F;
      const query = (route.query ? parseInput(route.query, req.query, 'query') : undefined) as Parsed<Q>;
      const body = (route.requestBody ? parseInput(route.requestBody, req.body) : undefined) as Parsed<B>;
      const result = await answer({ ...call, found, query, body });
      if (result instanceof Answer) {
        res.status(result.status).json(result.body);
      } else if (result !== undefined) {
        if (jsonStatuses.length !== 1) throw new Error(`${route.method.toUpperCase()} ${route.path} declares ${jsonStatuses.length} JSON statuses: answer with answerWith(status, body)`);
        res.status(jsonStatuses[0]!).json(result);
      } else if (!res.headersSent) {
        if (route.responses?.[204] === undefined) throw new Error(`${route.method.toUpperCase()} ${route.path} gave no answer`);
        res.status(204).end();
      }
    },
  };
}

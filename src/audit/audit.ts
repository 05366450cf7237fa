import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/database';

export interface AuditEvent {
  organizationId: string | null;
  actorStaffUserId: string | null;
  action: string;
  subjectType?: string;
  subjectId?: string;
  details?: Record<string, unknown>;
  requestId?: string | undefined;
  ip?: string | undefined;
  /** When it happened, from the service's clock. */
  at: Date;
}

export async function recordAudit(db: Kysely<Database>, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      organization_id: event.organizationId,
      actor_staff_user_id: event.actorStaffUserId,
      action: event.action,
      subject_type: event.subjectType ?? null,
      subject_id: event.subjectId ?? null,
      details: JSON.stringify(event.details ?? {}),
      request_id: event.requestId ?? null,
      ip: event.ip ?? null,
      created_at: event.at,
    })
    .execute();
}

export async function listAudit(db: Kysely<Database>, organizationId: string, options: { limit: number; beforeId?: string; action?: string }) {
  let query = db
    .selectFrom('audit_log')
    .select(['id', 'action', 'actor_staff_user_id', 'subject_type', 'subject_id', 'details', 'request_id', 'ip', 'created_at'])
    .where('organization_id', '=', organizationId)
    .orderBy('id', 'desc')
    .limit(options.limit);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  if (options.action !== undefined) query = query.where('action', '=', options.action);
  return query.execute();
}

/** Who did it, from where, under which request and when: the part of an audit entry every staff route shares. */
export function auditActor(req: { staff?: { staffUserId: string; organizationId: string }; id?: unknown; ip?: string | undefined }, at: Date) {
  return {
    at,
    organizationId: req.staff?.organizationId ?? null,
    actorStaffUserId: req.staff?.staffUserId ?? null,
    requestId: req.id === undefined ? undefined : String(req.id),
    ip: req.ip,
  };
}

type BulkRead = { action: string; filters: Record<string, unknown>; at: Date };
const shownFilters = (filters: Record<string, unknown>) => Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));

/**
 * A read of many members' records (a list page, a call list) goes in the audit log as an
 * export does: who, when, which filters and how many rows.
 */
export async function recordBulkRead(db: Kysely<Database>, req: Parameters<typeof auditActor>[0], read: BulkRead & { rows: number }): Promise<void> {
  await bulkReadRecord(req, read)(sql<number>`${read.rows}::int`).execute(db);
}

/**
 * The same record as a statement's own WITH clause (recordBulkRead runs it alone), the
 * rows counted there (`rowsShown`, an expression of the statement) and written only
 * `when` the statement says the read happened: the read and its record commit together,
 * and the page saves a round trip to the database.
 */
export type BulkReadRecord = (rowsShown: RawBuilder<number>, when?: RawBuilder<boolean>) => RawBuilder<unknown>;
export function bulkReadRecord(req: Parameters<typeof auditActor>[0], read: BulkRead): BulkReadRecord {
  const actor = auditActor(req, read.at);
  return (rowsShown, when = sql<boolean>`true`) => sql`
    INSERT INTO audit_log (organization_id, actor_staff_user_id, action, subject_type, subject_id, details, request_id, ip, created_at)
    SELECT ${actor.organizationId}::uuid, ${actor.actorStaffUserId}::uuid, ${read.action}::text, 'organization', ${req.staff?.organizationId ?? null}::text,
           jsonb_build_object('rows', ${rowsShown}, 'filters', ${JSON.stringify(shownFilters(read.filters))}::jsonb), ${actor.requestId ?? null}::text, ${actor.ip ?? null}::text, ${actor.at}::timestamptz
    WHERE ${when}`;
}

import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';

// Reading the audit log in the console: filters by who, what and when (days in the
// organization's time zone), newest first, in pages keyed by id.

export interface AuditFilters {
  actor?: string | undefined;
  action?: string | undefined;
  /** Calendar days, both included. */
  from?: string | undefined;
  to?: string | undefined;
}

export interface AuditRow {
  id: string;
  created_at: Date;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  details: Record<string, unknown>;
  actor_staff_user_id: string | null;
  actor_name: string | null;
}

export async function auditEntries(db: Kysely<Database>, organizationId: string, timeZone: string, filters: AuditFilters, page: { beforeId?: string | undefined; limit: number }): Promise<AuditRow[]> {
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('staff_users as s', 's.id', 'a.actor_staff_user_id')
    .select(['a.id', 'a.created_at', 'a.action', 'a.subject_type', 'a.subject_id', 'a.details', 'a.actor_staff_user_id', 's.name as actor_name'])
    .where('a.organization_id', '=', organizationId)
    .orderBy('a.id', 'desc')
    .limit(page.limit);
  if (filters.actor !== undefined) query = query.where('a.actor_staff_user_id', '=', filters.actor);
  if (filters.action !== undefined) query = query.where('a.action', '=', filters.action);
  if (filters.from !== undefined) query = query.where('a.created_at', '>=', sql<Date>`(${filters.from}::date)::timestamp AT TIME ZONE ${timeZone}`);
  if (filters.to !== undefined) query = query.where('a.created_at', '<', sql<Date>`((${filters.to}::date + 1)::timestamp AT TIME ZONE ${timeZone})`);
  if (page.beforeId !== undefined) query = query.where('a.id', '<', page.beforeId);
  return query.execute();
}

/** What the filters offer: the actions recorded and the people who acted, in this organization's log. */
export async function auditChoices(db: Kysely<Database>, organizationId: string) {
  const [actions, actors] = await Promise.all([
    db.selectFrom('audit_log').select('action').distinct().where('organization_id', '=', organizationId).orderBy('action').execute(),
    db
      .selectFrom('audit_log as a')
      .innerJoin('staff_users as s', 's.id', 'a.actor_staff_user_id')
      .select(['s.id', 's.name'])
      .distinct()
      .where('a.organization_id', '=', organizationId)
      .orderBy('s.name')
      .execute(),
  ]);
  return { actions: actions.map((row) => row.action), actors };
}

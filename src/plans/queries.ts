import type { Kysely } from 'kysely';
import type { Database, Plan, PlanVersion } from '../../db/database';

export async function findPlan(db: Kysely<Database>, organizationId: string, planId: string): Promise<Plan | undefined> {
  return db.selectFrom('plans').selectAll().where('organization_id', '=', organizationId).where('id', '=', planId).executeTakeFirst();
}

export async function listPlanVersions(db: Kysely<Database>, organizationId: string, planId: string): Promise<PlanVersion[]> {
  return db
    .selectFrom('plan_versions')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('plan_id', '=', planId)
    .orderBy('version')
    .execute();
}

/** The version whose rate applies on a calendar day (the latest one effective on or before it). */
export async function versionInEffect(db: Kysely<Database>, organizationId: string, planId: string, onDate: string): Promise<PlanVersion | undefined> {
  return db
    .selectFrom('plan_versions')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('plan_id', '=', planId)
    .where('effective_from', '<=', onDate)
    .orderBy('effective_from', 'desc')
    .limit(1)
    .executeTakeFirst();
}

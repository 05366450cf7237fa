import type { Insertable, Kysely, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { Database, Organization, Plan, PlansTable, PlanVersion, PlanVersionsTable } from '../../db/database';
import type {} from '../../db/database-admin';
import type { NewPlan, PlanPresentation } from './plans';
import { todayIn } from '../organizations/calendar';

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

export async function listPlans(db: Kysely<Database>, organizationId: string, status?: 'active' | 'archived'): Promise<Plan[]> {
  let query = db.selectFrom('plans').selectAll().where('organization_id', '=', organizationId).orderBy('display_order').orderBy('name');
  if (status) query = query.where('status', '=', status);
  return query.execute();
}

/** Every version of the given plans, grouped by plan id (one query for a whole list). */
export async function versionsByPlan(db: Kysely<Database>, organizationId: string, planIds: string[]): Promise<Map<string, PlanVersion[]>> {
  const grouped = new Map<string, PlanVersion[]>(planIds.map((id) => [id, []]));
  if (planIds.length === 0) return grouped;
  const rows = await db
    .selectFrom('plan_versions')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('plan_id', 'in', planIds)
    .orderBy('plan_id')
    .orderBy('version')
    .execute();
  for (const row of rows) grouped.get(row.plan_id)?.push(row);
  return grouped;
}

export async function insertPlan(db: Kysely<Database>, plan: Omit<Insertable<PlansTable>, 'created_at' | 'updated_at'>, at: Date): Promise<Plan> {
  return db.insertInto('plans').values({ ...plan, created_at: at, updated_at: at }).returningAll().executeTakeFirstOrThrow();
}

export async function insertPlanVersion(db: Kysely<Database>, version: Omit<Insertable<PlanVersionsTable>, 'created_at'>, at: Date): Promise<PlanVersion> {
  return db.insertInto('plan_versions').values({ ...version, created_at: at }).returningAll().executeTakeFirstOrThrow();
}

export async function updatePlan(db: Kysely<Database>, organizationId: string, planId: string, changes: Updateable<PlansTable>, at: Date): Promise<Plan | undefined> {
  return db
    .updateTable('plans')
    .set({ ...changes, updated_at: at })
    .where('organization_id', '=', organizationId)
    .where('id', '=', planId)
    .returningAll()
    .executeTakeFirst();
}

/** Links the plan to its Stripe Product: bookkeeping of the sync, not a change to the plan. */
export async function setPlanProduct(db: Kysely<Database>, organizationId: string, planId: string, stripeProductId: string): Promise<void> {
  await db.updateTable('plans').set({ stripe_product_id: stripeProductId }).where('organization_id', '=', organizationId).where('id', '=', planId).execute();
}

export async function setPlanVersionPrice(db: Kysely<Database>, organizationId: string, versionId: string, stripePriceId: string): Promise<void> {
  await db.updateTable('plan_versions').set({ stripe_price_id: stripePriceId }).where('organization_id', '=', organizationId).where('id', '=', versionId).execute();
}

/** The place after the organization's last plan: a new plan goes to the end of the signup page, not wherever its name sorts. */
export async function nextDisplayOrder(db: Kysely<Database>, organizationId: string): Promise<number> {
  const row = await db.selectFrom('plans').select(sql<number>`coalesce(max(display_order) + 1, 0)::int`.as('next')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow();
  return row.next;
}

/**
 * Saves how a plan shows on the signup page. Preselecting it takes the preselection from
 * whichever plan had it (one per organization, as a unique index insists).
 */
export async function savePresentation(db: Kysely<Database>, organizationId: string, planId: string, presentation: PlanPresentation, at: Date): Promise<void> {
  if (presentation.preselected === true) {
    await db.updateTable('plans').set({ preselected: false, updated_at: at }).where('organization_id', '=', organizationId).where('preselected', '=', true).where('id', '!=', planId).execute();
  }
  const changes: Updateable<PlansTable> = {
    ...(presentation.description !== undefined ? { description: presentation.description === '' ? null : presentation.description } : {}),
    ...(presentation.translations !== undefined ? { translations: JSON.stringify(presentation.translations) } : {}),
    ...(presentation.displayOrder !== undefined ? { display_order: presentation.displayOrder } : {}),
    ...(presentation.visibleOnSignup !== undefined ? { visible_on_signup: presentation.visibleOnSignup } : {}),
    ...(presentation.preselected !== undefined ? { preselected: presentation.preselected } : {}),
  };
  if (Object.keys(changes).length > 0) await updatePlan(db, organizationId, planId, changes, at);
}

/** A new plan with its first rate version, placed after the organization's other plans. */
export async function createPlan(trx: Kysely<Database>, organization: Organization, input: NewPlan, staffUserId: string, at: Date): Promise<Plan> {
  const created = await insertPlan(
    trx,
    {
      organization_id: organization.id,
      name: input.name,
      member_class: input.memberClass,
      currency: input.currency ?? organization.currency,
      billing_interval: input.interval,
      billing_interval_count: input.intervalCount,
      display_order: await nextDisplayOrder(trx, organization.id),
    },
    at,
  );
  await insertPlanVersion(
    trx,
    {
      organization_id: organization.id,
      plan_id: created.id,
      version: 1,
      effective_from: input.effectiveFrom ?? todayIn(organization.time_zone, at),
      amount_rule: JSON.stringify(input.amountRule),
      initiation_fee_cents: input.initiationFeeCents ?? null,
      authorization_note: input.authorizationNote,
      created_by_staff_user_id: staffUserId,
    },
    at,
  );
  return created;
}

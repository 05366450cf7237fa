import { z } from 'zod';
import type { AppContext } from '../context';
import { answerWith, apiRoute, type ApiCall } from '../http/api-route';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { todayIn } from '../organizations/calendar';
import type { Organization } from '../../db/database';
import { bracketLabelProblems, newPlanSchema, newVersionSchema, planChangesSchema, presentPlan, versionOn } from './plans';
import { createPlan, findPlan, insertPlanVersion, listPlans, listPlanVersions, savePresentation, updatePlan, versionsByPlan } from './queries';
import { syncPlanToStripe } from './stripe-sync';
import { planListResponseSchema, planResponseSchema, planSyncedResponseSchema } from './responses';

const planParams = z.object({ planId: z.uuid() });
const listQuery = z.object({ status: z.enum(['active', 'archived']).optional() });

// Postgres unique violations on a plan's name or a version's date become a 409 naming the field.
function conflictFrom(error: unknown): ApiError | undefined {
  const constraint = (error as { code?: string; constraint?: string }).code === '23505' ? (error as { constraint?: string }).constraint : undefined;
  if (constraint === 'plans_org_name_key') return new ApiError('conflict', 'a plan with this name already exists', { fields: [{ path: 'body.name', message: 'already used by another plan' }] });
  if (constraint === 'plans_one_preselected') return new ApiError('conflict', 'another plan was preselected at the same moment; try again', { fields: [{ path: 'body.preselected', message: 'changed meanwhile' }] });
  if (constraint === 'plan_versions_plan_effective_key') return new ApiError('conflict', 'a version of this plan already takes effect on that date', { fields: [{ path: 'body.effectiveFrom', message: 'already taken' }] });
  return undefined;
}

export function planRoutes(ctx: AppContext): RouteDefinition[] {
  // Stripe is reached after our commit: a failure leaves the plan saved and unsynced,
  // and the next sync (or POST .../stripe-sync) completes it without duplicates.
  async function trySync(organization: Organization, planId: string): Promise<{ synced: boolean; error?: string }> {
    try {
      await syncPlanToStripe(ctx.db, ctx.stripe, organization, planId);
      return { synced: true };
    } catch (error) {
      ctx.logger.warn({ err: error, planId }, 'plan not yet synced to Stripe');
      return { synced: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  // Another organization's plan is simply not found, before anything about the body is judged.
  async function ownPlan({ params: { planId }, organization }: Pick<ApiCall<{ planId: string }>, 'params' | 'organization'>): Promise<Organization> {
    if (!(await findPlan(ctx.db, (await organization()).id, planId))) throw notFound('plan');
    return organization();
  }

  async function planResponse(organization: Organization, planId: string) {
    const plan = await findPlan(ctx.db, organization.id, planId);
    if (!plan) throw notFound('plan');
    return presentPlan(plan, await listPlanVersions(ctx.db, organization.id, planId), todayIn(organization.time_zone, ctx.now()));
  }

  return [
    apiRoute(ctx, {
      method: 'get',
      path: '/api/plans',
      responses: { 200: planListResponseSchema },
      query: listQuery,
      access: ['admin', 'treasurer'],
      summary: "The organization's dues plans with their versions",
      answer: async (call) => {
        const organization = await call.organization();
        const plans = await listPlans(ctx.db, organization.id, call.query.status);
        const versions = await versionsByPlan(ctx.db, organization.id, plans.map((p) => p.id));
        const today = todayIn(organization.time_zone, ctx.now());
        return { data: plans.map((plan) => presentPlan(plan, versions.get(plan.id) ?? [], today)) };
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/plans',
      responses: { 201: planSyncedResponseSchema },
      requestBody: newPlanSchema,
      access: ['admin'],
      summary: 'Create a plan with its first rate version',
      answer: async ({ me, body: input, organization: organizationOf, audit }) => {
        const organization = await organizationOf();
        const plan = await ctx.db
          .transaction()
          .execute(async (trx) => {
            const created = await createPlan(trx, organization, input, me.staffUserId, ctx.now());
            await audit('plan.created', { subjectType: 'plan', subjectId: created.id, details: { name: input.name, amountRule: input.amountRule } }, trx);
            return created;
          })
          .catch((error: unknown) => {
            throw conflictFrom(error) ?? error;
          });
        const stripe = await trySync(organization, plan.id);
        return { ...(await planResponse(organization, plan.id)), stripe };
      },
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/api/plans/:planId',
      responses: { 200: planResponseSchema },
      params: planParams,
      access: ['admin', 'treasurer'],
      summary: 'One plan with its version history',
      answer: async ({ params, organization }) => planResponse(await organization(), params.planId),
    }),
    apiRoute(ctx, {
      method: 'patch',
      path: '/api/plans/:planId',
      responses: { 200: planResponseSchema },
      params: planParams,
      requestBody: planChangesSchema,
      access: ['admin'],
      summary: "Rename a plan, change its member class, or how it shows on the signup page: its words in English and Spanish, its place, whether it shows, whether it is preselected (rates change only by a new version)",
      find: ownPlan,
      answer: async ({ found: organization, params: { planId }, body: changes, audit }) => {
        if (changes.translations !== undefined) {
          const rule = versionOn(await listPlanVersions(ctx.db, organization.id, planId), todayIn(organization.time_zone, ctx.now()))?.amount_rule;
          const wrong = bracketLabelProblems(changes.translations, rule);
          if (wrong.length > 0) {
            throw new ApiError('validation_failed', 'the request has invalid fields', { fields: wrong.map((language) => ({ path: `body.translations.${language}.bracketLabels`, message: 'one label per bracket of the rate in force' })) });
          }
        }
        await ctx.db
          .transaction()
          .execute(async (trx) => {
            const updated = await updatePlan(trx, organization.id, planId, {
              ...(changes.name !== undefined ? { name: changes.name } : {}),
              ...(changes.memberClass !== undefined ? { member_class: changes.memberClass } : {}),
            }, ctx.now());
            if (!updated) throw notFound('plan');
            await savePresentation(trx, organization.id, planId, changes, ctx.now());
            await audit('plan.updated', { subjectType: 'plan', subjectId: planId, details: changes }, trx);
          })
          .catch((error: unknown) => {
            throw conflictFrom(error) ?? error;
          });
        return planResponse(organization, planId);
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/plans/:planId/versions',
      responses: { 201: planSyncedResponseSchema },
      params: planParams,
      requestBody: newVersionSchema,
      access: ['admin'],
      summary: 'A new rate, effective from a date, with the vote that authorized it',
      find: ownPlan,
      answer: async ({ me, found: organization, params: { planId }, body: input, audit }) => {
        await ctx.db
          .transaction()
          .execute(async (trx) => {
            // Lock the plan so two new versions cannot take the same number.
            const plan = await trx.selectFrom('plans').selectAll().where('organization_id', '=', organization.id).where('id', '=', planId).forUpdate().executeTakeFirst();
            if (!plan) throw notFound('plan');
            if (plan.status === 'archived') throw new ApiError('conflict', 'the plan is archived; its rates no longer change');
            if (input.amountRule.kind === 'hours_of_pay' && plan.billing_interval !== 'month') {
              throw new ApiError('validation_failed', 'the request has invalid fields', { fields: [{ path: 'body.amountRule.kind', message: 'hours-of-pay dues are set per month' }] });
            }
            const versions = await listPlanVersions(trx, organization.id, planId);
            const latest = versions[versions.length - 1];
            if (latest && input.effectiveFrom <= latest.effective_from) {
              throw new ApiError('validation_failed', 'the request has invalid fields', {
                fields: [{ path: 'body.effectiveFrom', message: `must be after ${latest.effective_from}, when version ${latest.version} took effect` }],
              });
            }
            const version = await insertPlanVersion(trx, {
              organization_id: organization.id,
              plan_id: planId,
              version: (latest?.version ?? 0) + 1,
              effective_from: input.effectiveFrom,
              amount_rule: JSON.stringify(input.amountRule),
              initiation_fee_cents: input.initiationFeeCents ?? null,
              authorization_note: input.authorizationNote,
              created_by_staff_user_id: me.staffUserId,
            }, ctx.now());
            await audit('plan.version_added', { subjectType: 'plan', subjectId: planId, details: { version: version.version, effectiveFrom: input.effectiveFrom, amountRule: input.amountRule } }, trx);
          })
          .catch((error: unknown) => {
            throw conflictFrom(error) ?? error;
          });
        const stripe = await trySync(organization, planId);
        return { ...(await planResponse(organization, planId)), stripe };
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/plans/:planId/archive',
      responses: { 200: planResponseSchema },
      params: planParams,
      access: ['admin'],
      summary: 'Close a plan to new signups (existing members continue on it)',
      answer: async ({ params: { planId }, organization: organizationOf, audit }) => {
        const organization = await organizationOf();
        await ctx.db.transaction().execute(async (trx) => {
          const plan = await findPlan(trx, organization.id, planId);
          if (!plan) throw notFound('plan');
          if (plan.status === 'archived') return;
          // An archived plan is offered to no one, so it is preselected for no one either.
          await updatePlan(trx, organization.id, planId, { status: 'archived', archived_at: ctx.now(), preselected: false }, ctx.now());
          await audit('plan.archived', { subjectType: 'plan', subjectId: planId }, trx);
        });
        return planResponse(organization, planId);
      },
    }),
    apiRoute(ctx, {
      method: 'post',
      path: '/api/plans/:planId/stripe-sync',
      responses: { 200: planSyncedResponseSchema },
      params: planParams,
      access: ['admin'],
      summary: "Create the plan's missing Stripe Product and Prices (idempotent)",
      find: ownPlan,
      answer: async ({ found: organization, params: { planId } }) => {
        const stripe = await trySync(organization, planId);
        return answerWith(stripe.synced ? 200 : 502, { ...(await planResponse(organization, planId)), stripe });
      },
    }),
  ];
}

import type { Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { principal } from '../auth/guard';
import { auditActor, recordAudit } from '../audit/audit';
import { ApiError, notFound } from '../http/errors';
import type { RouteDefinition } from '../http/routes';
import { parseInput } from '../http/validate';
import { todayIn } from '../organizations/calendar';
import { findOrganizationById } from '../organizations/queries';
import type { Organization } from '../../db/database';
import { newPlanSchema, newVersionSchema, planChangesSchema, presentPlan } from './plans';
import { findPlan, insertPlan, insertPlanVersion, listPlans, listPlanVersions, updatePlan, versionsByPlan } from './queries';
import { syncPlanToStripe } from './stripe-sync';
import { planListResponseSchema, planResponseSchema, planSyncedResponseSchema } from './responses';

const planParams = z.object({ planId: z.uuid() });
const listQuery = z.object({ status: z.enum(['active', 'archived']).optional() });

// Postgres unique violations on a plan's name or a version's date become a 409 naming the field.
function conflictFrom(error: unknown): ApiError | undefined {
  const constraint = (error as { code?: string; constraint?: string }).code === '23505' ? (error as { constraint?: string }).constraint : undefined;
  if (constraint === 'plans_org_name_key') return new ApiError('conflict', 'a plan with this name already exists', { fields: [{ path: 'body.name', message: 'already used by another plan' }] });
  if (constraint === 'plan_versions_plan_effective_key') return new ApiError('conflict', 'a version of this plan already takes effect on that date', { fields: [{ path: 'body.effectiveFrom', message: 'already taken' }] });
  return undefined;
}

export function planRoutes(ctx: AppContext): RouteDefinition[] {
  async function organizationOf(organizationId: string): Promise<Organization> {
    const organization = await findOrganizationById(ctx.db, organizationId);
    if (!organization) throw notFound('organization');
    return organization;
  }

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
  async function ownPlan(req: Request): Promise<{ organization: Organization; planId: string }> {
    const { planId } = parseInput(planParams, req.params, 'params');
    const organization = await organizationOf(principal(req).organizationId);
    if (!(await findPlan(ctx.db, organization.id, planId))) throw notFound('plan');
    return { organization, planId };
  }

  async function planResponse(organization: Organization, planId: string) {
    const plan = await findPlan(ctx.db, organization.id, planId);
    if (!plan) throw notFound('plan');
    return presentPlan(plan, await listPlanVersions(ctx.db, organization.id, planId), todayIn(organization.time_zone, ctx.now()));
  }

  return [
    {
      method: 'get',
      path: '/api/plans',
      responses: { 200: planListResponseSchema },
      query: listQuery,
      access: ['admin', 'treasurer'],
      summary: "The organization's dues plans with their versions",
      handler: async (req, res) => {
        const { status } = parseInput(listQuery, req.query, 'query');
        const organization = await organizationOf(principal(req).organizationId);
        const plans = await listPlans(ctx.db, organization.id, status);
        const versions = await versionsByPlan(ctx.db, organization.id, plans.map((p) => p.id));
        const today = todayIn(organization.time_zone, ctx.now());
        res.json({ data: plans.map((plan) => presentPlan(plan, versions.get(plan.id) ?? [], today)) });
      },
    },
    {
      method: 'post',
      path: '/api/plans',
      responses: { 201: planSyncedResponseSchema },
      requestBody: newPlanSchema,
      access: ['admin'],
      summary: 'Create a plan with its first rate version',
      handler: async (req, res) => {
        const input = parseInput(newPlanSchema, req.body);
        const organization = await organizationOf(principal(req).organizationId);
        const effectiveFrom = input.effectiveFrom ?? todayIn(organization.time_zone, ctx.now());
        const plan = await ctx.db
          .transaction()
          .execute(async (trx) => {
            const created = await insertPlan(trx, {
              organization_id: organization.id,
              name: input.name,
              member_class: input.memberClass,
              currency: input.currency ?? organization.currency,
              billing_interval: input.interval,
              billing_interval_count: input.intervalCount,
            }, ctx.now());
            await insertPlanVersion(trx, {
              organization_id: organization.id,
              plan_id: created.id,
              version: 1,
              effective_from: effectiveFrom,
              amount_rule: JSON.stringify(input.amountRule),
              initiation_fee_cents: input.initiationFeeCents ?? null,
              authorization_note: input.authorizationNote,
              created_by_staff_user_id: principal(req).staffUserId,
            }, ctx.now());
            await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'plan.created', subjectType: 'plan', subjectId: created.id, details: { name: input.name, amountRule: input.amountRule } });
            return created;
          })
          .catch((error: unknown) => {
            throw conflictFrom(error) ?? error;
          });
        const stripe = await trySync(organization, plan.id);
        res.status(201).json({ ...(await planResponse(organization, plan.id)), stripe });
      },
    },
    {
      method: 'get',
      path: '/api/plans/:planId',
      responses: { 200: planResponseSchema },
      params: planParams,
      access: ['admin', 'treasurer'],
      summary: 'One plan with its version history',
      handler: async (req, res) => {
        const { planId } = parseInput(planParams, req.params, 'params');
        res.json(await planResponse(await organizationOf(principal(req).organizationId), planId));
      },
    },
    {
      method: 'patch',
      path: '/api/plans/:planId',
      responses: { 200: planResponseSchema },
      requestBody: planChangesSchema,
      access: ['admin'],
      summary: "Rename a plan or change its member class (rates change only by a new version)",
      handler: async (req, res) => {
        const { organization, planId } = await ownPlan(req);
        const changes = parseInput(planChangesSchema, req.body);
        await ctx.db
          .transaction()
          .execute(async (trx) => {
            const updated = await updatePlan(trx, organization.id, planId, {
              ...(changes.name !== undefined ? { name: changes.name } : {}),
              ...(changes.memberClass !== undefined ? { member_class: changes.memberClass } : {}),
            }, ctx.now());
            if (!updated) throw notFound('plan');
            await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'plan.updated', subjectType: 'plan', subjectId: planId, details: changes });
          })
          .catch((error: unknown) => {
            throw conflictFrom(error) ?? error;
          });
        res.json(await planResponse(organization, planId));
      },
    },
    {
      method: 'post',
      path: '/api/plans/:planId/versions',
      responses: { 201: planSyncedResponseSchema },
      requestBody: newVersionSchema,
      access: ['admin'],
      summary: 'A new rate, effective from a date, with the vote that authorized it',
      handler: async (req, res) => {
        const { organization, planId } = await ownPlan(req);
        const input = parseInput(newVersionSchema, req.body);
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
              created_by_staff_user_id: principal(req).staffUserId,
            }, ctx.now());
            await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'plan.version_added', subjectType: 'plan', subjectId: planId, details: { version: version.version, effectiveFrom: input.effectiveFrom, amountRule: input.amountRule } });
          })
          .catch((error: unknown) => {
            throw conflictFrom(error) ?? error;
          });
        const stripe = await trySync(organization, planId);
        res.status(201).json({ ...(await planResponse(organization, planId)), stripe });
      },
    },
    {
      method: 'post',
      path: '/api/plans/:planId/archive',
      responses: { 200: planResponseSchema },
      params: planParams,
      access: ['admin'],
      summary: 'Close a plan to new signups (existing members continue on it)',
      handler: async (req, res) => {
        const { planId } = parseInput(planParams, req.params, 'params');
        const organization = await organizationOf(principal(req).organizationId);
        await ctx.db.transaction().execute(async (trx) => {
          const plan = await findPlan(trx, organization.id, planId);
          if (!plan) throw notFound('plan');
          if (plan.status === 'archived') return;
          await updatePlan(trx, organization.id, planId, { status: 'archived', archived_at: ctx.now() }, ctx.now());
          await recordAudit(trx, { ...auditActor(req, ctx.now()), action: 'plan.archived', subjectType: 'plan', subjectId: planId });
        });
        res.json(await planResponse(organization, planId));
      },
    },
    {
      method: 'post',
      path: '/api/plans/:planId/stripe-sync',
      responses: { 200: planSyncedResponseSchema },
      access: ['admin'],
      summary: "Create the plan's missing Stripe Product and Prices (idempotent)",
      handler: async (req, res) => {
        const { organization, planId } = await ownPlan(req);
        const stripe = await trySync(organization, planId);
        res.status(stripe.synced ? 200 : 502).json({ ...(await planResponse(organization, planId)), stripe });
      },
    },
  ];
}

import type { Request } from 'express';
import { z } from 'zod';
import type { Organization } from '../../../db/database';
import { auditActor, recordAudit } from '../../audit/audit';
import type { AppContext } from '../../context';
import { notFound } from '../../http/errors';
import type { RouteDefinition } from '../../http/routes';
import { versionOn } from '../../plans/plans';
import { createPlan, findPlan, listPlans, listPlanVersions, savePresentation, updatePlan, versionsByPlan } from '../../plans/queries';
import { syncPlanToStripe } from '../../plans/stripe-sync';
import type { ConsoleRouteKit } from '../months';
import { sendPage } from '../routes';
import type { ConsoleSession } from '../session';
import { PlanEditPage, PlanNewPage, PlansPage, type PlanErrors } from '../pages/plans';
import { planValuesFrom, planValuesOf, readNewPlan, readPresentation } from './plan-form';

const planParams = z.object({ planId: z.uuid() });

const uniqueViolation = (error: unknown, constraint: string) => (error as { code?: string }).code === '23505' && (error as { constraint?: string }).constraint === constraint;

/** Plans in the console: admins create, edit and archive; treasurers see the list. */
export function planConsoleRoutes(ctx: AppContext, kit: ConsoleRouteKit): RouteDefinition[] {

  /** The plan in the path, of this organization, with the rate in force today; anything else is a 404. */
  async function planInPath(req: Request, session: ConsoleSession) {
    const parsed = planParams.safeParse(req.params);
    const plan = parsed.success ? await findPlan(ctx.db, session.organization.id, parsed.data.planId) : undefined;
    if (!plan) throw notFound('plan');
    const rule = versionOn(await listPlanVersions(ctx.db, session.organization.id, plan.id), session.today)?.amount_rule;
    return { plan, rule };
  }

  const audit = (db: AppContext['db'], req: Request, action: string, planId: string, details: Record<string, unknown>) =>
    recordAudit(db, { ...auditActor(req, ctx.now()), action, subjectType: 'plan', subjectId: planId, details: { ...details, via: 'console' } });

  // Stripe hears of a new plan after our commit; a failure leaves it saved and unsynced, as the API's create does.
  async function trySync(organization: Organization, planId: string): Promise<void> {
    try {
      await syncPlanToStripe(ctx.db, ctx.stripe, organization, planId);
    } catch (error) {
      ctx.logger.warn({ err: error, planId }, 'plan not yet synced to Stripe');
    }
  }

  return [
    kit.page('/console/plans', ['admin', 'treasurer'], "Dues plans in the signup page's order: their rate, whether they show, which is preselected", async (_req, _res, frame) => {
      const { organization } = frame.session;
      const plans = await listPlans(ctx.db, organization.id);
      const versions = await versionsByPlan(ctx.db, organization.id, plans.map((plan) => plan.id));
      // Active plans first, in their order; archived ones after.
      const rows = plans.map((plan) => ({ plan, rule: versionOn(versions.get(plan.id) ?? [], frame.session.today)?.amount_rule })).sort((x, y) => Number(x.plan.status === 'archived') - Number(y.plan.status === 'archived'));
      return <PlansPage frame={frame} rows={rows} canEdit={frame.session.roles.includes('admin')} />;
    }),
    kit.page('/console/plans/new', ['admin'], 'A new plan: its rate, the vote that set it, and its words in English and Spanish', async (_req, _res, frame) => {
      return <PlanNewPage frame={frame} values={{ interval: 'month', kind: 'flat', visibleOnSignup: 'yes', displayOrder: '0' }} errors={{}} />;
    }),
    kit.action('/console/plans', ['admin'], 'Create a plan (synced to Stripe after it is saved)', async (req, res, session) => {
      const values = planValuesFrom(req.body, true);
      const read = readNewPlan(session.m, values);
      let errors: PlanErrors = read.ok ? {} : read.errors;
      if (read.ok) {
        const organization = await kit.organizationOf(session);
        try {
          const plan = await ctx.db.transaction().execute(async (trx) => {
            const created = await createPlan(trx, organization, read.plan, session.staffUserId, ctx.now());
            // The form's place wins over "after the others" only when one was typed.
            const presentation = values.displayOrder?.trim() === '0' ? { ...read.presentation, displayOrder: undefined } : read.presentation;
            await savePresentation(trx, organization.id, created.id, presentation, ctx.now());
            await audit(trx, req, 'plan.created', created.id, { name: read.plan.name, amountRule: read.plan.amountRule });
            return created;
          });
          await trySync(organization, plan.id);
          return kit.redirectWithFlash(res, '/console/plans', { kind: 'planSaved', name: plan.name });
        } catch (error) {
          if (!uniqueViolation(error, 'plans_org_name_key')) throw error;
          errors = { name: session.m.admin.errPlanNameTaken };
        }
      }
      sendPage(res, 400, <PlanNewPage frame={{ ...kit.frameFor(req, res, session), path: '/console/plans/new' }} values={values} errors={errors} />);
    }),
    kit.page('/console/plans/:planId', ['admin'], "Edit a plan's words in English and Spanish, its place on the signup page, its visibility and preselection", async (req, _res, frame) => {
      const { plan, rule } = await planInPath(req, frame.session);
      return <PlanEditPage frame={frame} plan={plan} rule={rule} values={planValuesOf(plan, rule)} errors={{}} />;
    }),
    kit.action('/console/plans/:planId', ['admin'], "Save a plan's words, place, visibility and preselection", async (req, res, session) => {
      const { plan, rule } = await planInPath(req, session);
      const values = planValuesFrom(req.body, false);
      const read = readPresentation(session.m, values, rule);
      let errors: PlanErrors = read.ok ? {} : read.errors;
      if (read.ok) {
        try {
          await ctx.db.transaction().execute(async (trx) => {
            if (read.name !== plan.name) await updatePlan(trx, session.organization.id, plan.id, { name: read.name }, ctx.now());
            await savePresentation(trx, session.organization.id, plan.id, read.presentation, ctx.now());
            await audit(trx, req, 'plan.updated', plan.id, { name: read.name, ...read.presentation });
          });
          return kit.redirectWithFlash(res, '/console/plans', { kind: 'planSaved', name: read.name });
        } catch (error) {
          if (uniqueViolation(error, 'plans_org_name_key')) errors = { name: session.m.admin.errPlanNameTaken };
          else if (uniqueViolation(error, 'plans_one_preselected')) errors = { preselected: session.m.admin.errPreselectedRace };
          else throw error;
        }
      }
      sendPage(res, 400, <PlanEditPage frame={{ ...kit.frameFor(req, res, session), path: `/console/plans/${plan.id}` }} plan={plan} rule={rule} values={values} errors={errors} />);
    }),
    kit.action('/console/plans/:planId/archive', ['admin'], 'Archive a plan: closed to new signups, existing members continue on it', async (req, res, session) => {
      const { plan } = await planInPath(req, session);
      await ctx.db.transaction().execute(async (trx) => {
        if (plan.status === 'archived') return;
        await updatePlan(trx, session.organization.id, plan.id, { status: 'archived', archived_at: ctx.now(), preselected: false }, ctx.now());
        await audit(trx, req, 'plan.archived', plan.id, {});
      });
      kit.redirectWithFlash(res, '/console/plans', { kind: 'planArchived', name: plan.name });
    }),
  ];
}

import type { Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import type { PlanTranslations } from '../../db/database-admin';
import { requestSignIn } from '../auth/sign-in';
import { todayIn } from '../organizations/calendar';
import { findOrganizationBySlug, insertOrganization } from '../organizations/queries';
import type { AmountRule } from '../plans/dues';
import { insertPlan, insertPlanVersion, listPlans } from '../plans/queries';
import { syncPlanToStripe } from '../plans/stripe-sync';
import { storeDefaultAuthorization } from '../signup/queries';
import { grantRole, upsertStaffUser } from '../staff/queries';
import type { StripeClient } from '../stripe/client';

export const DEMO_ORGANIZATION = { slug: 'demo', name: 'Demo Workers Union', timeZone: 'America/Chicago', currency: 'usd' };
/** What the demo's signup page says about the union (an admin changes it at /console/organization). */
const DEMO_ABOUT = {
  contact_phone: '(312) 555-0100',
  contact_email: 'office@demo.goodstanding.local',
  contact_address: '1 Union Hall Way\nChicago, IL 60601',
  privacy_notice: JSON.stringify({
    en: 'We use your contact details and dues records only to keep your membership and reach you about it. We never share them with your employer.',
    es: 'Usamos sus datos de contacto y sus pagos de cuotas solo para mantener su afiliación y comunicarnos con usted sobre ella. Nunca los compartimos con su empleador.',
  }),
};
export const DEMO_ADMIN = { email: 'admin@demo.goodstanding.local', name: 'Demo Admin' };

/** One plan of each kind the signup page treats differently, so the demo shows them all, in English and Spanish; the first is preselected. */
export const DEMO_PLANS: Array<{ name: string; description: string; translations: PlanTranslations; rule: AmountRule; initiationFeeCents?: number }> = [
  {
    name: 'Regular monthly',
    description: 'The same dues every month, for most members.',
    translations: { es: { name: 'Cuota mensual regular', description: 'La misma cuota cada mes, para la mayoría de los miembros.' } },
    rule: { kind: 'flat', amountCents: 3000 },
    initiationFeeCents: 1000,
  },
  {
    name: 'Percent of wages',
    description: 'Dues that follow your pay.',
    translations: { es: { name: 'Porcentaje del salario', description: 'Una cuota que sigue a su salario.' } },
    rule: { kind: 'percent_of_wages', basisPoints: 150, minimumCents: 1500, maximumCents: 8000 },
  },
  {
    name: 'Sliding scale',
    description: 'Dues by what you earn in a year.',
    translations: {
      es: {
        name: 'Escala según ingresos',
        description: 'Una cuota según lo que gana en un año.',
        bracketLabels: ['Menos de $25,000 al año', 'De $25,000 a $50,000 al año', 'Más de $50,000 al año'],
      },
    },
    rule: {
      kind: 'income_brackets',
      brackets: [
        { label: 'Under $25,000 a year', amountCents: 1000 },
        { label: '$25,000 to $50,000 a year', amountCents: 2000 },
        { label: 'Over $50,000 a year', amountCents: 3500 },
      ],
    },
  },
];

/**
 * On an empty development database, creates a demo organization with an admin and emails
 * that admin a sign-in link. Returns undefined when the database already has organizations.
 */
export async function seedDemo(db: Kysely<Database>, options: { publicUrl: string; now: Date }) {
  const existing = await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
  if (existing) return undefined;
  const organization = await db.transaction().execute(async (trx) => {
    const created = await insertOrganization(trx, DEMO_ORGANIZATION, options.now);
    await trx.updateTable('organizations').set(DEMO_ABOUT).where('id', '=', created.id).execute();
    const admin = await upsertStaffUser(trx, DEMO_ADMIN, options.now);
    await grantRole(trx, created.id, admin.id, 'admin', options.now);
    for (const [order, spec] of DEMO_PLANS.entries()) {
      const plan = await insertPlan(
        trx,
        { organization_id: created.id, name: spec.name, description: spec.description, translations: JSON.stringify(spec.translations), display_order: order, preselected: order === 0, currency: created.currency, billing_interval: 'month' },
        options.now,
      );
      await insertPlanVersion(trx, {
        organization_id: created.id,
        plan_id: plan.id,
        version: 1,
        effective_from: todayIn(created.time_zone, options.now),
        amount_rule: JSON.stringify(spec.rule),
        initiation_fee_cents: spec.initiationFeeCents ?? null,
        authorization_note: 'Demo data: set by the founding meeting',
      }, options.now);
    }
    await storeDefaultAuthorization(trx, created, options.now);
    return created;
  });
  await requestSignIn(db, { email: DEMO_ADMIN.email, organizationSlug: organization.slug, publicUrl: options.publicUrl, now: options.now });
  return { organization, adminEmail: DEMO_ADMIN.email };
}

/**
 * The offline sandbox starts empty on every run, so the Stripe ids the demo plans kept
 * from a previous run name nothing: forget them and create the products and prices again.
 */
export async function syncDemoPlans(db: Kysely<Database>, stripe: StripeClient): Promise<Organization | undefined> {
  const organization = await findOrganizationBySlug(db, DEMO_ORGANIZATION.slug);
  if (!organization) return undefined;
  await db.updateTable('plans').set({ stripe_product_id: null }).where('organization_id', '=', organization.id).execute();
  await db.updateTable('plan_versions').set({ stripe_price_id: null }).where('organization_id', '=', organization.id).execute();
  for (const plan of await listPlans(db, organization.id, 'active')) await syncPlanToStripe(db, stripe, organization, plan.id);
  return organization;
}

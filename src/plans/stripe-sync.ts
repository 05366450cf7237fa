import type { Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import { requestOptions, type StripeClient } from '../stripe/client';
import { findPlan, listPlanVersions, setPlanProduct, setPlanVersionPrice } from './queries';

export interface PlanSyncResult {
  productId: string;
  /** Whether this call made the Product (else it was there). */
  createdProduct: boolean;
  createdPrices: string[];
}

/**
 * Makes sure a plan has its Stripe Product and each flat version its recurring Price.
 * Safe to run any number of times: what exists is skipped, and every create carries an
 * idempotency key made from our ids, so a call retried after a lost answer returns the
 * object Stripe already made instead of making a second.
 */
export async function syncPlanToStripe(db: Kysely<Database>, stripe: StripeClient, organization: Organization, planId: string): Promise<PlanSyncResult> {
  const plan = await findPlan(db, organization.id, planId);
  if (!plan) throw new Error(`plan ${planId} not found in organization ${organization.id}`);
  const metadata = { organization_id: organization.id, plan_id: plan.id };

  let productId = plan.stripe_product_id;
  const createdProduct = !productId;
  if (!productId) {
    const product = await stripe.products.create(
      { name: `${organization.name}: ${plan.name}`, metadata },
      requestOptions(organization, `gs-plan-${plan.id}-product`),
    );
    productId = product.id;
    await setPlanProduct(db, organization.id, plan.id, productId);
  }

  const createdPrices: string[] = [];
  for (const version of await listPlanVersions(db, organization.id, plan.id)) {
    // Computed rates have no Price of their own: they are priced per member (price_data) at subscription time.
    if (version.stripe_price_id || version.amount_rule.kind !== 'flat') continue;
    const price = await stripe.prices.create(
      {
        product: productId,
        currency: plan.currency,
        unit_amount: version.amount_rule.amountCents,
        recurring: { interval: plan.billing_interval, interval_count: plan.billing_interval_count },
        nickname: `${plan.name} v${version.version} from ${version.effective_from}`,
        metadata: { ...metadata, plan_version_id: version.id, effective_from: version.effective_from },
      },
      requestOptions(organization, `gs-plan-version-${version.id}-price`),
    );
    await setPlanVersionPrice(db, organization.id, version.id, price.id);
    createdPrices.push(price.id);
  }
  return { productId, createdProduct, createdPrices };
}

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type PgBoss from 'pg-boss';
import type { Database, Language, Organization } from '../../db/database';
import { enqueueEmailOnce } from '../email/outbox';
import { todayIn } from '../organizations/calendar';
import { syncPlanToStripe } from '../plans/stripe-sync';
import { requestOptions, type StripeClient } from '../stripe/client';
import { duesIncreaseNotice } from './notice';
import { dueChanges, dueNotices } from './queries';

export interface IncreaseDeps {
  db: Kysely<Database>;
  stripe: StripeClient;
  now: () => Date;
  publicUrl?: string | undefined;
  notifyOutbox: () => void;
}

/** Tries per subscription change before it waits for a person's retry. */
export const MAX_ATTEMPTS = 5;

export interface IncreaseRunReport {
  noticesQueued: number;
  changed: number;
  alreadyChanged: number;
  failed: number;
}

/**
 * One pass of an organization's dues increases: the notices whose day has come, then the
 * subscriptions whose effective day has come. Each step is recorded on its item as it is
 * done, and the Stripe change carries an idempotency key of the item and is skipped when
 * the subscription already charges the new amount, so a pass stopped anywhere and run again
 * changes nothing twice.
 */
export async function advanceDuesIncreases(deps: IncreaseDeps, organization: Organization): Promise<IncreaseRunReport> {
  const today = todayIn(organization.time_zone, deps.now());
  const report: IncreaseRunReport = { noticesQueued: 0, changed: 0, alreadyChanged: 0, failed: 0 };

  report.noticesQueued = await deps.db.transaction().execute(async (trx) => {
    let queued = 0;
    for (const item of await dueNotices(trx, organization.id, today)) {
      const language = item.preferred_language as Language;
      const email = duesIncreaseNotice(
        { name: item.name, language, planName: item.plan_name, authorizationNote: item.authorization_note, effectiveFrom: item.effective_from, beforeCents: item.before_cents, afterCents: item.after_cents!, currency: item.currency, interval: item.billing_interval },
        organization,
        deps.publicUrl,
      );
      const now = deps.now();
      if (await enqueueEmailOnce(trx, { organizationId: organization.id, kind: 'dues_increase_notice', to: item.email, ...email, queuedAt: now, dedupeKey: `dues-increase:${item.id}` })) queued += 1;
      await trx.updateTable('dues_increase_items').set({ notice_sent_at: now }).where('id', '=', item.id).execute();
    }
    return queued;
  });
  if (report.noticesQueued > 0) deps.notifyOutbox();

  const changes = await dueChanges(deps.db, organization.id, today, MAX_ATTEMPTS);
  // A flat rate is charged with its own Price: made once per version if it is missing.
  const priceOf = new Map<string, string | null>();
  for (const change of changes) {
    try {
      let priceId: string | null = null;
      if (change.amount_rule.kind === 'flat') {
        priceId = priceOf.get(change.plan_version_id) ?? change.stripe_price_id;
        if (!priceId) {
          await syncPlanToStripe(deps.db, deps.stripe, organization, change.plan_id);
          priceId = (await deps.db.selectFrom('plan_versions').select('stripe_price_id').where('id', '=', change.plan_version_id).executeTakeFirstOrThrow()).stripe_price_id;
        }
        priceOf.set(change.plan_version_id, priceId);
      }
      const outcome = await changeSubscription(deps.stripe, organization, change.id, change.subscription_id, change.after_cents!, priceId);
      await deps.db.updateTable('dues_increase_items').set({ applied_at: deps.now(), last_error: null }).where('id', '=', change.id).execute();
      if (outcome === 'changed') report.changed += 1;
      else report.alreadyChanged += 1;
    } catch (error) {
      report.failed += 1;
      await deps.db
        .updateTable('dues_increase_items')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: (error as Error).message.slice(0, 500) }))
        .where('id', '=', change.id)
        .execute();
    }
  }
  return report;
}

/**
 * Moves a subscription to the new amount from its next renewal: no proration, so the period
 * already paid is left alone. A flat rate uses its Price; a computed one the member's own
 * amount on the plan's Product. Answers 'unchanged' when it already charges that amount.
 */
async function changeSubscription(stripe: StripeClient, organization: Organization, itemId: string, subscriptionId: string, afterCents: number, priceId: string | null): Promise<'changed' | 'unchanged'> {
  const options = requestOptions(organization);
  const subscription = await stripe.subscriptions.retrieve(subscriptionId, {}, options);
  const item = subscription.items.data[0];
  if (!item) throw new Error(`subscription ${subscriptionId} has no item`);
  if (item.price.unit_amount === afterCents && (priceId === null || item.price.id === priceId)) return 'unchanged';
  const product = typeof item.price.product === 'string' ? item.price.product : item.price.product.id;
  const recurring = item.price.recurring!;
  await stripe.subscriptions.update(
    subscriptionId,
    {
      items: [priceId ? { id: item.id, price: priceId } : { id: item.id, price_data: { currency: item.price.currency, product, unit_amount: afterCents, recurring: { interval: recurring.interval, interval_count: recurring.interval_count } } }],
      proration_behavior: 'none',
      metadata: { dues_increase_item_id: itemId },
    },
    requestOptions(organization, `gs-dues-increase-${itemId}`),
  );
  return 'changed';
}

export const INCREASE_QUEUE = 'dues-increase-tick';

/** Every organization's increases, every 15 minutes on pg-boss (whichever instance takes the job). */
export async function startIncreaseWorker(boss: PgBoss, deps: IncreaseDeps, logger: Logger): Promise<void> {
  await boss.createQueue(INCREASE_QUEUE, { name: INCREASE_QUEUE, policy: 'short', retryLimit: 2, retryBackoff: true });
  await boss.schedule(INCREASE_QUEUE, '*/15 * * * *');
  await boss.work(INCREASE_QUEUE, async () => {
    const organizations = await deps.db.selectFrom('organizations').selectAll().where('id', 'in', deps.db.selectFrom('dues_increases').select('organization_id')).execute();
    for (const organization of organizations) {
      try {
        const report = await advanceDuesIncreases(deps, organization);
        if (report.noticesQueued + report.changed + report.failed > 0) logger.info({ organizationId: organization.id, ...report }, 'dues increases advanced');
      } catch (error) {
        logger.error({ err: error, organizationId: organization.id }, 'dues increase run failed');
      }
    }
  });
}

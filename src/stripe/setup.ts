import type Stripe from 'stripe';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { listPlans } from '../plans/queries';
import { syncPlanToStripe } from '../plans/stripe-sync';
import { HANDLED_EVENT_TYPES } from '../../webhooks/handlers';
import { STRIPE_API_VERSION, type StripeClient } from './client';

export const WEBHOOK_PATH = '/webhooks/stripe';

/** An endpoint we need: the platform's own events, or (`connect`) those of organizations' connected accounts. */
export interface WantedEndpoint {
  url: string;
  connect: boolean;
}

export type EndpointStep =
  | { action: 'create'; wanted: WantedEndpoint }
  | { action: 'update'; wanted: WantedEndpoint; id: string; changes: { enabled_events?: string[]; disabled?: false }; why: string[] }
  | { action: 'keep'; wanted: WantedEndpoint; id: string }
  | { action: 'replace'; wanted: WantedEndpoint; id: string; why: string };

type ExistingEndpoint = Pick<Stripe.WebhookEndpoint, 'id' | 'url' | 'enabled_events' | 'api_version' | 'status' | 'metadata'>;

// Stripe's endpoint object does not say whether it is a Connect endpoint, so ours say it in
// their metadata; one made by hand with our URL and no such mark counts as the platform's.
const ENDPOINT_KIND = 'gs_endpoint';
const isConnect = (endpoint: ExistingEndpoint): boolean => endpoint.metadata?.[ENDPOINT_KIND] === 'connect';

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().every((value, i) => value === [...b].sort()[i]);

/**
 * What to do so that Stripe sends us exactly the events we handle, at our API version,
 * to each endpoint we need. Pure, so that a second run (which finds everything in place)
 * is seen to change nothing. Stripe cannot change an endpoint's API version: one with
 * another version is replaced by a new endpoint (its old one is left for a person to delete).
 */
export function planEndpoints(existing: readonly ExistingEndpoint[], wanted: readonly WantedEndpoint[]): EndpointStep[] {
  const events = [...HANDLED_EVENT_TYPES];
  return wanted.map((want) => {
    const found = existing.filter((endpoint) => endpoint.url === want.url && isConnect(endpoint) === want.connect);
    const current = found.find((endpoint) => endpoint.api_version === STRIPE_API_VERSION) ?? found[0];
    if (!current) return { action: 'create', wanted: want };
    if (current.api_version !== STRIPE_API_VERSION) return { action: 'replace', wanted: want, id: current.id, why: `its API version is ${current.api_version ?? 'the account default'}, not ${STRIPE_API_VERSION}` };
    const why: string[] = [];
    const changes: { enabled_events?: string[]; disabled?: false } = {};
    if (!sameSet(current.enabled_events, events)) {
      changes.enabled_events = events;
      const missing = events.filter((type) => !current.enabled_events.includes(type));
      const extra = current.enabled_events.filter((type) => !events.includes(type));
      why.push([missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `subscribed to ${extra.join(', ')} as well` : ''].filter(Boolean).join('; '));
    }
    if (current.status === 'disabled') {
      changes.disabled = false;
      why.push('it is disabled');
    }
    return why.length > 0 ? { action: 'update', wanted: want, id: current.id, changes, why } : { action: 'keep', wanted: want, id: current.id };
  });
}

/** The endpoints the service needs: the platform's, and a Connect one once an organization has a connected account. */
export async function wantedEndpoints(db: Kysely<Database>, publicUrl: string): Promise<WantedEndpoint[]> {
  const url = `${publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
  const connected = await db.selectFrom('organizations').select('id').where('stripe_account_id', 'is not', null).limit(1).executeTakeFirst();
  return [{ url, connect: false }, ...(connected ? [{ url, connect: true }] : [])];
}

async function listEndpoints(stripe: StripeClient): Promise<ExistingEndpoint[]> {
  const endpoints: ExistingEndpoint[] = [];
  for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) endpoints.push(endpoint);
  return endpoints;
}

/** For the start-up check: what is missing or wrong, in words (empty when all is in place). */
export async function endpointProblems(stripe: StripeClient, wanted: readonly WantedEndpoint[]): Promise<string[]> {
  return planEndpoints(await listEndpoints(stripe), wanted).flatMap((step) => {
    const which = `${step.wanted.connect ? 'the Connect webhook endpoint' : 'the webhook endpoint'} at ${step.wanted.url}`;
    if (step.action === 'create') return [`${which} is not registered with Stripe`];
    if (step.action === 'update') return [`${which} (${step.id}) needs a change: ${step.why.join('; ')}`];
    if (step.action === 'replace') return [`${which} (${step.id}) must be replaced: ${step.why}`];
    return [];
  });
}

export interface SetupReport {
  /** One line per thing done or found, for the person running it. */
  lines: string[];
  /** Signing secrets of endpoints created now (Stripe shows a secret only when it creates the endpoint). */
  newSecrets: string[];
  changed: number;
}

/** Registers or mends our webhook endpoints and syncs every plan to Stripe; a second run changes nothing. */
export async function setUpStripe(db: Kysely<Database>, stripe: StripeClient, publicUrl: string): Promise<SetupReport> {
  const report: SetupReport = { lines: [], newSecrets: [], changed: 0 };
  const events = [...HANDLED_EVENT_TYPES] as Stripe.WebhookEndpointCreateParams.EnabledEvent[];
  for (const step of planEndpoints(await listEndpoints(stripe), await wantedEndpoints(db, publicUrl))) {
    const which = `${step.wanted.connect ? 'Connect webhook endpoint' : 'webhook endpoint'} ${step.wanted.url}`;
    if (step.action === 'keep') {
      report.lines.push(`${which}: in place (${step.id}), ${events.length} event types, API version ${STRIPE_API_VERSION}`);
      continue;
    }
    if (step.action === 'update') {
      await stripe.webhookEndpoints.update(step.id, step.changes as Stripe.WebhookEndpointUpdateParams);
      report.lines.push(`${which}: updated ${step.id} (${step.why.join('; ')})`);
      report.changed += 1;
      continue;
    }
    const created = await stripe.webhookEndpoints.create({
      url: step.wanted.url,
      enabled_events: events,
      api_version: STRIPE_API_VERSION,
      ...(step.wanted.connect ? { connect: true } : {}),
      description: 'Good Standing',
      metadata: { [ENDPOINT_KIND]: step.wanted.connect ? 'connect' : 'platform' },
    });
    if (created.secret) report.newSecrets.push(created.secret);
    report.changed += 1;
    report.lines.push(
      step.action === 'create'
        ? `${which}: created ${created.id} with ${events.length} event types at API version ${STRIPE_API_VERSION}`
        : `${which}: created ${created.id} in place of ${step.id} (${step.why}); delete ${step.id} in the Stripe dashboard once STRIPE_WEBHOOK_SECRET has the new secret`,
    );
  }

  const organizations = await db.selectFrom('organizations').selectAll().orderBy('slug').execute();
  for (const organization of organizations) {
    for (const plan of await listPlans(db, organization.id, 'active')) {
      const synced = await syncPlanToStripe(db, stripe, organization, plan.id);
      const made = [...(synced.createdProduct ? [`product ${synced.productId}`] : []), ...synced.createdPrices.map((price) => `price ${price}`)];
      if (made.length > 0) report.changed += made.length;
      report.lines.push(`plan "${plan.name}" of ${organization.slug}: ${made.length > 0 ? `created ${made.join(', ')}` : `in place (${synced.productId})`}`);
    }
  }
  return report;
}

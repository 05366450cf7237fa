// The sandbox's Stripe behaviour, one class per resource family chained from ./state (see
// there); this last link adds webhook endpoints and what the server asks of the engine.
import { Ctx, clone } from './core';
import { invalidParam } from './errors';
import { Params } from './params';
import { newId, randomToken } from './store';
import { realNow } from './time';
import type { CheckoutLineItem, CheckoutSession, WebhookEndpoint } from './types';
import { TestClocks } from './test-clocks';

export type { EngineOptions, FinalFailureAction } from './state';

export class Engine extends TestClocks {

  /** `secret` lets the in-process API register an endpoint with a known signing secret. */
  createWebhookEndpoint(ctx: Ctx, p: Params, secret = `whsec_${randomToken(32)}`): WebhookEndpoint {
    const url = p.reqStr('url');
    if (!/^https?:\/\//.test(url)) throw invalidParam('url', 'Invalid URL: must be a valid http or https URL.', 'url_invalid');
    const events = p.strArr('enabled_events');
    if (!events || events.length === 0) throw invalidParam('enabled_events', 'Missing required param: enabled_events.', 'parameter_missing');
    const we: WebhookEndpoint = {
      id: newId('we'),
      object: 'webhook_endpoint',
      api_version: p.str('api_version') ?? null,
      application: null,
      created: realNow(),
      description: p.str('description') ?? null,
      enabled_events: events,
      livemode: false,
      metadata: p.metadata(),
      status: 'enabled',
      url,
    };
    this.store.insert(we, ctx.account, null);
    this.endpointSecrets.set(we.id, secret);
    if (p.bool('connect')) this.connectEndpoints.add(we.id);
    return { ...clone(we), secret };
  }

  updateWebhookEndpoint(ctx: Ctx, id: string, p: Params): WebhookEndpoint {
    const we = this.store.get<WebhookEndpoint>('webhook_endpoint', id, ctx.account);
    if (p.has('url')) we.url = p.reqStr('url');
    if (p.has('enabled_events')) we.enabled_events = p.strArr('enabled_events') ?? we.enabled_events;
    if (p.has('description')) we.description = p.str('description') || null;
    if (p.has('disabled')) we.status = p.bool('disabled') ? 'disabled' : 'enabled';
    we.metadata = p.metadata(we.metadata);
    return we;
  }

  deleteWebhookEndpoint(ctx: Ctx, id: string): { id: string; object: 'webhook_endpoint'; deleted: true } {
    this.store.get<WebhookEndpoint>('webhook_endpoint', id, ctx.account);
    this.store.remove(id);
    this.endpointSecrets.delete(id);
    this.connectEndpoints.delete(id);
    return { id, object: 'webhook_endpoint', deleted: true };
  }

  /** For the control API: lines of a session for the hosted page. */
  checkoutView(id: string): { session: CheckoutSession; items: CheckoutLineItem[] } | undefined {
    const session = this.store.entry(id)?.obj as CheckoutSession | undefined;
    const state = this.checkouts.get(id);
    if (!session || !state) return undefined;
    return { session, items: state.items };
  }

  invoiceSubscription(invoiceId: string): string | undefined {
    return this.invoiceSub.get(invoiceId);
  }

  /** Processes real-time (clock-less) scheduled work that has come due. */
  tick(): void {
    this.runDue(null, realNow());
  }
}

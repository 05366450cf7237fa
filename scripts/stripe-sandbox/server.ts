// The offline Stripe sandbox as an HTTP server on loopback: Stripe's REST API under /v1, hosted
// pages (Checkout, billing portal, invoices), and a control API under /_sandbox for tests.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import express, { NextFunction, Request, Response } from 'express';
import { Ctx, clone } from './core';
import { Engine, EngineOptions, FinalFailureAction } from './engine';
import { StripeApiError, invalidParam, invalidRequest } from './errors';
import { applyExpand } from './expand';
import { FormObject, parseForm } from './form';
import { checkoutPage, invoicePage, messagePage, portalPage } from './pages';
import { acceptedParams } from './param-schema';
import { Params } from './params';
import { buildIncludables, buildRoutes } from './routes';
import { Account, newId } from './store';
import { API_VERSION, CheckoutSession, Customer, Dispute, Invoice, PaymentIntent, Payout, PortalSession, Subscription, TestClock, WebhookEndpoint } from './types';
import { DeliveryMode, DeliveryRecord } from './webhooks';

export interface StripeSandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; loopback by default. */
  host?: string;
  /** Days between payment retries after a failed renewal; default [3, 5, 7]. */
  retryScheduleDays?: number[];
  /** Subscription status after the last retry fails: 'cancel' (default), 'unpaid' or 'past_due' (leave it). */
  afterFinalFailure?: FinalFailureAction;
  /** Daily automatic payouts on test clocks; default true. */
  automaticPayouts?: boolean;
  /** Days before renewal that invoice.upcoming is sent; default 7. */
  upcomingInvoiceDays?: number;
  /** Delays between webhook retries (their count bounds the retries); default [200, 1000, 5000] ms. */
  webhookRetryDelaysMs?: number[];
  /** Per-delivery timeout; default 10 s. */
  webhookTimeoutMs?: number;
  /** Initial delivery mode; default 'in_order'. */
  deliveryMode?: DeliveryMode;
  /** Seed for 'shuffled' delivery. */
  seed?: number;
  /** Webhook endpoints to register at start, e.g. the service's receiver with its known secret. */
  webhookEndpoints?: WebhookEndpointSpec[];
  /** The unix time deliveries are signed with (default: the real clock), for a service under test on a simulated clock. */
  signingClock?: () => number;
}

export interface WebhookEndpointSpec {
  url: string;
  /** Signing secret (whsec_...); generated when omitted. */
  secret?: string;
  /** Default ['*']. */
  enabledEvents?: string[];
  /** Owned by this connected account. */
  account?: string;
  /** A platform endpoint that receives connected accounts' events. */
  connect?: boolean;
}

export interface SandboxClientOptions {
  host: string;
  port: number;
  protocol: 'http';
  apiVersion: typeof API_VERSION;
  maxNetworkRetries: number;
}

export interface ControlOptions {
  /** Connected account (Stripe-Account) that owns the object. */
  account?: string;
}

export interface StripeSandbox {
  url: string;
  port: number;
  /** Options for `new Stripe(key, sandbox.stripeClientOptions())`. */
  stripeClientOptions(): SandboxClientOptions;
  setDeliveryMode(mode: DeliveryMode, seed?: number): void;
  /** Delivers all queued (and held) webhooks and waits until they and their retries are done. */
  flushWebhooks(): Promise<void>;
  /** Every delivery attempt so far. */
  deliveries(): DeliveryRecord[];
  /** Deliveries queued, held or waiting for a retry. */
  pendingWebhooks(): number;
  /** Pays an open Checkout Session as the hosted page's Pay button does. */
  completeCheckout(sessionId: string, paymentMethod: string, opts?: ControlOptions & { email?: string; name?: string; testClock?: string }): CheckoutSession;
  /** Settles a processing ACH payment now (succeeds or fails per its payment method). */
  settleAchPayment(paymentIntentId: string, opts?: ControlOptions): PaymentIntent;
  /** Makes a pending payout arrive ('paid') or fail. */
  settlePayout(payoutId: string, outcome: 'paid' | 'failed', opts?: ControlOptions): Payout;
  /** Withdraws or reinstates a dispute's funds once more (a network's later stage), with a fee taken (withdrawal) or returned (negative, reinstatement). */
  moveDisputeFunds(disputeId: string, direction: 'withdraw' | 'reinstate', opts?: ControlOptions & { amount?: number; fee?: number }): Dispute;
  /** Advances a test clock and resolves once it is ready again. */
  advanceClock(clockId: string, frozenTime: number, opts?: ControlOptions): Promise<TestClock>;
  /** Registers a webhook endpoint; the result carries its `secret`. */
  registerWebhookEndpoint(spec: WebhookEndpointSpec): WebhookEndpoint;
  /** The engine, for inspection in tests. */
  engine: Engine;
  close(): Promise<void>;
}

const DEFAULTS: EngineOptions = {
  retryScheduleDays: [3, 5, 7],
  afterFinalFailure: 'cancel',
  automaticPayouts: true,
  upcomingInvoiceDays: 7,
  webhookRetryDelaysMs: [200, 1000, 5000],
  webhookTimeoutMs: 10_000,
};

interface IdempotentResult {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: unknown;
  requestId: string;
}

function sendJson(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}

function sendError(res: ServerResponse, headers: Record<string, string>, err: StripeApiError, requestId: string): void {
  const body = { ...err.body };
  if (!body.request_log_url) body.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}`;
  sendJson(res, err.status, headers, { error: body });
}

/** The largest request body the API reads, as Stripe's own limit is about this size. */
const MAX_API_BODY_BYTES = 1024 * 1024;

/** Reads a request's body as text; undefined when it is over the limit. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_API_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_API_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const isApiPath = (url: string) => url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');

function authError(message: string): StripeApiError {
  return new StripeApiError(401, { type: 'invalid_request_error', message });
}

/** Any test-mode secret or restricted key is accepted, as Bearer or Basic auth. */
function checkAuth(header: string | undefined): void {
  if (!header) {
    throw authError(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  let key = '';
  if (header.startsWith('Bearer ')) key = header.slice(7).trim();
  else if (header.startsWith('Basic ')) key = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0] ?? '';
  if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key)) {
    const masked = key.length > 8 ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : key;
    throw authError(`Invalid API Key provided: ${masked}`);
  }
}

export async function startStripeSandbox(options: StripeSandboxOptions = {}): Promise<StripeSandbox> {
  const host = options.host ?? '127.0.0.1';
  let baseUrl = '';
  const engine = new Engine(
    {
      retryScheduleDays: options.retryScheduleDays ?? DEFAULTS.retryScheduleDays,
      afterFinalFailure: options.afterFinalFailure ?? DEFAULTS.afterFinalFailure,
      automaticPayouts: options.automaticPayouts ?? DEFAULTS.automaticPayouts,
      upcomingInvoiceDays: options.upcomingInvoiceDays ?? DEFAULTS.upcomingInvoiceDays,
      webhookRetryDelaysMs: options.webhookRetryDelaysMs ?? DEFAULTS.webhookRetryDelaysMs,
      webhookTimeoutMs: options.webhookTimeoutMs ?? DEFAULTS.webhookTimeoutMs,
    },
    () => baseUrl,
  );
  if (options.signingClock) engine.dispatcher.signingClock = options.signingClock;
  if (options.deliveryMode) engine.dispatcher.setMode(options.deliveryMode, options.seed);
  else if (options.seed !== undefined) engine.dispatcher.setMode('in_order', options.seed);
  const routes = buildRoutes(engine);
  const idempotency = new Map<string, IdempotentResult>();

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', false);
  // Stripe sends no ETags, and hashing every response body was a tenth of the sandbox's time under load.
  app.set('etag', false);

  function header(req: IncomingMessage, name: string): string | undefined {
    const value = req.headers[name];
    return typeof value === 'string' ? value : undefined;
  }

  function accountHeader(req: IncomingMessage): Account {
    const value = header(req, 'stripe-account');
    if (!value) return null;
    if (!/^acct_[A-Za-z0-9]+$/.test(value)) {
      throw new StripeApiError(403, {
        type: 'invalid_request_error',
        code: 'account_invalid',
        message: `The provided key does not have access to account '${value}' (or that account does not exist). Application access may have been revoked.`,
      });
    }
    return value;
  }

  function parseParams(query: string, body: string): FormObject {
    try {
      return { ...parseForm(query), ...parseForm(body) };
    } catch {
      throw invalidRequest('Invalid request: the body could not be decoded as application/x-www-form-urlencoded.');
    }
  }

  // The REST API is served by node:http directly, without Express's routing and response
  // helpers: it is most of the sandbox's work when a benchmark shares the machine with it.
  function handleApi(req: IncomingMessage, res: ServerResponse, body: string | undefined): void {
    const requestId = newId('req');
    const headers: Record<string, string> = { 'Request-Id': requestId, 'Stripe-Version': header(req, 'stripe-version') ?? API_VERSION };
    try {
      if (body === undefined) throw new StripeApiError(413, { type: 'invalid_request_error', message: `Request bodies are limited to ${MAX_API_BODY_BYTES} bytes.` });
      checkAuth(header(req, 'authorization'));
      const account = accountHeader(req);
      engine.tick();
      const url = req.url ?? '';
      const queryAt = url.indexOf('?');
      const raw = parseParams(queryAt >= 0 ? url.slice(queryAt + 1) : '', body);
      const method = req.method as 'GET' | 'POST' | 'DELETE';
      const path = (queryAt >= 0 ? url.slice(0, queryAt) : url).replace(/\/$/, '');
      const idemKey = method === 'POST' ? header(req, 'idempotency-key') : undefined;
      const idemScope = `${account ?? ''}|${idemKey ?? ''}`;
      const fingerprint = idemKey ? createHash('sha256').update(`${method} ${path} ${JSON.stringify(raw)}`).digest('hex') : '';
      if (idemKey) {
        headers['Idempotency-Key'] = idemKey;
        const prior = idempotency.get(idemScope);
        if (prior) {
          if (prior.fingerprint !== fingerprint) {
            throw new StripeApiError(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
            });
          }
          headers['Idempotent-Replayed'] = 'true';
          headers['Original-Request'] = prior.requestId;
          sendJson(res, prior.status, headers, prior.body);
          return;
        }
      }
      const ctx: Ctx = { account, requestId, idempotencyKey: idemKey ?? null };
      const remember = (status: number, body: unknown) => {
        if (idemKey) idempotency.set(idemScope, { method, path, fingerprint, status, body, requestId });
      };
      const found = routes.find((r) => r.method === method && r.pattern.test(path));
      if (!found) {
        throw new StripeApiError(404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        });
      }
      const accepted = found.params ? acceptedParams(found.params) : null;
      const unknown = accepted ? Object.keys(raw).find((k) => !accepted.has(k)) : undefined;
      if (unknown) throw invalidParam(unknown, `Received unknown parameter: ${unknown}`, 'parameter_unknown');
      const args = (path.match(found.pattern) as RegExpMatchArray).slice(1).map(decodeURIComponent);
      const params = new Params(raw);
      let result: unknown;
      try {
        result = found.handler({ ctx, params, args });
      } catch (err) {
        // Stripe stores the outcome of requests that ran (declines included), not validation failures.
        if (err instanceof StripeApiError && (err.body.type === 'card_error' || err.status === 402)) {
          remember(err.status, { error: err.body });
        }
        throw err;
      }
      const expand = params.strArr('expand') ?? [];
      // Expansion copies only what it changes; the store's objects are serialised as they
      // are, and a response kept for an idempotent replay is a deep copy.
      const expanded =
        expand.length === 0
          ? result
          : applyExpand(result, expand, {
              resolve: (id) => {
                const e = engine.store.entry(id);
                return e && e.account === account ? e.obj : undefined;
              },
              includables: buildIncludables(engine, account),
            });
      const response = idemKey ? clone(expanded) : expanded;
      remember(200, response);
      sendJson(res, 200, headers, response);
    } catch (err) {
      if (err instanceof StripeApiError) {
        sendError(res, headers, err, requestId);
        return;
      }
      console.error('stripe-sandbox: internal error', err);
      sendError(res, headers, new StripeApiError(500, { type: 'api_error', message: 'An unknown error occurred in the Stripe sandbox.' }), requestId);
    }
  }

  // ---- hosted pages -------------------------------------------------------------------------

  const form = express.urlencoded({ extended: false });

  function ctxFor(id: string): Ctx {
    return { account: engine.accountOf(id), requestId: null, idempotencyKey: null };
  }

  function successUrl(session: CheckoutSession): string {
    return (session.success_url ?? `${baseUrl}/c/done`).replace(/\{CHECKOUT_SESSION_ID\}/g, session.id);
  }

  app.get('/c/pay/:id', (req, res) => {
    engine.tick();
    const view = engine.checkoutView(String(req.params.id));
    if (!view) {
      res.status(404).type('html').send(messagePage('Not found', 'This checkout session does not exist.'));
      return;
    }
    res.type('html').send(checkoutPage(view.session, view.items));
  });

  app.post('/c/pay/:id', form, (req, res) => {
    const id = String(req.params.id);
    const view = engine.checkoutView(id);
    if (!view) {
      res.status(404).type('html').send(messagePage('Not found', 'This checkout session does not exist.'));
      return;
    }
    const body = (req.body ?? {}) as Record<string, string>;
    try {
      const session = engine.completeCheckout(ctxFor(id), id, body.payment_method ?? '', { email: body.email || undefined, name: body.name || undefined });
      res.redirect(303, successUrl(session));
    } catch (err) {
      if (!(err instanceof StripeApiError)) throw err;
      res.status(err.status).type('html').send(checkoutPage(view.session, view.items, err.body.message));
    }
  });

  app.get('/c/done', (_req, res) => {
    res.type('html').send(messagePage('Thank you', 'Your payment was received.'));
  });

  app.get('/p/session/:id', (req, res) => {
    const session = engine.store.entry(String(req.params.id))?.obj as PortalSession | undefined;
    if (!session || session.object !== 'billing_portal.session') {
      res.status(404).type('html').send(messagePage('Not found', 'This portal session does not exist.'));
      return;
    }
    const account = engine.accountOf(session.id);
    const customer = engine.store.get<Customer>('customer', session.customer, account);
    const subs = engine.store.all<Subscription>('subscription', account, (s) => s.customer === customer.id && s.status !== 'canceled');
    res.type('html').send(portalPage(session.id, customer, subs, session.return_url));
  });

  app.post('/p/session/:id/payment_method', form, (req, res) => {
    const session = engine.store.entry(String(req.params.id))?.obj as PortalSession | undefined;
    if (!session || session.object !== 'billing_portal.session') {
      res.status(404).type('html').send(messagePage('Not found', 'This portal session does not exist.'));
      return;
    }
    const ctx = ctxFor(session.id);
    try {
      engine.updateDefaultPaymentMethod(ctx, session.customer, String((req.body as Record<string, string> | undefined)?.payment_method ?? ''));
      res.redirect(303, `/p/session/${session.id}`);
    } catch (err) {
      if (!(err instanceof StripeApiError)) throw err;
      const customer = engine.store.get<Customer>('customer', session.customer, ctx.account);
      const subs = engine.store.all<Subscription>('subscription', ctx.account, (s) => s.customer === customer.id && s.status !== 'canceled');
      res.status(err.status).type('html').send(portalPage(session.id, customer, subs, session.return_url, err.body.message));
    }
  });

  app.post('/p/session/:id/subscriptions/:sub/:action', form, (req, res) => {
    const session = engine.store.entry(String(req.params.id))?.obj as PortalSession | undefined;
    const action = String(req.params.action);
    if (!session || session.object !== 'billing_portal.session' || (action !== 'cancel' && action !== 'renew')) {
      res.status(404).type('html').send(messagePage('Not found', 'Unknown portal action.'));
      return;
    }
    const ctx = ctxFor(session.id);
    const sub = engine.store.get<Subscription>('subscription', String(req.params.sub), ctx.account);
    if (sub.customer !== session.customer) {
      res.status(403).type('html').send(messagePage('Forbidden', 'This subscription belongs to another customer.'));
      return;
    }
    // The portal's default cancellation mode: at the end of the billing period.
    engine.updateSubscription(ctx, sub.id, new Params({ cancel_at_period_end: action === 'cancel' ? 'true' : 'false' }));
    res.redirect(303, `/p/session/${session.id}`);
  });

  app.get('/i/:id', (req, res) => {
    const invoice = engine.store.entry(String(req.params.id))?.obj as Invoice | undefined;
    if (!invoice || invoice.object !== 'invoice') {
      res.status(404).type('html').send(messagePage('Not found', 'This invoice does not exist.'));
      return;
    }
    res.type('html').send(invoicePage(invoice));
  });

  app.post('/i/:id', form, (req, res) => {
    const invoice = engine.store.entry(String(req.params.id))?.obj as Invoice | undefined;
    if (!invoice || invoice.object !== 'invoice') {
      res.status(404).type('html').send(messagePage('Not found', 'This invoice does not exist.'));
      return;
    }
    try {
      engine.payInvoiceWith(ctxFor(invoice.id), invoice.id, String((req.body as Record<string, string> | undefined)?.payment_method ?? ''));
      res.redirect(303, `/i/${invoice.id}`);
    } catch (err) {
      if (!(err instanceof StripeApiError)) throw err;
      res.status(err.status).type('html').send(invoicePage(invoice, err.body.message));
    }
  });

  app.get('/receipts/:id', (req, res) => {
    res.type('html').send(messagePage('Receipt', `Receipt for ${String(req.params.id)}.`));
  });

  // ---- control API (test-only) ----------------------------------------------------------------

  const control = express.Router();
  control.use(express.json(), express.urlencoded({ extended: false }));
  const controlCtx = (req: Request): Ctx => ({ account: accountHeader(req), requestId: null, idempotencyKey: null });
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

  control.get('/health', (_req, res) => {
    res.json({ ok: true, url: baseUrl, api_version: API_VERSION });
  });
  control.post('/delivery', (req, res) => {
    const mode = str(req.body?.mode) as DeliveryMode | undefined;
    if (!mode || !['in_order', 'shuffled', 'twice', 'hold'].includes(mode)) {
      throw invalidRequest('mode must be one of in_order, shuffled, twice, hold', 'parameter_invalid', 'mode');
    }
    const seed = req.body?.seed === undefined ? undefined : Number(req.body.seed);
    engine.dispatcher.setMode(mode, seed);
    res.json({ mode });
  });
  control.post('/delivery/flush', async (_req, res) => {
    await engine.dispatcher.flush();
    res.json({ delivered: engine.dispatcher.log.filter((d) => d.ok).length, attempts: engine.dispatcher.log.length });
  });
  control.get('/deliveries', (_req, res) => {
    res.json({ data: engine.dispatcher.log });
  });
  control.post('/checkout_sessions/:id/complete', (req, res) => {
    const ctx = controlCtx(req);
    const pm = str(req.body?.payment_method);
    if (!pm) throw invalidRequest('Missing required param: payment_method.', 'parameter_missing', 'payment_method');
    res.json(engine.completeCheckout(ctx, String(req.params.id), pm, { email: str(req.body?.email), name: str(req.body?.name), testClock: str(req.body?.test_clock) }));
  });
  control.post('/payment_intents/:id/settle', (req, res) => {
    res.json(engine.settleAchNow(controlCtx(req), String(req.params.id)));
  });
  control.post('/disputes/:id/:direction', (req, res) => {
    const direction = String(req.params.direction);
    if (direction !== 'withdraw' && direction !== 'reinstate') throw invalidRequest('direction must be withdraw or reinstate');
    const number = (value: unknown) => (value === undefined || value === '' ? undefined : Number(value));
    res.json(engine.moveDisputeFunds(controlCtx(req), String(req.params.id), direction, number(req.body?.amount), number(req.body?.fee)));
  });
  control.post('/payouts/:id/:outcome', (req, res) => {
    const outcome = String(req.params.outcome);
    if (outcome !== 'paid' && outcome !== 'failed') throw invalidRequest('outcome must be paid or failed');
    res.json(engine.settlePayout(controlCtx(req), String(req.params.id), outcome));
  });
  app.use('/_sandbox', control);

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${req.path}).` } });
  });
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof StripeApiError) {
      res.status(err.status).json({ error: err.body });
      return;
    }
    console.error('stripe-sandbox: internal error', err);
    res.status(500).json({ error: { type: 'api_error', message: 'An unknown error occurred in the Stripe sandbox.' } });
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = createServer((req, res) => {
      if (!isApiPath(req.url ?? '')) {
        app(req, res);
        return;
      }
      readBody(req)
        .then((body) => handleApi(req, res, body))
        .catch((error: unknown) => {
          console.error('stripe-sandbox: request failed', error);
          res.destroy();
        });
    });
    s.listen(options.port ?? 0, host, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;

  const registerWebhookEndpoint = (spec: WebhookEndpointSpec): WebhookEndpoint => {
    const raw: FormObject = { url: spec.url, enabled_events: spec.enabledEvents ?? ['*'], api_version: API_VERSION };
    if (spec.connect) raw.connect = 'true';
    return engine.createWebhookEndpoint({ account: spec.account ?? null, requestId: null, idempotencyKey: null }, new Params(raw), spec.secret);
  };
  for (const spec of options.webhookEndpoints ?? []) registerWebhookEndpoint(spec);

  const ctxOf = (opts?: ControlOptions): Ctx => ({ account: opts?.account ?? null, requestId: null, idempotencyKey: null });

  return {
    url: baseUrl,
    port,
    engine,
    stripeClientOptions: () => ({ host, port, protocol: 'http', apiVersion: API_VERSION, maxNetworkRetries: 2 }),
    setDeliveryMode: (mode, seed) => engine.dispatcher.setMode(mode, seed),
    flushWebhooks: () => engine.dispatcher.flush(),
    deliveries: () => [...engine.dispatcher.log],
    pendingWebhooks: () => engine.dispatcher.pending(),
    registerWebhookEndpoint,
    completeCheckout: (id, pm, opts) => clone(engine.completeCheckout(ctxOf(opts), id, pm, { email: opts?.email, name: opts?.name, testClock: opts?.testClock })),
    settleAchPayment: (id, opts) => clone(engine.settleAchNow(ctxOf(opts), id)),
    settlePayout: (id, outcome, opts) => clone(engine.settlePayout(ctxOf(opts), id, outcome)),
    moveDisputeFunds: (id, direction, opts) => clone(engine.moveDisputeFunds(ctxOf(opts), id, direction, opts?.amount, opts?.fee)),
    advanceClock: async (id, frozenTime, opts) => {
      engine.advanceClock(ctxOf(opts), id, new Params({ frozen_time: String(frozenTime) }));
      for (;;) {
        await new Promise((r) => setImmediate(r));
        const clock = engine.store.get<TestClock>('test_helpers.test_clock', id, opts?.account ?? null);
        if (clock.status !== 'advancing') return clone(clock);
      }
    },
    close: async () => {
      engine.dispatcher.close();
      engine.shutdown();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

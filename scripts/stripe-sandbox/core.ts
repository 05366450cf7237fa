// Shared machinery of the sandbox: the store, time (real or test-clock), scheduled work, and events.
import { Account, newId, Store, StripeObject } from './store';
import { realNow } from './time';
import { API_VERSION, StripeEvent, TestClock, WebhookEndpoint } from './types';
import { EndpointTarget, WebhookDispatcher } from './webhooks';

export interface Ctx {
  account: Account;
  requestId: string | null;
  idempotencyKey: string | null;
}

export function systemCtx(account: Account): Ctx {
  return { account, requestId: null, idempotencyKey: null };
}

interface Task {
  seq: number;
  at: number;
  /** Lower runs first among tasks due at the same second (balances settle before payouts sweep). */
  priority: number;
  clock: string | null;
  key: string | undefined;
  run: () => void;
}

export const PRIORITY = { balance: 0, normal: 1, payout: 2 } as const;

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Top-level keys whose value changed, with their previous value (Stripe's previous_attributes). */
function previousAttributes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const prev: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) prev[key] = before[key] === undefined ? null : before[key];
  }
  return prev;
}

export class Core {
  readonly store = new Store();
  /** Current time of each test clock, moved forward task by task while it advances. */
  private readonly clockNow = new Map<string, number>();
  /** Scheduled work by clock (null: real time), so that one clock's advance never walks every other clock's tasks. */
  private tasks = new Map<string | null, Task[]>();
  /** The clocks each task key has been scheduled on, so cancelling by key visits only those. */
  private readonly keyClocks = new Map<string, Set<string | null>>();
  private taskSeq = 0;
  readonly endpointSecrets = new Map<string, string>();
  readonly connectEndpoints = new Set<string>();
  private readonly delivered = new Set<string>();
  readonly dispatcher: WebhookDispatcher;

  constructor(webhookRetryDelaysMs: number[], webhookTimeoutMs: number) {
    this.dispatcher = new WebhookDispatcher({
      retryDelaysMs: webhookRetryDelaysMs,
      timeoutMs: webhookTimeoutMs,
      onDelivered: (eventId, endpointId) => this.markDelivered(eventId, endpointId),
    });
  }

  // ---- time ---------------------------------------------------------------------------------

  now(clock: string | null): number {
    if (clock === null) return realNow();
    return this.clockNow.get(clock) ?? realNow();
  }

  registerClock(clock: TestClock): void {
    this.clockNow.set(clock.id, clock.frozen_time);
  }

  forgetClock(id: string): void {
    this.clockNow.delete(id);
    this.tasks.delete(id);
  }

  clockOf(id: string): string | null {
    return this.store.entry(id)?.clock ?? null;
  }

  accountOf(id: string): Account {
    return this.store.entry(id)?.account ?? null;
  }

  // ---- scheduled work -------------------------------------------------------------------------

  schedule(clock: string | null, at: number, run: () => void, opts: { key?: string; priority?: number } = {}): void {
    const task = { seq: ++this.taskSeq, at, clock, key: opts.key, priority: opts.priority ?? PRIORITY.normal, run };
    if (opts.key !== undefined) {
      const clocks = this.keyClocks.get(opts.key);
      if (clocks) clocks.add(clock);
      else this.keyClocks.set(opts.key, new Set([clock]));
    }
    const ofClock = this.tasks.get(clock);
    if (ofClock) ofClock.push(task);
    else this.tasks.set(clock, [task]);
  }

  /** Drops all scheduled work (the server is closing). */
  shutdown(): void {
    this.tasks.clear();
    this.keyClocks.clear();
  }

  cancelTasks(key: string): void {
    for (const clock of this.keyClocks.get(key) ?? []) {
      const ofClock = this.tasks.get(clock);
      if (ofClock) this.tasks.set(clock, ofClock.filter((t) => t.key !== key));
    }
    this.keyClocks.delete(key);
  }

  /** Runs every task of `clock` due up to `until`, in time order, moving the clock's time along. */
  runDue(clock: string | null, until: number): void {
    for (;;) {
      let next: Task | undefined;
      const ofClock = this.tasks.get(clock) ?? [];
      for (const t of ofClock) {
        if (t.at > until) continue;
        if (!next || t.at < next.at || (t.at === next.at && (t.priority < next.priority || (t.priority === next.priority && t.seq < next.seq)))) {
          next = t;
        }
      }
      if (!next) break;
      const task = next;
      ofClock.splice(ofClock.indexOf(task), 1);
      if (clock !== null) this.clockNow.set(clock, Math.max(this.now(clock), task.at));
      task.run();
    }
    if (clock !== null) this.clockNow.set(clock, Math.max(this.now(clock), until));
  }

  // ---- events ---------------------------------------------------------------------------------

  /** Snapshot of an object's top-level fields, to diff after a change. */
  track(obj: object): () => Record<string, unknown> {
    const before = clone(obj) as Record<string, unknown>;
    return () => previousAttributes(before, obj as Record<string, unknown>);
  }

  /**
   * Records an event and queues its delivery. `owner` names the stored object whose account and
   * clock the event belongs to (defaults to the object itself; previews such as invoice.upcoming
   * and balance snapshots have no id of their own).
   */
  emit(ctx: Ctx, type: string, obj: object, previous?: Record<string, unknown>, owner?: string): StripeEvent | undefined {
    if (previous !== undefined && Object.keys(previous).length === 0) return undefined;
    const ownerId = owner ?? (obj as StripeObject).id;
    const account = this.store.entry(ownerId) ? this.accountOf(ownerId) : ctx.account;
    const clock = this.clockOf(ownerId);
    const endpoints = this.endpointsFor(account, type);
    const event: StripeEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: this.now(clock),
      data: previous ? { object: clone(obj), previous_attributes: clone(previous) } : { object: clone(obj) },
      livemode: false,
      pending_webhooks: endpoints.length,
      request: { id: ctx.requestId, idempotency_key: ctx.idempotencyKey },
      type,
    };
    if (account) event.account = account;
    this.store.insert(event, account, clock);
    this.dispatcher.enqueue(clone(event), endpoints);
    return event;
  }

  private endpointsFor(account: Account, type: string): EndpointTarget[] {
    const out: EndpointTarget[] = [];
    const listens = (we: WebhookEndpoint) => we.status === 'enabled' && (we.enabled_events.includes('*') || we.enabled_events.includes(type));
    const add = (we: WebhookEndpoint) => out.push({ id: we.id, url: we.url, secret: this.endpointSecrets.get(we.id) as string });
    for (const we of this.store.all<WebhookEndpoint>('webhook_endpoint', account)) if (listens(we)) add(we);
    // Events of connected accounts also reach the platform's Connect endpoints.
    if (account !== null) {
      for (const we of this.store.all<WebhookEndpoint>('webhook_endpoint', null)) if (this.connectEndpoints.has(we.id) && listens(we)) add(we);
    } else {
      return out.filter((t) => !this.connectEndpoints.has(t.id));
    }
    return out;
  }

  private markDelivered(eventId: string, endpointId: string): void {
    const key = `${eventId}:${endpointId}`;
    if (this.delivered.has(key)) return;
    this.delivered.add(key);
    const entry = this.store.entry(eventId);
    if (entry) (entry.obj as StripeEvent).pending_webhooks = Math.max(0, (entry.obj as StripeEvent).pending_webhooks - 1);
  }
}

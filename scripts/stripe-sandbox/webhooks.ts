// Webhook delivery: POSTs each event as pretty JSON (as Stripe does) to every matching endpoint,
// signed `t=<unix>,v1=<HMAC-SHA256(secret, "t.payload")>`, retried with back-off on non-2xx.
import { createHmac } from 'node:crypto';
import type { StripeEvent } from './types';

export type DeliveryMode = 'in_order' | 'shuffled' | 'twice' | 'hold';

export interface DeliveryRecord {
  eventId: string;
  eventType: string;
  endpointId: string;
  url: string;
  attempt: number;
  status: number | null;
  ok: boolean;
  error?: string;
}

export interface EndpointTarget {
  id: string;
  url: string;
  secret: string;
}

interface Delivery {
  event: StripeEvent;
  endpoint: EndpointTarget;
  attempt: number;
}

export function signPayload(payload: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/** mulberry32: small seeded PRNG so a shuffled delivery order can be reproduced. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DispatcherOptions {
  /** Delays before each retry of a failed delivery; its length bounds the retries. */
  retryDelaysMs: number[];
  timeoutMs: number;
  onDelivered: (eventId: string, endpointId: string) => void;
}

export class WebhookDispatcher {
  /**
   * The unix time deliveries are signed with: the real clock, as Stripe's, unless a test
   * runs the service on a simulated clock and gives the sandbox the same one.
   */
  signingClock: () => number = () => Math.floor(Date.now() / 1000);
  private mode: DeliveryMode = 'in_order';
  private random: () => number = Math.random;
  private queue: Delivery[] = [];
  private pumping: Promise<void> | null = null;
  private retryTimers = new Set<NodeJS.Timeout>();
  private closed = false;
  readonly log: DeliveryRecord[] = [];

  constructor(private readonly options: DispatcherOptions) {}

  setMode(mode: DeliveryMode, seed?: number): void {
    this.mode = mode;
    if (seed !== undefined) this.random = seededRandom(seed);
    if (mode !== 'hold') this.kick();
  }

  enqueue(event: StripeEvent, endpoints: EndpointTarget[]): void {
    for (const endpoint of endpoints) this.queue.push({ event, endpoint, attempt: 1 });
    if (this.mode !== 'hold') this.kick();
  }

  /** Number of deliveries not yet attempted or awaiting a retry. */
  pending(): number {
    return this.queue.length + this.retryTimers.size;
  }

  /** Delivers everything queued (held deliveries included) and waits for retries to settle. */
  async flush(): Promise<void> {
    for (;;) {
      await this.pump(true);
      if (this.queue.length === 0 && this.retryTimers.size === 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.queue = [];
  }

  private kick(): void {
    setImmediate(() => void this.pump(false));
  }

  private pump(force: boolean): Promise<void> {
    if (this.pumping) return this.pumping.then(() => (this.queue.length > 0 ? this.pump(force) : undefined));
    this.pumping = (async () => {
      while (this.queue.length > 0 && !this.closed && (force || this.mode !== 'hold')) {
        const batch = this.order(this.queue.splice(0));
        for (const d of batch) await this.deliver(d);
      }
    })().finally(() => {
      this.pumping = null;
    });
    return this.pumping;
  }

  private order(batch: Delivery[]): Delivery[] {
    if (this.mode === 'shuffled') {
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [batch[i], batch[j]] = [batch[j] as Delivery, batch[i] as Delivery];
      }
    }
    // Duplicates go after the whole batch, so a second copy can arrive after later events.
    if (this.mode === 'twice') return [...batch, ...batch.map((d) => ({ ...d }))];
    return batch;
  }

  private async deliver(d: Delivery): Promise<void> {
    const payload = JSON.stringify(d.event, null, 2);
    const timestamp = this.signingClock();
    const record: DeliveryRecord = {
      eventId: d.event.id,
      eventType: d.event.type,
      endpointId: d.endpoint.id,
      url: d.endpoint.url,
      attempt: d.attempt,
      status: null,
      ok: false,
    };
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), this.options.timeoutMs);
    timeout.unref();
    try {
      const res = await fetch(d.endpoint.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Stripe-Signature': signPayload(payload, d.endpoint.secret, timestamp),
        },
        body: payload,
        signal: abort.signal,
      });
      await res.arrayBuffer();
      record.status = res.status;
      record.ok = res.status >= 200 && res.status < 300;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timeout);
    }
    this.log.push(record);
    if (record.ok) {
      this.options.onDelivered(d.event.id, d.endpoint.id);
      return;
    }
    const delay = this.options.retryDelaysMs[d.attempt - 1];
    if (delay === undefined || this.closed) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.queue.push({ ...d, attempt: d.attempt + 1 });
      if (this.mode !== 'hold') this.kick();
    }, delay);
    this.retryTimers.add(timer);
  }
}

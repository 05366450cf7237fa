// In-memory object store. Every object belongs to an account (null = the platform) and, when it
// hangs off a customer on a test clock, to that clock.
import { randomFillSync } from 'node:crypto';
import { invalidParam, resourceMissing } from './errors';
import type { Params } from './params';

export type Account = string | null;

export interface StripeObject {
  id: string;
  object: string;
  created?: number;
}

export interface Entry {
  obj: StripeObject;
  account: Account;
  clock: string | null;
  seq: number;
}

export interface ApiList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Drawn from a pool refilled 4 KiB at a time: one call to the generator per id costs more
// than the rest of a sandbox read.
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;

export function randomToken(length: number): string {
  if (randomPoolOffset + length > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const bytes = randomPool.subarray(randomPoolOffset, (randomPoolOffset += length));
  let out = '';
  for (let i = 0; i < length; i++) out += ID_ALPHABET[(bytes[i] as number) % ID_ALPHABET.length];
  return out;
}

/** Stripe-style id: prefix + 24 random characters (cs_test_ ids are longer, as in Stripe). */
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(prefix === 'cs_test' ? 58 : 24)}`;
}

/** Nouns used in Stripe's "No such ..." messages. */
const NOUNS: Record<string, string> = {
  customer: 'customer',
  product: 'product',
  price: 'price',
  subscription: 'subscription',
  subscription_item: 'subscription item',
  invoice: 'invoice',
  invoice_payment: 'invoice payment',
  payment_intent: 'payment_intent',
  payment_method: 'PaymentMethod',
  charge: 'charge',
  balance_transaction: 'balance transaction',
  refund: 'refund',
  dispute: 'dispute',
  payout: 'payout',
  event: 'event',
  webhook_endpoint: 'webhook endpoint',
  'checkout.session': 'checkout.session',
  'billing_portal.session': 'billing portal session',
  'test_helpers.test_clock': 'test clock',
};

/** Fields an object keeps for life, indexed so that lookups by them do not scan every object of the type. */
const LINKS: Record<string, Record<string, (obj: StripeObject) => unknown>> = {
  invoice: { customer: (obj) => (obj as unknown as { customer: string }).customer },
  invoice_payment: {
    invoice: (obj) => (obj as unknown as { invoice: string }).invoice,
    payment_intent: (obj) => (obj as unknown as { payment: { payment_intent?: unknown } }).payment.payment_intent,
  },
};

const linkKey = (type: string, link: string, value: unknown) => `${type}.${link}=${String(value)}`;

/** The entries `account` sees that pass `filter`, newest first (Stripe's list order). */
function visibleNewestFirst<T extends StripeObject>(entries: Iterable<Entry> | undefined, account: Account, filter: (obj: T, e: Entry) => boolean): T[] {
  const out: Entry[] = [];
  for (const e of entries ?? []) {
    if (e.account === account && filter(e.obj as T, e)) out.push(e);
  }
  out.sort((a, b) => (b.obj.created ?? 0) - (a.obj.created ?? 0) || b.seq - a.seq);
  return out.map((e) => e.obj as T);
}

export class Store {
  private readonly byId = new Map<string, Entry>();
  /** Lists read one type: without this, each list or includable scans every object and event ever made. */
  private readonly byType = new Map<string, Map<string, Entry>>();
  private readonly byLink = new Map<string, Map<string, Entry>>();
  /** Objects by type and test clock: a clock's daily payout sweeps its own balance, not every clock's. */
  private readonly byClock = new Map<string, Map<string, Entry>>();
  private seq = 0;

  insert<T extends StripeObject>(obj: T, account: Account, clock: string | null = null): T {
    this.remove(obj.id);
    const entry = { obj, account, clock, seq: ++this.seq };
    this.byId.set(obj.id, entry);
    let ofType = this.byType.get(obj.object);
    if (!ofType) this.byType.set(obj.object, (ofType = new Map()));
    ofType.set(obj.id, entry);
    const keys = Object.entries(LINKS[obj.object] ?? {}).map(([link, valueOf]) => [this.byLink, linkKey(obj.object, link, valueOf(obj))] as const);
    if (clock !== null) keys.push([this.byClock, linkKey(obj.object, 'clock', clock)]);
    for (const [index, key] of keys) {
      let linked = index.get(key);
      if (!linked) index.set(key, (linked = new Map()));
      linked.set(obj.id, entry);
    }
    return obj;
  }

  remove(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    this.byType.get(entry.obj.object)?.delete(id);
    for (const [link, valueOf] of Object.entries(LINKS[entry.obj.object] ?? {})) this.byLink.get(linkKey(entry.obj.object, link, valueOf(entry.obj)))?.delete(id);
    if (entry.clock !== null) this.byClock.get(linkKey(entry.obj.object, 'clock', entry.clock))?.delete(id);
  }

  entry(id: string): Entry | undefined {
    return this.byId.get(id);
  }

  /** Looks up an object of the given type visible to `account`; throws Stripe's 404 otherwise. */
  get<T extends StripeObject>(type: string, id: string, account: Account, param = 'id'): T {
    const e = this.byId.get(id);
    if (!e || e.obj.object !== type || e.account !== account) throw resourceMissing(NOUNS[type] ?? type, id, param);
    return e.obj as T;
  }

  find<T extends StripeObject>(type: string, id: string, account: Account): T | undefined {
    const e = this.byId.get(id);
    return e && e.obj.object === type && e.account === account ? (e.obj as T) : undefined;
  }

  /** All objects of a type for an account, newest first (Stripe's list order). */
  all<T extends StripeObject>(type: string, account: Account, filter: (obj: T, e: Entry) => boolean = () => true): T[] {
    return visibleNewestFirst(this.byType.get(type)?.values(), account, filter);
  }

  /** Like `all`, for the objects on a test clock. */
  onClock<T extends StripeObject>(type: string, clock: string, account: Account, filter: (obj: T) => boolean = () => true): T[] {
    return visibleNewestFirst(this.byClock.get(linkKey(type, 'clock', clock))?.values(), account, filter);
  }

  /** Like `all`, for the objects whose life-long `link` field (see LINKS) is `value`. */
  linked<T extends StripeObject>(type: string, link: string, value: string, account: Account, filter: (obj: T) => boolean = () => true): T[] {
    if (!LINKS[type]?.[link]) throw new Error(`${type}.${link} is not an indexed link`);
    return visibleNewestFirst(this.byLink.get(linkKey(type, link, value))?.values(), account, filter);
  }

  entries(): IterableIterator<Entry> {
    return this.byId.values();
  }
}

/** Cursor pagination with limit / starting_after / ending_before, as Stripe lists do. */
export function paginate<T extends { id?: string }>(items: T[], params: Params, url: string): ApiList<T> {
  const limit = params.int('limit') ?? 10;
  if (limit < 1 || limit > 100) {
    throw invalidParam('limit', 'Invalid limit: must be between 1 and 100', 'parameter_invalid_integer');
  }
  const after = params.str('starting_after');
  const before = params.str('ending_before');
  if (after && before) {
    throw invalidParam('starting_after', 'You may only specify one of these parameters: ending_before, starting_after.', 'parameters_exclusive');
  }
  if (after) {
    const i = items.findIndex((x) => x.id === after);
    if (i < 0) throw resourceMissing('object', after, 'starting_after');
    const rest = items.slice(i + 1);
    return { object: 'list', data: rest.slice(0, limit), has_more: rest.length > limit, url };
  }
  if (before) {
    const i = items.findIndex((x) => x.id === before);
    if (i < 0) throw resourceMissing('object', before, 'ending_before');
    const head = items.slice(0, i);
    return { object: 'list', data: head.slice(Math.max(0, head.length - limit)), has_more: head.length > limit, url };
  }
  return { object: 'list', data: items.slice(0, limit), has_more: items.length > limit, url };
}

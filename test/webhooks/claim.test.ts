import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import pino from 'pino';
import { createStripeClient } from '../../src/stripe/client';
import { claimDueEvents, processDueEvents } from '../../webhooks/processor';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
  // Forty customers with three events each, in stream order.
  const created = Date.parse('2026-11-20T10:00:00Z');
  const rows = Array.from({ length: 120 }, (_, i) => ({
    id: `evt_claim${String(i).padStart(3, '0')}`,
    type: 'invoice.paid',
    stripe_created_at: new Date(created + i * 1000),
    next_attempt_at: new Date(created),
    livemode: false,
    payload: JSON.stringify({ id: `evt_claim${i}` }),
    serial_key: `platform:customer:cus_${i % 40}`,
    received_at: new Date(created),
  }));
  await testDb.db.insertInto('stripe_events').values(rows).execute();
});
afterAll(async () => {
  await testDb.drop();
});

const now = new Date('2026-11-24T12:00:00Z');
const customersOf = (events: Array<{ serial_key: string }>) => new Set(events.map((e) => e.serial_key));

// Whatever plan PostgreSQL picks: an index scan in stream order, or (as when its statistics
// say few events are due) a scan of every due event sorted afterwards.
describe.each([
  ['an index scan', false],
  ['a sort after the scan', true],
])('claiming due events, planned as %s', (_plan, sortAfterScan) => {
  const claim = async (trx: Kysely<Database>, size: number) => {
    if (sortAfterScan) await sql`SET LOCAL enable_indexscan = off`.execute(trx);
    return claimDueEvents(trx, now, size);
  };

  test('a claim holds only the customers of the events it took, so a second processor gets the next ones', async () => {
    await testDb.db.transaction().execute(async (trx) => {
      const mine = await claim(trx, 5);
      expect(mine.map((e) => e.id)).toEqual(['evt_claim000', 'evt_claim001', 'evt_claim002', 'evt_claim003', 'evt_claim004']);

      const theirs = await testDb.db.transaction().execute((other) => claim(other, 5));
      expect(theirs.map((e) => e.id)).toEqual(['evt_claim005', 'evt_claim006', 'evt_claim007', 'evt_claim008', 'evt_claim009']);
      // Later events of the customers held are passed over by everyone else.
      const more = await testDb.db.transaction().execute((other) => claim(other, 40));
      expect(more).toHaveLength(40);
      expect([...customersOf(more)].filter((key) => customersOf(mine).has(key))).toEqual([]);
    });
  });

  test('one processor takes every event of its customers it reaches, in stream order', async () => {
    const claimed = await testDb.db.transaction().execute((trx) => claim(trx, 45));
    expect(claimed.map((e) => e.id)).toEqual(Array.from({ length: 45 }, (_, i) => `evt_claim${String(i).padStart(3, '0')}`));
  });

  test('from a cursor, the claim starts at that point of the stream, the events sharing its times included', async () => {
    const created = Date.parse('2026-11-20T10:00:00Z');
    const claimed = await testDb.db.transaction().execute(async (trx) => {
      if (sortAfterScan) await sql`SET LOCAL enable_indexscan = off`.execute(trx);
      return claimDueEvents(trx, now, 5, { nextAttemptAt: new Date(created), createdAt: new Date(created + 10_000) });
    });
    expect(claimed.map((e) => e.id)).toEqual(['evt_claim010', 'evt_claim011', 'evt_claim012', 'evt_claim013', 'evt_claim014']);
  });
});

describe('processing from a cursor', () => {
  test('an event passed over while its customer was held is processed once the customer is free; none is left behind', async () => {
    const db = await createTestDatabase();
    try {
      // Event types without a handler are ignored without reading Stripe: the claims are what is tested.
      const created = Date.parse('2026-11-21T10:00:00Z');
      await db.db
        .insertInto('stripe_events')
        .values(Array.from({ length: 400 }, (_, i) => ({ id: `evt_cursor${String(i).padStart(3, '0')}`, type: 'invoice.upcoming', stripe_created_at: new Date(created + i * 1000), next_attempt_at: new Date(created), livemode: false, payload: JSON.stringify({ id: `evt_cursor${i}`, data: { object: {} } }), serial_key: `platform:customer:cus_${i % 40}`, received_at: new Date(created) })))
        .execute();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      // Another processor holds the first customer while this one works through the rest.
      const holding = db.db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtextextended('platform:customer:cus_0', 0))`.execute(trx);
        await released;
      });
      const stripe = createStripeClient({ secretKey: 'sk_test_unreachable', apiBase: 'http://127.0.0.1:9', maxNetworkRetries: 0 });
      const processing = processDueEvents({ db: db.db, stripe, logger: pino({ level: 'silent' }), now: () => new Date() });
      // Everything but the held customer is processed while it is held (however busy the machine).
      const pendingKeys = async () => new Set((await db.db.selectFrom('stripe_events').select('serial_key').where('status', '=', 'pending').execute()).map((e) => e.serial_key));
      let meanwhile = await pendingKeys();
      for (const deadline = Date.now() + 30_000; meanwhile.size > 1 && Date.now() < deadline; meanwhile = await pendingKeys()) await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      await holding;
      expect(meanwhile).toEqual(new Set(['platform:customer:cus_0']));
      expect(await processing).toMatchObject({ ignored: 400, failed: 0 });
      expect(await db.db.selectFrom('stripe_events').select('id').where('status', '=', 'pending').execute()).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});

import fc from 'fast-check';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import type { Database, Standing } from '../../db/database';
import { callList } from '../../src/console/call-list';
import { bulkReadRecord } from '../../src/audit/audit';
import { CALL_SIGNALS, callRows, rankCalls } from '../../src/console/queries';
import { addDays, DEFAULT_POLICY, monthsOwed, pausedDays } from '../../src/retention/policy';
import { pruneCallListChanges, scanOrganization } from '../../src/retention/scan';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, TEST_NOW, testContext } from '../support/app';

// The call list reads its candidates from members.last_signal_on (kept by a trigger on
// retention_signals, cleared by the daily scan) and partial indexes. Whatever the facts —
// signals of any age and kind recorded in any order, stale last-signal days, exemptions,
// promises, routing —, the list must be the ranking the rules give from the facts alone,
// computed here in TypeScript.

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let union: OrganizationFixture;
let other: OrganizationFixture;
const MEMBERS = 10;
const memberIds: string[] = [];
const TODAY = '2026-11-24';
const ROUTED = 'Dock 4';

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  union = await createOrganizationWithStaff(ctx, 'local-cl');
  other = await createOrganizationWithStaff(ctx, 'local-cl-other');
  await ctx.db.insertInto('worksite_organizers').values({ organization_id: union.id, worksite: ROUTED, organizer_staff_user_id: union.staff.organizer.id, updated_at: TEST_NOW }).execute();
  for (let i = 0; i < MEMBERS; i++) {
    const row = await ctx.db
      .insertInto('members')
      .values({ organization_id: union.id, name: `Member ${i % 3}`, email: `m${i}@cl.example`, standing: 'active', ...memberTimes() })
      .returning('id')
      .executeTakeFirstOrThrow();
    memberIds.push(row.id);
  }
  // Another organization's member with a signal: never on this organization's list.
  const stranger = await ctx.db
    .insertInto('members')
    .values({ organization_id: other.id, name: 'Stranger', email: 's@cl.example', standing: 'lapsed', paid_through: '2026-01-31', organizer_staff_user_id: union.staff.organizer.id, ...memberTimes() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('retention_signals')
    .values({ organization_id: other.id, member_id: stranger.id, signal: 'payment_failed', signal_key: 'x', reason: 'payment_failed', months_in_arrears: 0, detected_on: TODAY, created_at: TEST_NOW })
    .execute();
});
afterAll(async () => {
  await testDb.drop();
});

const SIGNAL_KINDS = [...CALL_SIGNALS, 'lapsed'] as const;
const STANDINGS: Standing[] = ['active', 'past_due', 'lapsed', 'suspended', 'dropped', 'pending', 'exempt', 'resigned'];

const memberFacts = fc.record({
  standing: fc.oneof(fc.constantFrom(...STANDINGS), fc.constantFrom<Standing>('active', 'past_due', 'lapsed', 'suspended')),
  paidThroughDaysAgo: fc.option(fc.integer({ min: -40, max: 400 }), { nil: undefined, freq: 8 }),
  changedDaysAgo: fc.integer({ min: 0, max: 90 }),
  organizer: fc.constantFrom('mine', 'mine', 'another', 'none'),
  worksite: fc.constantFrom(ROUTED, 'Warehouse 9', null),
});
const signalFact = fc.record({
  member: fc.nat({ max: MEMBERS - 1 }),
  kind: fc.constantFrom(...SIGNAL_KINDS),
  // Half of them about the 30 days' edge.
  daysAgo: fc.oneof(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 29, max: 31 })),
  keyDaysAhead: fc.integer({ min: -5, max: 10 }),
});
const exemptionFact = fc.record({ member: fc.nat({ max: MEMBERS - 1 }), startsDaysAgo: fc.integer({ min: 1, max: 300 }), length: fc.integer({ min: 0, max: 150 }) });
const promiseFact = fc.record({ member: fc.nat({ max: MEMBERS - 1 }), promisedDaysAhead: fc.integer({ min: -10, max: 10 }) });

type Drawn<A> = A extends fc.Arbitrary<infer T> ? T : never;
type Facts = { members: Array<Drawn<typeof memberFacts>>; signals: Array<Drawn<typeof signalFact>>; exemptions: Array<Drawn<typeof exemptionFact>>; promises: Array<Drawn<typeof promiseFact>> };

/** The list the rules give (docs/console.md, "The call list"), from the facts alone. */
function expectedList(facts: Facts, scope: 'mine' | 'site'): Array<{ id: string; months_owed: number; promised_on: string | null }> {
  const rows = facts.members.flatMap((m, i) => {
    const id = memberIds[i]!;
    const organizer = m.organizer === 'mine' ? union.staff.organizer.id : m.organizer === 'another' ? union.staff.admin.id : null;
    const inScope = scope === 'site' ? m.worksite === ROUTED : organizer === union.staff.organizer.id || (organizer === null && m.worksite === ROUTED);
    if (!inScope || ['resigned', 'exempt', 'pending'].includes(m.standing)) return [];
    const recent = facts.signals.filter(
      (g) => g.member === i && (CALL_SIGNALS as readonly string[]).includes(g.kind) && g.daysAgo <= 30 && (g.kind !== 'suspension_coming' || g.keyDaysAhead >= 0),
    );
    const droppedLately = m.standing === 'dropped' && m.changedDaysAgo <= 60;
    if (!['past_due', 'lapsed', 'suspended'].includes(m.standing) && !droppedLately && recent.length === 0) return [];
    const suspension = recent.some((g) => g.kind === 'suspension_coming');
    const otherRanks = recent.filter((g) => g.kind !== 'suspension_coming').map((g) => CALL_SIGNALS.indexOf(g.kind as (typeof CALL_SIGNALS)[number]) + 1);
    const rank = suspension && !['suspended', 'dropped'].includes(m.standing) ? 1 : otherRanks.length > 0 ? Math.min(...otherRanks) : null;
    const urgency = rank === 1 ? 1 : rank === 2 || rank === 3 ? 2 : ({ suspended: 3, lapsed: 4, past_due: 5, dropped: 6 } as Record<string, number>)[m.standing] ?? 7;
    const paidThrough = m.paidThroughDaysAgo === undefined ? null : addDays(TODAY, -m.paidThroughDaysAgo);
    const exemptions = facts.exemptions
      .filter((e) => e.member === i)
      .map((e) => ({ kind: 'hardship' as const, startsOn: addDays(TODAY, -e.startsDaysAgo), endsOn: addDays(TODAY, -e.startsDaysAgo + e.length) }));
    const owed = paidThrough === null ? 0 : monthsOwed(addDays(paidThrough, pausedDays(paidThrough, exemptions, TODAY)), TODAY);
    const promises = facts.promises.filter((p) => p.member === i && p.promisedDaysAhead >= 0).map((p) => addDays(TODAY, p.promisedDaysAhead));
    const promised = promises.length > 0 ? promises.sort().at(-1)! : null;
    return [{ id, name: `Member ${i % 3}`, urgency, months_owed: owed, promised_on: promised }];
  });
  rows.sort((a, b) => Number(a.promised_on !== null) - Number(b.promised_on !== null) || a.urgency - b.urgency || b.months_owed - a.months_owed || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
  return rows.map(({ id, months_owed, promised_on }) => ({ id, months_owed, promised_on }));
}

async function writeFacts(facts: Facts): Promise<void> {
  const db = ctx.db;
  await sql`DELETE FROM retention_signals WHERE organization_id = ${union.id}`.execute(db);
  await sql`DELETE FROM member_exemptions WHERE organization_id = ${union.id}`.execute(db);
  await sql`DELETE FROM outreach_log WHERE organization_id = ${union.id}`.execute(db);
  for (const [i, m] of facts.members.entries()) {
    await db
      .updateTable('members')
      .set({
        standing: m.standing,
        paid_through: m.paidThroughDaysAgo === undefined ? null : addDays(TODAY, -m.paidThroughDaysAgo),
        standing_changed_at: new Date(TEST_NOW.getTime() - m.changedDaysAgo * 86_400_000),
        organizer_staff_user_id: m.organizer === 'mine' ? union.staff.organizer.id : m.organizer === 'another' ? union.staff.admin.id : null,
        worksite: m.worksite,
      })
      .where('id', '=', memberIds[i]!)
      .execute();
  }
  // One statement per signal, in the order drawn: later inserts may carry older days.
  for (const [n, g] of facts.signals.entries()) {
    await db
      .insertInto('retention_signals')
      .values({
        organization_id: union.id,
        member_id: memberIds[g.member]!,
        signal: g.kind,
        signal_key: g.kind === 'suspension_coming' ? addDays(TODAY, g.keyDaysAhead) : `k${n}`,
        reason: g.kind,
        months_in_arrears: 0,
        detected_on: addDays(TODAY, -g.daysAgo),
        created_at: TEST_NOW,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  for (const e of facts.exemptions) {
    const startsOn = addDays(TODAY, -e.startsDaysAgo);
    await db.insertInto('member_exemptions').values({ organization_id: union.id, member_id: memberIds[e.member]!, kind: 'hardship', starts_on: startsOn, ends_on: addDays(startsOn, e.length), created_at: TEST_NOW }).execute();
  }
  for (const p of facts.promises) {
    await db
      .insertInto('outreach_log')
      .values({ organization_id: union.id, member_id: memberIds[p.member]!, staff_user_id: union.staff.organizer.id, channel: 'call', outcome: 'promised_to_pay', contacted_on: TODAY, promised_on: addDays(TODAY, p.promisedDaysAhead), created_at: TEST_NOW })
      .execute();
  }
}

/** The audit record of a view, each under a request id of its own (`lastRequest`). */
let lastRequest = 0;
const audit = () => bulkReadRecord({ staff: { staffUserId: union.staff.organizer.id, organizationId: union.id }, id: `view-${(lastRequest += 1)}` }, { action: 'retention.call_list_viewed', filters: { via: 'test' }, at: TEST_NOW });
const list = (scope: { organizerId?: string; worksite?: string }) =>
  callList(ctx.db, union.id, { scope, today: TODAY, now: TEST_NOW, limit: 50, offset: 0, timeZone: 'America/Chicago', audit: audit() });

test('the call list is the ranking the rules give from the facts, whatever signals came in what order', async () => {
  const facts = fc.record({
    members: fc.array(memberFacts, { minLength: MEMBERS, maxLength: MEMBERS }),
    signals: fc.array(signalFact, { maxLength: 20 }),
    exemptions: fc.array(exemptionFact, { maxLength: 6 }),
    promises: fc.array(promiseFact, { maxLength: 4 }),
  });
  await fc.assert(
    fc.asyncProperty(facts, async (drawn) => {
      await writeFacts(drawn);
      for (const [scope, read] of [['mine', { organizerId: union.staff.organizer.id }], ['site', { worksite: ROUTED }]] as const) {
        const rows = await list(read);
        expect(rows.map((r) => ({ id: r.id, months_owed: r.months_owed, promised_on: r.promised_on }))).toEqual(expectedList(drawn, scope));
        for (const row of rows) expect(row.total).toBe(rows.length);
        // Page by page (the ranking remembered from the view above), the same list.
        const paged = [];
        for (let offset = 0; offset < rows.length; offset += 3) paged.push(...(await callList(ctx.db, union.id, { scope: read, today: TODAY, now: TEST_NOW, limit: 3, offset, timeZone: 'America/Chicago', audit: audit() })));
        expect(paged).toEqual(rows);
      }
    }),
    { numRuns: 100 },
  );
});

test("a member's last signal day is the latest signal recorded, and the daily scan clears it once long past", async () => {
  const [first, second] = memberIds;
  await sql`DELETE FROM retention_signals WHERE organization_id = ${union.id}`.execute(ctx.db);
  await sql`UPDATE members SET last_signal_on = NULL, standing = 'active', paid_through = ${addDays(TODAY, 20)} WHERE organization_id = ${union.id}`.execute(ctx.db);
  const lastSignal = async (id: string) => (await sql<{ d: string | null }>`SELECT last_signal_on::text AS d FROM members WHERE id = ${id}`.execute(ctx.db)).rows[0]!.d;
  const record = (memberId: string, daysAgo: number, key: string) =>
    ctx.db
      .insertInto('retention_signals')
      .values({ organization_id: union.id, member_id: memberId, signal: 'card_expiring', signal_key: key, reason: 'card_expiring', months_in_arrears: 0, detected_on: addDays(TODAY, -daysAgo), created_at: TEST_NOW })
      .onConflict((oc) => oc.doNothing())
      .execute();
  await record(first!, 3, 'a');
  expect(await lastSignal(first!)).toBe(addDays(TODAY, -3));
  await record(first!, 10, 'b'); // an older signal recorded later keeps the latest day
  expect(await lastSignal(first!)).toBe(addDays(TODAY, -3));
  await record(first!, 1, 'a'); // a signal already recorded (ON CONFLICT DO NOTHING) changes nothing
  expect(await lastSignal(first!)).toBe(addDays(TODAY, -3));
  await record(second!, 61, 'c');
  expect(await lastSignal(second!)).toBe(addDays(TODAY, -61));

  // The scan on TODAY clears days older than twice the call list's 30 days, and no other.
  await ctx.db.transaction().execute((trx) => scanOrganization(trx, { organizationId: union.id, timeZone: 'America/Chicago', policy: DEFAULT_POLICY, today: TODAY, now: TEST_NOW }));
  expect(await lastSignal(first!)).toBe(addDays(TODAY, -3));
  expect(await lastSignal(second!)).toBeNull();
  // Another organization's days are its own scan's to clear.
  const theirs = await sql<{ d: string | null }>`SELECT max(last_signal_on)::text AS d FROM members WHERE organization_id = ${other.id}`.execute(ctx.db);
  expect(theirs.rows[0]!.d).toBe(TODAY);
});

describe('the ranking remembered between views', () => {
  // A handle of its own (rankings are remembered per handle), whose statements are seen.
  let watched: Kysely<Database>;
  const statements: string[] = [];
  const mine = () => ({ organizerId: union.staff.organizer.id });
  const options = (now: Date, offset = 0, limit = 50) => ({ scope: mine(), today: TODAY, now, limit, offset, timeZone: 'America/Chicago', audit: audit() });
  /** A view through the watched handle, and whether it ranked afresh. */
  const view = async (now = TEST_NOW, offset = 0, limit = 50) => {
    statements.length = 0;
    const rows = await callList(watched, union.id, options(now, offset, limit));
    return { rows, ranked: statements.some((text) => text.includes('pg_current_snapshot()::text')) };
  };
  /** The list ranked afresh, remembering nothing. */
  const fresh = async (now = TEST_NOW) => {
    const read = await rankCalls(ctx.db, union.id, { ...options(now), page: { from: 0, limit: 50 } });
    return callRows(read.ranked, 0, 50, read.contacts);
  };
  const ids = (rows: Array<{ id: string }>) => rows.map((row) => row.id);
  const base: Facts = {
    members: Array.from({ length: MEMBERS }, (_, i) => ({
      standing: (i < 6 ? 'lapsed' : 'active') as Standing,
      paidThroughDaysAgo: 100 + i * 10,
      changedDaysAgo: 5,
      organizer: (i % 2 === 0 ? 'mine' : 'none') as 'mine' | 'none',
      worksite: i % 2 === 0 ? null : ROUTED,
    })),
    signals: [],
    exemptions: [],
    promises: [],
  };

  beforeAll(() => {
    watched = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: testDb.url, max: 2 }) }), log: (event) => void (event.level === 'query' && statements.push(event.query.sql)) });
  });
  afterAll(async () => {
    await watched.destroy();
  });
  beforeEach(async () => {
    await writeFacts(base);
    await sql`DELETE FROM worksite_organizers WHERE organization_id = ${union.id} AND worksite <> ${ROUTED}`.execute(ctx.db);
    await sql`UPDATE worksite_organizers SET organizer_staff_user_id = ${union.staff.organizer.id} WHERE organization_id = ${union.id}`.execute(ctx.db);
  });

  test('each view writes one audit record with the rows it shows, whether the ranking was remembered, read afresh, or found stale first', async () => {
    const records = async () =>
      (await ctx.db.selectFrom('audit_log').select(['details']).where('request_id', '=', `view-${lastRequest}`).execute()).map((row) => row.details);
    const first = await view(TEST_NOW, 0, 4);
    expect(first.ranked).toBe(true);
    expect(await records()).toEqual([{ rows: 4, filters: { via: 'test' } }]);
    const remembered = await view(TEST_NOW, 4, 50);
    expect(remembered.ranked).toBe(false);
    expect(remembered.rows.length).toBe(expectedList(base, 'mine').length - 4);
    expect(await records()).toEqual([{ rows: remembered.rows.length, filters: { via: 'test' } }]);
    await sql`UPDATE members SET standing = 'active' WHERE id = ${first.rows[0]!.id}`.execute(ctx.db);
    const stale = await view(TEST_NOW, 0, 4);
    expect(stale.ranked).toBe(true);
    expect(await records()).toEqual([{ rows: 4, filters: { via: 'test' } }]);
    const beyond = await view(TEST_NOW, 1000, 4);
    expect(beyond.rows).toEqual([]);
    expect(await records()).toEqual([{ rows: 0, filters: { via: 'test' } }]);
  });

  test('a view reads the remembered ranking until a fact it reads changes, whoever writes it', async () => {
    const first = await view();
    expect(first.ranked).toBe(true);
    expect(ids(first.rows)).toEqual(expectedList(base, 'mine').map((row) => row.id));
    const again = await view();
    expect(again.ranked).toBe(false);
    expect(again.rows).toEqual(first.rows);
    const second = await view(TEST_NOW, 2, 2);
    expect(second.ranked).toBe(false);
    expect(second.rows).toEqual(first.rows.slice(2, 4));

    const outsider = await ctx.db.insertInto('staff_users').values({ email: 'left@cl.example', name: 'Left the staff', created_at: TEST_NOW }).returning('id').executeTakeFirstOrThrow();
    const changes: Array<[string, () => Promise<unknown>]> = [
      ['a standing', () => ctx.db.updateTable('members').set({ standing: 'active' }).where('id', '=', memberIds[0]!).execute()],
      ['a promise', () => ctx.db.insertInto('outreach_log').values({ organization_id: union.id, member_id: memberIds[2]!, staff_user_id: union.staff.organizer.id, channel: 'call', outcome: 'promised_to_pay', contacted_on: TODAY, promised_on: addDays(TODAY, 3), created_at: TEST_NOW }).execute()],
      ['an exemption', () => ctx.db.insertInto('member_exemptions').values({ organization_id: union.id, member_id: memberIds[4]!, kind: 'hardship', starts_on: addDays(TODAY, -150), ends_on: addDays(TODAY, -10), created_at: TEST_NOW }).execute()],
      ['a signal', () => ctx.db.insertInto('retention_signals').values({ organization_id: union.id, member_id: memberIds[8]!, signal: 'card_expiring', signal_key: 'in', reason: 'card_expiring', months_in_arrears: 0, detected_on: TODAY, created_at: TEST_NOW }).execute()],
      // The same day's: members.last_signal_on does not move (migration 0036), so only the signals' own trigger notes it.
      ['a more urgent signal the same day', () => ctx.db.insertInto('retention_signals').values({ organization_id: union.id, member_id: memberIds[8]!, signal: 'payment_failed', signal_key: 'in', reason: 'payment_failed', months_in_arrears: 0, detected_on: TODAY, created_at: TEST_NOW }).execute()],
      ['a worksite routed elsewhere', () => ctx.db.updateTable('worksite_organizers').set({ organizer_staff_user_id: union.staff.admin.id }).where('organization_id', '=', union.id).where('worksite', '=', ROUTED).execute()],
      ['the routing back, and a member given to someone not on staff', async () => {
        await ctx.db.updateTable('worksite_organizers').set({ organizer_staff_user_id: union.staff.organizer.id }).where('organization_id', '=', union.id).execute();
        await ctx.db.updateTable('members').set({ organizer_staff_user_id: outsider.id }).where('id', '=', memberIds[3]!).execute();
      }],
      ['that person taken on staff', () => ctx.db.insertInto('staff_roles').values({ organization_id: union.id, staff_user_id: outsider.id, role: 'organizer', created_at: TEST_NOW }).execute()],
      ['a member deleted', () => sql`DELETE FROM members WHERE id = ${memberIds[5]!}`.execute(ctx.db)],
    ];
    let before = first.rows;
    for (const [what, change] of changes) {
      await change();
      const expected = await fresh();
      expect([what, expected]).not.toEqual([what, before]);
      const after = await view();
      expect([what, after.ranked]).toEqual([what, true]);
      expect([what, after.rows]).toEqual([what, expected]);
      expect([what, (await view()).ranked]).toEqual([what, false]);
      before = after.rows;
    }
    // Another organization's writes leave this one's ranking remembered.
    await ctx.db.updateTable('members').set({ standing: 'suspended' }).where('organization_id', '=', other.id).execute();
    expect((await view()).ranked).toBe(false);
  });

  test('a transaction open while the ranking is read is seen once it commits', async () => {
    const pool = new Pool({ connectionString: testDb.url, max: 1 });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE members SET standing = 'active' WHERE id = $1`, [memberIds[0]]);
      // Read while that transaction is open: its change is not in this ranking.
      const during = await view();
      expect(during.ranked).toBe(true);
      expect(ids(during.rows)).toContain(memberIds[0]);
      expect((await view()).ranked).toBe(false);
      await client.query('COMMIT');
      const after = await view();
      expect(after.ranked).toBe(true);
      expect(ids(after.rows)).not.toContain(memberIds[0]);
      expect(after.rows).toEqual(await fresh());
    } finally {
      client.release();
      await pool.end();
    }
  });

  test('a recent drop leaves the list when it stops being recent, with nothing written', async () => {
    const droppedAt = new Date(TEST_NOW.getTime() - 60 * 86_400_000 + 10 * 60_000);
    await ctx.db.updateTable('members').set({ standing: 'dropped', standing_changed_at: droppedAt }).where('id', '=', memberIds[6]!).execute();
    expect(ids((await view()).rows)).toContain(memberIds[6]);
    expect((await view(new Date(TEST_NOW.getTime() + 5 * 60_000))).ranked).toBe(false);
    const later = await view(new Date(TEST_NOW.getTime() + 11 * 60_000));
    expect(later.ranked).toBe(true);
    expect(ids(later.rows)).not.toContain(memberIds[6]);
    // A view for an earlier moment than the ranking it would read ranks for its own moment.
    const earlier = await view(new Date(TEST_NOW.getTime() + 60_000));
    expect(earlier.ranked).toBe(true);
    expect(ids(earlier.rows)).toContain(memberIds[6]);
  });

  test('after the daily scan prunes the change rows, a ranking read before them is read afresh', async () => {
    expect((await view()).ranked).toBe(true);
    await ctx.db.updateTable('members').set({ standing: 'active' }).where('id', '=', memberIds[0]!).execute();
    // The change's own row goes: only the horizon tells the remembered ranking it is too old.
    // The horizon is the cluster's oldest snapshot: another test file's open transaction on the
    // same server holds it back a moment, so prune again until it has passed (at most 20 s).
    let left = Number.POSITIVE_INFINITY;
    for (const until = Date.now() + 20_000; left > 0 && Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 100))) {
      await ctx.db.transaction().execute((trx) => pruneCallListChanges(trx, union.id));
      left = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM call_list_changes WHERE organization_id = ${union.id}`.execute(ctx.db)).rows[0]!.n;
    }
    expect(left).toBe(0);
    const after = await view();
    expect(after.ranked).toBe(true);
    expect(ids(after.rows)).not.toContain(memberIds[0]);
    expect((await view()).ranked).toBe(false);
  });
});

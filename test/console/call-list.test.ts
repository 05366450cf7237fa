import fc from 'fast-check';
import { sql } from 'kysely';
import type { Standing } from '../../db/database';
import { CALL_SIGNALS, callList } from '../../src/console/queries';
import { addDays, DEFAULT_POLICY, monthsOwed, pausedDays } from '../../src/retention/policy';
import { scanOrganization } from '../../src/retention/scan';
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

const list = (scope: { organizerId?: string; worksite?: string }) =>
  callList(ctx.db, union.id, { scope, today: TODAY, now: TEST_NOW, limit: 50, offset: 0, timeZone: 'America/Chicago' });

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

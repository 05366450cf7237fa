import fc from 'fast-check';
import { sql } from 'kysely';
import { recoveryCounts, retentionMetrics } from '../../src/retention/queries';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, TEST_NOW, testContext } from '../support/app';

// The workspace's recovery figures come from their own narrow statement (recoveryCounts):
// whatever the episodes, they must be the organization's and the organizer's rows of the
// full retention metrics.

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let union: OrganizationFixture;
let other: OrganizationFixture;
const members: Record<string, string[]> = {};

const DAYS = ['2026-09-30', '2026-10-01', '2026-10-15', '2026-10-31', '2026-11-01', '2026-11-12', '2026-11-30', '2026-12-01', '2026-12-20'];

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  union = await createOrganizationWithStaff(ctx, 'local-rc');
  other = await createOrganizationWithStaff(ctx, 'local-rc-other');
  for (const org of [union, other]) {
    members[org.id] = [];
    for (let i = 0; i < 6; i++) {
      const row = await ctx.db
        .insertInto('members')
        .values({ organization_id: org.id, name: `Member ${i}`, email: `m${i}@${org.slug}.example`, standing: 'active', ...memberTimes() })
        .returning('id')
        .executeTakeFirstOrThrow();
      members[org.id]!.push(row.id);
    }
  }
});
afterAll(async () => {
  await testDb.drop();
});

const episode = fc.record({
  otherOrganization: fc.boolean(),
  member: fc.nat({ max: 5 }),
  opened: fc.nat({ max: DAYS.length - 1 }),
  closedAfter: fc.option(fc.nat({ max: DAYS.length - 1 }), { nil: undefined }),
  reason: fc.constantFrom('recovered' as const, 'dropped' as const, 'resigned' as const, 'exempted' as const),
  organizer: fc.constantFrom('mine', 'another', 'none'),
});

test("the month's recovery for the organization and one organizer equals the retention metrics' rows", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(episode, { maxLength: 14 }), fc.constantFrom('2026-10', '2026-11', '2026-12'), async (episodes, month) => {
      await sql`DELETE FROM lapse_episodes`.execute(ctx.db);
      // One open episode per member at most, as the table allows.
      const open = new Set<string>();
      for (const e of episodes) {
        const org = e.otherOrganization ? other : union;
        const memberId = members[org.id]![e.member]!;
        const closedIndex = e.closedAfter === undefined ? undefined : Math.min(DAYS.length - 1, e.opened + e.closedAfter);
        if (closedIndex === undefined && open.has(memberId)) continue;
        if (closedIndex === undefined) open.add(memberId);
        const organizer = e.organizer === 'mine' ? union.staff.organizer.id : e.organizer === 'another' ? union.staff.admin.id : null;
        await ctx.db
          .insertInto('lapse_episodes')
          .values({
            organization_id: org.id,
            member_id: memberId,
            opened_on: DAYS[e.opened]!,
            closed_on: closedIndex === undefined ? null : DAYS[closedIndex]!,
            close_reason: closedIndex === undefined ? null : e.reason,
            worksite: null,
            organizer_staff_user_id: organizer,
            created_at: TEST_NOW,
          })
          .execute();
      }
      const start = `${month}-01`;
      const end = month === '2026-12' ? '2027-01-01' : month === '2026-11' ? '2026-12-01' : '2026-11-01';
      const metrics = await retentionMetrics(ctx.db, union.id, start, end);
      const pick = (row: (typeof metrics)[number] | undefined) => ({ lapsed: row?.lapsed ?? 0, recovered: row?.recovered ?? 0, recovered_of_lapsed: row?.recovered_of_lapsed ?? 0 });
      const counts = await recoveryCounts(ctx.db, union.id, start, end, union.staff.organizer.id);
      expect(counts.organization).toEqual(pick(metrics.find((row) => row.scope === 'organization')));
      expect(counts.organizer).toEqual(pick(metrics.find((row) => row.scope === 'organizer' && row.key === union.staff.organizer.id)));
    }),
    { numRuns: 40 },
  );
});

test('a known month: lapses opened, recoveries in the month, and how many of the lapses recovered', async () => {
  await sql`DELETE FROM lapse_episodes`.execute(ctx.db);
  const [a, b, c, d] = members[union.id]!;
  const mine = union.staff.organizer.id;
  const rows = [
    { member_id: a!, opened_on: '2026-11-03', closed_on: '2026-11-20', close_reason: 'recovered' as const, organizer_staff_user_id: mine },
    { member_id: b!, opened_on: '2026-10-20', closed_on: '2026-11-02', close_reason: 'recovered' as const, organizer_staff_user_id: null },
    { member_id: c!, opened_on: '2026-11-10', closed_on: null, close_reason: null, organizer_staff_user_id: mine },
    { member_id: d!, opened_on: '2026-11-11', closed_on: '2026-11-15', close_reason: 'resigned' as const, organizer_staff_user_id: null },
  ];
  await ctx.db.insertInto('lapse_episodes').values(rows.map((row) => ({ ...row, organization_id: union.id, worksite: null, created_at: TEST_NOW }))).execute();
  await ctx.db.insertInto('lapse_episodes').values({ organization_id: other.id, member_id: members[other.id]![0]!, opened_on: '2026-11-05', closed_on: null, close_reason: null, worksite: null, organizer_staff_user_id: null, created_at: TEST_NOW }).execute();
  expect(await recoveryCounts(ctx.db, union.id, '2026-11-01', '2026-12-01', mine)).toEqual({
    organization: { lapsed: 3, recovered: 2, recovered_of_lapsed: 1 },
    organizer: { lapsed: 2, recovered: 1, recovered_of_lapsed: 1 },
  });
});

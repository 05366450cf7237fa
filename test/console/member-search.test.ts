import { sql } from 'kysely';
import { createDb, type Db } from '../../db/connection';
import type { Standing } from '../../db/database';
import { bulkReadRecord } from '../../src/audit/audit';
import { memberListing, type MemberFilters, type MemberSort } from '../../src/console/queries';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { memberTimes, testContext } from '../support/app';
import { seedConsoleOrganization, type ConsoleFixture } from './fixtures';

// The members list's search, as the service runs it: on a connection that keeps the search's
// statement prepared, so that after its first five runs it answers from one generic plan.

let testDb: TestDatabase;
let fx: ConsoleFixture;
let other: ConsoleFixture;
let marked: Db;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const ctx = testContext(testDb.db);
  fx = await seedConsoleOrganization(ctx, 'local-31');
  // Another organization with the same people: never in the first one's results.
  other = await seedConsoleOrganization(ctx, 'local-32');
  // Texts a LIKE pattern would read as wildcards, unless escaped.
  await testDb.db
    .insertInto('members')
    .values(['100% Union Yes', '100 Percent', 'Ana_Maria Ruiz', 'AnaXMaria Ruiz'].map((name, i) => ({ organization_id: fx.org.id, name, email: `wild${i}@example.org`, wage_facts: '{}', standing: 'active' as Standing, ...memberTimes() })))
    .execute();
  marked = createDb(testDb.url, { max: 1, preparedStatements: 'marked' });
});
afterAll(async () => {
  await marked.destroy();
  await testDb.drop();
});

const TODAY = '2026-11-24';
let requests = 0;
const list = (db: Db, organizationId: string, filters: MemberFilters, sort: MemberSort = 'name', limit = 50) => {
  const req = { staff: { staffUserId: fx.org.staff.admin.id, organizationId }, id: `search-${(requests += 1)}`, ip: '192.0.2.7' };
  const audit = bulkReadRecord(req, { action: 'member.listed', filters: { ...filters, sort }, at: new Date(`${TODAY}T15:00:00Z`) });
  return memberListing(db, organizationId, { filters, sort, cursor: undefined, limit, today: TODAY, withPlans: true, audit });
};
/** The audit record the latest list() wrote. */
const lastRecord = async () =>
  testDb.db.selectFrom('audit_log').select(['organization_id', 'actor_staff_user_id', 'action', 'subject_type', 'subject_id', 'details', 'request_id', 'ip', 'created_at']).where('request_id', '=', `search-${requests}`).execute();

/** What the search should find, worked out here from the members' own fields. */
async function expected(q: string): Promise<{ ids: string[]; counts: Record<string, number> }> {
  const members = await testDb.db.selectFrom('members').select(['id', 'name', 'email', 'phone', 'external_id', 'standing']).where('organization_id', '=', fx.org.id).execute();
  const digits = /^[\d\s().+-]+$/.test(q) ? q.replace(/\D/g, '') : '';
  const found = members.filter(
    (m) =>
      m.name.toLowerCase().includes(q.toLowerCase()) ||
      m.email.toLowerCase().includes(q.toLowerCase()) ||
      m.external_id === q ||
      (digits.length >= 3 && m.phone !== null && m.phone.replace(/\D/g, '').includes(digits)),
  );
  const counts: Record<string, number> = {};
  for (const m of found) counts[m.standing] = (counts[m.standing] ?? 0) + 1;
  return { ids: found.map((m) => m.id).sort(), counts };
}

const SEARCHES = ['rosa', 'Díaz', 'marcus@', '(312) 555-0177', '5550177', 'M-1002', 'zed member 00', 'Member 01', '100%', 'Ana_Maria', 'example.org', 'nobody-like-this'];

describe('the members list search, kept prepared', () => {
  test('each search finds what its text says (name, email, phone digits, member number; % and _ as themselves), counted per standing, after the plan is made generic', async () => {
    // Twice over, so that most runs answer from the generic plan.
    for (const q of [...SEARCHES, ...SEARCHES]) {
      const result = await list(marked, fx.org.id, { q });
      const want = await expected(q);
      expect([q, Object.fromEntries(result.counts)]).toEqual([q, want.counts]);
      const total = want.ids.length;
      expect([q, result.rows.length, result.more]).toEqual([q, Math.min(total, 50), total > 50]);
      if (!result.more) expect([q, result.rows.map((row) => row.id).sort()]).toEqual([q, want.ids]);
    }
    const plans = await sql<{ generic_plans: number; custom_plans: number }>`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%WITH RECURSIVE matches%'`.execute(marked);
    expect(plans.rows.length).toBeGreaterThan(0);
    expect(plans.rows.reduce((sum, row) => sum + Number(row.generic_plans), 0)).toBeGreaterThan(0);
  });

  test('with filters, a standing and either order, the kept-prepared search answers as a freshly planned one, page and counts', async () => {
    const cases: Array<[MemberFilters, MemberSort]> = [
      [{ q: 'dock', worksite: 'Dock 4' }, 'name'],
      [{ q: 'example', worksite: 'Dock 4', standing: 'lapsed' }, 'name'],
      [{ q: 'example', organizerId: fx.org.staff.organizer.id }, 'owed'],
      [{ q: 'member', planId: fx.planId, standing: 'active' }, 'owed'],
      [{ q: '555', standing: 'lapsed' }, 'name'],
    ];
    for (let round = 0; round < 7; round += 1) {
      for (const [filters, sort] of cases) {
        const fresh = await list(testDb.db, fx.org.id, filters, sort);
        const prepared = await list(marked, fx.org.id, filters, sort);
        expect([filters, prepared]).toEqual([filters, fresh]);
      }
    }
    expect((await list(marked, fx.org.id, { q: 'example', worksite: 'Dock 4', standing: 'lapsed' })).rows.map((row) => row.name)).toEqual(['Jo Rivera', 'Rosa Díaz']);
  });

  test('a search without three letters or digits in a row is planned for its text, and still found', async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%WITH RECURSIVE matches%'`.execute(marked);
    for (let i = 0; i < 7; i += 1) {
      const result = await list(marked, fx.org.id, { q: 'Jo' });
      expect(Object.fromEntries(result.counts)).toEqual((await expected('Jo')).counts);
    }
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%WITH RECURSIVE matches%'`.execute(marked);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  test('each listing writes its own audit record in the same statement: who, the filters and the rows shown (not the one read to know there are more)', async () => {
    const all = await list(marked, fx.org.id, { q: 'example.org' });
    const count = Object.values(Object.fromEntries(all.counts)).reduce((sum, n) => sum + n, 0);
    expect(count).toBeGreaterThan(3);
    expect(await lastRecord()).toEqual([
      {
        organization_id: fx.org.id,
        actor_staff_user_id: fx.org.staff.admin.id,
        action: 'member.listed',
        subject_type: 'organization',
        subject_id: fx.org.id,
        details: { rows: all.rows.length, filters: { q: 'example.org', sort: 'name' } },
        request_id: `search-${requests}`,
        ip: '192.0.2.7',
        created_at: new Date(`${TODAY}T15:00:00Z`),
      },
    ]);
    const short = await list(marked, fx.org.id, { q: 'example.org', standing: 'active' }, 'owed', 2);
    expect([short.rows.length, short.more]).toEqual([2, true]);
    expect((await lastRecord()).map((row) => row.details)).toEqual([{ rows: 2, filters: { q: 'example.org', standing: 'active', sort: 'owed' } }]);
    const none = await list(marked, fx.org.id, { q: 'nobody-like-this' });
    expect(none.rows).toEqual([]);
    expect((await lastRecord()).map((row) => row.details)).toEqual([{ rows: 0, filters: { q: 'nobody-like-this', sort: 'name' } }]);
    // What the filters offer comes with the page, empty or not, searched or not (a listing
    // without a search reads them beside it, in a statement of their own).
    const unsearched = await list(marked, fx.org.id, { worksite: 'Dock 4' });
    expect((await lastRecord()).map((row) => row.details)).toEqual([{ rows: unsearched.rows.length, filters: { worksite: 'Dock 4', sort: 'name' } }]);
    for (const read of [none, unsearched]) {
      expect(read.filterOptions.worksites).toContain('Dock 4');
      expect(read.filterOptions.organizers.map((o) => o.id)).toContain(fx.org.staff.organizer.id);
      expect(read.filterOptions.plans.map((p) => p.id)).toContain(fx.planId);
    }
    expect(unsearched.filterOptions).toEqual(none.filterOptions);
  });

  test("an organization's search never finds another's members", async () => {
    const ours = new Set((await testDb.db.selectFrom('members').select('id').where('organization_id', '=', fx.org.id).execute()).map((row) => row.id));
    for (let i = 0; i < 7; i += 1) {
      for (const q of ['rosa', 'example.org', 'M-1000']) {
        const result = await list(marked, fx.org.id, { q });
        expect(result.rows.length).toBeGreaterThan(0);
        expect(result.rows.every((row) => ours.has(row.id))).toBe(true);
      }
    }
    expect((await list(marked, other.org.id, { q: 'rosa' })).rows.map((row) => row.id)).toEqual([other.members.rosa]);
  });
});

import { sql } from 'kysely';
import { Client } from 'pg';
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

describe('what the filters offer, remembered by the process', () => {
  let own: ConsoleFixture;
  beforeAll(async () => {
    own = await seedConsoleOrganization(testContext(testDb.db), 'local-33');
  });
  const listOwn = (filters: MemberFilters) => {
    const req = { staff: { staffUserId: own.org.staff.admin.id, organizationId: own.org.id }, id: `options-${(requests += 1)}`, ip: '192.0.2.7' };
    const audit = bulkReadRecord(req, { action: 'member.listed', filters: { ...filters }, at: new Date(`${TODAY}T15:00:00Z`) });
    return memberListing(marked, own.org.id, { filters, sort: 'name', cursor: undefined, limit: 50, today: TODAY, withPlans: true, audit });
  };
  /** The options as a searched page (folded into its statement) and an unsearched one (their own statement) show them, in a comparable order. */
  const shown = async () =>
    Promise.all([listOwn({ q: 'example' }), listOwn({})]).then((reads) =>
      reads.map(({ filterOptions: o }) => ({ worksites: [...o.worksites].sort(), organizers: o.organizers.map((s) => `${s.id} ${s.name}`).sort(), plans: o.plans.map((p) => `${p.id} ${p.name}`).sort() })),
    );
  /** What they should be, read here from the tables. */
  async function wanted() {
    const sites = await testDb.db.selectFrom('members').select('worksite').distinct().where('organization_id', '=', own.org.id).where('worksite', 'is not', null).execute();
    const routed = await testDb.db.selectFrom('worksite_organizers').select('worksite').where('organization_id', '=', own.org.id).execute();
    const staff = await testDb.db
      .selectFrom('staff_roles as r')
      .innerJoin('staff_users as u', 'u.id', 'r.staff_user_id')
      .select(['u.id', 'u.name'])
      .distinct()
      .where('r.organization_id', '=', own.org.id)
      .where('r.role', 'in', ['organizer', 'admin'])
      .execute();
    const plans = await testDb.db.selectFrom('plans').select(['id', 'name']).where('organization_id', '=', own.org.id).execute();
    const options = {
      worksites: [...new Set([...sites, ...routed].map((row) => row.worksite!))].sort(),
      organizers: staff.map((s) => `${s.id} ${s.name}`).sort(),
      plans: plans.map((p) => `${p.id} ${p.name}`).sort(),
    };
    return [options, options];
  }

  test('they are read once and shown until a worksite, a staff role or name, or a plan changes, whichever code writes it', async () => {
    expect(await shown()).toEqual(await wanted());
    // A change no trigger hears of (replication role) is not seen: the remembered options are shown.
    const before = await shown();
    await testDb.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await trx.updateTable('members').set({ worksite: 'Unheard Yard' }).where('id', '=', own.members.jo).execute();
    });
    expect(await shown()).toEqual(before);

    const staffId = (await testDb.db.insertInto('staff_users').values({ email: 'new.organizer@example.org', name: 'Nadia Organizer', created_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
    const changes: Array<[string, () => Promise<unknown>]> = [
      ['a member joins at a new worksite', () => testDb.db.insertInto('members').values({ organization_id: own.org.id, name: 'Pier Member', email: 'pier@example.org', worksite: 'Pier 7', wage_facts: '{}', standing: 'active', ...memberTimes() }).execute()],
      ['a member moves to a new worksite', () => testDb.db.updateTable('members').set({ worksite: 'Yard 12' }).where('id', '=', own.members.rosa).execute()],
      ['the last member at a worksite leaves', () => testDb.db.deleteFrom('members').where('organization_id', '=', own.org.id).where('worksite', '=', 'Pier 7').execute()],
      ['a worksite is routed before anyone works there', () => testDb.db.insertInto('worksite_organizers').values({ organization_id: own.org.id, worksite: 'Depot 3', organizer_staff_user_id: own.org.staff.organizer.id, updated_at: new Date() }).execute()],
      ['an organizer is added', () => testDb.db.insertInto('staff_roles').values({ organization_id: own.org.id, staff_user_id: staffId, role: 'organizer', created_at: new Date() }).execute()],
      ['an organizer is renamed', () => testDb.db.updateTable('staff_users').set({ name: 'Nadia Renamed' }).where('id', '=', staffId).execute()],
      ['a plan is added', () => testDb.db.insertInto('plans').values({ organization_id: own.org.id, name: 'Retirees', currency: 'usd', billing_interval: 'month', created_at: new Date(), updated_at: new Date() }).execute()],
      ['a plan is renamed', () => testDb.db.updateTable('plans').set({ name: 'Retired members' }).where('organization_id', '=', own.org.id).where('name', '=', 'Retirees').execute()],
      ['an organizer leaves', () => testDb.db.deleteFrom('staff_roles').where('organization_id', '=', own.org.id).where('staff_user_id', '=', staffId).execute()],
    ];
    for (const [change, write] of changes) {
      const was = await shown();
      await write();
      const now = await shown();
      expect([change, now]).toEqual([change, await wanted()]);
      expect([change, now]).not.toEqual([change, was]);
    }
    // Each organization's own: right after this one's are remembered, another's are its own.
    const othersOptions = async () =>
      (await memberListing(marked, other.org.id, { filters: { q: 'example' }, sort: 'name', cursor: undefined, limit: 50, today: TODAY, withPlans: true, audit: bulkReadRecord({ staff: { staffUserId: other.org.staff.admin.id, organizationId: other.org.id }, id: `options-${(requests += 1)}`, ip: '192.0.2.7' }, { action: 'member.listed', filters: {}, at: new Date(`${TODAY}T15:00:00Z`) }) })).filterOptions;
    const othersWorksites = [...new Set((await testDb.db.selectFrom('members').select('worksite').where('organization_id', '=', other.org.id).where('worksite', 'is not', null).execute()).map((row) => row.worksite!))];
    await shown();
    expect([...(await othersOptions()).worksites].sort()).toEqual(othersWorksites.sort());
    expect((await othersOptions()).plans.map((p) => p.id)).toEqual([other.planId]);
  });

  test('a staff member renamed while a role in the organization is being granted is noted for that organization', async () => {
    const staffId = (await testDb.db.insertInto('staff_users').values({ email: 'racing@example.org', name: 'Before Rename', created_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
    const granting = new Client({ connectionString: testDb.url });
    const renaming = new Client({ connectionString: testDb.url });
    await Promise.all([granting.connect(), renaming.connect()]);
    try {
      await granting.query('BEGIN');
      await granting.query(`INSERT INTO staff_roles (organization_id, staff_user_id, role, created_at) VALUES ($1, $2, 'organizer', now())`, [own.org.id, staffId]);
      await renaming.query('BEGIN');
      const renamed = renaming.query(`UPDATE staff_users SET name = 'After Rename' WHERE id = $1`, [staffId]);
      // The rename waits for the grant (its trigger locks the staff row), then sees its role.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await granting.query('COMMIT');
      await renamed;
      const xact = (await renaming.query<{ xact: string }>('SELECT pg_current_xact_id()::text AS xact')).rows[0]!.xact;
      await renaming.query('COMMIT');
      const noted = await sql<{ n: number }>`SELECT count(*)::int AS n FROM call_list_changes WHERE organization_id = ${own.org.id} AND xact = ${xact}::xid8`.execute(testDb.db);
      expect(noted.rows[0]!.n).toBe(1);
    } finally {
      await Promise.all([granting.end(), renaming.end()]);
    }
  });
});

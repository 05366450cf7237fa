import type { Standing } from '../../db/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, testApp, testContext } from '../support/app';
import { as, fieldPaths, FLAT_25_MONTHLY, insertPlan } from './fixtures';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;
let plans: string[];
let roll: Array<{ id: string; name: string; email: string; phone: string | null; worksite: string | null; standing: Standing; plan_id: string | null; organizer_staff_user_id: string | null }>;

const STANDINGS: Standing[] = ['active', 'active', 'past_due', 'lapsed', 'pending'];
const WORKSITES = ['Plant 2', 'Dock 4', 'Head Office'];
// Repeated and differently cased surnames, so that the id breaks ties between equal names.
const NAMES = ['Garcia, Ana', 'garcia, ana', 'Nguyen, Bao', 'Smith, Jo', "O'Brien, Cat", 'Zoë Álvarez', 'Lee, Dee', '100% Union'];

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'local-120');
  plans = [await insertPlan(ctx.db, local.id, { name: 'Regular', rule: FLAT_25_MONTHLY }), await insertPlan(ctx.db, local.id, { name: 'Retiree', rule: FLAT_25_MONTHLY })];
  const rows = Array.from({ length: 120 }, (_, i) => ({
    organization_id: local.id,
    name: NAMES[i % NAMES.length]!,
    email: `m${String(i).padStart(3, '0')}@Roll.example.org`,
    phone: `555.010.${String(i).padStart(4, '0')}`,
    worksite: WORKSITES[i % WORKSITES.length]!,
    standing: STANDINGS[i % STANDINGS.length]!,
    plan_id: plans[i % 2]!,
    organizer_staff_user_id: i % 4 === 0 ? local.staff.organizer.id : null,
    wage_facts: '{}',
    ...memberTimes(),
  }));
  roll = await ctx.db.insertInto('members').values(rows).returning(['id', 'name', 'email', 'phone', 'worksite', 'standing', 'plan_id', 'organizer_staff_user_id']).execute();
});
afterAll(async () => {
  await testDb.drop();
});

const treasurer = () => as(app, local.staff.treasurer.token);

/** Every member the filters select, page by page, following nextCursor to the end. */
async function walk(query: Record<string, string | number>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await treasurer()
      .get('/api/members')
      .query({ ...query, ...(cursor === null ? {} : { cursor }) });
    expect(res.status).toBe(200);
    ids.push(...res.body.data.map((member: { id: string }) => member.id));
    cursor = res.body.nextCursor;
    pages += 1;
    expect(pages).toBeLessThan(200);
  } while (cursor !== null);
  return { ids, pages };
}

async function inDatabaseOrder(ids: string[]): Promise<string[]> {
  const rows = await ctx.db.selectFrom('members').select('id').where('id', 'in', ids).orderBy('name').orderBy('id').execute();
  return rows.map((row) => row.id);
}

describe('GET /api/members: keyset pages', () => {
  test.each([1, 7, 50, 119, 120, 200])('pages of %i walk all 120 members in name order, no duplicates, no gaps', async (limit) => {
    const { ids, pages } = await walk({ limit });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(await inDatabaseOrder(roll.map((member) => member.id)));
    expect(pages).toBe(Math.max(1, Math.ceil(120 / limit)));
  });

  test('the default page is 50, in the camelCase shape', async () => {
    const res = await treasurer().get('/api/members');
    expect(res.body.data).toHaveLength(50);
    expect(typeof res.body.nextCursor).toBe('string');
    expect(Object.keys(res.body.data[0])).toEqual(expect.arrayContaining(['id', 'name', 'email', 'preferredLanguage', 'paidThrough', 'standing']));
  });

  test('a member added ahead of the cursor during the walk does not disturb the pages after it', async () => {
    const first = await treasurer().get('/api/members').query({ limit: 10 });
    const inserted = await ctx.db.insertInto('members').values({ organization_id: local.id, name: '000 First', email: 'first@roll.example.org', wage_facts: '{}', ...memberTimes() }).returning('id').executeTakeFirstOrThrow();
    const second = await treasurer().get('/api/members').query({ limit: 10, cursor: first.body.nextCursor });
    const everyone = await inDatabaseOrder(roll.map((member) => member.id));
    expect(second.body.data.map((member: { id: string }) => member.id)).toEqual(everyone.slice(10, 20));
    await ctx.db.deleteFrom('member_standing_changes').where('member_id', '=', inserted.id).execute();
    await ctx.db.deleteFrom('members').where('id', '=', inserted.id).execute();
  });

  test.each<[string, string, Record<string, string | number>]>([
    ['a limit of 0', 'query.limit', { limit: 0 }],
    ['a limit over 200', 'query.limit', { limit: 201 }],
    ['a cursor we did not hand out', 'query.cursor', { cursor: 'bm90LWEtY3Vyc29y' }],
    ['an unknown standing', 'query.standing', { standing: 'great' }],
    ['a plan id that is not an id', 'query.planId', { planId: 'regular' }],
    ['an unknown filter', 'query', { sort: 'email' }],
    ['a NUL in the search', 'query.q', { q: 'a\u0000b' }],
    ['a forged cursor holding a NUL', 'query.cursor', { cursor: Buffer.from(JSON.stringify(['a\u0000', '00000000-0000-4000-8000-000000000000'])).toString('base64url') }],
  ])('%s → 400 on %s', async (_case, path, query) => {
    const res = await treasurer().get('/api/members').query(query);
    expect(res.status).toBe(400);
    expect(fieldPaths(res.body)).toEqual([path]);
  });
});

describe('GET /api/members: filters, each walked to the end', () => {
  const expectFilter = async (query: Record<string, string | number>, expected: Array<{ id: string }>) => {
    const { ids } = await walk({ ...query, limit: 9 });
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(await inDatabaseOrder(expected.map((member) => member.id)));
  };

  test('standing', async () => {
    for (const standing of ['active', 'past_due', 'lapsed', 'pending'] as const) await expectFilter({ standing }, roll.filter((m) => m.standing === standing));
    expect((await treasurer().get('/api/members').query({ standing: 'exempt' })).body).toEqual({ data: [], nextCursor: null });
  });

  test('plan', async () => {
    await expectFilter({ planId: plans[1]! }, roll.filter((m) => m.plan_id === plans[1]));
  });

  test('worksite, in any letter case', async () => {
    await expectFilter({ worksite: 'dock 4' }, roll.filter((m) => m.worksite === 'Dock 4'));
  });

  test('organizer', async () => {
    await expectFilter({ organizerId: local.staff.organizer.id }, roll.filter((m) => m.organizer_staff_user_id === local.staff.organizer.id));
  });

  test('filters combine', async () => {
    await expectFilter({ standing: 'active', worksite: 'Plant 2', planId: plans[0]! }, roll.filter((m) => m.standing === 'active' && m.worksite === 'Plant 2' && m.plan_id === plans[0]));
  });

  test.each<[string, string, (m: (typeof roll)[number]) => boolean]>([
    ['name, in any letter case', 'GARCIA', (m) => m.name.toLowerCase().includes('garcia')],
    ['name with an accent', 'zoë', (m) => m.name === 'Zoë Álvarez'],
    ['email, in any letter case', 'M01', (m) => m.email.toLowerCase().includes('m01')],
    ['phone as stored', '555.010.0042', (m) => m.phone === '555.010.0042'],
    ['phone as dialled', '(555) 010-0042', (m) => m.phone === '555.010.0042'],
    ['a percent sign is a percent sign, not a wildcard', '100%', (m) => m.name === '100% Union'],
    ['an apostrophe', "o'brien", (m) => m.name === "O'Brien, Cat"],
  ])('search by %s', async (_case, q, matches) => {
    await expectFilter({ q }, roll.filter(matches));
  });

  test('an empty search box and worksite are no filter', async () => {
    const res = await treasurer().get('/api/members').query({ q: '  ', worksite: '', limit: 200 });
    expect(res.body.data).toHaveLength(120);
  });

  test('a search that matches nobody', async () => {
    expect((await treasurer().get('/api/members').query({ q: 'zzz_nobody' })).body).toEqual({ data: [], nextCursor: null });
  });
});

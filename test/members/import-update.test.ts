import { findOrganizationById } from '../../src/organizations/queries';
import { loadPolicy } from '../../src/retention/queries';
import { scanOrganization } from '../../src/retention/scan';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, testApp, testContext } from '../support/app';
import { as, FLAT_25_MONTHLY, insertPlan } from './fixtures';

// A roll imported again after it changed: update mode matches members by email or member
// number and updates them; add mode still refuses them. And the preview's standings are
// what the next scan then gives.

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'local-update');
  await insertPlan(ctx.db, local.id, { name: 'Regular', rule: FLAT_25_MONTHLY });
});
afterAll(async () => {
  await testDb.drop();
});

const admin = () => as(app, local.staff.admin.token);
const HEADER = 'name,email,phone,worksite,external_id,plan,paid_through,standing';

describe('POST /api/members/import?mode=update', () => {
  beforeAll(async () => {
    const first = await admin().csv('/api/members/import', [HEADER, 'Rosa Ruiz,rosa@example.org,555-0101,Plant 2,L9-1,Regular,2026-11-30,active', 'Bao Nguyen,bao@example.org,,Dock 4,L9-2,Regular,2026-11-30,active', 'Pat Old,pat@example.org,,Dock 4,L9-3,,,'].join('\n'));
    expect(first.status).toBe(201);
  });

  const updatedRoll = [
    HEADER,
    // Found by email: a new phone and worksite; the paid-through date on the roll is not taken.
    'Rosa Ruiz,ROSA@example.org,555-0199,Plant 3,L9-1,Regular,2025-01-31,lapsed',
    // Found by member number: a new email.
    'Bao Nguyen,bao.nguyen@example.org,,Dock 4,L9-2,Regular,2026-11-30,active',
    // Nothing different (blank cells leave values as they are).
    'Pat Old,pat@example.org,,,L9-3,,,',
    // Someone new.
    'Lee Park,lee@example.org,,Dock 4,L9-4,Regular,2026-11-30,active',
  ].join('\n');

  test('add mode still refuses rows naming members already on the books', async () => {
    const refused = await admin().csv('/api/members/import?dryRun=true', updatedRoll);
    expect(refused.body.rejected).toEqual(expect.arrayContaining([{ row: 2, field: 'email', reason: 'a member of the organization already has this email' }]));
  });

  test('the dry run says new, updated and unchanged, and changes nothing; the real run updates by email and by member number', async () => {
    const dry = await admin().csv('/api/members/import?mode=update&dryRun=true', updatedRoll);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ accepted: 1, updated: 2, unchanged: 1, rejected: [] });
    expect((await ctx.db.selectFrom('members').select('phone').where('email', '=', 'rosa@example.org').executeTakeFirstOrThrow()).phone).toBe('555-0101');

    const real = await admin().csv('/api/members/import?mode=update', updatedRoll);
    expect(real.status).toBe(201);
    expect(real.body).toMatchObject({ imported: 1, updated: 2, unchanged: 1 });
    const rosa = await ctx.db.selectFrom('members').selectAll().where('organization_id', '=', local.id).where('external_id', '=', 'L9-1').executeTakeFirstOrThrow();
    expect(rosa).toMatchObject({ phone: '555-0199', worksite: 'Plant 3', email: 'rosa@example.org', standing: 'active' });
    expect(rosa.paid_through).toBe('2026-11-30');
    const bao = await ctx.db.selectFrom('members').select('email').where('organization_id', '=', local.id).where('external_id', '=', 'L9-2').executeTakeFirstOrThrow();
    expect(bao.email).toBe('bao.nguyen@example.org');
    expect(await ctx.db.selectFrom('members').select('id').where('organization_id', '=', local.id).execute()).toHaveLength(4);
    const audit = await ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'member.imported').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ rows: 1, updated: 2, mode: 'update' });

    // The same file again changes nothing.
    const again = await admin().csv('/api/members/import?mode=update&dryRun=true', updatedRoll);
    expect(again.body).toMatchObject({ accepted: 0, updated: 0, unchanged: 4 });
  });

  test('a member number of another member than the email, and one member named twice, are refused by row', async () => {
    const roll = [HEADER, 'Rosa Ruiz,lee@example.org,,,L9-1,,,', 'Pat Old,pat@example.org,,,,,,', 'Pat Again,PAT@example.org,,,,,,'].join('\n');
    const dry = await admin().csv('/api/members/import?mode=update&dryRun=true', roll);
    expect(dry.body.rejected).toEqual([
      { row: 2, field: 'external_id', reason: 'this member number belongs to another member than the email' },
      { row: 4, field: 'email', reason: 'the same email as row 3' },
    ]);
  });
});

describe('the preview’s standings are the next scan’s', () => {
  test('each new member’s predicted standing is the one the scan gives on the day the preview names', async () => {
    const days = ['2026-04-30', '2026-06-30', '2026-08-31', '2026-09-30', '2026-10-20', '2026-10-31', '2026-11-30', ''];
    const standings = ['active', 'past_due', 'lapsed', 'suspended', 'exempt', 'resigned', ''];
    const rows = days.flatMap((paidThrough, i) => standings.map((standing, j) => `Scan ${i}-${j},scan${i}-${j}@example.org,,,,Regular,${paidThrough},${standing}`));
    const dry = await admin().csv('/api/members/import?dryRun=true', [HEADER, ...rows].join('\n'));
    expect(dry.body.rejected).toEqual([]);
    const predicted = new Map<string, string>(dry.body.nextScan.members.map((m: { email: string; standing: string }) => [m.email, m.standing]));
    expect((await admin().csv('/api/members/import', [HEADER, ...rows].join('\n'))).status).toBe(201);

    const organization = (await findOrganizationById(ctx.db, local.id))!;
    await ctx.db.transaction().execute(async (trx) => scanOrganization(trx, { organizationId: local.id, timeZone: organization.time_zone, policy: await loadPolicy(trx, local.id), today: dry.body.nextScan.on, now: ctx.now() }));
    const after = await ctx.db.selectFrom('members').select(['email', 'standing']).where('organization_id', '=', local.id).where('email', 'like', 'scan%').execute();
    expect(after).toHaveLength(predicted.size);
    for (const member of after) expect([member.email, member.standing]).toEqual([member.email, predicted.get(member.email)]);
  });
});

test('members already on the books are untouched by a roll that fails', async () => {
  await ctx.db.insertInto('members').values({ organization_id: local.id, name: 'Kept As Is', email: 'kept@example.org', phone: '1', wage_facts: '{}', ...memberTimes() }).execute();
  const failed = await admin().csv('/api/members/import?mode=update', [HEADER, 'Kept As Is,kept@example.org,2,,,,,', 'Bad,not-an-email,,,,,,'].join('\n'));
  expect(failed.status).toBe(422);
  expect((await ctx.db.selectFrom('members').select('phone').where('email', '=', 'kept@example.org').executeTakeFirstOrThrow()).phone).toBe('1');
});

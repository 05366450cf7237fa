import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, type OrganizationFixture, testApp, testContext } from '../support/app';
import { as, FLAT_25_MONTHLY, insertPlan, PERCENT_2_1 } from './fixtures';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;
let percentPlan: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'local-roll');
  await insertPlan(ctx.db, local.id, { name: 'Regular', rule: FLAT_25_MONTHLY });
  percentPlan = await insertPlan(ctx.db, local.id, { name: '2.1% of wages', rule: PERCENT_2_1 });
  await insertPlan(ctx.db, local.id, { name: 'Retiree', rule: { kind: 'flat', amountCents: 1000 }, memberClass: 'retiree', interval: 'year' });
  await ctx.db.insertInto('members').values({ organization_id: local.id, name: 'Already Here', email: 'already@example.org', external_id: 'L7-0001', wage_facts: '{}', ...memberTimes() }).execute();
});
afterAll(async () => {
  await testDb.drop();
});

const treasurer = () => as(app, local.staff.treasurer.token);
const HEADER =
  'name,email,phone,preferred_language,employer,worksite,member_class,external_id,plan,joined_on,paid_through,standing,organizer_email,gross_wage,pay_frequency,hourly_wage,bracket,chosen_amount';
const organizerEmail = () => local.staff.organizer.email;

// A roll as a union keeps it: good rows and bad ones mixed.
const goodRows = () => [
  `Rosa Ruiz,rosa@example.org,555-0101,es,Acme Foods,Plant 2,,L7-0101,Regular,2019-05-01,2026-11-30,active,${organizerEmail()},,,,,`,
  `"Nguyen, Bao",bao@example.org,,en,Acme Foods,Dock 4,,L7-0102,2.1% of wages,2021-02-15,,past_due,,"$3,000.00",biweekly,,,`,
  'Pat Old,pat@example.org,,,,,,L7-0103,retiree,1990-01-01,2026-12-31,,,,,,,',
  'No Plan Yet,noplan@example.org,,,,,,,,,,,,,,,,',
];
const badRows = [
  'Dup Email,ROSA@example.org,,,,,,L7-0201,Regular,,,,,,,,,', // same email as row 2
  'Taken,already@example.org,,,,,,,,,,,,,,,,', // email of a member already in the organization
  'Bad Money,money@example.org,,,,,,,2.1% of wages,,,,,25.001,monthly,,,', // not dollars and cents
  'No Wage,nowage@example.org,,,,,,,2.1% of wages,,,,,,,,,', // the plan needs wages
  ',noname@example.org,,fr,,,,L7-0001,Gold,2026-02-30,,great,nobody@example.org,,,,,', // many faults
];

describe('POST /api/members/import', () => {
  test('a file with good and bad rows imports nothing and reports every bad row with its reason', async () => {
    const res = await treasurer().csv('/api/members/import', [HEADER, ...goodRows(), ...badRows].join('\n'));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toMatch(/5 of 9 rows were rejected; nothing was imported/);
    expect(res.body.error.details.accepted).toBe(4);
    expect(res.body.error.details.rejected).toEqual([
      { row: 6, field: 'email', reason: 'the same email as row 2' },
      { row: 7, field: 'email', reason: 'a member of the organization already has this email' },
      { row: 8, field: 'gross_wage', reason: expect.stringMatching(/dollars and cents/) },
      { row: 9, field: 'gross_wage', reason: expect.stringMatching(/gross wages/) },
      { row: 10, field: 'name', reason: 'a name is required' },
      { row: 10, field: 'external_id', reason: expect.stringMatching(/already has this external id/) },
      { row: 10, field: 'preferred_language', reason: expect.stringMatching(/en, es/) },
      { row: 10, field: 'joined_on', reason: expect.stringMatching(/YYYY-MM-DD/) },
      { row: 10, field: 'standing', reason: expect.stringMatching(/use one of/) },
      { row: 10, field: 'organizer_email', reason: expect.stringMatching(/no staff member/) },
      { row: 10, field: 'plan', reason: expect.stringMatching(/no plan/) },
    ]);
    expect(await ctx.db.selectFrom('members').select('email').where('organization_id', '=', local.id).execute()).toEqual([{ email: 'already@example.org' }]);
    expect(await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'member.imported').execute()).toEqual([]);
    // What was looked up against the members is a read, and audited: counts only, no one's email.
    expect(await ctx.db.selectFrom('audit_log').select(['actor_staff_user_id', 'details']).where('action', '=', 'member.import_checked').execute()).toEqual([
      { actor_staff_user_id: local.staff.treasurer.id, details: { rows: 9, named: 2, rejected: 5, mode: 'add' } },
    ]);
  });

  test('a dry run of the corrected file reports and changes nothing; the real run imports every row', async () => {
    const csv = [HEADER, ...goodRows()].join('\r\n');
    const dry = await treasurer().csv('/api/members/import?dryRun=true', csv);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, accepted: 4, rejected: [], nextScan: { on: '2026-11-24', lapsed: 0, suspended: 0, dropped: 0, standings: { active: 2, past_due: 1, pending: 1 } } });
    expect(dry.body.nextScan.members).toEqual([
      { row: 2, email: 'rosa@example.org', standing: 'active', reason: 'paid_up', monthsInArrears: 0, paidThrough: '2026-11-30' },
      { row: 3, email: 'bao@example.org', standing: 'past_due', reason: 'no_payment_record', monthsInArrears: 0, paidThrough: null },
      // A roll's paid-through date is what counts: paid through December, so in good standing.
      { row: 4, email: 'pat@example.org', standing: 'active', reason: 'paid_up', monthsInArrears: 0, paidThrough: '2026-12-31' },
      { row: 5, email: 'noplan@example.org', standing: 'pending', reason: 'no_payment_record', monthsInArrears: 0, paidThrough: null },
    ]);
    expect(await ctx.db.selectFrom('members').select('id').where('organization_id', '=', local.id).execute()).toHaveLength(1);
    const checked = await ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'member.import_checked').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(checked.details).toEqual({ rows: 4, named: 0, rejected: 0, mode: 'add' });

    const res = await treasurer().csv('/api/members/import', csv);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ imported: 4, nextScan: { standings: { active: 2, past_due: 1, pending: 1 } } });

    const members = await ctx.db.selectFrom('members').selectAll().where('organization_id', '=', local.id).where('email', '<>', 'already@example.org').orderBy('external_id').execute();
    expect(members.map((m) => [m.name, m.standing, m.member_class, m.paid_through, m.joined_on])).toEqual([
      ['Rosa Ruiz', 'active', 'regular', '2026-11-30', '2019-05-01'],
      ['Nguyen, Bao', 'past_due', 'regular', null, '2021-02-15'],
      ['Pat Old', 'active', 'retiree', '2026-12-31', '1990-01-01'],
      ['No Plan Yet', 'pending', 'regular', null, null],
    ]);
    expect(members[0]).toMatchObject({ preferred_language: 'es', organizer_staff_user_id: local.staff.organizer.id, phone: '555-0101', worksite: 'Plant 2' });
    expect(members[1]).toMatchObject({ plan_id: percentPlan, wage_facts: { grossWageCents: 300_000, payFrequency: 'biweekly' } });

    const history = await ctx.db.selectFrom('member_standing_changes').selectAll().where('organization_id', '=', local.id).where('cause', '=', 'import').orderBy('id').execute();
    // The standing each row stated, then (for Pat) the one the roll's paid-through date gives.
    expect(history.map((change) => [change.from_standing, change.to_standing, change.reason])).toEqual([
      [null, 'active', null],
      [null, 'past_due', null],
      [null, 'pending', null],
      [null, 'pending', null],
      ['pending', 'active', 'paid_up'],
    ]);
    expect(history.every((change) => change.staff_user_id === local.staff.treasurer.id)).toBe(true);
    const audit = await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'member.imported').execute();
    expect(audit).toEqual([expect.objectContaining({ organization_id: local.id, actor_staff_user_id: local.staff.treasurer.id, details: { rows: 4, updated: 0, mode: 'add' } })]);

    // The same file again: every row is now a duplicate of a member.
    const again = await treasurer().csv('/api/members/import', csv);
    expect(again.status).toBe(422);
    expect(again.body.error.details.rejected).toHaveLength(4 + 3);
  });

  test('a dry run with bad rows reports them with 200', async () => {
    const dry = await treasurer().csv('/api/members/import?dryRun=true', 'name,email\nOk,ok.dry@example.org\nBad,bad\n');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, accepted: 1, rejected: [{ row: 3, field: 'email', reason: 'not an email address' }], nextScan: { members: [{ row: 2, standing: 'pending' }] } });
  });

  test.each<[string, string, RegExp]>([
    ['an empty file', '', /empty/],
    ['a header only', 'name,email\n', /no members/],
    ['unknown columns, named', 'name,email,salary,shoe_size\nA,a@example.org,1,2\n', /unknown columns: salary, shoe_size/],
    ['no email column', 'name\nA\n', /missing columns: email/],
    ['an unclosed quote', 'name,email\n"A,a@example.org\n', /not readable CSV/],
    ['UTF-16 text', Buffer.from('name,email\nA,a@example.org\n', 'utf16le').toString('latin1'), /not UTF-8 CSV/],
  ])('%s → 400', async (_case, csv, message) => {
    const res = await treasurer().csv('/api/members/import', csv);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  test('a JSON body → 415; organizers may not import; dryRun must be true or false', async () => {
    expect((await treasurer().post('/api/members/import').send({ name: 'A' })).status).toBe(415);
    expect((await as(app, local.staff.organizer.token).csv('/api/members/import', 'name,email\nA,a@example.org\n')).status).toBe(403);
    const bad = await treasurer().csv('/api/members/import?dryRun=yes', 'name,email\nA,a@example.org\n');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].path).toBe('query.dryRun');
  });

  test('a large roll imports in one go', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `Member ${i},bulk${i}@example.org,,,,Site ${i % 7},,BULK-${i},Regular,,,active,,,,,,`);
    const res = await as(app, local.staff.admin.token).csv('/api/members/import', [HEADER, ...rows].join('\n'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ imported: 1500, nextScan: { standings: { active: 1500 } } });
    const count = await ctx.db.selectFrom('members').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', local.id).where('external_id', 'like', 'BULK-%').executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1500);
  });
});

describe('an imported roll says what the rules will do with it', () => {
  // 50 members stated active, paid through a few months back, on November 24 (the default policy: a month's grace, suspended at 3 months owed, dropped at 6).
  const rollOf = (prefix: string) =>
    [
      ...Array.from({ length: 16 }, () => '2026-04-30'),
      ...Array.from({ length: 12 }, () => '2026-07-31'),
      ...Array.from({ length: 12 }, () => '2026-10-31'),
      ...Array.from({ length: 4 }, () => '2026-09-30'),
      ...Array.from({ length: 6 }, () => '2026-11-30'),
    ].map((paidThrough, i) => `Member ${i},${prefix}${i}@example.org,,,,,,,Regular,,${paidThrough},active,,,,,,`);

  test('the dry run counts those the next scan would lapse, suspend and drop, and the real run says the same', async () => {
    const csv = [HEADER, ...rollOf('stale')].join('\n');
    const dry = await treasurer().csv('/api/members/import?dryRun=true', csv);
    expect(dry.body).toMatchObject({ accepted: 50, nextScan: { on: '2026-11-24', dropped: 16, suspended: 12, lapsed: 4, standings: { dropped: 16, suspended: 12, past_due: 12, lapsed: 4, active: 6 } } });
    expect(dry.body.nextScan.members[0]).toEqual({ row: 2, email: 'stale0@example.org', standing: 'dropped', reason: 'months_owed_drop', monthsInArrears: 7, paidThrough: '2026-04-30' });
    const real = await treasurer().csv('/api/members/import', csv);
    expect(real.body.nextScan).toEqual(dry.body.nextScan);
    const stored = await ctx.db.selectFrom('members').select(['standing']).where('organization_id', '=', local.id).where('email', 'like', 'stale%').execute();
    expect(stored.filter((m) => m.standing === 'dropped')).toHaveLength(16);
  });

  test('once today’s scan has run, the preview is for tomorrow’s', async () => {
    await ctx.db.insertInto('retention_scan_runs').values({ organization_id: local.id, scan_on: '2026-11-24', started_at: ctx.clock.now }).execute();
    try {
      const dry = await treasurer().csv('/api/members/import?dryRun=true', [HEADER, 'Tom Row,tom.row@example.org,,,,,,,Regular,,2026-10-24,active,,,,,,'].join('\n'));
      // Paid through October 24: on the 24th of November still within grace, on the 25th past it.
      expect(dry.body.nextScan).toMatchObject({ on: '2026-11-25', lapsed: 1 });
    } finally {
      await ctx.db.deleteFrom('retention_scan_runs').where('organization_id', '=', local.id).execute();
    }
  });

  test('a member dropped for arrears who pays everything owed is reinstated at once (the default policy)', async () => {
    await treasurer().csv('/api/members/import', [HEADER, 'Dora Dropped,dora@example.org,,,,,,,Regular,,2026-04-30,active,,,,,,'].join('\n')).expect(201);
    const dora = await ctx.db.selectFrom('members').select(['id', 'standing']).where('email', '=', 'dora@example.org').executeTakeFirstOrThrow();
    expect(dora.standing).toBe('dropped');
    const paid = await treasurer().post(`/api/members/${dora.id}/payments`).send({ method: 'check', amountCents: 17500, periodStart: '2026-05-01', periodEnd: '2026-11-30' });
    expect(paid.status).toBe(201);
    expect(paid.body.member).toMatchObject({ standing: 'active', standingReason: 'paid_up', paidThrough: '2026-11-30' });
  });
});

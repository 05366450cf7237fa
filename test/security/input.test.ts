import request from 'supertest';
import type { Organization } from '../../db/database';
import { hasUnreadableCharacter } from '../../src/http/input-guard';
import { isPayFrequency } from '../../src/plans/dues';
import { as, insertPlan, PERCENT_2_1 } from '../members/fixtures';
import { createPlans, HTML, openForm } from '../signup/fixtures';
import { createOrganizationWithStaff, testApp, testContext, type OrganizationFixture } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';

// The public 500s of issue 16: NUL in any parameter, and keys of Object.prototype taken for pay frequencies.

let testDb: TestDatabase;
let app: ReturnType<typeof testApp>;
let local: OrganizationFixture;
let percentPlanId: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const ctx = testContext(testDb.db);
  app = testApp(ctx);
  local = await createOrganizationWithStaff(ctx, 'local-input');
  const organization = (await testDb.db.selectFrom('organizations').selectAll().where('id', '=', local.id).executeTakeFirstOrThrow()) as Organization;
  percentPlanId = (await createPlans(testDb.db, organization))['Percent of wages']!;
  await insertPlan(testDb.db, local.id, { name: '2.1% of wages', rule: PERCENT_2_1 });
});
afterAll(async () => {
  await testDb.drop();
});

const memberCount = async () => Number((await testDb.db.selectFrom('members').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

test.each(['/join/%00', '/join/local%00input', '/join/local-input/manage?token=%00', '/join/local-input?lang=%00', '/join/%00/welcome', '/join/%ED%A0%80'])('GET %s → 400, not a 500', async (path) => {
  const res = await request(app).get(path).set('Accept', HTML);
  expect(res.status).toBe(400);
});

test.each(['/api/audit?action=%00', '/api/members?q=a%00', '/api/members/%00', '/api/webhook-events?type=%00', '/console/members?q=%00'])('staff GET %s → 400', async (path) => {
  const res = await as(app, local.staff.admin.token).get(path);
  expect(res.status).toBe(400);
});

test('a JSON body with NUL or an unpaired surrogate in a key or a value → 400, nothing written', async () => {
  const admin = as(app, local.staff.admin.token);
  for (const body of ['{"name":"A\\u0000","email":"a@example.org"}', '{"name":"\\ud800","email":"b@example.org"}', '{"name":"C","email":"c@example.org","x\\u0000":1}']) {
    const res = await admin.post('/api/members').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
  }
  expect(await memberCount()).toBe(0);
});

test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('POST /join/:org with payFrequency=%s re-renders the form with the field in error (400)', async (word) => {
  const { agent, csrf } = await openForm(app, '/join/local-input');
  const res = await agent
    .post('/join/local-input')
    .set('Accept', HTML)
    .type('form')
    .send({ csrf, name: 'Ana', email: 'ana@example.org', plan: percentPlanId, [`grossWageCents_${percentPlanId}`]: '1000.00', [`payFrequency_${percentPlanId}`]: word, paymentMethod: 'card', authorization: 'yes', authorizationVersion: '1' });
  expect(res.status).toBe(400);
  expect(res.text).toContain(`payFrequency_${percentPlanId}`);
  // The preview of the dues beside the plan takes the same path.
  const preview = await agent.post('/join/local-input').set('Accept', HTML).type('form').send({ csrf, plan: percentPlanId, [`payFrequency_${percentPlanId}`]: word, [`grossWageCents_${percentPlanId}`]: '1000.00', intent: 'preview' });
  expect(preview.status).toBe(200);
  expect(await memberCount()).toBe(0);
});

test('the CSV import refuses a pay frequency of constructor row by row', async () => {
  const csv = ['name,email,plan,gross_wage,pay_frequency', 'A,a@example.org,2.1% of wages,1000.00,constructor', 'B,b@example.org,2.1% of wages,1000.00,toString'].join('\n');
  const res = await as(app, local.staff.treasurer.token).csv('/api/members/import', csv);
  expect(res.status).toBe(422);
  expect(res.body.error.details.rejected).toEqual([
    { row: 2, field: 'pay_frequency', reason: expect.stringMatching(/use one of/) },
    { row: 3, field: 'pay_frequency', reason: expect.stringMatching(/use one of/) },
  ]);
  expect(await memberCount()).toBe(0);
});

test.each<[string, boolean]>([
  ['plain', false],
  ['é 😀', false],
  ['a\u0000', true],
  ['\ud800', true],
  ['x\udc00', true],
  ['\ud83d\ude00', false],
])('hasUnreadableCharacter(%j) = %s', (text, expected) => {
  expect(hasUnreadableCharacter(text)).toBe(expected);
});

test.each<[string, boolean]>([
  ['weekly', true],
  ['annually', true],
  ['constructor', false],
  ['__proto__', false],
  ['toString', false],
  ['hasOwnProperty', false],
])('isPayFrequency(%j) = %s', (text, expected) => {
  expect(isPayFrequency(text)).toBe(expected);
});

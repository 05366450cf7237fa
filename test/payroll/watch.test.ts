import { callList } from '../../src/console/call-list';
import { bulkReadRecord } from '../../src/audit/audit';
import { callReason } from '../../src/console/pages/calls';
import { messagesFor } from '../../src/console/i18n';
import { findOrganizationById } from '../../src/organizations/queries';
import { insertEmployer, setDeduction } from '../../src/payroll/queries';
import { postRemittance, uploadRemittance } from '../../src/payroll/remittances';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, testContext } from '../support/app';
import { FLAT_25_MONTHLY, insertPlan } from '../members/fixtures';

// A member on payroll deduction missing from two consecutive posted remittances of their
// employer gets an at-risk signal the organizer's call list shows; one missing once does not.

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
});
afterAll(async () => {
  await testDb.drop();
});

test('missing twice in a row: "not on the employer’s list since" the first missed pay period, in the call list', async () => {
  const org = await createOrganizationWithStaff(ctx, 'local-watch');
  const organization = (await findOrganizationById(ctx.db, org.id))!;
  const plan = await insertPlan(ctx.db, org.id, { name: 'Regular', rule: FLAT_25_MONTHLY });
  const now = ctx.now();
  const employer = await insertEmployer(ctx.db, org.id, { name: 'Metro Transit', contactName: null, contactEmail: null, contactPhone: null, payFrequency: 'monthly', worksites: [], columnMapping: { employeeNumber: 'Emp', amount: 'Dues' } }, now);
  const ids: Record<string, string> = {};
  for (const [key, number] of [['stays', 'T1'], ['once', 'T2'], ['gone', 'T3']] as const) {
    ids[key] = (await ctx.db.insertInto('members').values({ organization_id: org.id, name: `Rider ${key}`, email: `${key}@example.org`, phone: '312 555 0101', plan_id: plan, wage_facts: '{}', standing: 'active', recorded_paid_through: '2026-08-31', ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id;
    await setDeduction(ctx.db, org.id, ids[key]!, employer.id, number, now);
  }
  const post = async (periodStart: string, periodEnd: string, numbers: string[]) => {
    const bytes = Buffer.from(['Emp,Dues', ...numbers.map((n) => `${n},25.00`)].join('\n'));
    await ctx.db.transaction().execute(async (trx) => {
      const { remittance } = await uploadRemittance(trx, { organization, employer, periodStart, periodEnd, payDate: null, receivedOn: periodEnd, amountReceivedCents: 2500 * numbers.length, fileName: null, bytes, mapping: undefined, staffUserId: org.staff.treasurer.id, at: now });
      await postRemittance(trx, organization, remittance.id, org.staff.treasurer.id, now);
    });
  };
  const signals = () => ctx.db.selectFrom('retention_signals').select(['member_id', 'signal', 'signal_key']).where('organization_id', '=', org.id).execute();

  await post('2026-09-01', '2026-09-30', ['T1', 'T2', 'T3']);
  await post('2026-10-01', '2026-10-31', ['T1']);
  expect(await signals()).toEqual([]);
  await post('2026-11-01', '2026-11-30', ['T1', 'T2']);
  expect(await signals()).toEqual([{ member_id: ids.gone, signal: 'payroll_missing', signal_key: '2026-10-01' }]);

  const audit = bulkReadRecord({ staff: { staffUserId: org.staff.organizer.id, organizationId: org.id } }, { action: 'retention.call_list_viewed', filters: {}, at: now });
  const rows = await callList(ctx.db, org.id, { scope: {}, today: '2026-11-24', now, limit: 20, offset: 0, timeZone: 'America/Chicago', audit });
  const gone = rows.find((row) => row.id === ids.gone);
  expect(gone).toBeDefined();
  expect(callReason(messagesFor('en'), gone!)).toBe('Not on the employer’s payroll deduction list since the pay period from Oct 1, 2026');
  expect(rows.find((row) => row.id === ids.once)).toBeUndefined();
});

import { addBatchItem, createBatch, findBatch, postBatch } from '../../src/bank/batches';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, TEST_NOW, testContext, type OrganizationFixture } from '../support/app';
import { FLAT_25_MONTHLY, insertPlan } from '../members/fixtures';

// Posting a batch is all or nothing: an item the dues refuse at posting time (the rate rose
// after it was added) leaves every payment of the batch unposted and the batch open.

let testDb: TestDatabase;
let local: OrganizationFixture;
let planId: string;
const members: string[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  const ctx = testContext(testDb.db);
  local = await createOrganizationWithStaff(ctx, 'batch-atomic');
  planId = await insertPlan(testDb.db, local.id, { name: 'Monthly', rule: FLAT_25_MONTHLY });
  for (const name of ['Ana Uno', 'Beto Dos']) {
    members.push((await testDb.db.insertInto('members').values({ organization_id: local.id, name, email: `${name.split(' ')[0]!.toLowerCase()}@example.org`, wage_facts: '{}', plan_id: planId, ...memberTimes() }).returning('id').executeTakeFirstOrThrow()).id);
  }
});
afterAll(async () => {
  await testDb.drop();
});

test('one item refused at posting time posts nothing of the batch', async () => {
  const db = testDb.db;
  const poster = { organizationId: local.id, currency: 'usd', staffUserId: local.staff.treasurer.id, at: TEST_NOW };
  const batchId = await createBatch(db, local.id, { depositedOn: '2026-11-20', reference: null }, poster.staffUserId, TEST_NOW);
  const item = (memberId: string, periodStart: string, periodEnd: string) => ({ memberId, payer: 'Payer', method: 'check' as const, amountCents: 2500, checkNumber: null, periodStart, periodEnd, partial: false });
  await db.transaction().execute((trx) => addBatchItem(trx, poster, batchId, item(members[0]!, '2026-10-01', '2026-10-31')));
  await db.transaction().execute((trx) => addBatchItem(trx, poster, batchId, item(members[1]!, '2026-12-01', '2026-12-31')));
  // December's dues rise to 30.00 after the check was added: the second item is now short.
  await db.insertInto('plan_versions').values({ organization_id: local.id, plan_id: planId, version: 2, effective_from: '2026-12-01', amount_rule: JSON.stringify({ kind: 'flat', amountCents: 3000 }), initiation_fee_cents: null, authorization_note: 'vote', created_at: TEST_NOW }).execute();

  await expect(db.transaction().execute((trx) => postBatch(trx, poster, batchId))).rejects.toMatchObject({ code: 'validation_failed' });
  expect(await db.selectFrom('manual_payments').select('id').where('organization_id', '=', local.id).execute()).toEqual([]);
  expect(await db.selectFrom('ledger_transactions').select('id').where('organization_id', '=', local.id).execute()).toEqual([]);
  const batch = (await findBatch(db, local.id, batchId))!;
  expect(batch.postedAt).toBeNull();
  expect(batch.items.map((i) => i.manualPaymentId)).toEqual([null, null]);
  // Another organization's id is not this organization's batch.
  await expect(db.transaction().execute((trx) => postBatch(trx, { ...poster, organizationId: '00000000-0000-4000-8000-000000000000' }, batchId))).rejects.toMatchObject({ code: 'not_found' });
});

import type PgBoss from 'pg-boss';
import pino from 'pino';
import { startJobs } from '../../src/jobs/boss';
import { RETENTION_QUEUE, startRetentionWorker } from '../../src/retention/jobs';
import { savePolicy } from '../../src/retention/queries';
import { DEFAULT_POLICY } from '../../src/retention/policy';
import { todayIn } from '../../src/organizations/calendar';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, memberTimes, TEST_PUBLIC_URL, testContext } from '../support/app';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('the pg-boss worker runs the day for an organization whose hour has come, and wakes the email sender', async () => {
  const ctx = testContext(testDb.db);
  const union = await createOrganizationWithStaff(ctx, 'local-worker');
  // Hour 0: whatever the real local time is, the day's run is due.
  await savePolicy(ctx.db, union.id, { ...DEFAULT_POLICY, dailyHour: 0 }, union.staff.admin.id, ctx.now());
  await ctx.db.insertInto('members').values({ organization_id: union.id, name: 'Long Gone', email: 'gone@example.org', standing: 'active', paid_through: '2020-01-31', ...memberTimes() }).execute();
  let woken = 0;
  let boss: PgBoss | undefined;
  try {
    boss = await startJobs(testDb.url, pino({ level: 'silent' }));
    await startRetentionWorker(boss, { db: ctx.db, publicUrl: TEST_PUBLIC_URL, now: () => new Date(), notifyOutbox: () => (woken += 1) }, pino({ level: 'silent' }));
    // The schedule fires every 15 minutes; a job sent now is the same work.
    await boss.send(RETENTION_QUEUE, {});
    const run = await waitFor(() => ctx.db.selectFrom('retention_scan_runs').selectAll().where('organization_id', '=', union.id).executeTakeFirst(), 'the scan run');
    expect(run.scan_on).toBe(todayIn('America/Chicago', new Date()));
    const member = await ctx.db.selectFrom('members').select('standing').where('email', '=', 'gone@example.org').executeTakeFirstOrThrow();
    expect(member.standing).toBe('dropped');
    await waitFor(async () => (woken > 0 ? true : undefined), 'the email sender to be woken');
    const digest = await ctx.db.selectFrom('email_outbox').select(['kind', 'to_address']).where('kind', '=', 'retention.digest').execute();
    expect(digest).toEqual([{ kind: 'retention.digest', to_address: union.staff.admin.email }]);
  } finally {
    await boss?.stop({ graceful: true, wait: true, timeout: 5000 });
  }
});

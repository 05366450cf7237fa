import { execFile } from 'node:child_process';
import path from 'node:path';
import { ageOf, describeFailedEvents, listFailedEvents } from '../../webhooks/failed-events';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, TEST_NOW, testContext } from '../support/app';

let testDb: TestDatabase;

const minutesBefore = (minutes: number) => new Date(TEST_NOW.getTime() - minutes * 60_000);

beforeAll(async () => {
  testDb = await createTestDatabase();
  const union = await createOrganizationWithStaff(testContext(testDb.db), 'local-failed');
  const event = (id: string, status: 'failed' | 'processed' | 'pending', organizationId: string | null, receivedAt: Date, lastError: string | null) => ({
    id,
    type: 'charge.refunded',
    stripe_created_at: receivedAt,
    livemode: false,
    payload: JSON.stringify({ id }),
    serial_key: `platform:customer:cus_${id}`,
    status,
    attempts: status === 'failed' ? 10 : 1,
    last_error: lastError,
    organization_id: organizationId,
    received_at: receivedAt,
    next_attempt_at: receivedAt,
  });
  await testDb.db
    .insertInto('stripe_events')
    .values([
      event('evt_ours_failed', 'failed', union.id, minutesBefore(90), 'Error: boom'),
      event('evt_nobodys_failed', 'failed', null, minutesBefore(3 * 24 * 60 + 4 * 60), 'Ambiguous: customer cus_1 is linked to 2 members'),
      event('evt_done', 'processed', union.id, minutesBefore(5), null),
      event('evt_waiting', 'pending', null, minutesBefore(5), 'RetryLater: not linked yet'),
    ])
    .execute();
});
afterAll(async () => {
  await testDb.drop();
});

test('every failed event is listed, those of no organization too, oldest first, with type, id, reason, attempts and age', async () => {
  const failed = await listFailedEvents(testDb.db);
  expect(failed.map((e) => [e.id, e.organization, e.attempts])).toEqual([
    ['evt_nobodys_failed', null, 10],
    ['evt_ours_failed', 'local-failed', 10],
  ]);
  const text = describeFailedEvents(failed, TEST_NOW);
  expect(text).toMatch(/charge\.refunded +evt_nobodys_failed +none +10 +3 d 4 h +Ambiguous: customer cus_1 is linked to 2 members/);
  expect(text).toMatch(/charge\.refunded +evt_ours_failed +local-failed +10 +1 h 30 min +Error: boom/);
  expect(text).toContain('2 failed event(s): none 1, local-failed 1');
});

test.each<[number, string]>([
  [0, '0 min'],
  [59, '59 min'],
  [61, '1 h 1 min'],
  [24 * 60 + 5, '1 d 0 h'],
])('%d minutes old reads "%s"', (minutes, expected) => {
  expect(ageOf(minutesBefore(minutes), TEST_NOW)).toBe(expected);
});

test('npm run failed-events prints the list', async () => {
  const root = path.resolve(__dirname, '..', '..');
  const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/failed-events.ts'], { cwd: root, env: { ...process.env, DATABASE_URL: testDb.url } }, (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }));
  });
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/evt_nobodys_failed +none/);
  expect(result.stdout).toMatch(/evt_ours_failed +local-failed/);
  expect(result.stdout).not.toContain('evt_waiting');
});

import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, type OrganizationFixture, TEST_NOW, testApp, testContext } from '../support/app';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let union: OrganizationFixture;
let notified = 0;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db, { notifyWebhooks: () => (notified += 1) });
  app = testApp(ctx);
  union = await createOrganizationWithStaff(ctx, 'local-500');
  const other = await createOrganizationWithStaff(ctx, 'local-501');
  const event = (id: string, status: 'failed' | 'processed', organizationId: string) => ({
    id,
    type: 'invoice.paid',
    stripe_created_at: new Date('2026-11-20T10:00:00Z'),
    livemode: false,
    payload: JSON.stringify({ id }),
    serial_key: `platform:customer:cus_${id}`,
    status,
    attempts: status === 'failed' ? 10 : 1,
    last_error: status === 'failed' ? 'Error: boom' : null,
    organization_id: organizationId,
    received_at: TEST_NOW,
    next_attempt_at: TEST_NOW,
  });
  await testDb.db.insertInto('stripe_events').values([event('evt_Failed1', 'failed', union.id), event('evt_Done1', 'processed', union.id), event('evt_Theirs1', 'failed', other.id)]).execute();
});
afterAll(async () => {
  await testDb.drop();
});

const asAdmin = (req: request.Test) => req.set('Authorization', `Bearer ${union.staff.admin.token}`);

describe('the webhook event log for admins', () => {
  test('GET /api/webhook-events?status=failed lists the dead letters of the organization, with their errors', async () => {
    const res = await asAdmin(request(app).get('/api/webhook-events?status=failed'));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([expect.objectContaining({ id: 'evt_Failed1', status: 'failed', attempts: 10, last_error: 'Error: boom' })]);
  });

  test('treasurers and organizers cannot see the event log', async () => {
    for (const role of ['treasurer', 'organizer'] as const) {
      const res = await request(app).get('/api/webhook-events').set('Authorization', `Bearer ${union.staff[role].token}`);
      expect(res.status).toBe(403);
    }
  });

  test('POST /api/webhook-events/:id/retry puts a parked event back in line, wakes the processor and audits it', async () => {
    const res = await asAdmin(request(app).post('/api/webhook-events/evt_Failed1/retry'));
    expect(res.status).toBe(202);
    expect(notified).toBe(1);
    const row = await testDb.db.selectFrom('stripe_events').select(['status', 'last_error']).where('id', '=', 'evt_Failed1').executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending', last_error: null });
    const audit = await testDb.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', '=', 'webhook_event.requeued').execute();
    expect(audit).toEqual([{ action: 'webhook_event.requeued', subject_id: 'evt_Failed1' }]);
  });

  test("another organization's event is not found, and stays as it was", async () => {
    const res = await asAdmin(request(app).post('/api/webhook-events/evt_Theirs1/retry'));
    expect(res.status).toBe(404);
    const row = await testDb.db.selectFrom('stripe_events').select('status').where('id', '=', 'evt_Theirs1').executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
  });
});

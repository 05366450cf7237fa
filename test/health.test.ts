import request from 'supertest';
import { createDb } from '../db/connection';
import { freePort } from '../db/embedded';
import { createTestDatabase, type TestDatabase } from './support/database';
import { testApp, testContext } from './support/app';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

describe('health checks', () => {
  test('/healthz answers while the process is up, /readyz when the database is migrated and reachable', async () => {
    const app = testApp(testContext(testDb.db));
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  test('/readyz fails with 503 when the database is unreachable, and /healthz still answers', async () => {
    const port = await freePort();
    const unreachable = createDb(`postgres://nobody@127.0.0.1:${port}/none`, { max: 1 });
    try {
      const app = testApp(testContext(unreachable));
      const res = await request(app).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'not_ready', reason: 'database unreachable' });
      expect((await request(app).get('/healthz')).status).toBe(200);
    } finally {
      await unreachable.destroy();
    }
  });

  test('/favicon.ico is an icon (browsers ask for it on every page)', async () => {
    const res = await request(testApp(testContext(testDb.db))).get('/favicon.ico').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/x-icon');
    expect([...(res.body as Buffer).subarray(0, 4)]).toEqual([0, 0, 1, 0]);
  });
});

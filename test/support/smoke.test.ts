import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from './database';

let testDb: TestDatabase;
beforeAll(async () => { testDb = await createTestDatabase(); });
afterAll(async () => { await testDb.drop(); });

test('each file gets a migrated database', async () => {
  const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM organizations`.execute(testDb.db);
  expect(result.rows[0]!.n).toBe(0);
});

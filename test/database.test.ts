import { sql } from 'kysely';
import { Client } from 'pg';
import { createDb } from '../db/connection';
import { migrateToLatest, pendingMigrations } from '../db/migrate';
import { migrations } from '../db/migrations';
import { recordAudit } from '../src/audit/audit';
import { createTestDatabase, type TestDatabase } from './support/database';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

describe('the database', () => {
  test('the audit log refuses UPDATE, DELETE and TRUNCATE', async () => {
    await recordAudit(testDb.db, { organizationId: null, actorStaffUserId: null, action: 'test.recorded' });
    await expect(sql`UPDATE audit_log SET action = 'rewritten'`.execute(testDb.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log`.execute(testDb.db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(testDb.db)).rejects.toThrow(/append-only/);
    const rows = await testDb.db.selectFrom('audit_log').select('action').execute();
    expect(rows).toEqual([{ action: 'test.recorded' }]);
  });

  test('two instances migrating an empty database at once apply each migration exactly once', async () => {
    const serverUrl = process.env.GS_TEST_SERVER_URL!;
    const name = `${process.env.GS_TEST_TEMPLATE!.replace('template', 'file')}_empty_${Date.now()}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const first = createDb(url.toString(), { max: 2 });
    const second = createDb(url.toString(), { max: 2 });
    try {
      const [a, b] = await Promise.all([migrateToLatest(first), migrateToLatest(second)]);
      expect([...a, ...b].sort()).toEqual(Object.keys(migrations).sort());
      expect(await pendingMigrations(first)).toEqual([]);
      const applied = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration`.execute(first);
      expect(applied.rows[0]!.n).toBe(Object.keys(migrations).length);
    } finally {
      await first.destroy();
      await second.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});

import { sql } from 'kysely';
import { Client } from 'pg';
import { createDb, KEEP_PREPARED, PREPARED_PER_CONNECTION } from '../db/connection';
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
  test('with preparedStatements, a connection prepares each parameterised statement once and answers as before; past the limit, statements run unnamed', async () => {
    const prepared = createDb(testDb.url, { max: 1, preparedStatements: true });
    try {
      const preparedOnConnection = async () => (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'gs\_%'`.execute(prepared)).rows.map((r) => r.statement);
      for (let i = 0; i < 3; i += 1) {
        const row = await prepared.selectNoFrom(sql<number>`${i}::int + 1`.as('n')).executeTakeFirstOrThrow();
        expect(row.n).toBe(i + 1);
      }
      await sql`SELECT 1`.execute(prepared);
      // The first statement is the lookup itself, prepared on its first run.
      expect((await preparedOnConnection()).filter((text) => text.includes('::int + 1'))).toHaveLength(1);
      expect(await preparedOnConnection()).not.toContain('SELECT 1');

      for (let i = 0; i < PREPARED_PER_CONNECTION + 5; i += 1) await sql`SELECT ${i}::int AS ${sql.raw(`n${i}`)}`.execute(prepared);
      expect(await preparedOnConnection()).toHaveLength(PREPARED_PER_CONNECTION);
      const last = await sql<{ n204: number }>`SELECT ${7}::int AS n204`.execute(prepared);
      expect(last.rows).toEqual([{ n204: 7 }]);
    } finally {
      await prepared.destroy();
    }
  });

  test("with preparedStatements 'marked', only the statements opening with KEEP_PREPARED are prepared, and they answer as before", async () => {
    const marked = createDb(testDb.url, { max: 1, preparedStatements: 'marked' });
    try {
      const preparedOnConnection = async () => (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'gs\_%'`.execute(marked)).rows.map((r) => r.statement);
      for (let i = 0; i < 3; i += 1) {
        expect((await sql<{ n: number }>`${sql.raw(KEEP_PREPARED)} SELECT ${i}::int + 1 AS n`.execute(marked)).rows).toEqual([{ n: i + 1 }]);
        expect((await sql<{ n: number }>`SELECT ${i}::int + 2 AS n`.execute(marked)).rows).toEqual([{ n: i + 2 }]);
      }
      const statements = await preparedOnConnection();
      expect(statements.filter((text) => text.includes('::int + 1'))).toHaveLength(1);
      expect(statements.filter((text) => text.includes('::int + 2'))).toHaveLength(0);
    } finally {
      await marked.destroy();
    }
  });

  test('the audit log refuses UPDATE, DELETE and TRUNCATE', async () => {
    await recordAudit(testDb.db, { organizationId: null, actorStaffUserId: null, action: 'test.recorded', at: new Date() });
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

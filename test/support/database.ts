import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDb, type Db } from '../../db/connection';

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

function serverSettings(): { serverUrl: string; template: string } {
  const serverUrl = process.env.GS_TEST_SERVER_URL;
  const template = process.env.GS_TEST_TEMPLATE;
  if (!serverUrl || !template) throw new Error('test database settings missing: run the tests through jest (global setup)');
  return { serverUrl, template };
}

/** A fresh, migrated database of this test file's own, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { serverUrl, template } = serverSettings();
  const name = `${template.replace('template', 'file')}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        break;
      } catch (error) {
        // Another file cloning the template at the same instant holds it briefly.
        if (attempt >= 10 || !String((error as Error).message).includes('being accessed')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const db = createDb(url, { max: 5 });
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

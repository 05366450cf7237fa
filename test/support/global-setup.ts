import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createDb } from '../../db/connection';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../db/embedded';
import { migrateToLatest } from '../../db/migrate';

declare global {
  // Set by global setup, read by global teardown (same process).
  var goodStandingTestEmbedded: EmbeddedDatabase | undefined;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Finds a PostgreSQL server (TEST_DATABASE_URL, else DATABASE_URL, else an embedded one),
 * builds a migrated template database on it, and tells the test files where both are.
 * Each test file then clones its own database from the template.
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = path.join(__dirname, '..', '..', '.data', `test-postgres-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    const embedded = await startEmbeddedPostgres({ dataDir, database: 'postgres', persistent: false });
    globalThis.goodStandingTestEmbedded = embedded;
    serverUrl = embedded.url;
    process.stdout.write(`\ntests: no DATABASE_URL, using embedded PostgreSQL at ${new URL(serverUrl).host}\n`);
  }
  const template = `gs_test_template_${process.pid}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  const db = createDb(withDatabase(serverUrl, template), { max: 2 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  process.env.GS_TEST_SERVER_URL = serverUrl;
  process.env.GS_TEST_TEMPLATE = template;
  // Where the running-files reporter says which test files are running (this process is jest's own).
  process.env.GS_TEST_RUNNING_FILES = path.join(tmpdir(), `gs-test-running-${process.pid}.json`);
}

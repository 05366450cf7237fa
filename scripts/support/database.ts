import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { createDb, type Db } from '../../db/connection';
import { embeddedUrl, readPostmaster, startEmbeddedPostgres } from '../../db/embedded';
import { migrateToLatest } from '../../db/migrate';

/**
 * The database a command-line script works on: DATABASE_URL when set; otherwise the
 * embedded PostgreSQL under the data directory, reached on its running port when the
 * service has it up, or booted for the script's duration when it does not.
 */
export async function openScriptDatabase(): Promise<{ db: Db; close(): Promise<void>; where: string }> {
  const config = loadConfig();
  if (config.databaseUrl) {
    const db = createDb(config.databaseUrl, { max: 2 });
    return { db, where: new URL(config.databaseUrl).host, close: () => db.destroy() };
  }
  const dataDir = path.resolve(config.dataDir, 'postgres');
  const running = readPostmaster(dataDir);
  if (running?.alive) {
    const db = createDb(embeddedUrl(running.port, 'good_standing'), { max: 2 });
    return { db, where: `the running embedded PostgreSQL (port ${running.port})`, close: () => db.destroy() };
  }
  const embedded = await startEmbeddedPostgres({ dataDir, database: 'good_standing' });
  const db = createDb(embedded.url, { max: 2 });
  return {
    db,
    where: `the embedded PostgreSQL in ${dataDir}`,
    async close() {
      await db.destroy();
      await embedded.stop();
    },
  };
}

/**
 * Runs a script's body on its (migrated) database, printing a plain message rather than a
 * stack for failures, and exiting non-zero.
 */
export async function runScript(body: (db: Db, where: string) => Promise<void>, options: { migrate?: boolean } = {}): Promise<void> {
  let opened: Awaited<ReturnType<typeof openScriptDatabase>> | undefined;
  try {
    opened = await openScriptDatabase();
    if (options.migrate !== false) await migrateToLatest(opened.db);
    await body(opened.db, opened.where);
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    await opened?.close();
  }
}

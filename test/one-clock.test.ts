import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from './support/database';

// One clock: every time the service later compares with ctx.now() is written from it.
// These checks keep the two ways of breaking that from coming back: a column that fills
// itself from the database's clock, and code that reads a clock other than the service's.

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

const DATABASE_CLOCK = /\b(now|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday)\s*\(|\bcurrent_(timestamp|date|time)\b|\blocal(timestamp|time)\b/i;

test("no column, function or trigger of the migrated schema reads the database's clock", async () => {
  const defaults = await sql<{ at: string; expression: string }>`
    SELECT table_name || '.' || column_name AS at, column_default AS expression
    FROM information_schema.columns WHERE table_schema = current_schema() AND column_default IS NOT NULL`.execute(testDb.db);
  expect(defaults.rows.length).toBeGreaterThan(0);
  expect(defaults.rows.filter((row) => DATABASE_CLOCK.test(row.expression))).toEqual([]);

  const functions = await sql<{ name: string; source: string }>`
    SELECT p.proname AS name, p.prosrc AS source FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()`.execute(testDb.db);
  expect(functions.rows.length).toBeGreaterThan(0);
  expect(functions.rows.filter((row) => DATABASE_CLOCK.test(row.source)).map((row) => row.name)).toEqual([]);
});

const ROOT = path.join(__dirname, '..');

function sourceFiles(directory: string): string[] {
  return readdirSync(path.join(ROOT, directory), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(relative);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [relative] : [];
  });
}

test("the service's code reads the time only through its clock, and its SQL never asks the database for it", () => {
  const files = ['src', 'webhooks', 'db'].flatMap(sourceFiles);
  expect(files.length).toBeGreaterThan(50);
  const offences: string[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    // Comments may name what they avoid.
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
    if (file !== path.join('src', 'context.ts') && /\bDate\.now\(\)|\bnew Date\(\s*\)/.test(code)) offences.push(`${file}: reads the machine's clock (use ctx.now() / the injected clock)`);
    // Template literals are where the SQL is; their ${...} parts are JavaScript.
    for (const literal of code.match(/`[^`]*`/g) ?? []) {
      if (DATABASE_CLOCK.test(literal.replace(/\$\{[^}]*\}/g, ''))) offences.push(`${file}: SQL reads the database's clock: ${literal.slice(0, 80)}`);
    }
  }
  expect(offences).toEqual([]);
});

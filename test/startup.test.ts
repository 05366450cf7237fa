import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { readPostmaster } from '../db/embedded';
import { startStripeSandbox } from '../scripts/stripe-sandbox/server';
import { createStripeClient } from '../src/stripe/client';
import { setUpStripe } from '../src/stripe/setup';
import { createTestDatabase, type TestDatabase } from './support/database';

// `npm start` as a person runs it: real processes, real ports, a real embedded PostgreSQL.
// Every failure to start is one plain sentence on stderr and a non-zero exit; "ready" is
// said only once the port is listening.

const ROOT = path.join(__dirname, '..');

interface Started {
  child: ChildProcess;
  output: () => string;
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  /** The exit code, or the signal that ended the process when it did not exit itself. */
  exited: Promise<number | NodeJS.Signals | null>;
}

function start(env: Record<string, string | undefined>): Started {
  const environment: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', STRIPE_API_BASE: 'http://127.0.0.1:9', ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete environment[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    output: () => output,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`waited for ${pattern} in:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    exited,
  };
}

/** The one sentence a failed start prints (the lines before it are the JSON log). */
const sentenceOf = (output: string): string | undefined => output.split('\n').find((line) => line.startsWith('Good Standing cannot start: '));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let testDb: TestDatabase;
const temporary: string[] = [];
const running: Started[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gs-start-'));
  // As root, the embedded PostgreSQL runs as the postgres user, who must reach its directory.
  chmodSync(dir, 0o755);
  temporary.push(dir);
  return dir;
};

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  for (const started of running) if (started.child.exitCode === null) started.child.kill('SIGKILL');
  // A PostgreSQL orphaned on purpose by a test that failed half way must not outlive the run.
  for (const dir of temporary) {
    const postmaster = readPostmaster(path.join(dir, 'postgres'));
    if (postmaster?.alive) process.kill(postmaster.pid, 'SIGINT');
  }
  await testDb.drop();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

test('a port already in use: one sentence naming it, exit 1, and no "ready"', async () => {
  const holder: Server = await new Promise((resolve) => {
    const server = createServer();
    server.listen(0, () => resolve(server));
  });
  const port = (holder.address() as { port: number }).port;
  try {
    const started = start({ DATABASE_URL: testDb.url, PORT: String(port), DATA_DIR: tempDir() });
    expect(await started.exited).toBe(1);
    expect(sentenceOf(started.output())).toBe(`Good Standing cannot start: port ${port} is already in use by another program: stop it, or set PORT to a free port`);
    expect(started.output()).not.toMatch(/is ready/);
  } finally {
    holder.close();
  }
});

test('a database that cannot be reached: one sentence with its host and port', async () => {
  const started = start({ DATABASE_URL: 'postgres://gs@127.0.0.1:1/nowhere', PORT: '0', DATA_DIR: tempDir() });
  expect(await started.exited).toBe(1);
  expect(sentenceOf(started.output())).toMatch(/^Good Standing cannot start: the database cannot be reached at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
});

test('a migration that fails: one sentence naming it, and nothing of the run applied', async () => {
  const broken = await createTestDatabase();
  try {
    const client = new Client({ connectionString: broken.url });
    await client.connect();
    // Not a fresh database after all: something already holds a table the first migration creates.
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE TABLE organizations (note text)');
    const started = start({ DATABASE_URL: broken.url, PORT: '0', DATA_DIR: tempDir() });
    expect(await started.exited).toBe(1);
    expect(sentenceOf(started.output())).toMatch(/^Good Standing cannot start: migration 0001_foundation failed: relation "organizations" already exists/);
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'members'`);
    expect(rows[0].n).toBe(0);
    await client.end();
  } finally {
    await broken.drop();
  }
});

test('a second start on the same data directory is refused with the running one\'s pid; kill -9 of the first leaves its PostgreSQL, which the next start stops before its own', async () => {
  const dataDir = tempDir();
  const embedded = { DATABASE_URL: undefined, TEST_DATABASE_URL: undefined, DATA_DIR: dataDir, PORT: '0' };
  const first = start(embedded);
  running.push(first);
  await first.waitFor(/is ready at http:\/\/localhost:(\d+)/);
  const url = /is ready at (http:\/\/localhost:\d+)/.exec(first.output())![1]!;
  expect((await fetch(`${url}/readyz`)).status).toBe(200);

  const second = start({ ...embedded });
  expect(await second.exited).toBe(1);
  expect(sentenceOf(second.output())).toBe(
    `Good Standing cannot start: another Good Standing (pid ${first.child.pid}) is running on the data directory ${path.join(dataDir, 'postgres')}: stop it first, or start this one with another DATA_DIR`,
  );
  // The running one was not touched.
  expect((await fetch(`${url}/readyz`)).status).toBe(200);

  const postmaster = readPostmaster(path.join(dataDir, 'postgres'))!;
  first.child.kill('SIGKILL');
  await first.exited;
  expect(alive(postmaster.pid)).toBe(true);
  expect(readFileSync(path.join(dataDir, 'postgres.owner.pid'), 'utf8').trim()).toBe(String(first.child.pid));

  const third = start({ ...embedded });
  running.push(third);
  await third.waitFor(/is ready at/);
  expect(third.output()).toContain(`an embedded PostgreSQL (pid ${postmaster.pid}) was left running on ${path.join(dataDir, 'postgres')} by a Good Standing that stopped without shutting it down: stopping it`);
  expect(alive(postmaster.pid)).toBe(false);
  const fresh = readPostmaster(path.join(dataDir, 'postgres'))!;
  expect(fresh.pid).not.toBe(postmaster.pid);

  // A clean stop takes its PostgreSQL and its claim on the data directory with it.
  third.child.kill('SIGTERM');
  expect(await third.exited).toBe(0);
  expect(alive(fresh.pid)).toBe(false);
  expect(() => readFileSync(path.join(dataDir, 'postgres.owner.pid'))).toThrow();
  // Three starts, each booting PostgreSQL.
}, 240_000);

test('against a Stripe account, the start warns that the webhook endpoint is missing, and is content once stripe-setup has run', async () => {
  const sandbox = await startStripeSandbox();
  try {
    const publicUrl = 'https://dues.example.org';
    const account = { DATABASE_URL: testDb.url, PORT: '0', DATA_DIR: tempDir(), STRIPE_API_BASE: sandbox.url, STRIPE_SECRET_KEY: 'sk_test_startup_check_0123456789', PUBLIC_URL: publicUrl };
    const before = start(account);
    running.push(before);
    await before.waitFor(/is ready at/);
    expect(before.output()).toContain(`stripe: the API at ${sandbox.url} (STRIPE_API_BASE)`);
    expect(before.output()).toContain(`stripe: the webhook endpoint at ${publicUrl}/webhooks/stripe is not registered with Stripe; run \`npm run stripe-setup\` to set it up`);
    before.child.kill('SIGTERM');
    expect(await before.exited).toBe(0);

    await setUpStripe(testDb.db, createStripeClient({ secretKey: 'sk_test_startup_check_0123456789', apiBase: sandbox.url }), publicUrl);
    const after = start(account);
    running.push(after);
    await after.waitFor(/is ready at/);
    expect(after.output()).toContain('stripe: the webhook endpoint is registered with the events we handle');
    expect(after.output()).not.toContain('stripe-setup');
    after.child.kill('SIGTERM');
    expect(await after.exited).toBe(0);
  } finally {
    await sandbox.close();
  }
}, 120_000);

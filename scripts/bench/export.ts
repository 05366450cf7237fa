// Ledger export benchmark (`npm run bench:export`):
//   csv  — 1,000,000 ledger transactions (2,000,000 entries) exported as CSV over HTTP from
//          the real app in its own process, beside psql's `\copy (same query) to stdout csv`
//          of the same rows, measured in the same run (each twice, alternating; the better
//          of each is compared); the service's peak RSS is read from /proc while it streams;
//   xlsx — 100,000 transactions of another organization exported as XLSX, timed.
// The service runs compiled to JavaScript, as the production image runs it (tsx alone adds
// some 60 MB of resident memory); --tsx runs it under tsx instead.
// Flags: --rows 1000000 --xlsx-rows 100000 --tsx; env BENCH_SERVICE_NODE_OPTIONS for the service's node flags.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openStaffSession } from '../../src/auth/sessions';
import { loadConfig } from '../../src/config/config';
import { insertOrganization } from '../../src/organizations/queries';
import { grantRole, upsertStaffUser } from '../../src/staff/queries';
import { ledgerExportQuery } from '../../src/treasurer/queries';
import type { Db } from '../../db/connection';
import { generateLedgerRows } from './ledger-rows';
import { benchDatabase, spawnServer } from './support';

const { values: flags } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, 'xlsx-rows': { type: 'string', default: '100000' }, tsx: { type: 'boolean', default: false } } });
const log = (line: string) => process.stdout.write(`${line}\n`);
const MB = 1024 * 1024;
const PSQL = process.env.PSQL ?? '/usr/bin/psql';

interface Run {
  lines: number;
  bytes: number;
  seconds: number;
  firstByteMs: number;
}

/** An organization in UTC with a treasurer's token, and `count` generated transactions. */
async function organizationWithRows(db: Db, slug: string, count: number): Promise<{ id: string; token: string }> {
  const now = new Date();
  const organization = await insertOrganization(db, { slug, name: `${slug} union`, timeZone: 'UTC', currency: 'usd' }, now);
  const user = await upsertStaffUser(db, { email: `treasurer@${slug}.example.org`, name: 'Bench Treasurer' }, now);
  await grantRole(db, organization.id, user.id, 'treasurer', now);
  const started = Date.now();
  await generateLedgerRows(db, organization.id, count);
  log(`generated ${count.toLocaleString('en')} transactions for ${slug} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const { token } = await openStaffSession(db, loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }).jwtSecret, { staffUserId: user.id, organizationId: organization.id, roles: ['treasurer'], via: 'issued_token' }, 3600, now);
  return { id: organization.id, token };
}

/** Counts what arrives without keeping it. */
function counting(onData: (chunk: Buffer) => void, started: bigint) {
  const run: Run = { lines: 0, bytes: 0, seconds: 0, firstByteMs: -1 };
  return {
    run,
    data(chunk: Buffer) {
      if (run.firstByteMs < 0) run.firstByteMs = Number(process.hrtime.bigint() - started) / 1e6;
      run.bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) run.lines += 1;
      onData(chunk);
    },
    end() {
      run.seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return run;
    },
  };
}

function overHttp(url: string, path: string, token: string): Promise<Run> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    get(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`export answered ${res.statusCode}`));
      const counter = counting(() => undefined, started);
      res.on('data', counter.data);
      res.on('end', () => resolve(counter.end()));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The export's own query, with its parameters written in, as one line for psql's \copy. */
function copySql(db: Db, organizationId: string): string {
  const compiled = ledgerExportQuery(organizationId, 'UTC', {}).compile(db);
  const literal = (value: unknown) => `'${String(value).replace(/'/g, "''")}'`;
  return compiled.sql.replace(/\$(\d+)/g, (_match, n: string) => literal(compiled.parameters[Number(n) - 1])).replace(/\s+/g, ' ');
}

function overCopy(databaseUrl: string, query: string): Promise<Run> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(PSQL, [databaseUrl, '-X', '-q', '-c', `\\copy (${query}) to stdout csv header`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const counter = counting(() => undefined, started);
    child.stdout.on('data', counter.data);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(counter.end()) : reject(new Error(`psql exited with ${code}`))));
  });
}

/** The benchmark's service compiled with tsc (it and everything it imports), started with plain node. */
async function compiledService(env: NodeJS.ProcessEnv): Promise<{ url: string; child: ReturnType<typeof spawn>; stop(): Promise<void> }> {
  const build = path.resolve('.data', `bench-export-build-${process.pid}`);
  const tsc = require.resolve('typescript/bin/tsc');
  const options = ['--outDir', build, '--rootDir', '.', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--esModuleInterop', '--skipLibCheck', '--resolveJsonModule', '--strict'];
  execFileSync(process.execPath, [tsc, 'scripts/bench/export-server.ts', ...options], { stdio: 'inherit' });
  const child = spawn(process.execPath, [path.join(build, 'scripts/bench/export-server.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /LISTENING (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}:\n${output}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          rmSync(build, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Resident memory of a process now and at its peak, from /proc (Linux). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

const rate = (rows: number, run: Run) => rows / run.seconds;
const describe = (name: string, rows: number, run: Run) =>
  `${name.padEnd(26)} ${rate(rows, run).toFixed(0).padStart(8)} rows/s   ${run.seconds.toFixed(2).padStart(7)} s   ${(run.bytes / MB).toFixed(1)} MB   first byte ${run.firstByteMs.toFixed(0)} ms`;

async function main(): Promise<void> {
  const rows = Number(flags.rows);
  const xlsxRows = Number(flags['xlsx-rows']);
  const bench = await benchDatabase();
  try {
    const big = await organizationWithRows(bench.db, 'bench-csv', rows);
    const small = await organizationWithRows(bench.db, 'bench-xlsx', xlsxRows);
    // BENCH_SERVICE_NODE_OPTIONS tries V8 settings on the service alone (e.g. --max-semi-space-size=2).
    const env = { BENCH_DATABASE_URL: bench.url, NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS ?? '' };
    const server = flags.tsx ? await spawnServer('scripts/bench/export-server.ts', env) : await compiledService(env);
    log(`service: ${flags.tsx ? 'TypeScript under tsx' : 'compiled JavaScript'}`);
    try {
      const pid = server.child.pid!;
      await overHttp(server.url, '/api/ledger/export?to=2026-01-02', big.token); // warm-up: JIT, pool connections
      const idle = memoryOf(pid).rss;
      log(`service idle RSS ${(idle / MB).toFixed(0)} MB`);
      const query = copySql(bench.db, big.id);

      log(`\n== CSV: ${rows.toLocaleString('en')} transactions`);
      const http: Run[] = [];
      const copy: Run[] = [];
      let peakDuringExport = 0;
      for (let round = 1; round <= 2; round += 1) {
        const sample = setInterval(() => (peakDuringExport = Math.max(peakDuringExport, memoryOf(pid).rss)), 100);
        const viaHttp = await overHttp(server.url, '/api/ledger/export?format=csv', big.token);
        clearInterval(sample);
        if (viaHttp.lines !== rows + 1) throw new Error(`the export sent ${viaHttp.lines - 1} rows, not ${rows}`);
        http.push(viaHttp);
        log(describe(`service CSV (round ${round})`, rows, viaHttp));
        const viaCopy = await overCopy(bench.url, query);
        if (viaCopy.lines !== rows + 1) throw new Error(`COPY sent ${viaCopy.lines - 1} rows, not ${rows}`);
        copy.push(viaCopy);
        log(describe(`psql \\copy (round ${round})`, rows, viaCopy));
      }
      const best = (runs: Run[]) => runs.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
      const ratio = rate(rows, best(http)) / rate(rows, best(copy));
      const peak = Math.max(peakDuringExport, memoryOf(pid).peak);
      log(`service / COPY throughput: ${(ratio * 100).toFixed(0)}%  (aim ≥ 50%)   service peak RSS ${(peak / MB).toFixed(0)} MB (aim < 200 MB), ${((peak - idle) / MB).toFixed(0)} MB over idle`);

      log(`\n== XLSX: ${xlsxRows.toLocaleString('en')} transactions`);
      const xlsx = await overHttp(server.url, '/api/ledger/export?format=xlsx', small.token);
      log(describe('service XLSX', xlsxRows, xlsx));
      log(`service peak RSS after XLSX ${(memoryOf(pid).peak / MB).toFixed(0)} MB`);
    } finally {
      await server.stop();
    }
  } finally {
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector';
import path from 'node:path';
import { Client } from 'pg';
import { createDb, type Db } from '../../db/connection';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../db/embedded';
import { migrateToLatest } from '../../db/migrate';

export interface BenchDatabase {
  url: string;
  db: Db;
  /**
   * A copy of this database as it stands, so that one generated state can be measured
   * several times. PostgreSQL copies only a database nobody is connected to: this closes
   * `db` for good, and the caller must have closed every other pool on it.
   */
  copy(suffix: string): Promise<BenchDatabase>;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function databaseOnServer(serverUrl: string, name: string, db: Db, afterDrop: () => Promise<void>): BenchDatabase {
  let open = true;
  const close = async () => {
    if (open) await db.destroy();
    open = false;
  };
  return {
    url: databaseUrl(serverUrl, name),
    db,
    async copy(suffix) {
      await close();
      const copyName = `${name}_${suffix}`;
      // FILE_COPY copies the files at a checkpoint: much faster than WAL_LOG for a large database.
      await onServer(serverUrl, `CREATE DATABASE ${copyName} TEMPLATE ${name} STRATEGY FILE_COPY`);
      return databaseOnServer(serverUrl, copyName, createDb(databaseUrl(serverUrl, copyName), { max: 20 }), async () => undefined);
    },
    async drop() {
      await close();
      await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await afterDrop();
    },
  };
}

/** A fresh, migrated database for one benchmark run: on DATABASE_URL's server, or an embedded one. */
/** `--name N` on the command line, a positive whole number, or the fallback. */
export function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} takes a positive whole number`);
  return value;
}

export async function benchDatabase(): Promise<BenchDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.resolve('.data', `bench-postgres-${process.pid}`), database: 'postgres', persistent: false });
    serverUrl = embedded.url;
  }
  const name = `gs_bench_${process.pid}_${Date.now()}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const db = createDb(databaseUrl(serverUrl, name), { max: 20 });
  await migrateToLatest(db);
  return databaseOnServer(serverUrl, name, db, async () => {
    await embedded?.stop();
  });
}

/** Runs a TypeScript entry point in its own process and waits for it to print `LISTENING <url>`. */
export async function spawnServer(file: string, env: NodeJS.ProcessEnv, readyPattern = /LISTENING (\S+)/): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  // BENCH_CPU_PROF_DIR=dir writes a V8 CPU profile of each server there (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = readyPattern.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready:\n${output}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Sends prepared requests over keep-alive connections, `concurrency` at a time, and measures each. */
export async function runLoad(target: string, requests: Array<{ method: string; path: string; headers: Record<string, string>; body?: string }>, concurrency: number): Promise<LoadResult> {
  const url = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  async function worker(): Promise<void> {
    for (;;) {
      const index = next;
      next += 1;
      if (index >= requests.length) return;
      const spec = requests[index]!;
      const sentAt = process.hrtime.bigint();
      const status = await new Promise<number>((resolve) => {
        const req = request({ host: url.hostname, port: url.port, method: spec.method, path: spec.path, headers: spec.headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(0));
        req.end(spec.body);
      });
      latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
      if (status < 200 || status >= 300) errors += 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: requests.length, errors, seconds, perSecond: requests.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

export const formatLoad = (name: string, r: LoadResult): string =>
  `${name.padEnd(28)} ${r.perSecond.toFixed(0).padStart(7)} req/s   p50 ${r.p50Ms.toFixed(1).padStart(6)} ms   p99 ${r.p99Ms.toFixed(1).padStart(6)} ms   (${r.requests} requests, ${r.errors} errors, ${r.seconds.toFixed(1)} s)`;

/** Whether wrk (Debian's package `wrk`) is installed: a load generator in C leaves the cores to the server under test. */
export function wrkAvailable(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version prints its usage and exits 1; only a missing binary is an error here.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

const WRK_THREADS = 2;

/**
 * Sends prepared requests with wrk, `concurrency` connections over two threads, each
 * request once. The last `concurrency` requests are spares for the requests in flight
 * when a thread has its share.
 */
export async function runWrkLoad(target: string, requests: Array<{ method: string; path: string; headers: Record<string, string>; body?: string }>, concurrency: number): Promise<LoadResult> {
  const folder = mkdtempSync(path.join(tmpdir(), 'gs-wrk-'));
  try {
    const file = path.join(folder, 'requests.tsv');
    const fields = (r: (typeof requests)[number]) => [r.method, r.path, ...Object.entries(r.headers).flat(), r.body ?? ''];
    if (requests.some((r) => fields(r).some((field) => ['\t', '\n', '\x1f'].some((separator) => field.includes(separator))))) throw new Error('requests for wrk cannot hold tabs, newlines or \\x1f');
    const line = (r: (typeof requests)[number]) => [r.method, r.path, Object.entries(r.headers).map(([name, value]) => `${name}: ${value}`).join('\x1f'), r.body ?? ''].join('\t');
    writeFileSync(file, requests.map(line).join('\n') + '\n');
    const quota = Math.floor((requests.length - concurrency) / WRK_THREADS);
    const script = path.resolve(__dirname, 'wrk-replay.lua');
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', ['-t', String(WRK_THREADS), '-c', String(concurrency), '-d', '300s', '--timeout', '30s', '-s', script, target, '--', file, String(WRK_THREADS), String(quota)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.split('thread done').length - 1 === WRK_THREADS) child.kill('SIGINT');
      });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}:\n${out}`))));
    });
    const summary = JSON.parse(output.trim().split('\n').at(-1)!) as { requests: number; durationUs: number; errors: number; p50Us: number; p99Us: number };
    const seconds = summary.durationUs / 1e6;
    return { requests: summary.requests, errors: summary.errors, seconds, perSecond: summary.requests / seconds, p50Ms: summary.p50Us / 1000, p99Ms: summary.p99Us / 1000 };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** CPU seconds used so far by the processes the benchmark names, read from Linux's /proc (undefined elsewhere). */
export interface CpuSample {
  self: number;
  byPid: Map<number, number>;
  /** Every process named `postgres` now running (its backends that have exited are not counted). */
  postgres: number;
  /** Busy and total CPU seconds of the whole machine. */
  machineBusy: number;
  machineTotal: number;
}

const TICKS_PER_SECOND = 100;

function processCpuSeconds(pid: number | 'self'): { name: string; seconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted after the name's closing parenthesis.
    return { name: stat.slice(stat.indexOf('(') + 1, close), seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

export function cpuSample(pids: number[]): CpuSample | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const byPid = new Map(pids.map((pid) => [pid, processCpuSeconds(pid)?.seconds ?? 0]));
  let postgres = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const process = processCpuSeconds(Number(entry));
    if (process?.name === 'postgres') postgres += process.seconds;
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const total = cpu.slice(0, 8).reduce((sum, ticks) => sum + ticks, 0);
  const idle = cpu[3]! + cpu[4]!;
  return { self: processCpuSeconds('self')?.seconds ?? 0, byPid, postgres, machineBusy: (total - idle) / TICKS_PER_SECOND, machineTotal: total / TICKS_PER_SECOND };
}

/**
 * With BENCH_CPU_PROF_DIR set, profiles this process's CPU from now until the returned
 * function is called, and writes the profile there (as `--cpu-prof` does for the servers).
 */
export async function profileThisProcess(name: string): Promise<() => Promise<void>> {
  const folder = process.env.BENCH_CPU_PROF_DIR;
  if (!folder) return async () => undefined;
  const session = new Session();
  session.connect();
  const post = <T>(method: string) => new Promise<T>((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result as T))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const { profile } = await post<{ profile: object }>('Profiler.stop');
    session.disconnect();
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `${name}-${process.pid}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
  };
}

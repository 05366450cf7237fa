/**
 * Signup page benchmark: GET /join/:orgSlug at a fixed concurrency for a fixed time, over
 * loopback keep-alive connections, against the real app (its own process) on a real
 * database holding an organization with three plans and its dues authorization. Each
 * request is a first visit (no cookie), so each one also gets a fresh CSRF nonce.
 *
 *   npm run bench:signup -- [--seconds 10] [--concurrency 32]
 *
 * Uses DATABASE_URL's server when set, otherwise an embedded PostgreSQL; the benchmark
 * database is dropped at the end. Aim: at least 500 requests/s with p99 under 50 ms.
 */
import { Agent, request } from 'node:http';
import path from 'node:path';
import { DEMO_PLANS } from '../../src/demo/seed';
import { insertPlan, insertPlanVersion } from '../../src/plans/queries';
import { storeDefaultAuthorization } from '../../src/signup/queries';
import { benchDatabase, flag, spawnServer } from './support';

const SECONDS = flag('seconds', 10);
const CONCURRENCY = flag('concurrency', 32);
const WARM_UP_SECONDS = 2;

interface Run {
  requests: number;
  errors: number;
  bytes: number;
  latenciesMs: number[];
  seconds: number;
}

/** Keeps `concurrency` requests in flight until the time is up; every answer must be a 200. */
async function load(target: URL, pathname: string, seconds: number, concurrency: number): Promise<Run> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const run: Run = { requests: 0, errors: 0, bytes: 0, latenciesMs: [], seconds: 0 };
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(seconds * 1e9);
  async function worker(n: number): Promise<void> {
    while (process.hrtime.bigint() < deadline) {
      const sentAt = process.hrtime.bigint();
      const headers = { Accept: 'text/html', 'Accept-Language': n % 2 === 0 ? 'en-US,en;q=0.9' : 'es-MX,es;q=0.9' };
      const result = await new Promise<{ status: number; bytes: number }>((resolve) => {
        const req = request({ host: target.hostname, port: target.port, path: pathname, headers, agent }, (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        });
        req.on('error', () => resolve({ status: 0, bytes: 0 }));
        req.end();
      });
      run.latenciesMs.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
      run.requests += 1;
      run.bytes += result.bytes;
      if (result.status !== 200) run.errors += 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, n) => worker(n)));
  run.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  run.latenciesMs.sort((a, b) => a - b);
  return run;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function main(): Promise<void> {
  const bench = await benchDatabase();
  const server = await spawnServer(path.join(__dirname, 'signup-server.ts'), { BENCH_DATABASE_URL: bench.url });
  const now = new Date();
  try {
    const organization = await bench.db
      .insertInto('organizations')
      .values({ slug: 'bench-local', name: 'Bench Local 500', time_zone: 'America/Chicago', currency: 'usd', settings: '{}', created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    for (const spec of DEMO_PLANS) {
      const plan = await insertPlan(bench.db, { organization_id: organization.id, name: spec.name, currency: 'usd', billing_interval: 'month' }, now);
      await insertPlanVersion(bench.db, {
        organization_id: organization.id,
        plan_id: plan.id,
        version: 1,
        effective_from: '2020-01-01',
        amount_rule: JSON.stringify(spec.rule),
        initiation_fee_cents: spec.initiationFeeCents ?? null,
        authorization_note: 'benchmark',
      }, now);
    }
    await storeDefaultAuthorization(bench.db, organization, now);

    const target = new URL(server.url);
    await load(target, '/join/bench-local', WARM_UP_SECONDS, CONCURRENCY);
    const run = await load(target, '/join/bench-local', SECONDS, CONCURRENCY);
    const perSecond = run.requests / run.seconds;
    const p50 = percentile(run.latenciesMs, 50);
    const p99 = percentile(run.latenciesMs, 99);
    const lines = [
      `GET /join/:orgSlug, concurrency ${CONCURRENCY}, ${run.seconds.toFixed(1)} s over loopback (after ${WARM_UP_SECONDS} s of warm-up)`,
      `  ${perSecond.toFixed(0)} req/s   p50 ${p50.toFixed(1)} ms   p99 ${p99.toFixed(1)} ms   max ${run.latenciesMs.at(-1)?.toFixed(1) ?? '-'} ms`,
      `  ${run.requests} requests, ${run.errors} errors, ${(run.bytes / run.requests / 1024).toFixed(1)} KB a page`,
      `  aim: >= 500 req/s and p99 < 50 ms: ${perSecond >= 500 && p99 < 50 ? 'met' : 'NOT met'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (run.errors > 0) process.exitCode = 1;
  } finally {
    await server.stop();
    await bench.drop();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

// Webhook benchmark (`npm run bench:webhooks`):
//   ingest     — signed events POSTed over loopback at concurrency 64 to the service's receiver,
//                beside a bare node:http server that verifies the same signature and does one
//                INSERT into the same database, measured in the same run;
//   processing — a stored backlog of events from realistic lifecycles played on the Stripe
//                sandbox, processed into the ledger by concurrent processors.
// Flags: --ingest-events 20000 --concurrency 64 --members 400 --months 12 --processors 8
//        --runs 1 (processing runs, each on its own copy of the one generated backlog;
//        --processors 8,16 takes turns between the counts, run by run, to compare them)
//        --skip-ingest --skip-processing
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { sql, type KyselyPlugin } from 'kysely';
import pino from 'pino';
import Stripe from 'stripe';
import { createDb } from '../../db/connection';
import { buildApp } from '../../src/app';
import { checkLedger } from '../../src/ledger/check';
import { createStripeClient, STRIPE_API_VERSION } from '../../src/stripe/client';
import { HANDLED_EVENT_TYPES } from '../../webhooks/handlers';
import { memberMetadata } from '../../src/stripe/metadata';
import { processDueEvents, type ProcessReport } from '../../webhooks/processor';
import { benchContext } from './bench-app';
import { benchDatabase, cpuSample, formatLoad, profileThisProcess, runLoad, runWrkLoad, spawnServer, wrkAvailable, type BenchDatabase, type CpuSample } from './support';

const { values: flags } = parseArgs({
  options: {
    'ingest-events': { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    members: { type: 'string', default: '400' },
    months: { type: 'string', default: '12' },
    processors: { type: 'string', default: '8' },
    runs: { type: 'string', default: '1' },
    'skip-ingest': { type: 'boolean', default: false },
    'skip-processing': { type: 'boolean', default: false },
  },
});
for (const name of ['ingest-events', 'concurrency', 'members', 'months', 'processors', 'runs'] as const) {
  if (!(name === 'processors' ? /^[1-9]\d*(,[1-9]\d*)*$/ : /^[1-9]\d*$/).test(flags[name])) {
    process.stderr.write(`--${name} must be a whole number of at least 1${name === 'processors' ? ', or several separated by commas' : ''} (got ${flags[name]})\n`);
    process.exit(2);
  }
}
const log = (line: string) => process.stdout.write(`${line}\n`);
const SECRET = `whsec_${randomBytes(24).toString('hex')}`;

function syntheticEvent(index: number): string {
  // About the size of a real invoice.paid event (a few kilobytes).
  const lines = Array.from({ length: 3 }, (_, i) => ({ id: `il_${index}_${i}`, object: 'line_item', amount: 2500, currency: 'usd', description: 'Monthly dues', period: { start: 1767625200, end: 1770303600 }, metadata: {} }));
  return JSON.stringify({
    id: `evt_bench${index.toString(36)}${randomBytes(6).toString('hex')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'invoice.paid',
    data: { object: { id: `in_bench${index}`, object: 'invoice', customer: `cus_bench${index % 5000}`, amount_paid: 2500, currency: 'usd', status: 'paid', lines: { object: 'list', data: lines, has_more: false }, metadata: { note: 'x'.repeat(1500) } } },
  });
}

async function ingest(bench: BenchDatabase): Promise<void> {
  const count = Number(flags['ingest-events']);
  const concurrency = Number(flags.concurrency);
  // wrk, where installed, is the load generator: in C, it leaves the two cores to the servers
  // (as Stripe's deliveries would); the Node one competes with them for CPU.
  const withWrk = wrkAvailable();
  const load = withWrk ? runWrkLoad : runLoad;
  log(`\n== ingest: ${count} signed events per server at concurrency ${concurrency}, sent by ${withWrk ? 'wrk' : 'a Node load generator (apt-get install wrk for one that uses less CPU)'}`);
  let serial = 0;
  const prepare = (n: number) =>
    Array.from({ length: n }, () => {
      const i = serial++;
      const body = syntheticEvent(i);
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET });
      return { method: 'POST', path: '/webhooks/stripe', headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature }, body };
    });
  const results: Record<string, Awaited<ReturnType<typeof runLoad>>> = {};
  for (const mode of ['baseline', 'app'] as const) {
    const server = await spawnServer('scripts/bench/ingest-server.ts', { BENCH_MODE: mode, BENCH_DATABASE_URL: bench.url, BENCH_WEBHOOK_SECRET: SECRET });
    try {
      await load(server.url, prepare(500 + concurrency), concurrency); // warm-up: JIT, pool connections
      results[mode] = await load(server.url, prepare(count + (withWrk ? concurrency : 0)), concurrency);
      log(formatLoad(mode === 'app' ? 'service receiver' : 'baseline (node:http+INSERT)', results[mode]!));
    } finally {
      await server.stop();
    }
  }
  // The synthetic events name invoices no Stripe knows: out of the way of the processing phase.
  await bench.db.deleteFrom('stripe_events').execute();
  const ratio = results.app!.perSecond / results.baseline!.perSecond;
  log(`receiver / baseline throughput: ${(ratio * 100).toFixed(0)}%  (aim ≥ 50%)   receiver p99 ${results.app!.p99Ms.toFixed(1)} ms (aim < 50 ms)`);
}

async function processing(bench: BenchDatabase): Promise<void> {
  const members = Number(flags.members);
  const months = Number(flags.months);
  const processorCounts = flags.processors.split(',').map(Number);
  log(`\n== processing: lifecycles of ${members} members over ${months} months, processed by ${processorCounts.join(' or ')} concurrent processors`);
  const ctx = benchContext(bench.url, { db: bench.db, webhookSecrets: [] });
  const receiver = buildApp(ctx).listen(0, '127.0.0.1');
  await new Promise((resolve) => receiver.once('listening', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/stripe`;
  const sandbox = await spawnServer('scripts/stripe-sandbox/main.ts', { PORT: '0' }, /listening on (\S+)/);
  const stripe = createStripeClient({ secretKey: 'sk_test_bench', apiBase: sandbox.url, maxNetworkRetries: 2 });
  // Subscribed to the event types the service handles, as the service registers itself.
  const endpoint = await stripe.webhookEndpoints.create({ url: receiverUrl, enabled_events: HANDLED_EVENT_TYPES as Stripe.WebhookEndpointCreateParams.EnabledEvent[], api_version: STRIPE_API_VERSION });
  ctx.webhookSecrets.push(endpoint.secret!);
  const control = async (path: string, body: Record<string, string> = {}) => {
    const response = await fetch(`${sandbox.url}/_sandbox${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`sandbox ${path}: ${response.status} ${await response.text()}`);
  };

  try {
    const organization = await bench.db.insertInto('organizations').values({ slug: 'bench-union', name: 'Bench Union', time_zone: 'America/Chicago', currency: 'usd', settings: '{}', created_at: new Date(), updated_at: new Date() }).returningAll().executeTakeFirstOrThrow();
    const generationStarted = Date.now();
    const start = Math.floor(Date.UTC(2026, 0, 5, 15) / 1000);
    const paymentMethods = ['pm_card_visa', 'pm_card_visa', 'pm_card_visa', 'pm_card_visa', 'pm_usBankAccount_success', 'pm_card_createDispute'];
    const clocks: string[] = [];
    for (let batch = 0; batch < members; batch += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, members - batch) }, async (_, offset) => {
          const n = batch + offset;
          const member = await bench.db.insertInto('members').values({ organization_id: organization.id, name: `Member ${n}`, email: `member${n}@bench.example.org`, created_at: new Date(), updated_at: new Date(), standing_changed_at: new Date() }).returning('id').executeTakeFirstOrThrow();
          const metadata = memberMetadata({ organizationId: organization.id, memberId: member.id });
          const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
          const customer = await stripe.customers.create({ email: `member${n}@bench.example.org`, metadata, test_clock: clock.id });
          const session = await stripe.checkout.sessions.create({
            mode: 'subscription',
            customer: customer.id,
            client_reference_id: member.id,
            metadata,
            subscription_data: { metadata },
            line_items: [{ price_data: { currency: 'usd', product_data: { name: 'Dues' }, unit_amount: 1500 + (n % 7) * 500, recurring: { interval: 'month' } }, quantity: 1 }],
            success_url: 'http://127.0.0.1/welcome',
            cancel_url: 'http://127.0.0.1/cancelled',
          });
          await control(`/checkout_sessions/${session.id}/complete`, { payment_method: paymentMethods[n % paymentMethods.length]! });
          clocks.push(clock.id);
        }),
      );
    }
    for (let month = 1; month < months; month += 1) {
      const moment = Math.floor(Date.UTC(2026, month, 5, 16) / 1000);
      for (let i = 0; i < clocks.length; i += 25) {
        await Promise.all(
          clocks.slice(i, i + 25).map(async (clock) => {
            await stripe.testHelpers.testClocks.advance(clock, { frozen_time: moment });
            for (let tries = 0; tries < 2000; tries += 1) {
              if ((await stripe.testHelpers.testClocks.retrieve(clock)).status === 'ready') return;
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
          }),
        );
      }
      await control('/delivery/flush');
      const stored = await bench.db.selectFrom('stripe_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      log(`  generated month ${month + 1}/${months}: ${stored.n} events stored (${((Date.now() - generationStarted) / 1000).toFixed(0)} s)`);
    }
    await control('/delivery/flush');
    const backlog = Number((await bench.db.selectFrom('stripe_events').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow()).n);
    log(`backlog: ${backlog} stored events from ${members} member lifecycles (generated in ${((Date.now() - generationStarted) / 1000).toFixed(0)} s)`);
    const mix = await bench.db.selectFrom('stripe_events').select(['type', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('type').orderBy('n', 'desc').execute();
    log(`  by type: ${mix.map((m) => `${m.type} ${m.n}`).join(', ')}`);

    // Each run processes its own copy of the generated backlog, so runs can be compared.
    await new Promise((resolve) => receiver.close(resolve));
    const runs = Number(flags.runs);
    const rates: Array<{ processors: number; eventsPerSecond: number }> = [];
    for (let run = 1; run <= runs; run += 1) {
      const processors = processorCounts[(run - 1) % processorCounts.length]!;
      if (runs > 1) log(`\n-- run ${run} of ${runs}, ${processors} processors`);
      const copy = await bench.copy(`run${run}`);
      try {
        rates.push({ processors, eventsPerSecond: await processBacklog(copy, organization.id, backlog, stripe, processors, sandbox.child.pid!) });
      } finally {
        await copy.drop();
      }
    }
    if (runs > 1) {
      log('');
      for (const processors of new Set(rates.map((r) => r.processors))) {
        const ofCount = rates.filter((r) => r.processors === processors).map((r) => r.eventsPerSecond);
        log(`processing throughput with ${processors} processors over ${ofCount.length} run(s): ${ofCount.map((r) => r.toFixed(0)).join(', ')} events/s (lowest ${Math.min(...ofCount).toFixed(0)})`);
      }
    }
  } finally {
    await sandbox.stop();
    if (receiver.listening) await new Promise((resolve) => receiver.close(resolve));
  }
}

/** Processes a stored backlog into the ledger with concurrent processors and prints what it cost; returns events/s. */
async function processBacklog(bench: BenchDatabase, organizationId: string, backlog: number, stripe: Stripe, processors: number, sandboxPid: number): Promise<number> {
  const logger = pino({ level: 'silent' });
  // As the service runs in production (compiled JavaScript, no source maps; see the
  // Dockerfile): tsx turns source maps on, and stripe-node takes a stack trace on every
  // request, which source maps make several times dearer.
  process.setSourceMapsEnabled(false);
  // As the service runs them: a pool of the processors' own, with prepared statements.
  const processorDb = createDb(bench.url, { max: processors + 1, preparedStatements: true });
  // What the processing costs per event, whatever the machine's speed that day.
  const work = { statements: 0, stripeRequests: 0 };
  const countStatements: KyselyPlugin = {
    transformQuery: (args) => {
      work.statements += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const countRequest = () => (work.stripeRequests += 1);
  stripe.on('request', countRequest);
  const transactionsSoFar = async () => Number((await sql<{ n: number }>`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`.execute(bench.db)).rows[0]!.n);
  const transactionsBefore = await transactionsSoFar();
  const deps = { db: processorDb.withPlugin(countStatements), stripe, logger, now: () => new Date() };
  const stopProfile = await profileThisProcess('processors');
  const cpuBefore = cpuSample([sandboxPid]);
  const started = process.hrtime.bigint();
  let reported = 0;
  const progress = setInterval(() => {
    void bench.db
      .selectFrom('stripe_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '!=', 'pending')
      .executeTakeFirstOrThrow()
      .then(
        (row) => {
          if (Number(row.n) !== reported) log(`  processed ${row.n}/${backlog}`);
          reported = Number(row.n);
        },
        () => undefined, // a progress line is worth no failure of its own
      );
  }, 5000);
  // A live database has planner statistics for its ledger; this one was created minutes ago
  // and its ledger is empty. Until autovacuum analyzes the tables (within a minute or two of
  // activity), plans cached while they were empty read whole tables for each key lookup. The
  // benchmark does autovacuum's job once the ledger has its first rows, inside the timing.
  let drained = false;
  const analyzed = (async () => {
    while (!drained && (await bench.db.selectFrom('ledger_transactions').select('id').limit(1).offset(500).execute()).length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    if (!drained) await sql`ANALYZE`.execute(bench.db);
  })().catch((error: unknown) => log(`  ANALYZE failed: ${String(error)}`));
  let reports: ProcessReport[];
  let seconds: number;
  let cpuAfter: CpuSample | undefined;
  try {
    reports = await Promise.all(Array.from({ length: processors }, () => processDueEvents(deps)));
    seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Before the pool closes: a PostgreSQL backend's CPU is counted only while it runs.
    cpuAfter = cpuSample([sandboxPid]);
  } finally {
    drained = true;
    clearInterval(progress);
    stripe.off('request', countRequest);
    await stopProfile();
    await analyzed;
    await processorDb.destroy();
  }
  const total = reports.reduce((sum, r) => ({ processed: sum.processed + r.processed, ignored: sum.ignored + r.ignored, retried: sum.retried + r.retried, failed: sum.failed + r.failed }));
  log(`processed ${total.processed}, ignored ${total.ignored}, to retry ${total.retried}, failed ${total.failed} in ${seconds.toFixed(1)} s`);
  // Statistics reach pg_stat_database within a second or so of each commit.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const transactions = (await transactionsSoFar()) - transactionsBefore;
  log(`per event: ${(work.statements / backlog).toFixed(2)} statements, ${(transactions / backlog).toFixed(3)} transactions (each adds BEGIN and COMMIT), ${(work.stripeRequests / backlog).toFixed(2)} Stripe requests`);
  if (cpuBefore && cpuAfter) {
    const perEvent = (cpuSeconds: number) => `${((cpuSeconds * 1000) / backlog).toFixed(2)} ms`;
    const processorsCpu = cpuAfter.self - cpuBefore.self;
    const postgresCpu = cpuAfter.postgres - cpuBefore.postgres;
    const sandboxCpu = cpuAfter.byPid.get(sandboxPid)! - cpuBefore.byPid.get(sandboxPid)!;
    const busy = cpuAfter.machineBusy - cpuBefore.machineBusy;
    // A database server elsewhere (another host, a container) shows no postgres processes here.
    const postgresPart = cpuAfter.postgres > 0 ? `PostgreSQL ${perEvent(postgresCpu)}` : 'PostgreSQL (not on this machine)';
    log(`CPU per event: processors ${perEvent(processorsCpu)}, ${postgresPart}, Stripe sandbox ${perEvent(sandboxCpu)}, the rest ${perEvent(busy - processorsCpu - postgresCpu - sandboxCpu)}; machine ${((busy / (cpuAfter.machineTotal - cpuBefore.machineTotal)) * 100).toFixed(0)}% busy`);
  }
  log(`processing throughput: ${(backlog / seconds).toFixed(0)} events/s  (aim ≥ 1,000 events/s; 500,000 events would take ${(500_000 / (backlog / seconds) / 60).toFixed(1)} min)`);
  const errors = await bench.db.selectFrom('stripe_events').select(['type', 'last_error', (eb) => eb.fn.countAll<number>().as('n')]).where('last_error', 'is not', null).groupBy(['type', 'last_error']).orderBy('n', 'desc').limit(5).execute();
  for (const e of errors) log(`  retried: ${e.n} × ${e.type}: ${e.last_error?.slice(0, 160)}`);
  const problems = await checkLedger(bench.db, organizationId);
  log(`check-ledger: ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`);
  return backlog / seconds;
}

async function main(): Promise<void> {
  const bench = await benchDatabase();
  try {
    if (!flags['skip-ingest']) await ingest(bench);
    if (!flags['skip-processing']) await processing(bench);
  } finally {
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

// One side of the ingest benchmark, in its own process: `app` is the service's real
// receiver; `baseline` is a bare node:http server that verifies the same signature and
// does a single INSERT into the same database.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import Stripe from 'stripe';
import { buildApp } from '../../src/app';
import { createDb } from '../../db/connection';
import { benchContext, listenForBenchmark } from './bench-app';

const mode = process.env.BENCH_MODE;
const databaseUrl = process.env.BENCH_DATABASE_URL!;
const secret = process.env.BENCH_WEBHOOK_SECRET!;

async function main(): Promise<void> {
  if (mode === 'app') {
    // The same pool size as the baseline's.
    listenForBenchmark(buildApp(benchContext(databaseUrl, { db: createDb(databaseUrl, { max: 20 }), webhookSecrets: [secret] })));
    return;
  }
  const pool = new Pool({ connectionString: databaseUrl, max: 20 });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_baseline_events (id text PRIMARY KEY, payload jsonb NOT NULL)');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const event = Stripe.webhooks.constructEvent(Buffer.concat(chunks), String(req.headers['stripe-signature']), secret, 300);
        pool.query('INSERT INTO bench_baseline_events (id, payload) VALUES ($1, $2)', [event.id, JSON.stringify(event)]).then(
          () => res.writeHead(200).end('{"received":true}'),
          () => res.writeHead(500).end(),
        );
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
}

// A clean exit on SIGTERM lets --cpu-prof (via NODE_OPTIONS) write its profile.
process.on('SIGTERM', () => process.exit(0));
void main();

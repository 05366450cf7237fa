import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../src/config/config';
import { createStripeClient } from '../src/stripe/client';
import { processDueEvents, requeueEvents } from '../webhooks/processor';
import { runScript } from './support/database';

const USAGE = `usage: npm run replay-events -- [--ids evt_1,evt_2] [--from 2026-11-01T00:00:00Z] [--to 2026-11-02T00:00:00Z] [--status failed|processed|ignored] [--process]
Puts stored Stripe events back in line (processing is idempotent: a replayed event posts nothing twice).
With --process, processes them right away against STRIPE_SECRET_KEY / STRIPE_API_BASE; otherwise the running service does.`;

const { values } = parseArgs({
  options: { ids: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, status: { type: 'string' }, process: { type: 'boolean' }, help: { type: 'boolean' } },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const parseMoment = (text: string | undefined, flag: string): Date | undefined => {
  if (text === undefined) return undefined;
  const moment = new Date(text);
  if (Number.isNaN(moment.getTime())) {
    process.stderr.write(`--${flag}: not a date and time: ${text}\n${USAGE}\n`);
    process.exit(2);
  }
  return moment;
};
const status = values.status;
if (status !== undefined && !['failed', 'processed', 'ignored'].includes(status)) {
  process.stderr.write(`--status: one of failed, processed, ignored\n${USAGE}\n`);
  process.exit(2);
}
const filter = {
  ids: values.ids?.split(',').map((id) => id.trim()).filter(Boolean),
  from: parseMoment(values.from, 'from'),
  to: parseMoment(values.to, 'to'),
  status: status as 'failed' | 'processed' | 'ignored' | undefined,
};
if (!filter.ids && !filter.from && !filter.to && !filter.status) {
  process.stderr.write(`say which events: --ids, --from/--to or --status\n${USAGE}\n`);
  process.exit(2);
}

void runScript(async (db) => {
  const requeued = await requeueEvents(db, filter, new Date());
  process.stdout.write(`${requeued} event(s) put back in line\n`);
  if (values.process) {
    const config = loadConfig();
    const stripe = createStripeClient({ secretKey: config.stripeSecretKey, apiBase: config.stripeApiBase });
    const report = await processDueEvents({ db, stripe, logger: pino({ level: 'warn' }), now: () => new Date() });
    process.stdout.write(`processed ${report.processed}, ignored ${report.ignored}, to retry ${report.retried}, failed ${report.failed}\n`);
  }
});

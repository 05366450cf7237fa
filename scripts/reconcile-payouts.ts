import { parseArgs } from 'node:util';
import type { Organization } from '../db/database';
import { loadConfig } from '../src/config/config';
import { reconcilePayoutsWithStripe } from '../src/ledger/payout-check';
import { findOrganizationBySlug } from '../src/organizations/queries';
import { createStripeClient } from '../src/stripe/client';
import { runScript } from './support/database';

const USAGE = 'usage: npm run reconcile-payouts -- --org <slug> | --all';

const { values } = parseArgs({ options: { org: { type: 'string' }, all: { type: 'boolean' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(
    `${USAGE}\n  lists each organization's paid payouts from Stripe and compares every balance transaction of each with the ledger,\n  line by line; prints each difference and exits 1 if there is any\n`,
  );
  process.exit(0);
}
if (Boolean(values.org) === Boolean(values.all)) {
  process.stderr.write(`give either --org or --all\n${USAGE}\n`);
  process.exit(2);
}

const config = loadConfig();
if (config.startStripeSandbox) {
  // The sandbox `npm start` runs lives inside that process: there is no Stripe to read back from here.
  process.stderr.write('no Stripe to read payouts from: set STRIPE_SECRET_KEY (and STRIPE_API_BASE for a sandbox)\n');
  process.exit(2);
}
const stripe = createStripeClient({ secretKey: config.stripeSecretKey, apiBase: config.stripeApiBase });

void runScript(
  async (db) => {
    let organizations: Organization[];
    if (values.all) organizations = await db.selectFrom('organizations').selectAll().orderBy('slug').execute();
    else {
      const found = await findOrganizationBySlug(db, values.org!);
      if (!found) throw new Error(`no organization with slug "${values.org}"`);
      organizations = [found];
    }
    let differences = 0;
    for (const organization of organizations) {
      const { payouts, problems } = await reconcilePayoutsWithStripe(db, stripe, organization);
      const lines = [`payouts of ${organization.slug} (${organization.id}): ${payouts} paid at Stripe`];
      for (const p of problems) lines.push(`  DIFFERENCE ${p.check}: ${p.transactionId ? `transaction ${p.transactionId} (${p.sourceKey}): ` : ''}${p.detail}`);
      lines.push(problems.length === 0 ? '  ok: every balance transaction of every paid payout has its ledger postings, with Stripe\'s net' : `  ${problems.length} difference(s)`);
      process.stdout.write(`${lines.join('\n')}\n`);
      differences += problems.length;
    }
    if (differences > 0) {
      process.stderr.write(`reconcile-payouts: ${differences} difference(s) found\n`);
      process.exitCode = 1;
    }
  },
  // A check reads; it leaves migrating to the service and `npm run migrate`.
  { migrate: false },
);

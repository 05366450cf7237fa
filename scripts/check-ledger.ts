import { parseArgs } from 'node:util';
import type { Db } from '../db/connection';
import type { Organization } from '../db/database';
import { loadConfig } from '../src/config/config';
import { checkLedger, reconcileStripeBalance } from '../src/ledger/check';
import { checkPayouts } from '../src/ledger/payout-check';
import { createStripeClient, type StripeClient } from '../src/stripe/client';
import { formatMinorUnits, renderTable } from '../src/ledger/format';
import { accountBalances } from '../src/ledger/queries';
import { findOrganizationBySlug } from '../src/organizations/queries';
import { runScript } from './support/database';

const USAGE = 'usage: npm run check-ledger -- --org <slug> | --all [--skip-payouts]';

const { values } = parseArgs({ options: { org: { type: 'string' }, all: { type: 'boolean' }, 'skip-payouts': { type: 'boolean' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(
    `${USAGE}\n  verifies that every ledger transaction balances, no source key is posted twice, the Stripe balance reconciles,\n  and every balance transaction of every paid payout (read from Stripe) has its postings; --skip-payouts leaves Stripe out\n`,
  );
  process.exit(0);
}
if (Boolean(values.org) === Boolean(values.all)) {
  process.stderr.write(`give either --org or --all\n${USAGE}\n`);
  process.exit(2);
}

/**
 * The Stripe the payouts are read back from: the configured one. The sandbox `npm start`
 * runs inside its own process cannot be reached from here: payouts are then not checked, and the output says so.
 */
function stripeForPayouts(): StripeClient | undefined {
  if (values['skip-payouts']) return undefined;
  const config = loadConfig();
  if (config.startStripeSandbox) return undefined;
  return createStripeClient({ secretKey: config.stripeSecretKey, apiBase: config.stripeApiBase });
}

/** Prints the organization's balances and reconciliation, then its problems; returns how many there are. */
async function checkOrganization(db: Db, organization: Organization, stripe: StripeClient | undefined): Promise<number> {
  const { count } = await db.selectFrom('ledger_transactions').select((eb) => eb.fn.countAll<number>().as('count')).where('organization_id', '=', organization.id).executeTakeFirstOrThrow();
  const out: string[] = [`ledger of ${organization.slug} (${organization.id}): ${count} transactions`];
  const balances = await accountBalances(db, organization.id);
  if (balances.length > 0) {
    const rows = balances.map((b) => [b.account, b.currency, formatMinorUnits(Math.abs(b.balanceCents), b.currency), b.balanceCents > 0 ? 'Dr' : b.balanceCents < 0 ? 'Cr' : '']);
    out.push(...renderTable(['account', 'currency', 'balance', ''], rows, new Set([2])).split('\n').map((line) => `  ${line}`));
  }
  for (const r of await reconcileStripeBalance(db, organization.id)) {
    const money = (cents: number) => formatMinorUnits(cents, r.currency);
    const terms = Object.entries(r.byKind).map(([kind, cents]) => `${kind} ${money(cents)}`);
    out.push(`  Stripe balance (${r.currency}) in the ledger ${money(r.ledgerBalanceCents)}; from Stripe's figures ${money(r.expectedBalanceCents)} = ${terms.join(' + ') || '0'}`);
    out.push(`  paid out to the bank ${money(r.paidOutCents)}; still at Stripe (pending or available) ${money(r.expectedBalanceCents)}`);
  }
  const problems = await checkLedger(db, organization.id);
  if (stripe) problems.push(...(await checkPayouts(db, stripe, organization)));
  else out.push(`  payouts not checked against Stripe (${values['skip-payouts'] ? '--skip-payouts' : 'no Stripe configured: set STRIPE_API_BASE or STRIPE_SECRET_KEY'})`);
  for (const p of problems) {
    out.push(`  PROBLEM ${p.check}: ${p.transactionId ? `transaction ${p.transactionId} (${p.sourceKey}): ` : ''}${p.detail}`);
  }
  out.push(
    problems.length === 0
      ? `  ok: every transaction balances, no source key is posted twice, the Stripe balance reconciles${stripe ? ', every payout balance transaction has its postings' : ''}`
      : `  ${problems.length} problem(s)`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  return problems.length;
}

void runScript(
  async (db) => {
    let organizations: Organization[];
    if (values.all) {
      organizations = await db.selectFrom('organizations').selectAll().orderBy('slug').execute();
    } else {
      const found = await findOrganizationBySlug(db, values.org!);
      if (!found) throw new Error(`no organization with slug "${values.org}"`);
      organizations = [found];
    }
    let problems = 0;
    const stripe = stripeForPayouts();
    for (const organization of organizations) problems += await checkOrganization(db, organization, stripe);
    if (problems > 0) {
      process.stderr.write(`check-ledger: ${problems} problem(s) found\n`);
      process.exitCode = 1;
    }
  },
  // A check reads; it leaves migrating to the service and `npm run migrate`.
  { migrate: false },
);

import { parseArgs } from 'node:util';
import type { Db } from '../db/connection';
import type { Organization } from '../db/database';
import { checkLedger, reconcileStripeBalance } from '../src/ledger/check';
import { formatMinorUnits, renderTable } from '../src/ledger/format';
import { accountBalances } from '../src/ledger/queries';
import { findOrganizationBySlug } from '../src/organizations/queries';
import { runScript } from './support/database';

const USAGE = 'usage: npm run check-ledger -- --org <slug> | --all';

const { values } = parseArgs({ options: { org: { type: 'string' }, all: { type: 'boolean' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(`${USAGE}\n  verifies that every ledger transaction balances, no source key is posted twice, and the Stripe balance reconciles\n`);
  process.exit(0);
}
if (Boolean(values.org) === Boolean(values.all)) {
  process.stderr.write(`give either --org or --all\n${USAGE}\n`);
  process.exit(2);
}

/** Prints the organization's balances and reconciliation, then its problems; returns how many there are. */
async function checkOrganization(db: Db, organization: Organization): Promise<number> {
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
  for (const p of problems) {
    out.push(`  PROBLEM ${p.check}: ${p.transactionId ? `transaction ${p.transactionId} (${p.sourceKey}): ` : ''}${p.detail}`);
  }
  out.push(problems.length === 0 ? '  ok: every transaction balances, no source key is posted twice, the Stripe balance reconciles' : `  ${problems.length} problem(s)`);
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
    for (const organization of organizations) problems += await checkOrganization(db, organization);
    if (problems > 0) {
      process.stderr.write(`check-ledger: ${problems} problem(s) found\n`);
      process.exitCode = 1;
    }
  },
  // A check reads; it leaves migrating to the service and `npm run migrate`.
  { migrate: false },
);

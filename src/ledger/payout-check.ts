import { sql, type Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import { requestOptions, type StripeClient } from '../stripe/client';
import { payoutBalanceLines, payoutContents } from '../treasurer/payout-lines';
import { payoutLedgerLines } from '../treasurer/queries';
import { reconcilePayout } from '../treasurer/reports/payouts';
import type { LedgerProblem } from './check';

interface PayoutToCheck {
  id: string;
  status: string;
  amount_cents: number;
  arrival_date: string | null;
}

/** What the ledger's payout postings moved to the bank for a payout; null when none was posted. */
async function postedCents(db: Kysely<Database>, organizationId: string, payoutId: string): Promise<number | null> {
  const { rows } = await sql<{ posted: number | null }>`
    SELECT (-sum(t.net_cents))::bigint AS posted FROM ledger_transactions t
    WHERE t.organization_id = ${organizationId} AND t.stripe_payout_id = ${payoutId} AND t.kind = 'payout'`.execute(db);
  return rows[0]?.posted ?? null;
}

/** One payout's balance transactions, read from Stripe, against the organization's ledger line by line (and anyone else's). */
async function checkPayout(db: Kysely<Database>, stripe: StripeClient, organization: Organization, payout: PayoutToCheck & { posted_cents: number | null }): Promise<LedgerProblem[]> {
  const sourceKey = `payout:${payout.id}`;
  let balanceLines;
  try {
    balanceLines = await payoutBalanceLines(stripe, organization, payout.id);
  } catch (error) {
    return [{ check: 'payout_unreadable', transactionId: null, sourceKey, detail: `Stripe could not list the balance transactions of payout ${payout.id}: ${(error as Error).message}` }];
  }
  const ledgerLines = await payoutLedgerLines(db, organization.id, organization.time_zone, payoutContents(payout.id, balanceLines));
  const reconciled = reconcilePayout({ payoutId: payout.id, status: payout.status, arrivalDate: payout.arrival_date, amountCents: payout.amount_cents, postedCents: payout.posted_cents, balanceLines, ledgerLines });
  const problems: LedgerProblem[] = reconciled.mismatches.map((mismatch) => ({ check: 'payout_balance_transactions', transactionId: null, sourceKey, detail: mismatch }));
  // Money of this organization's account that a wrong link posted to another organization.
  const elsewhere = await db
    .selectFrom('ledger_transactions')
    .select(['id', 'source_key', 'organization_id', 'stripe_balance_transaction_id'])
    .where('stripe_balance_transaction_id', '=', (eb) => eb.fn.any(eb.val(balanceLines.map((line) => line.id))))
    .where('organization_id', '!=', organization.id)
    .execute();
  for (const t of elsewhere) {
    problems.push({ check: 'payout_posted_elsewhere', transactionId: t.id, sourceKey: t.source_key, detail: `Stripe ${t.stripe_balance_transaction_id} of payout ${payout.id} is posted in organization ${t.organization_id}'s ledger` });
  }
  return problems;
}

/**
 * Every balance transaction of every paid payout we recorded, read back from Stripe, must
 * each have its ledger postings (matched by the `txn_…` they name), with Stripe's net, and
 * add up to the payout; the payout itself must be posted. A payout Stripe cannot list is a
 * problem too: the books are not proven then. Given days, only the payouts arriving in them.
 */
export async function checkPayouts(db: Kysely<Database>, stripe: StripeClient, organization: Organization, arriving?: { from: string; until: string }): Promise<LedgerProblem[]> {
  const { rows: payouts } = await sql<PayoutToCheck>`
    SELECT p.id, p.status, p.amount_cents, p.arrival_date FROM stripe_payouts p
    WHERE p.organization_id = ${organization.id} AND p.status = 'paid'
      ${arriving ? sql`AND p.arrival_date >= ${arriving.from}::date AND p.arrival_date < ${arriving.until}::date` : sql``}
    ORDER BY p.arrival_date, p.id`.execute(db);
  const problems: LedgerProblem[] = [];
  for (const payout of payouts) problems.push(...(await checkPayout(db, stripe, organization, { ...payout, posted_cents: await postedCents(db, organization.id, payout.id) })));
  return problems;
}

/**
 * The reconciliation that does not trust our own rows at all: the organization's paid
 * payouts are listed from Stripe (not from the payouts we recorded), and each one's
 * balance transactions are compared with the ledger line by line, as checkPayouts does.
 * Returns the problems and how many payouts were compared.
 */
export async function reconcilePayoutsWithStripe(db: Kysely<Database>, stripe: StripeClient, organization: Organization): Promise<{ payouts: number; problems: LedgerProblem[] }> {
  if (!organization.stripe_account_id) {
    // The platform account's payouts are this organization's only if no other one shares the account.
    const sharing = await db.selectFrom('organizations').select('id').where('stripe_account_id', 'is', null).limit(2).execute();
    if (sharing.length > 1) {
      return { payouts: 0, problems: [{ check: 'payout_unreadable', transactionId: null, sourceKey: null, detail: 'several organizations use the platform account: its payouts cannot be told apart' }] };
    }
  }
  const paid: PayoutToCheck[] = [];
  try {
    for await (const payout of stripe.payouts.list({ status: 'paid', limit: 100 }, requestOptions(organization))) {
      paid.push({ id: payout.id, status: payout.status, amount_cents: payout.amount, arrival_date: new Date(payout.arrival_date * 1000).toISOString().slice(0, 10) });
    }
  } catch (error) {
    return { payouts: 0, problems: [{ check: 'payout_unreadable', transactionId: null, sourceKey: null, detail: `Stripe could not list the payouts: ${(error as Error).message}` }] };
  }
  const problems: LedgerProblem[] = [];
  for (const payout of paid) problems.push(...(await checkPayout(db, stripe, organization, { ...payout, posted_cents: await postedCents(db, organization.id, payout.id) })));
  return { payouts: paid.length, problems };
}

import { Client } from 'pg';
import type { Db } from '../../db/connection';
import { postLedgerTransactions } from '../../src/ledger/queries';
import type { ChargeSucceededInput, LedgerTransactionDraft } from '../../src/ledger/postings';
import { insertOrganization } from '../../src/organizations/queries';
import { memberTimes, TEST_NOW } from '../support/app';

export async function createOrganization(db: Db, slug: string): Promise<string> {
  const organization = await insertOrganization(db, { slug, name: `${slug} union`, timeZone: 'America/Chicago', currency: 'usd' }, TEST_NOW);
  return organization.id;
}

export async function createMember(db: Db, organizationId: string, email: string): Promise<string> {
  const member = await db.insertInto('members').values({ organization_id: organizationId, name: email.split('@')[0]!, email, ...memberTimes() }).returning('id').executeTakeFirstOrThrow();
  return member.id;
}

/** Posts drafts the way an event handler does: in a database transaction of their own. */
export async function post(db: Db, organizationId: string, drafts: LedgerTransactionDraft[]): Promise<{ posted: number; skipped: number }> {
  return db.transaction().execute((trx) => postLedgerTransactions(trx, organizationId, drafts, TEST_NOW));
}

/** A plain pg connection, for raw SQL that goes around the application code. */
export async function rawClient(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** A $25 card payment with a $1.03 fee, for posting tests: override what the test is about. */
export const chargeSucceeded = (chargeId: string, overrides: Partial<ChargeSucceededInput> = {}): ChargeSucceededInput => ({
  chargeId,
  invoiceId: null,
  currency: 'usd',
  grossCents: 2500,
  feeCents: 103,
  initiationFeeCents: 0,
  occurredAt: new Date('2026-11-02T15:00:00Z'),
  paymentMethod: 'card',
  memberId: null,
  planId: null,
  periodStart: null,
  periodEnd: null,
  ...overrides,
});

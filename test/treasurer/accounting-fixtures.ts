import { sql } from 'kysely';
import { openStaffSession } from '../../src/auth/sessions';
import { grantRole, upsertStaffUser } from '../../src/staff/queries';
import { testApp } from '../support/app';
import { DAY, START, startStripeFlow, type StripeFlow } from '../support/stripe-flow';

/** The books the accountant's files are checked against: a month of them, in January 2026. */
export const RANGE = { from: '2026-01-01', to: '2026-01-31' } as const;

export interface AccountantBooks {
  flow: StripeFlow;
  app: ReturnType<typeof testApp>;
  tokens: { treasurer: string; admin: string; organizer: string };
}

/**
 * Real books through the sandbox, for members whose names carry accents: a card payment
 * with an initiation fee, a bank debit, a partial refund, and the payouts ten days on.
 */
export async function buildAccountantBooks(): Promise<AccountantBooks> {
  const flow = await startStripeFlow();
  const app = testApp(flow.ctx);
  const tokens = { treasurer: '', admin: '', organizer: '' };
  for (const role of ['treasurer', 'admin', 'organizer'] as const) {
    const user = await upsertStaffUser(flow.testDb.db, { email: `${role}@books.example.org`, name: `${role} of the books` }, flow.ctx.now());
    await grantRole(flow.testDb.db, flow.organization.id, user.id, role, flow.ctx.now());
    tokens[role] = (await openStaffSession(flow.testDb.db, flow.ctx.config.jwtSecret, { staffUserId: user.id, organizationId: flow.organization.id, roles: [role], via: 'issued_token' }, 365 * 86_400, flow.ctx.now())).token;
  }
  const maria = await flow.signUp({ name: 'María Núñez', paymentMethod: 'pm_card_visa', amountCents: 2500, initiationFeeCents: 1000 });
  const zoe = await flow.signUp({ name: 'Zoë Brontë-Ibáñez', paymentMethod: 'pm_usBankAccount_success', amountCents: 3000 });
  await flow.settle();
  const charge = (await flow.stripe.charges.list({ customer: maria.customer.id })).data[0]!;
  await flow.stripe.refunds.create({ charge: charge.id, amount: 700 });
  for (const signedUp of [maria, zoe]) await flow.advanceTo(signedUp.clock.id, START + 10 * DAY);
  return { flow, app, tokens };
}

/** What the ledger holds in the range, worked out by SQL apart from the exports: transactions, entries, and the sum of the debits (the
 * ledger export's Amount column, per transaction). */
export async function ledgerTotals(books: AccountantBooks): Promise<{ transactions: number; entries: number; debitCents: number }> {
  const { rows } = await sql<{ transactions: string; entries: string; debits: string }>`
    SELECT count(DISTINCT t.id) AS transactions, count(*) AS entries, sum(e.amount_cents) FILTER (WHERE e.amount_cents > 0) AS debits
    FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id
    WHERE t.organization_id = ${books.flow.organization.id}
      AND t.occurred_at >= (${RANGE.from}::date::timestamp AT TIME ZONE ${books.flow.organization.time_zone})
      AND t.occurred_at < ((${RANGE.to}::date + 1)::timestamp AT TIME ZONE ${books.flow.organization.time_zone})`.execute(books.flow.testDb.db);
  const row = rows[0]!;
  return { transactions: Number(row.transactions), entries: Number(row.entries), debitCents: Number(row.debits) };
}

import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import pino from 'pino';
import type Stripe from 'stripe';
import type { Database, StoredStripeEvent } from '../../db/database';
import { storeEvent } from '../../webhooks/events';
import { processDueEvents, type ProcessorDeps } from '../../webhooks/processor';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { DAY, START, startStripeFlow, type StripeFlow } from '../support/stripe-flow';

/**
 * Realistic lifecycles played once against the sandbox, with every webhook they cause
 * received and stored but not processed. Each run then gets a fresh database holding the
 * same organization and members, takes the stored events in an order of its choosing,
 * and processes them against the same Stripe state.
 */
export interface LifecycleLab {
  flow: StripeFlow;
  events: StoredStripeEvent[];
  freshRun(): Promise<TestDatabase>;
  deps(db: Kysely<Database>, overrides?: Partial<ProcessorDeps>): ProcessorDeps;
  close(): Promise<void>;
}

const at = (days: number) => START + days * DAY;

export async function playLifecycles(): Promise<LifecycleLab> {
  const flow = await startStripeFlow();
  const stripe = flow.stripe;

  // Renewals: three months of card payments.
  const renewing = await flow.signUp({ name: 'Ava Renewing', paymentMethod: 'pm_card_visa', amountCents: 2500, initiationFeeCents: 1000 });
  for (const day of [31, 59, 90]) await flow.sandbox.advanceClock(renewing.clock.id, at(day));

  // A failed renewal, recovered on a retry after the member updates their card.
  const recovering = await flow.signUp({ name: 'Ben Recovering', paymentMethod: 'pm_card_visa', amountCents: 2500 });
  const subscription = (await stripe.subscriptions.list({ customer: recovering.customer.id })).data[0]!;
  const failing = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: recovering.customer.id });
  await stripe.subscriptions.update(subscription.id, { default_payment_method: failing.id });
  await flow.sandbox.advanceClock(recovering.clock.id, at(32));
  const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: recovering.customer.id });
  await stripe.subscriptions.update(subscription.id, { default_payment_method: visa.id });
  await flow.sandbox.advanceClock(recovering.clock.id, at(36));

  // A bank debit that processes for days, then succeeds.
  const banking = await flow.signUp({ name: 'Cal Banking', paymentMethod: 'pm_usBankAccount_success', amountCents: 300 });
  await flow.sandbox.advanceClock(banking.clock.id, at(6));

  // A partial refund.
  const refunded = await flow.signUp({ name: 'Dee Refunded', paymentMethod: 'pm_card_visa', amountCents: 4000 });
  const charge = (await stripe.charges.list({ customer: refunded.customer.id })).data[0]!;
  await stripe.refunds.create({ charge: charge.id, amount: 1500 });
  await flow.sandbox.advanceClock(refunded.clock.id, at(4));

  // One dispute lost, one won.
  for (const [name, evidence] of [['Eli Lost', 'losing_evidence'], ['Fox Won', 'winning_evidence']] as const) {
    const disputed = await flow.signUp({ name, paymentMethod: 'pm_card_createDispute', amountCents: 2500 });
    const disputedCharge = (await stripe.charges.list({ customer: disputed.customer.id })).data[0]!;
    const dispute = (await stripe.disputes.list({ charge: disputedCharge.id })).data[0]!;
    await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: evidence } });
    await flow.sandbox.advanceClock(disputed.clock.id, at(3));
  }

  // Everything delivered to the real receiver, which stores it; nothing processed yet.
  await flow.sandbox.flushWebhooks();
  const events = await flow.testDb.db.selectFrom('stripe_events').selectAll().orderBy('stripe_created_at').orderBy('received_at').execute();
  const organizations = await flow.testDb.db.selectFrom('organizations').selectAll().execute();
  const members = await flow.testDb.db.selectFrom('members').selectAll().execute();
  const runs: TestDatabase[] = [];

  return {
    flow,
    events,
    async freshRun() {
      const run = await createTestDatabase();
      runs.push(run);
      await run.db.insertInto('organizations').values(organizations.map((o) => ({ ...o, settings: JSON.stringify(o.settings) }))).execute();
      await run.db.insertInto('members').values(members.map((m) => ({ ...m, wage_facts: JSON.stringify(m.wage_facts) }))).execute();
      return run;
    },
    deps(db, overrides = {}) {
      return { db, stripe, logger: pino({ level: 'silent' }), now: () => new Date(), ...overrides };
    },
    async close() {
      for (const run of runs) await run.drop();
      await flow.close();
    },
  };
}

/** Stores events as the receiver would, in the given order, each due a moment after the last, so the processor takes them in that order. */
export async function deliverInOrder(db: Kysely<Database>, events: StoredStripeEvent[]): Promise<void> {
  const base = Date.now() - 60_000;
  for (const [index, event] of events.entries()) {
    const stored = await storeEvent(db, event.payload as unknown as Stripe.Event, new Date(base));
    if (stored) await db.updateTable('stripe_events').set({ next_attempt_at: new Date(base + index) }).where('id', '=', event.id).execute();
  }
}

/** What must come out the same however the events arrived: members, mirrors and the books. */
export async function finalState(db: Kysely<Database>): Promise<unknown> {
  const [members, subscriptions, invoices, disputes, payouts, ledger] = await Promise.all([
    db.selectFrom('members').select(['id', 'standing', 'paid_through', 'joined_on', 'stripe_customer_id', 'email', 'phone', 'plan_id']).orderBy('id').execute(),
    db.selectFrom('stripe_subscriptions').select(['id', 'member_id', 'status', 'current_period_start', 'current_period_end', 'cancel_at_period_end', 'collection_paused', 'canceled_at', 'amount_cents']).orderBy('id').execute(),
    db.selectFrom('stripe_invoices').select(['id', 'member_id', 'status', 'amount_due', 'amount_paid', 'period_start', 'period_end', 'attempt_count', 'paid_at']).orderBy('id').execute(),
    db.selectFrom('stripe_disputes').select(['id', 'status', 'amount_cents', 'member_id']).orderBy('id').execute(),
    db.selectFrom('stripe_payouts').select(['id', 'status', 'amount_cents', 'arrival_date']).orderBy('id').execute(),
    db
      .selectFrom('ledger_transactions as t')
      .innerJoin('ledger_entries as e', 'e.transaction_id', 't.id')
      .innerJoin('ledger_accounts as a', 'a.id', 'e.account_id')
      .select(['t.source_key', 't.kind', 't.occurred_at', 't.member_id', 't.period_start', 't.period_end', 't.gross_cents', 't.fee_cents', 'a.code', 'e.amount_cents'])
      .orderBy('t.source_key')
      .orderBy('a.code')
      .execute(),
  ]);
  return { members, subscriptions, invoices, disputes, payouts, ledger };
}

export const uniqueId = () => randomUUID();
export { processDueEvents };

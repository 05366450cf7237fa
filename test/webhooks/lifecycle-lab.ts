import type { Kysely } from 'kysely';
import pino from 'pino';
import type Stripe from 'stripe';
import type { Database, Member, StoredStripeEvent } from '../../db/database';
import { deriveStanding, type DerivedStanding } from '../../src/members/derive';
import { deriveMembers } from '../../src/members/derivation';
import { todayIn } from '../../src/organizations/calendar';
import { policyFrom, type RetentionPolicy } from '../../src/retention/policy';
import { storeEvent } from '../../webhooks/events';
import { processDueEvents, type ProcessorDeps } from '../../webhooks/processor';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { DAY, START, startStripeFlow, type StripeFlow } from '../support/stripe-flow';
import { standingFactsFromStripe } from './stripe-facts';

/**
 * Realistic lifecycles played once against the sandbox up to one day (END), with every
 * webhook they cause received and stored but not processed. Each run then gets a fresh
 * database holding the same organization and members, takes the stored events in an
 * order of its choosing, and processes them against the same Stripe state, on END's
 * clock (the service's "today" is END's day for every run).
 */
export interface LifecycleLab {
  flow: StripeFlow;
  events: StoredStripeEvent[];
  /** The members, by their lifecycle's name. */
  members: Map<string, Member>;
  /** The service's clock in every run: a few hours after every test clock stopped. */
  now: Date;
  policy: RetentionPolicy;
  freshRun(): Promise<TestDatabase>;
  deps(db: Kysely<Database>, overrides?: Partial<ProcessorDeps>): ProcessorDeps;
  /** What the standing function gives for each member from Stripe's final state (read once, then kept). */
  expectedFromStripe(): Promise<Map<string, DerivedStanding>>;
  close(): Promise<void>;
}

const at = (days: number) => START + days * DAY;
/** The day every lifecycle has reached: February 14, 2026, in Chicago. */
export const END = at(40);

/** A union whose members are past due while Stripe retries a failed payment. */
export const LAB_POLICY = { arrangementKeepsGoodStanding: false };

export async function playLifecycles(): Promise<LifecycleLab> {
  const flow = await startStripeFlow();
  const stripe = flow.stripe;
  // Each member's Stripe customer and checkout session, for reading Stripe's final state.
  const signedUpAs = new Map<string, { customerId: string; sessionId: string }>();
  const signUp = async (options: Parameters<StripeFlow['signUp']>[0]) => {
    const signedUp = await flow.signUp(options);
    signedUpAs.set(signedUp.member.id, { customerId: signedUp.customer.id, sessionId: signedUp.session.id });
    return signedUp;
  };
  const toEnd = (clockId: string) => flow.sandbox.advanceClock(clockId, END);
  const payWith = async (customerId: string, paymentMethod: string) => {
    const subscription = (await stripe.subscriptions.list({ customer: customerId })).data[0]!;
    const attached = await stripe.paymentMethods.attach(paymentMethod, { customer: customerId });
    await stripe.subscriptions.update(subscription.id, { default_payment_method: attached.id });
    return subscription;
  };

  // Renewals by card, with an initiation fee on the first payment.
  const renewing = await signUp({ name: 'Ava Renewing', paymentMethod: 'pm_card_visa', amountCents: 2500, initiationFeeCents: 1000 });
  await toEnd(renewing.clock.id);

  // A failed renewal, recovered on Stripe's first retry after the member updates their card.
  const recovering = await signUp({ name: 'Ben Recovering', paymentMethod: 'pm_card_visa', amountCents: 2500 });
  await payWith(recovering.customer.id, 'pm_card_chargeCustomerFail');
  await flow.sandbox.advanceClock(recovering.clock.id, at(32));
  await payWith(recovering.customer.id, 'pm_card_visa');
  await toEnd(recovering.clock.id);

  // Bank debits that process for days, then succeed (the first, and the renewal).
  const banking = await signUp({ name: 'Cal Banking', paymentMethod: 'pm_usBankAccount_success', amountCents: 300 });
  await toEnd(banking.clock.id);

  // A partial refund: the period stays paid.
  const partial = await signUp({ name: 'Dee Partial', paymentMethod: 'pm_card_visa', amountCents: 4000 });
  await stripe.refunds.create({ charge: (await stripe.charges.list({ customer: partial.customer.id })).data[0]!.id, amount: 1500 });
  await toEnd(partial.clock.id);

  // One dispute lost (the period unpaid again), one won; the renewals are paid by another card.
  for (const [name, evidence] of [['Eli Lost', 'losing_evidence'], ['Fox Won', 'winning_evidence']] as const) {
    const disputed = await signUp({ name, paymentMethod: 'pm_card_createDispute', amountCents: 2500 });
    const dispute = (await stripe.disputes.list({ charge: (await stripe.charges.list({ customer: disputed.customer.id })).data[0]!.id })).data[0]!;
    await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: evidence } });
    await payWith(disputed.customer.id, 'pm_card_visa');
    await toEnd(disputed.clock.id);
  }

  // The late invoice.paid member: the first month paid, the renewal failing and still retried at the end.
  const late = await signUp({ name: 'Lee Late', paymentMethod: 'pm_card_visa', amountCents: 2500 });
  await payWith(late.customer.id, 'pm_card_chargeCustomerFail');
  await toEnd(late.clock.id);

  // A first bank debit that fails: never a paying member.
  const closed = await signUp({ name: 'Gus Closed', paymentMethod: 'pm_usBankAccount_accountClosed', amountCents: 2500 });
  await toEnd(closed.clock.id);

  // A bank debit still processing on the last day (signed up the day before).
  await signUp({ name: 'Pat Processing', paymentMethod: 'pm_usBankAccount_success', amountCents: 2500, startAt: at(39) });

  // The first payment refunded in full; the renewal paid.
  const refunded = await signUp({ name: 'Rae Refunded', paymentMethod: 'pm_card_visa', amountCents: 2500 });
  await stripe.refunds.create({ charge: (await stripe.charges.list({ customer: refunded.customer.id })).data[0]!.id });
  await toEnd(refunded.clock.id);

  // Canceled ten days in: nothing more billed, time runs on.
  const canceled = await signUp({ name: 'Cam Canceled', paymentMethod: 'pm_card_visa', amountCents: 2500 });
  await flow.sandbox.advanceClock(canceled.clock.id, at(10));
  await stripe.subscriptions.cancel((await stripe.subscriptions.list({ customer: canceled.customer.id })).data[0]!.id);
  await toEnd(canceled.clock.id);

  // Everything delivered to the real receiver, which stores it; nothing processed yet.
  flow.setClock(END);
  await flow.sandbox.flushWebhooks();
  const events = await flow.testDb.db.selectFrom('stripe_events').selectAll().orderBy('stripe_created_at').orderBy('received_at').execute();
  const organizations = await flow.testDb.db.selectFrom('organizations').selectAll().execute();
  const memberRows = await flow.testDb.db.selectFrom('members').selectAll().execute();
  const runs: TestDatabase[] = [];
  const now = new Date(END * 1000 + 3 * 3_600_000);
  const policy = policyFrom(LAB_POLICY);
  let expected: Map<string, DerivedStanding> | undefined;

  return {
    flow,
    events,
    members: new Map(memberRows.map((m) => [m.name, m])),
    now,
    policy,
    async freshRun() {
      const run = await createTestDatabase();
      runs.push(run);
      await run.db.insertInto('organizations').values(organizations.map((o) => ({ ...o, settings: JSON.stringify(o.settings) }))).execute();
      await run.db.insertInto('retention_policies').values({ organization_id: flow.organization.id, policy: JSON.stringify(LAB_POLICY), updated_at: now }).execute();
      await run.db.insertInto('members').values(memberRows.map((m) => ({ ...m, wage_facts: JSON.stringify(m.wage_facts) }))).execute();
      return run;
    },
    deps(db, overrides = {}) {
      return { db, stripe, logger: pino({ level: 'silent' }), now: () => now, ...overrides };
    },
    async expectedFromStripe() {
      if (expected) return expected;
      const today = todayIn(flow.organization.time_zone, now);
      expected = new Map();
      for (const member of memberRows) {
        const { customerId, sessionId } = signedUpAs.get(member.id)!;
        const facts = await standingFactsFromStripe(stripe, customerId, sessionId, flow.organization.time_zone);
        expected.set(member.id, deriveStanding(facts, policy, today));
      }
      return expected;
    },
    async close() {
      for (const run of runs) await run.drop();
      await flow.close();
    },
  };
}

/** Stores events as the receiver would, in the given order, each due a moment after the last, so the processor takes them in that order. */
export async function deliverInOrder(db: Kysely<Database>, events: StoredStripeEvent[], now: Date): Promise<void> {
  const base = now.getTime() - 60_000;
  for (const [index, event] of events.entries()) await storeEvent(db, event.payload as unknown as Stripe.Event, new Date(base + index));
}

/** Each member's stored standing, paid-through date and reason, and the months in arrears their stored facts give today. */
export async function standingsOf(db: Kysely<Database>, now: Date): Promise<Map<string, { standing: string; paidThrough: string | null; monthsInArrears: number; reason: string | null }>> {
  const members = await db.selectFrom('members').select(['organization_id', 'id']).execute();
  const derived = await deriveMembers(db, members.map((m) => ({ organizationId: m.organization_id, memberId: m.id, cause: 'check' })), now);
  return new Map(derived.map((d) => [d.memberId, { standing: d.stored.standing, paidThrough: d.stored.paid_through, monthsInArrears: d.derived.monthsInArrears, reason: d.stored.standing_reason }]));
}

/** What must come out the same however the events arrived: members, mirrors and the books. */
export async function finalState(db: Kysely<Database>): Promise<unknown> {
  const [members, subscriptions, invoices, disputes, payouts, checkouts, ledger] = await Promise.all([
    db
      .selectFrom('members')
      .select(['id', 'standing', 'standing_reason', 'standing_reason_since', 'paid_through', 'joined_on', 'stripe_customer_id', 'email', 'phone', 'plan_id'])
      .orderBy('id')
      .execute(),
    db.selectFrom('stripe_subscriptions').select(['id', 'member_id', 'status', 'current_period_start', 'current_period_end', 'cancel_at_period_end', 'collection_paused', 'canceled_at', 'amount_cents']).orderBy('id').execute(),
    db.selectFrom('stripe_invoices').select(['id', 'member_id', 'status', 'amount_due', 'amount_paid', 'period_start', 'period_end', 'attempt_count', 'paid_at']).orderBy('id').execute(),
    db.selectFrom('stripe_disputes').select(['id', 'status', 'amount_cents', 'member_id']).orderBy('id').execute(),
    db.selectFrom('stripe_payouts').select(['id', 'status', 'amount_cents', 'arrival_date']).orderBy('id').execute(),
    db.selectFrom('stripe_checkout_sessions').select(['id', 'member_id', 'payment_status', 'async_result', 'completed_at']).orderBy('id').execute(),
    db
      .selectFrom('ledger_transactions as t')
      .innerJoin('ledger_entries as e', 'e.transaction_id', 't.id')
      .innerJoin('ledger_accounts as a', 'a.id', 'e.account_id')
      .select(['t.source_key', 't.kind', 't.occurred_at', 't.member_id', 't.period_start', 't.period_end', 't.gross_cents', 't.fee_cents', 't.stripe_balance_transaction_id', 'a.code', 'e.amount_cents'])
      .orderBy('t.source_key')
      .orderBy('a.code')
      .execute(),
  ]);
  return { members, subscriptions, invoices, disputes, payouts, checkouts, ledger };
}

export { processDueEvents, DAY, START };

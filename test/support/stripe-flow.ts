import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type Stripe from 'stripe';
import { startStripeSandbox, type StripeSandbox, type StripeSandboxOptions } from '../../scripts/stripe-sandbox/server';
import { createStripeClient, STRIPE_API_VERSION, type StripeClient } from '../../src/stripe/client';
import { memberMetadata } from '../../src/stripe/metadata';
import { HANDLED_EVENT_TYPES } from '../../webhooks/handlers';
import { processDueEvents, type ProcessReport } from '../../webhooks/processor';
import { createDb } from '../../db/connection';
import type { Member, Organization } from '../../db/database';
import { createTestDatabase, type TestDatabase } from './database';
import { memberTimes, testApp, testContext } from './app';

export const DAY = 86_400;

/**
 * The whole dues pipeline on loopback: the sandbox plays Stripe and delivers signed
 * webhooks to the service's real receiver; the test then runs the processor. Nothing
 * of ours is mocked.
 */
export interface StripeFlow {
  testDb: TestDatabase;
  /**
   * The flow's one clock, simulated: the service (receiver, processor, "today") and the
   * sandbox's signatures read it. It starts at START, and advanceTo sets it to the moment
   * the test clock was advanced to, so standings are judged on that customer's simulated
   * day (tests sharing a flow each live on their own test clock).
   */
  now(): Date;
  /** Sets the flow's clock to a moment. */
  setClock(unixSeconds: number): void;
  sandbox: StripeSandbox;
  stripe: StripeClient;
  ctx: ReturnType<typeof testContext>;
  organization: Organization;
  /** Delivers every queued webhook to the receiver, then processes what was stored. */
  settle(): Promise<ProcessReport>;
  /** Advances a test clock to a moment, then settles. */
  advanceTo(clockId: string, unixSeconds: number): Promise<ProcessReport>;
  signUp(options: SignUpOptions): Promise<SignedUp>;
  member(id: string): Promise<Member>;
  close(): Promise<void>;
}

export interface SignUpOptions {
  name: string;
  paymentMethod: string;
  amountCents: number;
  initiationFeeCents?: number;
  interval?: 'month' | 'year' | 'week';
  intervalCount?: number;
  startAt?: number;
}

export interface SignedUp {
  member: Member;
  clock: Stripe.TestHelpers.TestClock;
  customer: Stripe.Customer;
  session: Stripe.Checkout.Session;
}

export const START = Math.floor(Date.parse('2026-01-05T15:00:00Z') / 1000);

export async function startStripeFlow(options: { sandbox?: StripeSandboxOptions } = {}): Promise<StripeFlow> {
  const testDb = await createTestDatabase();
  const clock = { now: new Date(START * 1000) };
  // Time passes while a test runs: each reading of the clock is a millisecond after the last.
  const tick = () => (clock.now = new Date(clock.now.getTime() + 1));
  // The sandbox signs deliveries with the flow's clock, which the receiver checks them against.
  const sandbox = await startStripeSandbox({ automaticPayouts: true, signingClock: () => Math.floor(clock.now.getTime() / 1000), ...options.sandbox });
  const stripe = createStripeClient({ secretKey: 'sk_test_flow', apiBase: sandbox.url, maxNetworkRetries: 0 });
  const ctx = testContext(testDb.db, { stripe, webhookSecrets: [], now: tick });
  const server: Server = await new Promise((resolve) => {
    const listening = testApp(ctx).listen(0, '127.0.0.1', () => resolve(listening));
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = await stripe.webhookEndpoints.create({
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    enabled_events: HANDLED_EVENT_TYPES as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
    api_version: STRIPE_API_VERSION,
  });
  ctx.webhookSecrets.push(endpoint.secret!);
  const organization = await testDb.db
    .insertInto('organizations')
    .values({ slug: 'flow-union', name: 'Flow Union', time_zone: 'America/Chicago', currency: 'usd', settings: '{}', created_at: ctx.now(), updated_at: ctx.now() })
    .returningAll()
    .executeTakeFirstOrThrow();
  const logger = pino({ level: 'silent' });
  // The processor gets a pool of its own with prepared statements, as in the service.
  const processorDb = createDb(testDb.url, { max: 2, preparedStatements: true });
  const processorDeps = { db: processorDb, stripe, logger, now: tick, publicUrl: 'http://gs.test' };
  const setClock = (unixSeconds: number) => {
    clock.now = new Date(unixSeconds * 1000);
  };

  const flow: StripeFlow = {
    testDb,
    now: tick,
    setClock,
    sandbox,
    stripe,
    ctx,
    organization,
    async settle() {
      await sandbox.flushWebhooks();
      return processDueEvents(processorDeps);
    },
    async advanceTo(clockId, unixSeconds) {
      await sandbox.advanceClock(clockId, unixSeconds);
      setClock(unixSeconds);
      return flow.settle();
    },
    async signUp(o) {
      // The service's clock is at the moment the member signs up.
      setClock(o.startAt ?? START);
      const member = await testDb.db
        .insertInto('members')
        .values({ organization_id: organization.id, name: o.name, email: `${o.name.toLowerCase().replace(/\W+/g, '.')}@example.org`, standing: 'pending', ...memberTimes(ctx.now()) })
        .returningAll()
        .executeTakeFirstOrThrow();
      const metadata = memberMetadata({ organizationId: organization.id, memberId: member.id });
      const clock = await stripe.testHelpers.testClocks.create({ frozen_time: o.startAt ?? START });
      const customer = await stripe.customers.create({ email: member.email, name: member.name, metadata, test_clock: clock.id });
      const lineItems: Stripe.Checkout.SessionCreateParams.LineItem[] = [
        {
          price_data: { currency: 'usd', product_data: { name: 'Dues' }, unit_amount: o.amountCents, recurring: { interval: o.interval ?? 'month', interval_count: o.intervalCount ?? 1 } },
          quantity: 1,
        },
      ];
      if (o.initiationFeeCents) lineItems.push({ price_data: { currency: 'usd', product_data: { name: 'Initiation fee' }, unit_amount: o.initiationFeeCents }, quantity: 1 });
      const session = await stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: customer.id,
        client_reference_id: member.id,
        line_items: lineItems,
        metadata,
        subscription_data: { metadata },
        success_url: 'http://gs.test/welcome',
        cancel_url: 'http://gs.test/cancelled',
      });
      sandbox.completeCheckout(session.id, o.paymentMethod);
      return { member, clock, customer, session };
    },
    async member(id) {
      return testDb.db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sandbox.close();
      await processorDb.destroy();
      await testDb.drop();
    },
  };
  return flow;
}

/**
 * A ledger table with Stripe's random ids replaced by stable labels in order of
 * appearance (ch_… → ch#1), so a test can compare it with a table written out by hand.
 * Column widths are squeezed to single spaces for the same reason.
 */
export function stableIds(table: string): string {
  const labels = new Map<string, string>();
  const counters = new Map<string, number>();
  return table
    .replace(/\b(ch|py|re|dp|po|in|pi|txn)_[A-Za-z0-9]+/g, (id, prefix: string) => {
      let label = labels.get(id);
      if (!label) {
        const n = (counters.get(prefix) ?? 0) + 1;
        counters.set(prefix, n);
        label = `${prefix}#${n}`;
        labels.set(id, label);
      }
      return label;
    })
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .join('\n');
}

/** An expected ledger written as an indented block in a test, in the same squeezed form. */
export const expectedLedger = (text: string): string =>
  text
    .trim()
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .join('\n');

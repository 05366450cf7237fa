import { memberMetadata } from '../../src/stripe/metadata';
import { startStripeFlow, START, type StripeFlow } from '../support/stripe-flow';
import { memberTimes } from '../support/app';

let flow: StripeFlow;
beforeAll(async () => {
  flow = await startStripeFlow();
});
afterAll(async () => {
  await flow.close();
});

async function subscribe(customerId: string, metadata: Record<string, string>): Promise<void> {
  const session = await flow.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customerId,
    metadata,
    subscription_data: { metadata },
    line_items: [{ price_data: { currency: 'usd', product_data: { name: 'Something else' }, unit_amount: 999, recurring: { interval: 'month' } }, quantity: 1 }],
    success_url: 'http://elsewhere.test/ok',
    cancel_url: 'http://elsewhere.test/no',
  });
  flow.sandbox.completeCheckout(session.id, 'pm_card_visa');
}

describe('linking Stripe objects to members', () => {
  test("another platform's customer on a shared account is recorded and ignored, and creates no member", async () => {
    const clock = await flow.stripe.testHelpers.testClocks.create({ frozen_time: START });
    const stranger = await flow.stripe.customers.create({ email: 'someone@elsewhere.test', metadata: { their_id: '42' }, test_clock: clock.id });
    await subscribe(stranger.id, { their_id: '42' });
    const report = await flow.settle();
    expect(report).toMatchObject({ processed: 0, retried: 0, failed: 0 });
    expect(report.ignored).toBeGreaterThan(0);
    const events = await flow.testDb.db.selectFrom('stripe_events').select(['status', 'outcome']).execute();
    expect(events.every((e) => e.status === 'ignored' && e.outcome!.startsWith('not ours'))).toBe(true);
    expect(await flow.testDb.db.selectFrom('members').select('id').execute()).toEqual([]);
    expect(await flow.testDb.db.selectFrom('ledger_transactions').select('id').execute()).toEqual([]);
  });

  test('an event for a member not stored yet is retried later, not dropped, and processed once the member exists', async () => {
    const memberId = '7d1c1f0e-5a52-4c55-9d5e-0b8f1f6a1a01';
    const metadata = memberMetadata({ organizationId: flow.organization.id, memberId });
    const clock = await flow.stripe.testHelpers.testClocks.create({ frozen_time: START });
    const customer = await flow.stripe.customers.create({ email: 'early@example.org', metadata, test_clock: clock.id });
    await subscribe(customer.id, metadata);
    const first = await flow.settle();
    expect(first.processed).toBe(0);
    expect(first.retried).toBeGreaterThan(0);
    const waiting = await flow.testDb.db.selectFrom('stripe_events').select(['status', 'attempts', 'last_error', 'organization_id']).where('status', '=', 'pending').execute();
    expect(waiting.length).toBe(first.retried);
    expect(waiting.every((e) => e.attempts === 1 && e.last_error!.startsWith('RetryLater') && e.organization_id === flow.organization.id)).toBe(true);

    await flow.testDb.db.insertInto('members').values({ id: memberId, organization_id: flow.organization.id, name: 'Early Bird', email: 'early@example.org', ...memberTimes() }).execute();
    await flow.testDb.db.updateTable('stripe_events').set({ next_attempt_at: flow.now() }).where('status', '=', 'pending').execute();
    const second = await flow.settle();
    expect(second).toMatchObject({ retried: 0, failed: 0 });
    expect(await flow.member(memberId)).toMatchObject({ standing: 'active', stripe_customer_id: customer.id });
  });

  describe('a customer linked to two members', () => {
    let otherOrganizationId: string;
    beforeAll(async () => {
      const other = await flow.testDb.db
        .insertInto('organizations')
        .values({ slug: 'other-local', name: 'Other local', time_zone: 'America/Chicago', currency: 'usd', settings: '{}', stripe_account_id: 'acct_other_local', created_at: new Date(START * 1000), updated_at: new Date(START * 1000) })
        .returning('id')
        .executeTakeFirstOrThrow();
      otherOrganizationId = other.id;
    });

    const parkedEvents = () => flow.testDb.db.selectFrom('stripe_events').select(['id', 'status', 'attempts', 'last_error']).where('status', '=', 'failed').execute();

    test('events that name only the customer are parked as failed with the reason, posting nothing, not given to the lower member id', async () => {
      const clock = await flow.stripe.testHelpers.testClocks.create({ frozen_time: START });
      const customer = await flow.stripe.customers.create({ email: 'twice@example.org', test_clock: clock.id });
      // Linked in two organizations (a forged event, or another application writing our metadata, did it).
      await flow.testDb.db
        .insertInto('members')
        .values([
          { organization_id: flow.organization.id, name: 'Here', email: 'twice@example.org', stripe_customer_id: customer.id, ...memberTimes() },
          { organization_id: otherOrganizationId, name: 'There', email: 'twice@example.org', stripe_customer_id: customer.id, ...memberTimes() },
        ])
        .execute();
      const postingsBefore = (await flow.testDb.db.selectFrom('ledger_transactions').select('id').execute()).length;
      await subscribe(customer.id, {});
      const report = await flow.settle();
      expect(report.processed).toBe(0);
      expect(report.failed).toBeGreaterThan(0);
      const parked = await parkedEvents();
      expect(parked.length).toBe(report.failed);
      // Parked at the first attempt: retrying cannot resolve it.
      expect(parked.every((e) => e.attempts === 1 && /^Ambiguous: customer cus_\w+ is linked to 2 members/.test(e.last_error ?? ''))).toBe(true);
      expect((await flow.testDb.db.selectFrom('ledger_transactions').select('id').execute()).length).toBe(postingsBefore);
      await flow.testDb.db.deleteFrom('stripe_events').execute();
    });

    test("our metadata naming a member does not link them to a customer another member already has", async () => {
      const clock = await flow.stripe.testHelpers.testClocks.create({ frozen_time: START });
      const customer = await flow.stripe.customers.create({ email: 'taken@example.org', test_clock: clock.id });
      await flow.testDb.db.insertInto('members').values({ organization_id: otherOrganizationId, name: 'Holder', email: 'taken@example.org', stripe_customer_id: customer.id, ...memberTimes() }).execute();
      const claimant = await flow.testDb.db.insertInto('members').values({ organization_id: flow.organization.id, name: 'Claimant', email: 'claimant@example.org', ...memberTimes() }).returning('id').executeTakeFirstOrThrow();
      const metadata = memberMetadata({ organizationId: flow.organization.id, memberId: claimant.id });
      await subscribe(customer.id, metadata);
      const report = await flow.settle();
      expect(report.failed).toBeGreaterThan(0);
      expect((await parkedEvents()).every((e) => /is linked to 2 members/.test(e.last_error ?? ''))).toBe(true);
      expect((await flow.member(claimant.id)).stripe_customer_id).toBeNull();
    });
  });
});

import fc from 'fast-check';
import { checkLedger } from '../../src/ledger/check';
import { requeueEvents } from '../../webhooks/processor';
import { deliverInOrder, finalState, playLifecycles, processDueEvents, type LifecycleLab } from './lifecycle-lab';

let lab: LifecycleLab;
let inOrder: unknown;

beforeAll(async () => {
  lab = await playLifecycles();
  const run = await lab.freshRun();
  await deliverInOrder(run.db, lab.events);
  const report = await processDueEvents(lab.deps(run.db));
  expect(report).toMatchObject({ retried: 0, failed: 0 });
  inOrder = await finalState(run.db);
  expect(await checkLedger(run.db, lab.flow.organization.id)).toEqual([]);
}, 120_000);
afterAll(async () => {
  await lab.close();
});

describe('webhook processing converges whatever the order and however often events arrive', () => {
  test('the lifecycles produce a ledger with every kind of posting they should', async () => {
    const kinds = new Set((inOrder as { ledger: Array<{ kind: string }> }).ledger.map((row) => row.kind));
    expect([...kinds].sort()).toEqual(['dispute', 'dispute_fee', 'dispute_reversal', 'dues_payment', 'initiation_fee', 'payout', 'processing_fee', 'refund']);
    const members = (inOrder as { members: Array<{ standing: string }> }).members;
    expect(members.map((m) => m.standing).sort()).toEqual(['active', 'active', 'active', 'active', 'active', 'active']);
    expect(lab.events.length).toBeGreaterThan(40);
  });

  test('random orders with random duplicate deliveries and replays end in the in-order state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(lab.events, { minLength: lab.events.length, maxLength: lab.events.length }),
        fc.array(fc.nat({ max: lab.events.length - 1 }), { maxLength: 30 }),
        fc.array(fc.nat({ max: lab.events.length - 1 }), { maxLength: 20 }),
        async (shuffled, duplicated, replayed) => {
          const run = await lab.freshRun();
          // Duplicates arrive later again; the receiver's store keeps one of each.
          await deliverInOrder(run.db, [...shuffled, ...duplicated.map((i) => shuffled[i]!)]);
          const first = await processDueEvents(lab.deps(run.db));
          expect(first.failed).toBe(0);
          // Replays of processed events, and events that were not linkable yet run again as their schedule would.
          await requeueEvents(run.db, { ids: [...new Set(replayed.map((i) => shuffled[i]!.id))] }, new Date());
          await run.db.updateTable('stripe_events').set({ next_attempt_at: new Date() }).where('status', '=', 'pending').execute();
          await processDueEvents(lab.deps(run.db));
          expect(await finalState(run.db)).toEqual(inOrder);
          await run.drop();
        },
      ),
      { numRuns: 8 },
    );
  }, 300_000);

  test('two processors working the same stored stream at once produce the same state as one', async () => {
    const run = await lab.freshRun();
    await deliverInOrder(run.db, lab.events);
    const reports = await Promise.all([processDueEvents(lab.deps(run.db)), processDueEvents(lab.deps(run.db))]);
    expect(reports[0].processed + reports[1].processed + reports[0].ignored + reports[1].ignored).toBeGreaterThanOrEqual(lab.events.length);
    await run.db.updateTable('stripe_events').set({ next_attempt_at: new Date() }).where('status', '=', 'pending').execute();
    await processDueEvents(lab.deps(run.db));
    expect(await finalState(run.db)).toEqual(inOrder);
  }, 120_000);

  test('a processor that dies in the middle of an event leaves nothing half-written, and the event is processed once on retry', async () => {
    const run = await lab.freshRun();
    await deliverInOrder(run.db, lab.events);
    const victim = lab.events.find((e) => e.type === 'invoice.paid')!;
    let crashes = 0;
    const crashing = lab.deps(run.db, {
      failAfterHandler: (event) => {
        if (event.id !== victim.id || crashes > 0) return false;
        crashes += 1;
        return true;
      },
    });
    const first = await processDueEvents(crashing);
    expect(first.retried).toBeGreaterThanOrEqual(1);
    const afterCrash = await run.db.selectFrom('stripe_events').select(['status', 'attempts', 'last_error']).where('id', '=', victim.id).executeTakeFirstOrThrow();
    expect(afterCrash).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringContaining('simulated crash') });
    // Nothing the crashed attempt did is left: no posting carries its event id.
    expect(await run.db.selectFrom('ledger_transactions').select('id').where('stripe_event_id', '=', victim.id).execute()).toEqual([]);

    await run.db.updateTable('stripe_events').set({ next_attempt_at: new Date() }).where('status', '=', 'pending').execute();
    await processDueEvents(crashing);
    const retried = await run.db.selectFrom('stripe_events').select(['status', 'attempts']).where('id', '=', victim.id).executeTakeFirstOrThrow();
    expect(retried).toEqual({ status: 'processed', attempts: 2 });
    expect(await finalState(run.db)).toEqual(inOrder);
  }, 120_000);
});

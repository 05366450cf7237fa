import fc from 'fast-check';
import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { Database } from '../../db/database';
import { checkLedger } from '../../src/ledger/check';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { checkPayouts, reconcilePayoutsWithStripe } from '../../src/ledger/payout-check';
import { storeEvent } from '../../webhooks/events';
import { requeueEvents } from '../../webhooks/processor';
import { deliverInOrder, finalState, playLifecycles, processDueEvents, standingsOf, type LifecycleLab } from './lifecycle-lab';

// Shuffled runs of the whole lab in the suite; LIFECYCLE_RUNS raises it (each run plays every lifecycle).
const RUNS = Number(process.env.LIFECYCLE_RUNS ?? 4);

let lab: LifecycleLab;
let inOrder: unknown;

beforeAll(async () => {
  lab = await playLifecycles();
  const run = await lab.freshRun();
  await deliverInOrder(run.db, lab.events, lab.now);
  const report = await processDueEvents(lab.deps(run.db));
  expect(report).toMatchObject({ retried: 0, failed: 0 });
  inOrder = await finalState(run.db);
  expect(await checkLedger(run.db, lab.flow.organization.id)).toEqual([]);
  expect(await checkPayouts(run.db, lab.flow.stripe, lab.flow.organization)).toEqual([]);
}, 300_000);
afterAll(async () => {
  await lab.close();
});

/** Processes until nothing is left to do, making events put off after a failure (a member not linked yet) due again. */
async function drain(db: Kysely<Database>): Promise<void> {
  for (let round = 0; round < 10; round += 1) {
    await processDueEvents(lab.deps(db));
    const waiting = await db.updateTable('stripe_events').set({ next_attempt_at: lab.now }).where('status', '=', 'pending').executeTakeFirst();
    if (Number(waiting.numUpdatedRows) === 0) return;
  }
  throw new Error('events still pending after ten rounds');
}

/** Every member's standing, paid-through date and months in arrears must be what the standing function gives from Stripe's final state. */
async function expectStandingsFromStripe(db: Kysely<Database>): Promise<void> {
  const expected = await lab.expectedFromStripe();
  const stored = await standingsOf(db, lab.now);
  const disagreements = [...expected].flatMap(([memberId, pure]) => {
    const got = stored.get(memberId)!;
    const want = { standing: pure.standing, paidThrough: pure.paidThrough, monthsInArrears: pure.monthsInArrears };
    const have = { standing: got.standing, paidThrough: got.paidThrough, monthsInArrears: got.monthsInArrears };
    return JSON.stringify(want) === JSON.stringify(have) ? [] : [{ memberId, want, have }];
  });
  expect(disagreements).toEqual([]);
}

const historyOf = (db: Kysely<Database>, memberId: string) =>
  db.selectFrom('member_standing_changes').select(['from_standing', 'to_standing', 'cause', 'reason']).where('member_id', '=', memberId).orderBy('id').execute();

describe('webhook processing converges whatever the order and however often events arrive', () => {
  test('the lifecycles end in the standings their facts give, with a ledger with every kind of posting they should', async () => {
    const kinds = new Set((inOrder as { ledger: Array<{ kind: string }> }).ledger.map((row) => row.kind));
    expect([...kinds].sort()).toEqual(['dispute', 'dispute_fee', 'dispute_reversal', 'dues_payment', 'initiation_fee', 'payout', 'processing_fee', 'refund']);
    const members = (inOrder as { members: Array<{ id: string; standing: string; standing_reason: string; paid_through: string | null }> }).members;
    const byName = Object.fromEntries([...lab.members].map(([name, member]) => {
      const final = members.find((m) => m.id === member.id)!;
      return [name, [final.standing, final.standing_reason, final.paid_through]];
    }));
    // February 14, 2026; monthly dues billed on the 5th; past due while Stripe retries (the lab's policy).
    expect(byName).toEqual({
      'Ava Renewing': ['active', 'paid_up', '2026-03-05'],
      'Ben Recovering': ['active', 'paid_up', '2026-03-05'],
      'Cal Banking': ['active', 'paid_up', '2026-03-05'],
      'Dee Partial': ['active', 'paid_up', '2026-03-05'],
      // The first month's payment was lost to the dispute: February's payment pays January.
      'Eli Lost': ['active', 'renewal_pending', '2026-02-05'],
      'Fox Won': ['active', 'paid_up', '2026-03-05'],
      'Lee Late': ['past_due', 'payment_failed', '2026-02-05'],
      'Gus Closed': ['pending', 'first_payment_failed', null],
      'Pat Processing': ['pending', 'payment_processing', null],
      'Rae Refunded': ['active', 'renewal_pending', '2026-02-05'],
      'Cam Canceled': ['past_due', 'dues_overdue', '2026-02-05'],
    });
    expect(lab.events.length).toBeGreaterThan(100);
  });

  test('in order, every member’s standing is what the standing function gives from Stripe’s final state', async () => {
    const run = await lab.freshRun();
    await deliverInOrder(run.db, lab.events, lab.now);
    await drain(run.db);
    await expectStandingsFromStripe(run.db);
    await run.drop();
  }, 120_000);

  test('shuffled, duplicated, delivered late, processed a few at a time, with admin re-runs of processed events at any time: the same end state, the standings Stripe’s facts give, and books that check', async () => {
    const started = Date.now();
    const events = lab.events;
    const n = events.length;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(events, { minLength: n, maxLength: n }),
        fc.array(fc.nat({ max: n - 1 }), { maxLength: 30 }),
        fc.array(fc.tuple(fc.nat({ max: n + 29 }), fc.integer({ min: 1, max: 60 })), { maxLength: 12 }),
        fc.array(fc.tuple(fc.nat({ max: n + 29 }), fc.nat({ max: n - 1 })), { maxLength: 25 }),
        async (shuffled, duplicated, processAt, rerunAt) => {
          const run = await lab.freshRun();
          // Duplicates arrive later again; the receiver's store keeps one of each.
          const deliveries = [...shuffled, ...duplicated.map((i) => shuffled[i]!)];
          const base = lab.now.getTime() - 60_000;
          for (const [position, event] of deliveries.entries()) {
            await storeEvent(run.db, event.payload as unknown as Stripe.Event, new Date(base + position));
            for (const [when, count] of processAt) if (when === position) await processDueEvents(lab.deps(run.db), { maxEvents: count });
            // An admin re-runs an event already processed, whenever (`POST /api/webhook-events/:id/retry`).
            for (const [when, index] of rerunAt) if (when === position) await requeueEvents(run.db, { ids: [shuffled[index]!.id], status: 'processed' }, lab.now);
          }
          await drain(run.db);
          // And re-runs of old events after everything was processed.
          await requeueEvents(run.db, { ids: rerunAt.map(([, index]) => shuffled[index]!.id) }, lab.now);
          await drain(run.db);
          expect(await run.db.selectFrom('stripe_events').select('id').where('status', '=', 'failed').execute()).toEqual([]);
          expect(await finalState(run.db)).toEqual(inOrder);
          await expectStandingsFromStripe(run.db);
          expect(await checkLedger(run.db, lab.flow.organization.id)).toEqual([]);
          expect(await checkPayouts(run.db, lab.flow.stripe, lab.flow.organization)).toEqual([]);
          await run.drop();
        },
      ),
      { numRuns: RUNS },
    );
    if (process.env.LIFECYCLE_RUNS) {
      process.stdout.write(`ordering: ${RUNS} shuffled runs of ${lab.members.size} lifecycles (${RUNS * lab.members.size} lifecycles, ${lab.events.length} events each run) in ${((Date.now() - started) / 1000).toFixed(1)} s, 0 failures\n`);
    }
  }, 600_000 + RUNS * 30_000);

  test('the late invoice.paid: held back until the renewal failed, or re-run by an admin afterwards, it cannot make the member active', async () => {
    const lee = lab.members.get('Lee Late')!;
    const customerOf = (e: (typeof lab.events)[number]) => ((e.payload as unknown as Stripe.Event).data.object as { customer?: string }).customer;
    const leeCustomer = customerOf(lab.events.find((e) => e.type === 'checkout.session.completed' && ((e.payload as unknown as Stripe.Event).data.object as Stripe.Checkout.Session).client_reference_id === lee.id)!);
    const firstPaid = lab.events.find((e) => e.type === 'invoice.paid' && customerOf(e) === leeCustomer)!;

    // Held back: delivered after everything else.
    const held = await lab.freshRun();
    await deliverInOrder(held.db, [...lab.events.filter((e) => e.id !== firstPaid.id), firstPaid], lab.now);
    await drain(held.db);
    const heldHistory = await historyOf(held.db, lee.id);

    // In order, then the old invoice.paid re-run by an admin.
    const rerun = await lab.freshRun();
    await deliverInOrder(rerun.db, lab.events, lab.now);
    await drain(rerun.db);
    await requeueEvents(rerun.db, { ids: [firstPaid.id] }, lab.now);
    await drain(rerun.db);
    const rerunHistory = await historyOf(rerun.db, lee.id);
    if (process.env.SHOW_HISTORY) process.stdout.write(`late invoice.paid, held back: ${JSON.stringify(heldHistory)}\nin order, then re-run: ${JSON.stringify(rerunHistory)}\n`);

    for (const db of [held.db, rerun.db]) {
      expect(await db.selectFrom('members').select(['standing', 'standing_reason', 'paid_through']).where('id', '=', lee.id).executeTakeFirstOrThrow()).toEqual({ standing: 'past_due', standing_reason: 'payment_failed', paid_through: '2026-02-05' });
    }
    expect(heldHistory.at(-1)).toMatchObject({ to_standing: 'past_due', reason: 'payment_failed' });
    expect(heldHistory.map((h) => h.to_standing)).not.toContain('active');
    expect(rerunHistory.map((h) => [h.from_standing, h.to_standing])).toEqual([
      ['pending', 'active'],
      ['active', 'past_due'],
    ]);
    await held.drop();
    await rerun.drop();
  }, 120_000);

  test('check-ledger reads every paid payout back from Stripe: a balance transaction with no posting fails it', async () => {
    const payouts = (inOrder as { payouts: Array<{ status: string }> }).payouts;
    expect(payouts.filter((p) => p.status === 'paid').length).toBeGreaterThan(0);
    // Every event but the first card payment's: its charge is in a payout the ledger cannot account for.
    const run = await lab.freshRun();
    const paid = lab.events.find((e) => e.type === 'invoice.paid')!;
    await deliverInOrder(run.db, lab.events.filter((e) => e.id !== paid.id), lab.now);
    await drain(run.db);
    const problems = await checkPayouts(run.db, lab.flow.stripe, lab.flow.organization);
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ check: 'payout_balance_transactions', detail: expect.stringMatching(/^Stripe charge txn_\w+ \(ch_\w+\) of net \d+ has no ledger posting$/) })]));
    await run.drop();
  }, 120_000);

  test("reconcile-payouts lists the payouts from Stripe, not from our rows: a payout we never recorded is a difference, and the command exits 1", async () => {
    const run = await lab.freshRun();
    // The payout events never arrived: our own rows know of no payout, so a check that starts from them sees nothing wrong.
    await deliverInOrder(run.db, lab.events.filter((e) => !e.type.startsWith('payout.')), lab.now);
    await drain(run.db);
    expect(await checkPayouts(run.db, lab.flow.stripe, lab.flow.organization)).toEqual([]);
    const { payouts, problems } = await reconcilePayoutsWithStripe(run.db, lab.flow.stripe, lab.flow.organization);
    expect(payouts).toBeGreaterThan(0);
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ check: 'payout_balance_transactions', detail: expect.stringMatching(/^payout po_\w+ is paid at Stripe but not posted to the ledger$/) })]));

    const root = path.resolve(__dirname, '..', '..');
    const command = (db: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const env = { ...process.env, NODE_ENV: 'test', DATABASE_URL: db, STRIPE_SECRET_KEY: 'sk_test_flow', STRIPE_API_BASE: lab.flow.sandbox.url };
        execFile(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/reconcile-payouts.ts', '--all'], { cwd: root, env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
      });
    const differs = await command(run.url);
    expect(differs.code).toBe(1);
    expect(differs.stdout).toMatch(/DIFFERENCE payout_balance_transactions: payout po_\w+ is paid at Stripe but not posted to the ledger/);
    expect(differs.stderr).toMatch(/^reconcile-payouts: \d+ difference\(s\) found\n$/);
    await run.drop();

    // The books of the run that had every event agree with Stripe, line by line.
    const sound = await lab.freshRun();
    await deliverInOrder(sound.db, lab.events, lab.now);
    await drain(sound.db);
    expect((await reconcilePayoutsWithStripe(sound.db, lab.flow.stripe, lab.flow.organization)).problems).toEqual([]);
    const agrees = await command(sound.url);
    expect(agrees).toMatchObject({ code: 0, stderr: '' });
    expect(agrees.stdout).toMatch(/payouts of \S+ \(\S+\): [1-9]\d* paid at Stripe\n {2}ok: every balance transaction/);
    await sound.drop();
  }, 180_000);

  test('two processors working the same stored stream at once produce the same state as one', async () => {
    const run = await lab.freshRun();
    await deliverInOrder(run.db, lab.events, lab.now);
    const reports = await Promise.all([processDueEvents(lab.deps(run.db)), processDueEvents(lab.deps(run.db))]);
    expect(reports[0].processed + reports[1].processed + reports[0].ignored + reports[1].ignored).toBeGreaterThanOrEqual(lab.events.length);
    await drain(run.db);
    expect(await finalState(run.db)).toEqual(inOrder);
  }, 120_000);

  test('a processor that dies in the middle of an event leaves nothing half-written, and the event is processed once on retry', async () => {
    const run = await lab.freshRun();
    await deliverInOrder(run.db, lab.events, lab.now);
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

    await run.db.updateTable('stripe_events').set({ next_attempt_at: lab.now }).where('status', '=', 'pending').execute();
    await processDueEvents(crashing);
    const retried = await run.db.selectFrom('stripe_events').select(['status', 'attempts']).where('id', '=', victim.id).executeTakeFirstOrThrow();
    expect(retried).toEqual({ status: 'processed', attempts: 2 });
    await drain(run.db);
    expect(await finalState(run.db)).toEqual(inOrder);
  }, 120_000);
});

// The sandbox engine: Test clocks.
import { Ctx, PRIORITY, clone, systemCtx } from './core';
import { invalidParam, invalidRequest } from './errors';
import { Params } from './params';
import { newId } from './store';
import { DAY, realNow, startOfUtcDay } from './time';
import type { BalanceTransaction, TestClock } from './types';
import { Checkout } from './checkout';

export abstract class TestClocks extends Checkout {

  createClock(ctx: Ctx, p: Params): TestClock {
    const frozen = p.reqInt('frozen_time');
    const now = realNow();
    const clock: TestClock = {
      id: newId('clock'),
      object: 'test_helpers.test_clock',
      created: now,
      deletes_after: now + 30 * DAY,
      frozen_time: frozen,
      livemode: false,
      name: p.str('name') ?? null,
      status: 'ready',
      status_details: {},
    };
    this.store.insert(clock, ctx.account, null);
    this.registerClock(clock);
    const entry = this.store.entry(clock.id);
    if (entry) entry.clock = clock.id;
    if (this.options.automaticPayouts) {
      const first = startOfUtcDay(frozen) + DAY;
      this.schedule(clock.id, first, () => this.dailyPayout(clock.id, ctx.account, first), { key: `daily_payout:${clock.id}`, priority: PRIORITY.payout });
    }
    this.emit(ctx, 'test_helpers.test_clock.created', clock);
    return clock;
  }

  /** Starts advancing; the clock reports `advancing` until the work has run, then `ready`. */
  advanceClock(ctx: Ctx, id: string, p: Params): TestClock {
    const clock = this.store.get<TestClock>('test_helpers.test_clock', id, ctx.account);
    if (clock.status !== 'ready') throw invalidRequest(`The test clock ${id} is currently ${clock.status}. Wait for it to be ready before advancing.`, 'test_clock_not_ready' as string);
    const target = p.reqInt('frozen_time');
    if (target <= clock.frozen_time) {
      throw invalidParam('frozen_time', `The test clock frozen_time must be after its current frozen_time (${clock.frozen_time}).`);
    }
    clock.status = 'advancing';
    clock.status_details = { advancing: { target_frozen_time: target } };
    this.emit(ctx, 'test_helpers.test_clock.advancing', clock);
    setImmediate(() => {
      if (!this.store.entry(id)) return;
      try {
        this.runDue(id, target);
        clock.frozen_time = target;
        clock.status = 'ready';
      } catch (err) {
        clock.status = 'internal_failure';
        console.error(`stripe-sandbox: advancing ${id} failed`, err);
      }
      clock.status_details = {};
      this.emit(systemCtx(ctx.account), `test_helpers.test_clock.${clock.status === 'ready' ? 'ready' : 'internal_failure'}`, clock);
    });
    return clone(clock);
  }

  deleteClock(ctx: Ctx, id: string): { id: string; object: 'test_helpers.test_clock'; deleted: true } {
    const clock = this.store.get<TestClock>('test_helpers.test_clock', id, ctx.account);
    // Deleting a clock deletes the objects attached to it, as in Stripe.
    const doomed = [...this.store.entries()].filter((e) => e.clock === id && e.obj.object !== 'event').map((e) => e.obj.id);
    this.emit(ctx, 'test_helpers.test_clock.deleted', clock);
    for (const objId of doomed) {
      const entry = this.store.entry(objId)!;
      if (entry.obj.object === 'balance_transaction') this.addToBalance(entry.account, entry.obj as BalanceTransaction, -1);
      this.store.remove(objId);
    }
    this.forgetClock(id);
    return { id, object: 'test_helpers.test_clock', deleted: true };
  }
}

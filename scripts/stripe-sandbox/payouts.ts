// The sandbox engine: Payouts: manual, and daily automatic ones per test clock.
import { Ctx, PRIORITY, systemCtx } from './core';
import { invalidRequest } from './errors';
import { Params } from './params';
import { Account, newId, randomToken } from './store';
import { DAY, realNow, startOfUtcDay } from './time';
import type { BalanceTransaction, Payout } from './types';
import { RefundsAndDisputes } from './refunds-disputes';

export abstract class Payouts extends RefundsAndDisputes {

  protected payoutObject(amount: number, currency: string, created: number, automatic: boolean, p?: Params): Payout {
    return {
      id: newId('po'),
      object: 'payout',
      amount,
      application_fee: null,
      application_fee_amount: null,
      arrival_date: startOfUtcDay(created) + DAY,
      automatic,
      balance_transaction: null,
      created,
      currency,
      description: p?.str('description') ?? 'STRIPE PAYOUT',
      destination: 'ba_sandboxbankaccount0001',
      failure_balance_transaction: null,
      failure_code: null,
      failure_message: null,
      livemode: false,
      metadata: p ? p.metadata() : {},
      method: p?.enum('method', ['standard', 'instant'] as const) ?? 'standard',
      original_payout: null,
      payout_method: null,
      reconciliation_status: automatic ? 'in_progress' : 'not_applicable',
      reversed_by: null,
      source_type: 'card',
      statement_descriptor: p?.str('statement_descriptor') ?? null,
      status: 'pending',
      trace_id: { status: 'pending', value: null },
      type: 'bank_account',
    };
  }

  createPayout(ctx: Ctx, p: Params): Payout {
    const amount = p.reqInt('amount', { min: 1 });
    const currency = p.reqStr('currency').toLowerCase();
    const available = this.balance(ctx.account).available.find((b) => b.currency === currency)?.amount ?? 0;
    if (amount > available) {
      throw invalidRequest(`You have insufficient funds in your Stripe account for this transfer. Your card balance is too low.`, 'balance_insufficient', 'amount');
    }
    const payout = this.payoutObject(amount, currency, realNow(), false, p);
    this.recordPayout(ctx, payout, null);
    return payout;
  }

  protected recordPayout(ctx: Ctx, payout: Payout, clock: string | null): void {
    const txn = this.createTxn(ctx.account, clock, {
      amount: -payout.amount,
      currency: payout.currency,
      fee: 0,
      feeDescription: '',
      type: 'payout',
      reporting_category: 'payout',
      source: payout.id,
      description: payout.description,
      availableAfterDays: 0,
    });
    payout.balance_transaction = txn.id;
    this.store.insert(payout, ctx.account, clock);
    if (payout.automatic) this.txnPayout.set(txn.id, payout.id);
    this.emit(ctx, 'payout.created', payout);
    this.schedule(clock, payout.arrival_date, () => this.payoutArrived(payout.id), { key: `payout:${payout.id}`, priority: PRIORITY.payout });
  }

  protected payoutArrived(id: string): void {
    const payout = this.store.entry(id)?.obj as Payout | undefined;
    if (!payout || payout.status !== 'pending') return;
    this.setPayoutStatus(payout, 'paid');
  }

  protected setPayoutStatus(payout: Payout, status: 'paid' | 'failed'): void {
    const ctx = systemCtx(this.accountOf(payout.id));
    const prev = this.track(payout);
    payout.status = status;
    payout.trace_id = { status: status === 'paid' ? 'supported' : 'unsupported', value: status === 'paid' ? randomToken(15) : null };
    if (payout.automatic) payout.reconciliation_status = 'completed';
    if (status === 'failed') {
      payout.failure_code = 'account_closed';
      payout.failure_message = 'The bank account has been closed.';
      const txn = this.createTxn(this.accountOf(payout.id), this.clockOf(payout.id), {
        amount: payout.amount,
        currency: payout.currency,
        fee: 0,
        feeDescription: '',
        type: 'payout_failure',
        reporting_category: 'payout_reversal',
        source: payout.id,
        description: 'Payout failure',
        availableAfterDays: 0,
      });
      payout.failure_balance_transaction = txn.id;
    }
    this.emit(ctx, 'payout.updated', payout, prev());
    this.emit(ctx, status === 'paid' ? 'payout.paid' : 'payout.failed', payout);
  }

  /** Test-only: make a pending payout arrive, or fail. */
  settlePayout(ctx: Ctx, id: string, outcome: 'paid' | 'failed'): Payout {
    const payout = this.store.get<Payout>('payout', id, ctx.account);
    if (payout.status !== 'pending' && payout.status !== 'in_transit') throw invalidRequest(`Payout ${id} is ${payout.status}.`);
    this.cancelTasks(`payout:${id}`);
    this.setPayoutStatus(payout, outcome);
    return payout;
  }

  /** Daily automatic payout for a clock: sweeps that clock's available, not yet paid out balance. */
  protected dailyPayout(clockId: string, account: Account, at: number): void {
    if (!this.store.entry(clockId)) return;
    const byCurrency = new Map<string, BalanceTransaction[]>();
    for (const txn of this.store.onClock<BalanceTransaction>('balance_transaction', clockId, account, (t) => t.status === 'available' && !this.txnPayout.has(t.id))) {
      const list = byCurrency.get(txn.currency) ?? [];
      list.push(txn);
      byCurrency.set(txn.currency, list);
    }
    for (const [currency, txns] of byCurrency) {
      const net = txns.reduce((s, t) => s + t.net, 0);
      if (net <= 0) continue;
      const payout = this.payoutObject(net, currency, at, true);
      for (const t of txns) this.txnPayout.set(t.id, payout.id);
      this.recordPayout(systemCtx(account), payout, clockId);
    }
    this.schedule(clockId, at + DAY, () => this.dailyPayout(clockId, account, at + DAY), { key: `daily_payout:${clockId}`, priority: PRIORITY.payout });
  }
}

// The sandbox engine: Refunds and disputes, with their balance transactions.
import { Ctx, clone } from './core';
import { invalidParam, invalidRequest } from './errors';
import { DISPUTE_FEE } from './fees';
import { Params } from './params';
import { newId } from './store';
import { DAY, startOfUtcDay } from './time';
import type { Charge, Dispute, PaymentIntent, Refund } from './types';
import { Payments } from './payments';

export abstract class RefundsAndDisputes extends Payments {

  createRefund(ctx: Ctx, p: Params): Refund {
    let charge: Charge;
    const chargeId = p.str('charge');
    const piId = p.str('payment_intent');
    if (chargeId) {
      charge = this.store.get<Charge>('charge', chargeId, ctx.account, 'charge');
    } else if (piId) {
      const pi = this.store.get<PaymentIntent>('payment_intent', piId, ctx.account, 'payment_intent');
      if (!pi.latest_charge || pi.status !== 'succeeded') {
        throw invalidRequest(`This PaymentIntent (${piId}) does not have a successful charge to refund.`, 'charge_not_refundable', 'payment_intent');
      }
      charge = this.store.get<Charge>('charge', pi.latest_charge as string, ctx.account);
    } else {
      throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', 'parameter_missing', 'charge');
    }
    if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, 'charge_not_refundable', 'charge');
    if (charge.disputed) throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, 'charge_disputed', 'charge');
    const remaining = charge.amount - charge.amount_refunded;
    const amount = p.int('amount', { min: 1 }) ?? remaining;
    if (remaining === 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded', 'charge');
    if (amount > remaining) {
      throw invalidParam('amount', `Refund amount ($${(amount / 100).toFixed(2)}) is greater than unrefunded amount on charge ($${(remaining / 100).toFixed(2)})`, 'amount_too_large');
    }
    const clock = this.clockOf(charge.id);
    const now = this.now(clock);
    const refundId = newId('re');
    const txn = this.createTxn(ctx.account, clock, {
      amount: -amount,
      currency: charge.currency,
      fee: 0,
      feeDescription: '',
      type: 'refund',
      reporting_category: 'refund',
      source: refundId,
      description: 'REFUND FOR CHARGE',
      availableAfterDays: 0,
    });
    const refund: Refund = {
      id: refundId,
      object: 'refund',
      amount,
      balance_transaction: txn.id,
      charge: charge.id,
      created: now,
      currency: charge.currency,
      customer: charge.customer as string | null,
      customer_account: null,
      destination_details:
        charge.payment_method_details?.type === 'card'
          ? { type: 'card', card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' } }
          : { type: 'us_bank_transfer', us_bank_transfer: { reference: null, reference_status: 'pending' } },
      metadata: p.metadata(),
      payment_intent: charge.payment_intent as string | null,
      payment_method: charge.payment_method,
      reason: p.enum('reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    this.store.insert(refund, ctx.account, clock);
    const prev = this.track(charge);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    charge.refunds?.data.unshift(clone(refund));
    this.emit(ctx, 'refund.created', refund);
    this.emit(ctx, 'charge.refunded', charge, prev());
    return refund;
  }

  protected openDispute(ctx: Ctx, charge: Charge): void {
    const clock = this.clockOf(charge.id);
    const now = this.now(clock);
    const id = newId('dp');
    const txn = this.createTxn(this.accountOf(charge.id), clock, {
      amount: -charge.amount,
      currency: charge.currency,
      fee: DISPUTE_FEE,
      feeDescription: 'Dispute fee',
      type: 'adjustment',
      reporting_category: 'dispute',
      source: id,
      description: `Chargeback withdrawal for ${charge.id}`,
      availableAfterDays: 0,
    });
    const nullEvidence = {
      access_activity_log: null, billing_address: null, cancellation_policy: null, cancellation_policy_disclosure: null,
      cancellation_rebuttal: null, customer_communication: null, customer_email_address: null, customer_name: null,
      customer_purchase_ip: null, customer_signature: null, duplicate_charge_documentation: null, duplicate_charge_explanation: null,
      duplicate_charge_id: null, enhanced_evidence: {}, product_description: null, receipt: null, refund_policy: null,
      refund_policy_disclosure: null, refund_refusal_explanation: null, service_date: null, service_documentation: null,
      shipping_address: null, shipping_carrier: null, shipping_date: null, shipping_documentation: null,
      shipping_tracking_number: null, uncategorized_file: null, uncategorized_text: null,
    };
    const dispute: Dispute = {
      id,
      object: 'dispute',
      amount: charge.amount,
      balance_transactions: [clone(txn)],
      charge: charge.id,
      created: now,
      currency: charge.currency,
      enhanced_eligibility_types: [],
      evidence: nullEvidence,
      evidence_details: { due_by: startOfUtcDay(now) + 8 * DAY - 1, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: 'not_submitted' },
      intended_submission_method: null,
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      network_reason_code: '10.4',
      payment_intent: charge.payment_intent as string | null,
      payment_method_details: { type: 'card', card: { brand: 'visa', case_type: 'chargeback', network: 'visa', network_reason_code: '10.4' } },
      reason: 'fraudulent',
      status: 'needs_response',
    };
    this.store.insert(dispute, this.accountOf(charge.id), clock);
    const prev = this.track(charge);
    charge.disputed = true;
    this.emit(ctx, 'charge.dispute.created', dispute);
    this.emit(ctx, 'charge.updated', charge, prev());
    this.emit(ctx, 'charge.dispute.funds_withdrawn', dispute);
  }

  /** Evidence `winning_evidence` / `losing_evidence` in uncategorized_text decides the dispute, as in Stripe test mode. */
  updateDispute(ctx: Ctx, id: string, p: Params): Dispute {
    const dispute = this.store.get<Dispute>('dispute', id, ctx.account);
    if (['won', 'lost', 'warning_closed'].includes(dispute.status)) {
      throw invalidRequest(`This dispute is already closed`, 'charge_dispute_closed' as string);
    }
    const prev = this.track(dispute);
    const ev = p.obj('evidence');
    if (ev) {
      const evidence = dispute.evidence as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(ev.raw)) {
        if (typeof v === 'string' && k in evidence) evidence[k] = v;
      }
    }
    dispute.metadata = p.metadata(dispute.metadata);
    const submit = p.bool('submit') ?? true;
    if (ev && submit) {
      dispute.evidence_details = { ...dispute.evidence_details, has_evidence: true, submission_count: dispute.evidence_details.submission_count + 1 };
      const text = dispute.evidence.uncategorized_text;
      if (text === 'winning_evidence') return this.closeDispute(ctx, dispute, 'won', prev);
      if (text === 'losing_evidence') return this.closeDispute(ctx, dispute, 'lost', prev);
      dispute.status = 'under_review';
    }
    this.emit(ctx, 'charge.dispute.updated', dispute, prev());
    return dispute;
  }

  closeDisputeApi(ctx: Ctx, id: string): Dispute {
    const dispute = this.store.get<Dispute>('dispute', id, ctx.account);
    if (['won', 'lost', 'warning_closed'].includes(dispute.status)) throw invalidRequest(`This dispute is already closed`);
    return this.closeDispute(ctx, dispute, 'lost', this.track(dispute));
  }

  protected closeDispute(ctx: Ctx, dispute: Dispute, outcome: 'won' | 'lost', prev: () => Record<string, unknown>): Dispute {
    dispute.status = outcome;
    if (outcome === 'won') {
      const clock = this.clockOf(dispute.id);
      const txn = this.createTxn(this.accountOf(dispute.id), clock, {
        amount: dispute.amount,
        currency: dispute.currency,
        fee: 0,
        feeDescription: '',
        type: 'adjustment',
        reporting_category: 'dispute_reversal',
        source: dispute.id,
        description: `Chargeback reversal for ${dispute.charge as string}`,
        availableAfterDays: 0,
      });
      dispute.balance_transactions = [...dispute.balance_transactions, clone(txn)];
    }
    this.emit(ctx, 'charge.dispute.updated', dispute, prev());
    this.emit(ctx, 'charge.dispute.closed', dispute);
    if (outcome === 'won') this.emit(ctx, 'charge.dispute.funds_reinstated', dispute);
    return dispute;
  }

  /**
   * Test-only: moves a dispute's funds again, as a card network's later stages do (a
   * pre-arbitration withdrawal after a reinstatement, a partial reinstatement): a new
   * balance transaction on the dispute, and its funds_withdrawn or funds_reinstated event.
   */
  moveDisputeFunds(ctx: Ctx, id: string, direction: 'withdraw' | 'reinstate', amount?: number, fee = 0): Dispute {
    const dispute = this.store.get<Dispute>('dispute', id, ctx.account);
    const cents = amount ?? dispute.amount;
    if (!Number.isInteger(cents) || cents <= 0 || cents > dispute.amount) throw invalidParam('amount', `amount must be between 1 and the disputed ${dispute.amount}`);
    if (!Number.isInteger(fee) || (direction === 'withdraw' ? fee < 0 : fee > 0)) throw invalidParam('fee', 'a withdrawal takes a fee (>= 0); a reinstatement returns one (<= 0)');
    const prev = this.track(dispute);
    const txn = this.createTxn(this.accountOf(dispute.id), this.clockOf(dispute.id), {
      amount: direction === 'withdraw' ? -cents : cents,
      currency: dispute.currency,
      fee,
      feeDescription: direction === 'withdraw' ? 'Dispute fee' : 'Dispute fee refund',
      type: 'adjustment',
      reporting_category: direction === 'withdraw' ? 'dispute' : 'dispute_reversal',
      source: dispute.id,
      description: `${direction === 'withdraw' ? 'Chargeback withdrawal' : 'Chargeback reversal'} for ${dispute.charge as string}`,
      availableAfterDays: 0,
    });
    dispute.balance_transactions = [...dispute.balance_transactions, clone(txn)];
    this.emit(ctx, 'charge.dispute.updated', dispute, prev());
    this.emit(ctx, direction === 'withdraw' ? 'charge.dispute.funds_withdrawn' : 'charge.dispute.funds_reinstated', dispute);
    return dispute;
  }
}

import { ACCOUNT_CODES, type AccountCode } from './accounts';

/**
 * Ledger posting rules: pure functions from the facts Stripe (or a treasurer) reports to
 * balanced transaction drafts. Each draft carries a source key unique within the
 * organization, so that an event delivered twice, or replayed, posts nothing new.
 *
 * Stripe-sourced drafts also carry gross, fee and net as Stripe's balance transactions
 * sign them (money out of the Stripe balance is negative, net = gross - fee); `net` is
 * exactly what the draft does to the `stripe_balance` account, which is what lets
 * `check-ledger` reconcile that account transaction by transaction. When one Stripe
 * balance transaction is split into several drafts (a charge into dues, initiation fee
 * and processing fee), each draft carries its own share, so the columns sum correctly.
 */
export type LedgerKind =
  | 'dues_payment'
  | 'initiation_fee'
  | 'processing_fee'
  | 'refund'
  | 'dispute'
  | 'dispute_fee'
  | 'dispute_reversal'
  | 'payout'
  | 'payout_failed'
  | 'manual_payment'
  | 'payment_reversal'
  | 'bank_deposit'
  | 'payroll_remittance'
  | 'payroll_remittance_reversal'
  | 'payroll_suspense_clearing'
  | 'per_capita_accrual'
  | 'per_capita_payment'
  | 'per_capita_payment_reversal';

export type LedgerPaymentMethod = 'card' | 'us_bank_account' | 'cash' | 'check' | 'payroll_deduction';

/** Which way a kind of transaction moves the Stripe balance; 'none' for money Stripe never saw. */
export type StripeDirection = 'in' | 'out' | 'either' | 'none';

export interface KindRule {
  /** The only accounts a transaction of this kind may post to. */
  accounts: readonly AccountCode[];
  stripe: StripeDirection;
}

export const KIND_RULES: Readonly<Record<LedgerKind, KindRule>> = {
  dues_payment: { accounts: ['stripe_balance', 'dues_income'], stripe: 'in' },
  initiation_fee: { accounts: ['stripe_balance', 'initiation_fees'], stripe: 'in' },
  // A fee taken, or (with a refund) a fee Stripe gives back.
  processing_fee: { accounts: ['stripe_balance', 'processing_fees'], stripe: 'either' },
  refund: { accounts: ['stripe_balance', 'refunds'], stripe: 'out' },
  dispute: { accounts: ['stripe_balance', 'dispute_losses'], stripe: 'out' },
  // A dispute fee taken, or returned with a won dispute.
  dispute_fee: { accounts: ['stripe_balance', 'dispute_fees'], stripe: 'either' },
  dispute_reversal: { accounts: ['stripe_balance', 'dispute_losses'], stripe: 'in' },
  payout: { accounts: ['stripe_balance', 'bank'], stripe: 'out' },
  payout_failed: { accounts: ['stripe_balance', 'bank'], stripe: 'in' },
  manual_payment: { accounts: ['cash_on_hand', 'dues_income'], stripe: 'none' },
  // Income taken back out, and possibly the processing fee returned.
  payment_reversal: { accounts: ['stripe_balance', 'dues_income', 'initiation_fees', 'processing_fees'], stripe: 'either' },
  // Checks and cash of a deposit slip taken to the bank (src/bank/batches.ts).
  bank_deposit: { accounts: ['cash_on_hand', 'bank'], stripe: 'none' },
  // An employer's payroll remittance: one deposit, dues income for the members' lines, the rest in suspense.
  payroll_remittance: { accounts: ['bank', 'dues_income', 'payroll_suspense'], stripe: 'none' },
  payroll_remittance_reversal: { accounts: ['bank', 'dues_income', 'payroll_suspense'], stripe: 'none' },
  // A remittance's suspense explained by a treasurer (or that explanation reversed with the remittance): to dues income or owed with the employer.
  payroll_suspense_clearing: { accounts: ['payroll_suspense', 'dues_income', 'due_to_employers'], stripe: 'none' },
  // A month's per-capita tax owed to an affiliate (or its correction), and a payment of it (src/treasurer/per-capita).
  per_capita_accrual: { accounts: ['per_capita_expense', 'per_capita_payable'], stripe: 'none' },
  per_capita_payment: { accounts: ['per_capita_payable', 'bank'], stripe: 'none' },
  // A per-capita payment recorded by mistake, taken back.
  per_capita_payment_reversal: { accounts: ['per_capita_payable', 'bank'], stripe: 'none' },
};

export const LEDGER_KINDS = Object.keys(KIND_RULES) as LedgerKind[];
const PAYMENT_METHODS: readonly LedgerPaymentMethod[] = ['card', 'us_bank_account', 'cash', 'check', 'payroll_deduction'];

export interface LedgerEntryDraft {
  account: AccountCode;
  /** Signed minor units: + debit, - credit. */
  amountCents: number;
}

export interface LedgerTransactionDraft {
  /** Unique per organization, e.g. 'charge:ch_123:payment', 'charge:ch_123:fee'. */
  sourceKey: string;
  kind: LedgerKind;
  occurredAt: Date;
  /** Lowercase ISO 4217. */
  currency: string;
  description: string;
  /** Two or more, summing to zero. */
  entries: LedgerEntryDraft[];
  memberId?: string | null;
  planId?: string | null;
  /** 'YYYY-MM-DD' */
  periodStart?: string | null;
  periodEnd?: string | null;
  paymentMethod?: LedgerPaymentMethod | null;
  stripeInvoiceId?: string | null;
  stripeChargeId?: string | null;
  stripeRefundId?: string | null;
  stripeDisputeId?: string | null;
  stripePayoutId?: string | null;
  payoutArrivalDate?: string | null;
  /** The Stripe balance transaction (txn_…) the posting records; check-ledger matches payouts' balance transactions by it. */
  stripeBalanceTransactionId?: string | null;
  stripeEventId?: string | null;
  /** The payroll remittance the posting records. */
  remittanceId?: string | null;
  /** The affiliate a per-capita posting is for. */
  affiliateId?: string | null;
  grossCents?: number | null;
  feeCents?: number | null;
  netCents?: number | null;
}

// ---------------------------------------------------------------------------------------
// Validation, shared by the posting functions' tests and by postLedgerTransactions.

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/** Everything wrong with a draft, in words; empty when it may be posted. */
export function draftProblems(draft: LedgerTransactionDraft): string[] {
  const problems: string[] = [];
  const rule = KIND_RULES[draft.kind] as KindRule | undefined;
  if (typeof draft.sourceKey !== 'string' || draft.sourceKey.trim() === '' || draft.sourceKey.length > 255) problems.push('source key must be 1 to 255 characters');
  if (!rule) problems.push(`unknown kind "${String(draft.kind)}"`);
  if (!(draft.occurredAt instanceof Date) || Number.isNaN(draft.occurredAt.getTime())) problems.push('occurredAt must be a valid Date');
  if (!/^[a-z]{3}$/.test(draft.currency)) problems.push(`currency "${draft.currency}" must be three lowercase letters`);
  if (typeof draft.description !== 'string' || draft.description.trim() === '') problems.push('description is required');
  if (present(draft.paymentMethod) && !PAYMENT_METHODS.includes(draft.paymentMethod)) problems.push(`unknown payment method "${String(draft.paymentMethod)}"`);
  for (const field of ['periodStart', 'periodEnd', 'payoutArrivalDate'] as const) {
    const value = draft[field];
    if (present(value) && !isCalendarDate(value)) problems.push(`${field} "${value}" must be a calendar date YYYY-MM-DD`);
  }
  if (present(draft.periodStart) && present(draft.periodEnd) && draft.periodEnd < draft.periodStart) problems.push('periodEnd is before periodStart');

  const entries = Array.isArray(draft.entries) ? draft.entries : [];
  if (entries.length < 2) problems.push(`a transaction needs at least 2 entries, got ${entries.length}`);
  let sum = 0;
  let stripeEffect = 0;
  for (const entry of entries) {
    if (!Number.isSafeInteger(entry.amountCents) || entry.amountCents === 0) {
      problems.push(`entry on ${entry.account}: amount ${entry.amountCents} must be a non-zero integer number of cents`);
      continue;
    }
    if (!ACCOUNT_CODES.includes(entry.account)) problems.push(`unknown account "${String(entry.account)}"`);
    else if (rule && !rule.accounts.includes(entry.account)) problems.push(`a ${draft.kind} transaction may not post to ${entry.account}`);
    sum += entry.amountCents;
    if (entry.account === 'stripe_balance') stripeEffect += entry.amountCents;
  }
  if (sum !== 0) problems.push(`entries sum to ${sum}, not 0`);

  const amounts = [draft.grossCents, draft.feeCents, draft.netCents];
  const given = amounts.filter(present);
  if (given.some((value) => !Number.isSafeInteger(value))) problems.push('gross, fee and net must be integer cents');
  else if (given.length > 0 && given.length < 3) problems.push('gross, fee and net go together: give all three or none');
  else if (given.length === 3 && draft.netCents !== draft.grossCents! - draft.feeCents!) problems.push(`net ${draft.netCents} is not gross ${draft.grossCents} - fee ${draft.feeCents}`);
  else if (rule && rule.stripe !== 'none') {
    if (given.length === 0) problems.push(`a ${draft.kind} transaction needs Stripe's gross, fee and net`);
    else if (stripeEffect !== draft.netCents) problems.push(`stripe_balance moves by ${stripeEffect} but Stripe's net is ${draft.netCents}`);
    else if (rule.stripe === 'in' && stripeEffect <= 0) problems.push(`a ${draft.kind} transaction must add to the Stripe balance`);
    else if (rule.stripe === 'out' && stripeEffect >= 0) problems.push(`a ${draft.kind} transaction must take from the Stripe balance`);
  }
  return problems;
}

export class LedgerDraftError extends Error {
  constructor(
    readonly sourceKey: string,
    readonly problems: string[],
  ) {
    super(`ledger transaction ${sourceKey} cannot be posted: ${problems.join('; ')}`);
    this.name = 'LedgerDraftError';
  }
}

export function assertValidDraft(draft: LedgerTransactionDraft): void {
  const problems = draftProblems(draft);
  if (problems.length > 0) throw new LedgerDraftError(String(draft.sourceKey), problems);
}

// ---------------------------------------------------------------------------------------
// Posting rules.

/** Debit one account and credit another by the same positive amount. */
function transfer(debit: AccountCode, credit: AccountCode, amountCents: number): LedgerEntryDraft[] {
  return [
    { account: debit, amountCents },
    { account: credit, amountCents: -amountCents },
  ];
}

/** A share of a Stripe balance transaction, signed as Stripe signs it. */
function stripeAmounts(grossCents: number, feeCents: number): Pick<LedgerTransactionDraft, 'grossCents' | 'feeCents' | 'netCents'> {
  return { grossCents, feeCents, netCents: grossCents - feeCents };
}

export function requireCents(name: string, value: number, minimum: 0 | 1): void {
  if (!Number.isSafeInteger(value) || value < minimum) throw new RangeError(`${name} must be an integer number of cents >= ${minimum}, got ${value}`);
}

/** What a treasurer wants on each posting from a charge: who, what for, and the Stripe ids. */
interface ChargeContext {
  chargeId: string;
  invoiceId?: string | null;
  currency: string;
  occurredAt: Date;
  memberId: string | null;
  planId?: string | null;
  periodStart?: string | null;
  periodEnd?: string | null;
  paymentMethod?: 'card' | 'us_bank_account' | null;
  /** The Stripe balance transaction the postings record. */
  balanceTransactionId?: string | null;
  stripeEventId?: string;
}

function chargeReferences(input: ChargeContext) {
  return {
    occurredAt: input.occurredAt,
    currency: input.currency,
    memberId: input.memberId,
    planId: input.planId ?? null,
    periodStart: input.periodStart ?? null,
    periodEnd: input.periodEnd ?? null,
    paymentMethod: input.paymentMethod ?? null,
    stripeInvoiceId: input.invoiceId ?? null,
    stripeChargeId: input.chargeId,
    stripeBalanceTransactionId: input.balanceTransactionId ?? null,
    stripeEventId: input.stripeEventId ?? null,
  };
}

const METHOD_LABEL: Record<LedgerPaymentMethod, string> = {
  card: 'card',
  us_bank_account: 'bank account (ACH)',
  cash: 'cash',
  check: 'check',
  payroll_deduction: 'payroll deduction',
};

export interface ChargeSucceededInput extends ChargeContext {
  invoiceId: string | null;
  grossCents: number;
  feeCents: number;
  /** The part of gross that is the initiation fee, 0 if none. */
  initiationFeeCents: number;
  paymentMethod: 'card' | 'us_bank_account';
  planId: string | null;
  periodStart: string | null;
  periodEnd: string | null;
}

/** Dues (and any initiation fee) received into the Stripe balance, and Stripe's processing fee taken from it. */
export function postingsForChargeSucceeded(input: ChargeSucceededInput): LedgerTransactionDraft[] {
  requireCents('grossCents', input.grossCents, 1);
  requireCents('feeCents', input.feeCents, 0);
  requireCents('initiationFeeCents', input.initiationFeeCents, 0);
  if (input.initiationFeeCents > input.grossCents) throw new RangeError(`initiation fee ${input.initiationFeeCents} exceeds the charge's gross ${input.grossCents}`);
  const refs = chargeReferences(input);
  const dues = input.grossCents - input.initiationFeeCents;
  const via = METHOD_LABEL[input.paymentMethod];
  const drafts: LedgerTransactionDraft[] = [];
  if (dues > 0) {
    drafts.push({
      ...refs,
      sourceKey: `charge:${input.chargeId}:payment`,
      kind: 'dues_payment',
      description: `Dues received by ${via}, charge ${input.chargeId}`,
      entries: transfer('stripe_balance', 'dues_income', dues),
      ...stripeAmounts(dues, 0),
    });
  }
  if (input.initiationFeeCents > 0) {
    drafts.push({
      ...refs,
      sourceKey: `charge:${input.chargeId}:initiation`,
      kind: 'initiation_fee',
      description: `Initiation fee received by ${via}, charge ${input.chargeId}`,
      entries: transfer('stripe_balance', 'initiation_fees', input.initiationFeeCents),
      ...stripeAmounts(input.initiationFeeCents, 0),
    });
  }
  if (input.feeCents > 0) {
    drafts.push({
      ...refs,
      sourceKey: `charge:${input.chargeId}:fee`,
      kind: 'processing_fee',
      description: `Stripe processing fee, charge ${input.chargeId}`,
      entries: transfer('processing_fees', 'stripe_balance', input.feeCents),
      ...stripeAmounts(0, input.feeCents),
    });
  }
  return drafts;
}

export interface PaymentReversalInput extends ChargeSucceededInput {
  /**
   * The part of the charge's processing fee Stripe gives back with the failure. Absent:
   * all of it, so the reversal mirrors the charge's postings exactly; 0 when Stripe keeps it.
   */
  feeReturnedCents?: number;
}

/**
 * A bank (ACH) payment that had succeeded and then failed: new transactions that take
 * the charge's postings back out (the originals stay; the ledger is never edited). Takes
 * the charge as it was posted; occurredAt is when it failed.
 */
export function postingsForPaymentReversal(input: PaymentReversalInput): LedgerTransactionDraft[] {
  requireCents('grossCents', input.grossCents, 1);
  requireCents('feeCents', input.feeCents, 0);
  requireCents('initiationFeeCents', input.initiationFeeCents, 0);
  const feeReturned = input.feeReturnedCents ?? input.feeCents;
  requireCents('feeReturnedCents', feeReturned, 0);
  if (input.initiationFeeCents > input.grossCents) throw new RangeError(`initiation fee ${input.initiationFeeCents} exceeds the charge's gross ${input.grossCents}`);
  if (feeReturned > input.feeCents) throw new RangeError(`fee returned ${feeReturned} exceeds the charge's fee ${input.feeCents}`);
  const refs = chargeReferences(input);
  const dues = input.grossCents - input.initiationFeeCents;
  const drafts: LedgerTransactionDraft[] = [];
  if (dues > 0) {
    drafts.push({
      ...refs,
      sourceKey: `charge:${input.chargeId}:reversal`,
      kind: 'payment_reversal',
      description: `Dues payment failed after it had succeeded, charge ${input.chargeId}`,
      entries: transfer('dues_income', 'stripe_balance', dues),
      ...stripeAmounts(-dues, 0),
    });
  }
  if (input.initiationFeeCents > 0) {
    drafts.push({
      ...refs,
      sourceKey: `charge:${input.chargeId}:reversal:initiation`,
      kind: 'payment_reversal',
      description: `Initiation fee payment failed after it had succeeded, charge ${input.chargeId}`,
      entries: transfer('initiation_fees', 'stripe_balance', input.initiationFeeCents),
      ...stripeAmounts(-input.initiationFeeCents, 0),
    });
  }
  if (feeReturned > 0) {
    drafts.push({
      ...refs,
      sourceKey: `charge:${input.chargeId}:reversal:fee`,
      kind: 'payment_reversal',
      description: `Stripe processing fee returned for failed payment, charge ${input.chargeId}`,
      entries: transfer('stripe_balance', 'processing_fees', feeReturned),
      ...stripeAmounts(0, -feeReturned),
    });
  }
  return drafts;
}

export interface RefundInput extends ChargeContext {
  refundId: string;
  amountCents: number;
  /** Processing fee Stripe returns with the refund (rare today); 0 or absent when none. */
  feeRefundedCents?: number;
}

/** Money returned to a member: refunds (a contra-income account) against the Stripe balance. */
export function postingsForRefund(input: RefundInput): LedgerTransactionDraft[] {
  requireCents('amountCents', input.amountCents, 1);
  const feeRefunded = input.feeRefundedCents ?? 0;
  requireCents('feeRefundedCents', feeRefunded, 0);
  const refs = { ...chargeReferences(input), stripeRefundId: input.refundId };
  const drafts: LedgerTransactionDraft[] = [
    {
      ...refs,
      sourceKey: `refund:${input.refundId}`,
      kind: 'refund',
      description: `Refund ${input.refundId} of charge ${input.chargeId}`,
      entries: transfer('refunds', 'stripe_balance', input.amountCents),
      ...stripeAmounts(-input.amountCents, 0),
    },
  ];
  if (feeRefunded > 0) {
    drafts.push({
      ...refs,
      sourceKey: `refund:${input.refundId}:fee`,
      kind: 'processing_fee',
      description: `Stripe processing fee returned with refund ${input.refundId}`,
      entries: transfer('stripe_balance', 'processing_fees', feeRefunded),
      ...stripeAmounts(0, -feeRefunded),
    });
  }
  return drafts;
}

export interface DisputeFundsWithdrawnInput extends ChargeContext {
  disputeId: string;
  /** The withdrawal's balance transaction: its id keys the postings (a dispute can have several). */
  balanceTransactionId: string;
  amountCents: number;
  disputeFeeCents: number;
}

/**
 * A chargeback: the disputed amount and Stripe's dispute fee leave the Stripe balance.
 * Keyed by the withdrawal's balance transaction (`txn:<id>`, `txn:<id>:fee`), so a dispute
 * withdrawn twice posts twice, and each withdrawal once however often it is seen.
 */
export function postingsForDisputeFundsWithdrawn(input: DisputeFundsWithdrawnInput): LedgerTransactionDraft[] {
  requireCents('amountCents', input.amountCents, 1);
  requireCents('disputeFeeCents', input.disputeFeeCents, 0);
  const refs = { ...chargeReferences(input), stripeDisputeId: input.disputeId };
  const drafts: LedgerTransactionDraft[] = [
    {
      ...refs,
      sourceKey: `txn:${input.balanceTransactionId}`,
      kind: 'dispute',
      description: `Disputed amount withdrawn, dispute ${input.disputeId} on charge ${input.chargeId}`,
      entries: transfer('dispute_losses', 'stripe_balance', input.amountCents),
      ...stripeAmounts(-input.amountCents, 0),
    },
  ];
  if (input.disputeFeeCents > 0) {
    drafts.push({
      ...refs,
      sourceKey: `txn:${input.balanceTransactionId}:fee`,
      kind: 'dispute_fee',
      description: `Stripe dispute fee, dispute ${input.disputeId}`,
      entries: transfer('dispute_fees', 'stripe_balance', input.disputeFeeCents),
      ...stripeAmounts(0, input.disputeFeeCents),
    });
  }
  return drafts;
}

export interface DisputeFundsReinstatedInput extends ChargeContext {
  disputeId: string;
  /** The reinstatement's balance transaction: its id keys the postings. */
  balanceTransactionId: string;
  amountCents: number;
  /** Stripe keeps the dispute fee in most cases: 0 then. */
  disputeFeeReturnedCents: number;
}

/** A dispute won (or funds returned): the disputed amount, and any fee Stripe returns, come back to the Stripe balance. */
export function postingsForDisputeFundsReinstated(input: DisputeFundsReinstatedInput): LedgerTransactionDraft[] {
  requireCents('amountCents', input.amountCents, 1);
  requireCents('disputeFeeReturnedCents', input.disputeFeeReturnedCents, 0);
  const refs = { ...chargeReferences(input), stripeDisputeId: input.disputeId };
  const drafts: LedgerTransactionDraft[] = [
    {
      ...refs,
      sourceKey: `txn:${input.balanceTransactionId}`,
      kind: 'dispute_reversal',
      description: `Disputed amount reinstated, dispute ${input.disputeId} on charge ${input.chargeId}`,
      entries: transfer('stripe_balance', 'dispute_losses', input.amountCents),
      ...stripeAmounts(input.amountCents, 0),
    },
  ];
  if (input.disputeFeeReturnedCents > 0) {
    drafts.push({
      ...refs,
      sourceKey: `txn:${input.balanceTransactionId}:fee`,
      kind: 'dispute_fee',
      description: `Stripe dispute fee returned, dispute ${input.disputeId}`,
      entries: transfer('stripe_balance', 'dispute_fees', input.disputeFeeReturnedCents),
      ...stripeAmounts(0, -input.disputeFeeReturnedCents),
    });
  }
  return drafts;
}

export interface PayoutInput {
  payoutId: string;
  /** The payout's balance transaction, and for a failed payout the one that returned it. */
  balanceTransactionId?: string | null;
  failureBalanceTransactionId?: string | null;
  currency: string;
  amountCents: number;
  /** 'YYYY-MM-DD': the day the bank deposit is expected, which the treasurer matches against the statement. */
  arrivalDate: string;
  occurredAt: Date;
  stripeEventId?: string;
}

function payoutPaid(input: PayoutInput): LedgerTransactionDraft {
  return {
    sourceKey: `payout:${input.payoutId}`,
    kind: 'payout',
    occurredAt: input.occurredAt,
    currency: input.currency,
    description: `Payout ${input.payoutId} to the bank, arriving ${input.arrivalDate}`,
    entries: transfer('bank', 'stripe_balance', input.amountCents),
    stripePayoutId: input.payoutId,
    payoutArrivalDate: input.arrivalDate,
    stripeBalanceTransactionId: input.balanceTransactionId ?? null,
    stripeEventId: input.stripeEventId ?? null,
    ...stripeAmounts(-input.amountCents, 0),
  };
}

/** The Stripe balance paid out to the organization's bank account. */
export function postingsForPayoutPaid(input: PayoutInput): LedgerTransactionDraft[] {
  requireCents('amountCents', input.amountCents, 1);
  return [payoutPaid(input)];
}

/**
 * A payout that failed: the money returns to the Stripe balance. The payout's own posting
 * comes with it because Stripe sends no payout.paid for a payout that fails before it
 * arrives; when payout.paid was posted, its source key makes the copy here a no-op, so
 * either way the payout nets to zero, whatever order the events are processed in.
 */
export function postingsForPayoutFailed(input: PayoutInput): LedgerTransactionDraft[] {
  requireCents('amountCents', input.amountCents, 1);
  return [
    payoutPaid(input),
    {
      sourceKey: `payout:${input.payoutId}:failed`,
      kind: 'payout_failed',
      occurredAt: input.occurredAt,
      currency: input.currency,
      description: `Payout ${input.payoutId} failed; returned to the Stripe balance`,
      entries: transfer('stripe_balance', 'bank', input.amountCents),
      stripePayoutId: input.payoutId,
      payoutArrivalDate: input.arrivalDate,
      stripeBalanceTransactionId: input.failureBalanceTransactionId ?? null,
      stripeEventId: input.stripeEventId ?? null,
      ...stripeAmounts(input.amountCents, 0),
    },
  ];
}

export interface ManualPaymentInput {
  manualPaymentId: string;
  method: 'cash' | 'check' | 'payroll_deduction';
  currency: string;
  amountCents: number;
  /** 'YYYY-MM-DD' in the organization's time zone. */
  receivedOn: string;
  memberId: string;
  planId: string | null;
  periodStart: string;
  periodEnd: string;
  /** A check number or remittance reference, shown in the description. */
  reference?: string | null;
}

/** Cash, a check or a payroll remittance recorded by a treasurer: cash on hand against dues income. */
export function postingsForManualPayment(input: ManualPaymentInput): LedgerTransactionDraft[] {
  requireCents('amountCents', input.amountCents, 1);
  if (!isCalendarDate(input.receivedOn)) throw new RangeError(`receivedOn "${input.receivedOn}" must be a calendar date YYYY-MM-DD`);
  const reference = input.reference ? ` (ref ${input.reference})` : '';
  return [
    {
      sourceKey: `manual_payment:${input.manualPaymentId}`,
      kind: 'manual_payment',
      // Noon UTC falls on the received day in every time zone from UTC-11 to UTC+11.
      occurredAt: new Date(`${input.receivedOn}T12:00:00Z`),
      currency: input.currency,
      description: `Dues received by ${METHOD_LABEL[input.method]}${reference}`,
      entries: transfer('cash_on_hand', 'dues_income', input.amountCents),
      memberId: input.memberId,
      planId: input.planId,
      periodStart: input.periodStart,
      periodEnd: input.periodEnd,
      paymentMethod: input.method,
      grossCents: input.amountCents,
      feeCents: 0,
      netCents: input.amountCents,
    },
  ];
}

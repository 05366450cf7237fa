import type { LedgerKind } from '../../ledger/postings';

/** One line of Stripe's record of a payout (`balance_transactions?payout=`). */
export interface PayoutBalanceLine {
  id: string;
  type: string;
  reportingCategory: string;
  sourceId: string | null;
  netCents: number;
}

/** A ledger transaction that moved money in or out of the Stripe balance. */
export interface PayoutLedgerLine {
  id: string;
  kind: LedgerKind;
  day: string;
  description: string;
  memberId: string | null;
  netCents: number;
  stripeChargeId: string | null;
  stripeRefundId: string | null;
  stripeDisputeId: string | null;
  /** The balance transaction the posting records; null on postings made before they named it. */
  stripeBalanceTransactionId: string | null;
}

export interface PayoutFacts {
  payoutId: string;
  status: string;
  arrivalDate: string | null;
  /** What Stripe sent to the bank. */
  amountCents: number;
  /** What the ledger's payout posting moved to the bank; null when none was posted. */
  postedCents: number | null;
  balanceLines: readonly PayoutBalanceLine[];
  ledgerLines: readonly PayoutLedgerLine[];
}

export interface PayoutReconciliation {
  payoutId: string;
  status: string;
  arrivalDate: string | null;
  amountCents: number;
  postedCents: number | null;
  /** The sum of the nets of the ledger transactions in the payout: equal to the amount when the books agree. */
  transactionsCents: number;
  transactions: PayoutLedgerLine[];
  matched: boolean;
  mismatches: string[];
}

/**
 * Which ledger transactions came from a Stripe balance line: those that name it (its
 * `txn_…`); for postings made before they named it, by the Stripe id the posting is keyed
 * with, and for disputes by direction.
 */
export function ledgerLinesFor(line: PayoutBalanceLine, ledger: readonly PayoutLedgerLine[]): PayoutLedgerLine[] {
  const named = ledger.filter((t) => t.stripeBalanceTransactionId === line.id);
  if (named.length > 0) return named;
  const id = line.sourceId;
  if (id === null) return [];
  ledger = ledger.filter((t) => t.stripeBalanceTransactionId === null);
  if (line.type === 'charge' || line.type === 'payment') return ledger.filter((t) => t.stripeChargeId === id && t.stripeRefundId === null && t.stripeDisputeId === null && t.kind !== 'payment_reversal');
  if (line.type === 'payment_failure_refund') return ledger.filter((t) => t.stripeChargeId === id && t.kind === 'payment_reversal');
  if (line.type === 'refund' || line.reportingCategory === 'refund') return ledger.filter((t) => t.stripeRefundId === id);
  if (line.reportingCategory === 'dispute') return ledger.filter((t) => t.stripeDisputeId === id && t.netCents < 0);
  if (line.reportingCategory === 'dispute_reversal') return ledger.filter((t) => t.stripeDisputeId === id && t.netCents > 0);
  return [];
}

const isPayoutLine = (line: PayoutBalanceLine) => line.type === 'payout' || line.reportingCategory === 'payout';

/**
 * A payout checked against the books, three ways: the payout posting equals Stripe's
 * amount; every balance line Stripe swept into the payout has ledger postings with the
 * same net; and those postings' nets add up to the bank deposit.
 */
export function reconcilePayout(facts: PayoutFacts): PayoutReconciliation {
  const mismatches: string[] = [];
  if (facts.postedCents === null) {
    if (facts.status === 'paid') mismatches.push(`payout ${facts.payoutId} is paid at Stripe but not posted to the ledger`);
  } else if (facts.postedCents !== facts.amountCents) {
    mismatches.push(`payout ${facts.payoutId}: the ledger posted ${facts.postedCents} but Stripe paid out ${facts.amountCents}`);
  }
  const seen = new Set<string>();
  const transactions: PayoutLedgerLine[] = [];
  for (const line of facts.balanceLines) {
    if (isPayoutLine(line)) continue;
    const matched = ledgerLinesFor(line, facts.ledgerLines).filter((t) => !seen.has(t.id));
    for (const t of matched) {
      seen.add(t.id);
      transactions.push(t);
    }
    const posted = matched.reduce((sum, t) => sum + t.netCents, 0);
    if (matched.length === 0) mismatches.push(`Stripe ${line.type} ${line.id} (${line.sourceId ?? 'no source'}) of net ${line.netCents} has no ledger posting`);
    else if (posted !== line.netCents) mismatches.push(`Stripe ${line.type} ${line.id} (${line.sourceId}) nets ${line.netCents} but its ledger postings net ${posted}`);
  }
  const transactionsCents = transactions.reduce((sum, t) => sum + t.netCents, 0);
  if (facts.status === 'paid' && transactionsCents !== facts.amountCents) {
    mismatches.push(`payout ${facts.payoutId} of ${facts.amountCents} does not equal its transactions' ${transactionsCents}`);
  }
  transactions.sort((a, b) => a.day.localeCompare(b.day) || a.id.localeCompare(b.id));
  return {
    payoutId: facts.payoutId,
    status: facts.status,
    arrivalDate: facts.arrivalDate,
    amountCents: facts.amountCents,
    postedCents: facts.postedCents,
    transactionsCents,
    transactions,
    matched: mismatches.length === 0,
    mismatches,
  };
}

import type { LedgerKind } from '../../ledger/postings';

export interface StatementLedgerFact {
  id: string;
  at: Date;
  day: string;
  kind: LedgerKind;
  description: string;
  /** The transaction's size (the sum of its debits). */
  amountCents: number;
  paymentMethod: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  stripeChargeId: string | null;
  /** The credited account codes, ';'-separated. */
  creditAccounts: string | null;
}

export interface StatementStandingFact {
  at: Date;
  day: string;
  from: string | null;
  to: string;
  cause: string;
  /** Why, when the standing was derived (a refund that un-paid a period shows as the change it caused). */
  reason?: string | null;
}

export interface StatementLine {
  day: string;
  type: 'ledger' | 'standing';
  kind: string;
  description: string;
  /** Signed from the member's side: + money the union received from them, − money returned or taken back; 0 for fees and standing changes. */
  amountCents: number;
  /** The dues period the money paid for ('YYYY-MM-DD', inclusive): the periods a manual payment names, a Stripe charge's invoice period (and its refunds', disputes' and reversals'); null when none. */
  periodCovered: { start: string; end: string } | null;
  transactionId: string | null;
}

export interface MemberStatement {
  lines: StatementLine[];
  totals: { paidCents: number; refundedCents: number; disputedCents: number; reversedCents: number };
}

// Fees are the union's costs, not the member's money: shown, but counted as 0 here.
const MEMBER_SIGN: Partial<Record<LedgerKind, 1 | -1>> = {
  dues_payment: 1,
  initiation_fee: 1,
  manual_payment: 1,
  refund: -1,
  dispute: -1,
  dispute_reversal: 1,
  payment_reversal: -1,
};

export function memberStatement(ledger: readonly StatementLedgerFact[], standing: readonly StatementStandingFact[]): MemberStatement {
  const totals = { paidCents: 0, refundedCents: 0, disputedCents: 0, reversedCents: 0 };
  const timed: { at: Date; line: StatementLine }[] = [];
  for (const fact of ledger) {
    // A reversal that returns Stripe's fee to the processing fees account is not the member's money.
    const sign = fact.kind === 'payment_reversal' && fact.creditAccounts === 'processing_fees' ? undefined : MEMBER_SIGN[fact.kind];
    const amountCents = sign === undefined ? 0 : sign * fact.amountCents;
    if (fact.kind === 'dues_payment' || fact.kind === 'initiation_fee' || fact.kind === 'manual_payment') totals.paidCents += fact.amountCents;
    if (fact.kind === 'refund') totals.refundedCents += fact.amountCents;
    if (fact.kind === 'dispute') totals.disputedCents += fact.amountCents;
    if (fact.kind === 'dispute_reversal') totals.disputedCents -= fact.amountCents;
    if (fact.kind === 'payment_reversal' && sign !== undefined) totals.reversedCents += fact.amountCents;
    const periodCovered = fact.periodStart === null ? null : { start: fact.periodStart, end: fact.periodEnd ?? fact.periodStart };
    timed.push({ at: fact.at, line: { day: fact.day, type: 'ledger', kind: fact.kind, description: fact.description, amountCents, periodCovered, transactionId: fact.id } });
  }
  for (const change of standing) {
    timed.push({ at: change.at, line: { day: change.day, type: 'standing', kind: `standing: ${change.to}`, description: `${change.from ?? 'new'} → ${change.to} (${change.cause}${change.reason ? `: ${change.reason.replace(/_/g, ' ')}` : ''})`, amountCents: 0, periodCovered: null, transactionId: null } });
  }
  timed.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { lines: timed.map((t) => t.line), totals };
}

import type { AccountCode } from '../../ledger/accounts';

/** What a period's entries did to one account: the sum of its debits and of its credits, both positive. */
export interface AccountMovement {
  account: AccountCode;
  debitsCents: number;
  creditsCents: number;
}

/** The money lines every report shares, in integer cents, each positive in its natural direction. */
export interface MoneyFigures {
  /** Dues credited to dues income: Stripe charges and manual payments, before refunds. */
  duesReceivedCents: number;
  initiationFeesCents: number;
  /** Bank payments that failed after succeeding: income taken back out. */
  paymentReversalsCents: number;
  processingFeesCents: number;
  refundsCents: number;
  /** Disputed amounts withdrawn less those reinstated. */
  disputesCents: number;
  disputeFeesCents: number;
  /** What the organization kept: the change in Stripe balance, bank and cash on hand together. */
  netCents: number;
}

export function moneyFigures(movements: readonly AccountMovement[]): MoneyFigures {
  const of = (account: AccountCode) => movements.find((m) => m.account === account) ?? { debitsCents: 0, creditsCents: 0 };
  const net = (account: AccountCode) => of(account).debitsCents - of(account).creditsCents;
  const duesReceivedCents = of('dues_income').creditsCents;
  const initiationFeesCents = of('initiation_fees').creditsCents;
  const paymentReversalsCents = of('dues_income').debitsCents + of('initiation_fees').debitsCents;
  const processingFeesCents = net('processing_fees');
  const refundsCents = net('refunds');
  const disputesCents = net('dispute_losses');
  const disputeFeesCents = net('dispute_fees');
  return {
    duesReceivedCents,
    initiationFeesCents,
    paymentReversalsCents,
    processingFeesCents,
    refundsCents,
    disputesCents,
    disputeFeesCents,
    netCents: duesReceivedCents + initiationFeesCents - paymentReversalsCents - processingFeesCents - refundsCents - disputesCents - disputeFeesCents,
  };
}

/** 'YYYY-MM' → its first day and the first day of the next month. */
export function monthRange(month: string): { from: string; until: string } {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  const next = mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`;
  return { from: `${month}-01`, until: `${next}-01` };
}

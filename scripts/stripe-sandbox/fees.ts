// US Stripe pricing in integer cents: card 2.9% + 30c, ACH Direct Debit 0.8% capped at $5, disputes $15.

/** Rounds numerator/denominator to the nearest integer, halves up (amounts are non-negative). */
function roundHalfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

export function cardFee(amount: number): number {
  return roundHalfUp(amount * 29, 1000) + 30;
}

export function achFee(amount: number): number {
  return Math.min(roundHalfUp(amount * 8, 1000), 500);
}

export const DISPUTE_FEE = 1500;

/** Days until a charge's funds become available (counted from the payment's success). */
export const AVAILABILITY_DAYS = { card: 2, us_bank_account: 4 } as const;

/** Days an ACH debit stays in `processing` before it settles or fails. */
export const ACH_PROCESSING_DAYS = 4;

import type { AffiliateKind } from '../../../db/database';

export interface AffiliateRate {
  affiliateId: string;
  affiliate: string;
  kind: AffiliateKind;
  /** Cents per member in good standing per month. */
  rateCents: number;
  /** 'YYYY-MM-DD' */
  effectiveFrom: string;
}

export interface PerCapitaLine {
  affiliateId: string;
  affiliate: string;
  kind: AffiliateKind;
  rateCents: number;
  effectiveFrom: string;
  members: number;
  owedCents: number;
}

/**
 * What each affiliate is owed for a month: members in good standing at the month's end ×
 * the rate in force on the month's first day (the latest rate effective on or before it).
 * Affiliates with no rate in force yet owe nothing and are left out.
 */
export function perCapitaRemittance(monthStart: string, membersInGoodStanding: number, rates: readonly AffiliateRate[]): PerCapitaLine[] {
  const current = new Map<string, AffiliateRate>();
  for (const rate of rates) {
    if (rate.effectiveFrom > monthStart) continue;
    const held = current.get(rate.affiliateId);
    if (!held || rate.effectiveFrom > held.effectiveFrom) current.set(rate.affiliateId, rate);
  }
  return [...current.values()]
    .sort((a, b) => a.affiliate.localeCompare(b.affiliate))
    .map((rate) => ({
      affiliateId: rate.affiliateId,
      affiliate: rate.affiliate,
      kind: rate.kind,
      rateCents: rate.rateCents,
      effectiveFrom: rate.effectiveFrom,
      members: membersInGoodStanding,
      owedCents: membersInGoodStanding * rate.rateCents,
    }));
}

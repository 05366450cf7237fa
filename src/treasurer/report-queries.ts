import type { Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import type {} from '../../db/database-per-capita';
import { fiscalYearStartMonth } from '../organizations/settings';
import { accountMovements, affiliateRates, membersInGoodStanding, monthEnd } from './queries';
import { annualReceipts, fiscalYearRange, type AnnualReceipts } from './reports/annual';
import { perCapitaRemittance, type PerCapitaLine } from './reports/per-capita';
import { monthRange } from './reports/totals';

// The reports' reads, shared by the JSON API and the console so both show the same figures.

export type PerCapitaReportLine = PerCapitaLine & { paidCents: number; outstandingCents: number };

export interface PerCapitaReport {
  lines: PerCapitaReportLine[];
  members: number;
  totalCents: number;
  paidCents: number;
  outstandingCents: number;
}

/** What was paid to each affiliate for a month (per_capita_payments not reversed). */
async function paidByAffiliate(db: Kysely<Database>, organizationId: string, month: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('per_capita_payments')
    .select(['affiliate_id', (eb) => eb.fn.sum<string>('amount_cents').as('paid')])
    .where('organization_id', '=', organizationId)
    .where('month', '=', month)
    .where('reversed_at', 'is', null)
    .groupBy('affiliate_id')
    .execute();
  return new Map(rows.map((row) => [row.affiliate_id, Number(row.paid)]));
}

/**
 * Per-capita tax for a month: owed (members in good standing at its end, in the
 * organization's time zone, × each affiliate's rate), paid, and outstanding (negative when
 * more was paid than owed).
 */
export async function perCapitaReport(db: Kysely<Database>, organization: Pick<Organization, 'id' | 'time_zone'>, month: string): Promise<PerCapitaReport> {
  const { from, until } = monthRange(month);
  const members = await membersInGoodStanding(db, organization.id, monthEnd(until, organization.time_zone));
  const paid = await paidByAffiliate(db, organization.id, month);
  const lines = perCapitaRemittance(from, members, await affiliateRates(db, organization.id)).map((line) => {
    const paidCents = paid.get(line.affiliateId) ?? 0;
    return { ...line, paidCents, outstandingCents: line.owedCents - paidCents };
  });
  const sum = (key: 'owedCents' | 'paidCents' | 'outstandingCents') => lines.reduce((total, line) => total + line[key], 0);
  return { lines, members, totalCents: sum('owedCents'), paidCents: sum('paidCents'), outstandingCents: sum('outstandingCents') };
}

export type AnnualReport = AnnualReceipts & { fiscalYearStartMonth: number };

/** Annual receipts over the organization's fiscal year, with the per-capita tax owed for its twelve months. */
export async function annualReport(db: Kysely<Database>, organization: Pick<Organization, 'id' | 'time_zone' | 'currency' | 'settings'>, fiscalYear: number): Promise<AnnualReport> {
  const startMonth = fiscalYearStartMonth(organization);
  const range = fiscalYearRange(fiscalYear, startMonth);
  const movements = await accountMovements(db, organization.id, organization.time_zone, organization.currency, range.from, range.until);
  let perCapitaTaxCents = 0;
  for (let offset = 0; offset < 12; offset += 1) {
    const index = startMonth - 1 + offset;
    const year = Number(range.from.slice(0, 4)) + Math.floor(index / 12);
    perCapitaTaxCents += (await perCapitaReport(db, organization, `${year}-${String((index % 12) + 1).padStart(2, '0')}`)).totalCents;
  }
  return { ...annualReceipts({ fiscalYear, from: range.from, to: range.to, currency: organization.currency, movements, perCapitaTaxCents }), fiscalYearStartMonth: startMonth };
}

import type { Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import { fiscalYearStartMonth } from '../organizations/settings';
import { accountMovements, affiliateRates, membersInGoodStanding, monthEnd } from './queries';
import { annualReceipts, fiscalYearRange, type AnnualReceipts } from './reports/annual';
import { perCapitaRemittance, type PerCapitaLine } from './reports/per-capita';
import { monthRange } from './reports/totals';

// The reports' reads, shared by the JSON API and the console so both show the same figures.

export interface PerCapitaReport {
  lines: PerCapitaLine[];
  members: number;
  totalCents: number;
}

/** Per-capita tax owed for a month: members in good standing at its end (in the organization's time zone) × each affiliate's rate. */
export async function perCapitaReport(db: Kysely<Database>, organization: Pick<Organization, 'id' | 'time_zone'>, month: string): Promise<PerCapitaReport> {
  const { from, until } = monthRange(month);
  const members = await membersInGoodStanding(db, organization.id, monthEnd(until, organization.time_zone));
  const lines = perCapitaRemittance(from, members, await affiliateRates(db, organization.id));
  return { lines, members, totalCents: lines.reduce((sum, line) => sum + line.owedCents, 0) };
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

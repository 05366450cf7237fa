import { moneyFigures, type AccountMovement, type MoneyFigures } from './totals';

export interface MemberCounts {
  /** Members with a dues, initiation or manual payment posted in the month. */
  paying: number;
  /** Members whose joined date falls in the month. */
  joined: number;
  /** Members whose standing became lapsed in the month. */
  lapsed: number;
  /** Members who went from lapsed or past due back to active in the month. */
  recovered: number;
}

export interface MonthlySummary extends MoneyFigures {
  month: string;
  currency: string;
  members: MemberCounts;
}

export function monthlySummary(month: string, currency: string, movements: readonly AccountMovement[], members: MemberCounts): MonthlySummary {
  return { month, currency, ...moneyFigures(movements), members };
}

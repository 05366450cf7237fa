import { STANDINGS, type Standing } from '../../db/database';
import type { LedgerPaymentMethod } from '../ledger/postings';
import type { LapseMonthRow, MethodMonthRow, StandingMonthRow } from './dashboard-queries';

// The treasurer's dashboard as figures: pure functions of the query rows, so the charts and
// their tables always say the same thing.

/** How a board thinks of the ways dues arrive. */
export const METHOD_GROUPS = ['card', 'bank_debit', 'cash_check', 'employer'] as const;
export type MethodGroup = (typeof METHOD_GROUPS)[number];

const GROUP_OF: Readonly<Record<LedgerPaymentMethod, MethodGroup>> = {
  card: 'card',
  us_bank_account: 'bank_debit',
  cash: 'cash_check',
  check: 'cash_check',
  payroll_deduction: 'employer',
};

/** The `count` months ending with today's ('YYYY-MM'), oldest first. */
export function lastMonths(today: string, count = 12): string[] {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7)) - 1;
  return Array.from({ length: count }, (_, i) => {
    const index = year * 12 + month - (count - 1 - i);
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}

export type ByGroup = Record<MethodGroup, number>;
const zeroGroups = (): ByGroup => ({ card: 0, bank_debit: 0, cash_check: 0, employer: 0 });

export interface DuesMonth {
  month: string;
  byGroup: ByGroup;
  totalCents: number;
}

export interface FeeShare {
  group: MethodGroup;
  duesCents: number;
  feeCents: number;
  /** Fees as a share of dues, in basis points (rounded half up); null with no dues. */
  shareBasisPoints: number | null;
}

export interface BankDebitSaving {
  cardShareBasisPoints: number;
  bankShareBasisPoints: number;
  /** What the card dues would have cost less in fees at bank debit's rate. */
  savingCents: number;
}

export interface StandingMonth {
  month: string;
  counts: Record<Standing, number>;
  total: number;
}

export interface DashboardFigures {
  months: string[];
  dues: DuesMonth[];
  duesTotalCents: number;
  fees: FeeShare[];
  bankDebitSaving: BankDebitSaving | null;
  standing: StandingMonth[];
  /** The standings anyone held in the period, in the usual order: the chart's series. */
  standingsShown: Standing[];
  lapses: LapseMonthRow[];
}

/** a × b ÷ c rounded half up, in integers (a, b, c ≥ 0, c > 0). */
const mulDivRound = (a: number, b: number, c: number) => Number((BigInt(a) * BigInt(b) * 2n + BigInt(c)) / (BigInt(c) * 2n));

export function dashboardFigures(months: readonly string[], money: readonly MethodMonthRow[], standing: readonly StandingMonthRow[], lapses: readonly LapseMonthRow[]): DashboardFigures {
  const dues = months.map((month) => ({ month, byGroup: zeroGroups(), totalCents: 0 }));
  const index = new Map(months.map((month, i) => [month, i]));
  const duesByGroup = zeroGroups();
  const feesByGroup = zeroGroups();
  for (const row of money) {
    const at = index.get(row.month);
    if (at === undefined) continue;
    const group = GROUP_OF[row.method];
    dues[at]!.byGroup[group] += row.dues_cents;
    dues[at]!.totalCents += row.dues_cents;
    duesByGroup[group] += row.dues_cents;
    feesByGroup[group] += row.fee_cents;
  }
  const fees = METHOD_GROUPS.map((group) => ({
    group,
    duesCents: duesByGroup[group],
    feeCents: feesByGroup[group],
    shareBasisPoints: duesByGroup[group] > 0 ? mulDivRound(Math.max(0, feesByGroup[group]), 10_000, duesByGroup[group]) : null,
  }));
  const card = fees[0]!;
  const bank = fees[1]!;
  let bankDebitSaving: BankDebitSaving | null = null;
  if (card.shareBasisPoints !== null && bank.shareBasisPoints !== null) {
    // Card fees less the card dues at bank debit's own rate (its fees ÷ its dues), not at the rounded share.
    const atBankRate = mulDivRound(card.duesCents, Math.max(0, bank.feeCents), bank.duesCents);
    bankDebitSaving = { cardShareBasisPoints: card.shareBasisPoints, bankShareBasisPoints: bank.shareBasisPoints, savingCents: Math.max(0, card.feeCents - atBankRate) };
  }

  const standingMonths = months.map((month) => ({ month, counts: Object.fromEntries(STANDINGS.map((s) => [s, 0])) as Record<Standing, number>, total: 0 }));
  for (const row of standing) {
    const at = index.get(row.month);
    if (at === undefined) continue;
    standingMonths[at]!.counts[row.standing] += row.members;
    standingMonths[at]!.total += row.members;
  }
  const standingsShown = STANDINGS.filter((s) => standingMonths.some((month) => month.counts[s] > 0));

  const lapseOf = new Map(lapses.map((row) => [row.month, row]));
  return {
    months: [...months],
    dues,
    duesTotalCents: dues.reduce((sum, month) => sum + month.totalCents, 0),
    fees,
    bankDebitSaving,
    standing: standingMonths,
    standingsShown,
    lapses: months.map((month) => ({ month, lapsed: lapseOf.get(month)?.lapsed ?? 0, recovered: lapseOf.get(month)?.recovered ?? 0 })),
  };
}

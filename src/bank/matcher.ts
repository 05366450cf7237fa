/**
 * Matching bank deposits to what explains them: a Stripe payout (by its arrival date), a
 * deposit batch (by the day it was taken to the bank) or an employer's payroll remittance
 * (by the day its money was received). A line and a deposit match when the
 * amounts are equal and the bank booked the line within the window after the deposit's
 * day. A match is made only when it is the only one either side could have; otherwise the
 * candidates are proposed, for a person to choose. Pure.
 */

export const DEPOSIT_KINDS = ['payout', 'batch', 'remittance'] as const;
export type DepositKind = (typeof DEPOSIT_KINDS)[number];

export interface Deposit {
  kind: DepositKind;
  id: string;
  amountCents: number;
  /** The payout's arrival date, the batch's deposit day or the remittance's day received ('YYYY-MM-DD'). */
  day: string;
}

export interface LineToMatch {
  id: string;
  bookedOn: string;
  amountCents: number;
}

export interface MatchWindow {
  /** How many days after the deposit's day the bank may book it. */
  daysAfter: number;
  /** How many days before (a bank that books a payout the day Stripe sends it). */
  daysBefore: number;
}

export const DEFAULT_WINDOW: MatchWindow = { daysAfter: 5, daysBefore: 0 };

export interface MatchResult {
  matches: Array<{ lineId: string; deposit: Deposit }>;
  /** Lines with more than one candidate, or whose one candidate another line could also take. */
  proposals: Array<{ lineId: string; candidates: Deposit[] }>;
  unmatchedLines: string[];
  unmatchedDeposits: Deposit[];
}

const dayNumber = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;

/** Whether the bank booking `bookedOn` could be the deposit made on `day`. */
export function inWindow(bookedOn: string, day: string, window: MatchWindow = DEFAULT_WINDOW): boolean {
  const gap = dayNumber(bookedOn) - dayNumber(day);
  return gap >= -window.daysBefore && gap <= window.daysAfter;
}

const depositKey = (deposit: Deposit) => `${deposit.kind}:${deposit.id}`;

/** The deposits of equal amount in the window, for each line. */
export function candidatesOf(lines: readonly LineToMatch[], deposits: readonly Deposit[], window: MatchWindow = DEFAULT_WINDOW): Map<string, Deposit[]> {
  const byAmount = new Map<number, Deposit[]>();
  for (const deposit of deposits) {
    const same = byAmount.get(deposit.amountCents);
    if (same) same.push(deposit);
    else byAmount.set(deposit.amountCents, [deposit]);
  }
  const candidates = new Map<string, Deposit[]>();
  for (const line of lines) candidates.set(line.id, (byAmount.get(line.amountCents) ?? []).filter((deposit) => inWindow(line.bookedOn, deposit.day, window)));
  return candidates;
}

/** Lines and deposits not matched yet, matched where only one pairing is possible. */
export function matchDeposits(lines: readonly LineToMatch[], deposits: readonly Deposit[], window: MatchWindow = DEFAULT_WINDOW): MatchResult {
  const candidates = candidatesOf(lines, deposits, window);
  const linesPerDeposit = new Map<string, number>();
  for (const found of candidates.values()) for (const deposit of found) linesPerDeposit.set(depositKey(deposit), (linesPerDeposit.get(depositKey(deposit)) ?? 0) + 1);
  const result: MatchResult = { matches: [], proposals: [], unmatchedLines: [], unmatchedDeposits: [] };
  const taken = new Set<string>();
  for (const line of lines) {
    const found = candidates.get(line.id)!;
    if (found.length === 1 && linesPerDeposit.get(depositKey(found[0]!)) === 1) {
      result.matches.push({ lineId: line.id, deposit: found[0]! });
      taken.add(depositKey(found[0]!));
    } else if (found.length > 0) {
      result.proposals.push({ lineId: line.id, candidates: found });
    } else {
      result.unmatchedLines.push(line.id);
    }
  }
  result.unmatchedDeposits = deposits.filter((deposit) => !taken.has(depositKey(deposit)));
  return result;
}

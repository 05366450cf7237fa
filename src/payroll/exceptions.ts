import type { LineMatch, MemberRef, ProposalReason } from './match';
import type { RemittanceLine } from './parse';

/**
 * What a treasurer must see before a remittance is posted, pure: lines that could not be
 * read or matched, matches only proposed, amounts other than the dues we compute, members
 * this employer deducts for who are not in the file, and a file total other than the
 * money received.
 */

export type DuesExpectation = { ok: true; cents: number } | { ok: false; message: string };

export type RemittanceException =
  | { kind: 'bad_line'; row: number; message: string }
  | { kind: 'unmatched'; row: number; name: string | null; employeeNumber: string | null; amountCents: number | null }
  | { kind: 'proposed'; row: number; name: string | null; employeeNumber: string | null; candidates: string[]; reason: ProposalReason }
  | { kind: 'amount_differs'; rows: number[]; memberId: string; expectedCents: number; amountCents: number }
  | { kind: 'dues_unknown'; rows: number[]; memberId: string; message: string }
  | { kind: 'member_twice'; rows: number[]; memberId: string }
  | { kind: 'missing_member'; memberId: string; employeeNumber: string | null }
  | { kind: 'total_differs'; fileTotalCents: number; receivedCents: number };

export type ExceptionKind = RemittanceException['kind'];

export interface RemittanceSummary {
  lines: number;
  fileTotalCents: number;
  /** What matched lines bring: dues income when posted. */
  matchedCents: number;
  /** Received less the matched lines: what goes to payroll suspense when posted. */
  suspenseCents: number;
  exceptions: RemittanceException[];
}

export interface ExceptionInput {
  lines: readonly RemittanceLine[];
  /** The line's match, by row (a treasurer's choice already applied). */
  matches: ReadonlyMap<number, Pick<LineMatch, 'memberId' | 'proposed' | 'reason'>>;
  /** The dues of the pay period for each matched member. */
  expected: ReadonlyMap<string, DuesExpectation>;
  /** The members this employer deducts for. */
  onDeduction: readonly Pick<MemberRef, 'id' | 'employeeNumber'>[];
  amountReceivedCents: number;
}

export function remittanceExceptions(input: ExceptionInput): RemittanceSummary {
  const exceptions: RemittanceException[] = [];
  let fileTotalCents = 0;
  let matchedCents = 0;
  const rowsOf = new Map<string, number[]>();
  const paidBy = new Map<string, number>();
  for (const line of input.lines) {
    fileTotalCents += line.amountCents ?? 0;
    if (line.problem !== null) exceptions.push({ kind: 'bad_line', row: line.row, message: line.problem });
    const match = input.matches.get(line.row);
    if (match?.memberId) {
      const memberId = match.memberId;
      (rowsOf.get(memberId) ?? rowsOf.set(memberId, []).get(memberId)!).push(line.row);
      paidBy.set(memberId, (paidBy.get(memberId) ?? 0) + (line.amountCents ?? 0));
      matchedCents += line.amountCents ?? 0;
    } else if (match && match.proposed.length > 0 && match.reason !== null) {
      exceptions.push({ kind: 'proposed', row: line.row, name: line.name, employeeNumber: line.employeeNumber, candidates: match.proposed, reason: match.reason });
    } else {
      exceptions.push({ kind: 'unmatched', row: line.row, name: line.name, employeeNumber: line.employeeNumber, amountCents: line.amountCents });
    }
  }
  for (const [memberId, rows] of rowsOf) {
    if (rows.length > 1) exceptions.push({ kind: 'member_twice', rows, memberId });
    const expected = input.expected.get(memberId);
    const paid = paidBy.get(memberId) ?? 0;
    if (expected === undefined) exceptions.push({ kind: 'dues_unknown', rows, memberId, message: 'the member has no dues plan' });
    else if (!expected.ok) exceptions.push({ kind: 'dues_unknown', rows, memberId, message: expected.message });
    else if (expected.cents !== paid) exceptions.push({ kind: 'amount_differs', rows, memberId, expectedCents: expected.cents, amountCents: paid });
  }
  for (const member of input.onDeduction) {
    if (!rowsOf.has(member.id)) exceptions.push({ kind: 'missing_member', memberId: member.id, employeeNumber: member.employeeNumber });
  }
  if (fileTotalCents !== input.amountReceivedCents) exceptions.push({ kind: 'total_differs', fileTotalCents, receivedCents: input.amountReceivedCents });
  return { lines: input.lines.length, fileTotalCents, matchedCents, suspenseCents: input.amountReceivedCents - matchedCents, exceptions };
}

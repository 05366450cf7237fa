import type { MatchedBy } from '../../db/database-payroll';
import type { RemittanceLine } from './parse';

/**
 * Matching a remittance's lines to members, pure. By employee number among the members
 * this employer deducts for, then by name among them; never by a guess: when the evidence
 * is not certain (two members of that name, a name that is only similar, a number and a
 * name that disagree, a member on another employer's list) the candidates are proposed
 * and the treasurer decides.
 */

export interface MemberRef {
  id: string;
  name: string;
  /** The employer deducting the member's dues, if any. */
  employerId: string | null;
  employeeNumber: string | null;
}

export type ProposalReason = 'number_name_differs' | 'name_number_differs' | 'same_name' | 'similar_name' | 'other_employer';

export interface LineMatch {
  row: number;
  memberId: string | null;
  matchedBy: MatchedBy | null;
  /** Candidates the treasurer may choose from when the line is not matched. */
  proposed: string[];
  reason: ProposalReason | null;
}

/** A name's words without case, accents or punctuation, in order of the alphabet: "García, María" and "Maria Garcia" agree. */
export function nameKey(name: string): string {
  return nameTokens(name).join(' ');
}

function nameTokens(name: string): string[] {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token !== '')
    .sort();
}

/** Employee numbers as payroll systems write them: spreadsheets drop leading zeros. */
export function numberKey(number: string): string {
  const key = number.trim().toUpperCase().replace(/\s+/g, '');
  return /^\d+$/.test(key) ? key.replace(/^0+(?=\d)/, '') : key;
}

/** Every word of the shorter name is in the longer, or is the initial of one of its words; two words at least. */
export function similarNames(a: string, b: string): boolean {
  const [short, long] = [nameTokens(a), nameTokens(b)].sort((x, y) => x.length - y.length) as [string[], string[]];
  if (short.length < 2) return false;
  const left = [...long];
  for (const token of short) {
    const at = left.findIndex((other) => other === token || (token.length === 1 && other.startsWith(token)) || (other.length === 1 && token.startsWith(other)));
    if (at < 0) return false;
    left.splice(at, 1);
  }
  return true;
}

const sharesAWord = (a: string, b: string) => {
  const words = new Set(nameTokens(a));
  return nameTokens(b).some((word) => word.length > 1 && words.has(word));
};

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Matches each line to a member of `members` (the organization's, or at least this employer's and any of the same names). */
export function matchLines(lines: readonly RemittanceLine[], employerId: string, members: readonly MemberRef[]): LineMatch[] {
  const byNumber = new Map<string, MemberRef[]>();
  const byName = new Map<string, MemberRef[]>();
  const elsewhereByName = new Map<string, MemberRef[]>();
  const byWord = new Map<string, MemberRef[]>();
  for (const member of members) {
    if (member.employerId === employerId) {
      if (member.employeeNumber !== null) push(byNumber, numberKey(member.employeeNumber), member);
      push(byName, nameKey(member.name), member);
      for (const word of new Set(nameTokens(member.name))) if (word.length > 1) push(byWord, word, member);
    } else {
      push(elsewhereByName, nameKey(member.name), member);
    }
  }
  const ids = (list: readonly MemberRef[]) => list.map((member) => member.id);
  const proposal = (row: number, list: readonly MemberRef[], reason: ProposalReason): LineMatch => ({ row, memberId: null, matchedBy: null, proposed: ids(list), reason });

  return lines.map((line): LineMatch => {
    const none: LineMatch = { row: line.row, memberId: null, matchedBy: null, proposed: [], reason: null };
    if (line.employeeNumber !== null) {
      const found = byNumber.get(numberKey(line.employeeNumber));
      if (found && found.length === 1) {
        const member = found[0]!;
        if (line.name !== null && !sharesAWord(line.name, member.name)) return proposal(line.row, [member], 'number_name_differs');
        return { ...none, memberId: member.id, matchedBy: 'employee_number' };
      }
    }
    if (line.name === null) return none;
    const key = nameKey(line.name);
    const named = byName.get(key) ?? [];
    if (named.length === 1) {
      const member = named[0]!;
      const numbersDisagree = line.employeeNumber !== null && member.employeeNumber !== null && numberKey(line.employeeNumber) !== numberKey(member.employeeNumber);
      if (numbersDisagree) return proposal(line.row, named, 'name_number_differs');
      return { ...none, memberId: member.id, matchedBy: 'name' };
    }
    if (named.length > 1) return proposal(line.row, named, 'same_name');
    const words = nameTokens(line.name).filter((word) => word.length > 1);
    const seen = new Set<string>();
    const similar: MemberRef[] = [];
    for (const word of words) {
      for (const member of byWord.get(word) ?? []) {
        if (seen.has(member.id)) continue;
        seen.add(member.id);
        if (similarNames(line.name, member.name)) similar.push(member);
      }
    }
    if (similar.length > 0) return proposal(line.row, similar, 'similar_name');
    const elsewhere = elsewhereByName.get(key) ?? [];
    if (elsewhere.length > 0) return proposal(line.row, elsewhere, 'other_employer');
    return none;
  });
}

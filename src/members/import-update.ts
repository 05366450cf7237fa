import type { Updateable } from 'kysely';
import type { MembersTable, Standing } from '../../db/database';
import type { RollColumn, RollRow } from './import';
import type { NewMemberRow } from './queries';

/** A member already on the organization's books, as a roll in update mode compares a row with them. */
export interface ExistingMember {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  preferred_language: string;
  employer: string | null;
  worksite: string | null;
  member_class: string;
  external_id: string | null;
  plan_id: string | null;
  wage_facts: unknown;
  organizer_staff_user_id: string | null;
  standing: Standing;
}

/** Existing members a roll's rows may name, by lowercased email and by member number (external id). */
export interface ExistingMembers {
  byEmail: Map<string, ExistingMember>;
  byExternalId: Map<string, ExistingMember>;
}

export function indexExisting(members: readonly ExistingMember[]): ExistingMembers {
  return {
    byEmail: new Map(members.map((member) => [member.email.toLowerCase(), member])),
    byExternalId: new Map(members.flatMap((member) => (member.external_id === null ? [] : [[member.external_id, member] as const]))),
  };
}

/** The member a row names: by email first, then by member number. */
export function existingMemberOf(row: RollRow, existing: ExistingMembers): ExistingMember | undefined {
  return (row.email === undefined ? undefined : existing.byEmail.get(row.email.toLowerCase())) ?? (row.external_id === undefined ? undefined : existing.byExternalId.get(row.external_id));
}

/** A row that changes a member already on the books: the columns it changes and the new values. */
export interface MemberUpdate {
  row: number;
  memberId: string;
  name: string;
  fields: RollColumn[];
  changes: Updateable<MembersTable>;
}

/** Wage facts compared by content, whatever order their keys were written in. */
const sameFacts = (a: unknown, b: unknown) => {
  const canonical = (value: unknown) => JSON.stringify(Object.entries((typeof value === 'string' ? JSON.parse(value) : value) ?? {}).sort(([x], [y]) => x.localeCompare(y)));
  return canonical(a) === canonical(b);
};

/**
 * What a row changes on the member it names. Only the columns the row fills are compared: a
 * blank cell leaves the member's value as it is. The paid-through date, the standing and the
 * day joined are not taken from a roll for a member already on the books: payments and
 * officers' decisions recorded here decide them.
 */
export function memberChanges(existing: ExistingMember, row: RollRow, next: NewMemberRow): Pick<MemberUpdate, 'fields' | 'changes'> {
  const fields: RollColumn[] = [];
  const changes: Updateable<MembersTable> = {};
  const compare = <K extends keyof MembersTable & keyof ExistingMember>(column: RollColumn, key: K, value: unknown) => {
    if (row[column] === undefined || value === existing[key]) return;
    fields.push(column);
    (changes as Record<string, unknown>)[key] = value;
  };
  compare('name', 'name', next.name);
  // An email differing only in case is the same address: the member's spelling is kept.
  if (next.email.toLowerCase() !== existing.email.toLowerCase()) compare('email', 'email', next.email);
  compare('phone', 'phone', next.phone);
  compare('preferred_language', 'preferred_language', next.preferred_language);
  compare('employer', 'employer', next.employer);
  compare('worksite', 'worksite', next.worksite);
  compare('member_class', 'member_class', next.member_class);
  compare('external_id', 'external_id', next.external_id);
  compare('organizer_email', 'organizer_staff_user_id', next.organizer_staff_user_id);
  compare('plan', 'plan_id', next.plan_id);
  if (row.plan !== undefined && !sameFacts(existing.wage_facts, next.wage_facts)) {
    if (!fields.includes('plan')) fields.push('plan');
    changes.wage_facts = next.wage_facts;
  }
  return { fields, changes };
}

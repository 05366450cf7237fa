import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { ExistingMember } from './import-update';
import type { Database, Member, MembersTable, Plan } from '../../db/database';
import { ApiError } from '../http/errors';
import { listPlans, versionInEffect } from '../plans/queries';
import type { MemberListQuery, PlanTerms } from './members';

/** A member as created: the organization and the times are added by `insertMembers`. */
export type NewMemberRow = Omit<Insertable<MembersTable>, 'organization_id' | 'created_at' | 'updated_at' | 'standing_changed_at'>;

// The unique indexes of members, by the field a client sent.
const UNIQUE_FIELDS: Record<string, { field: string; message: string }> = {
  members_org_email_key: { field: 'email', message: 'another member of the organization has this email' },
  members_org_external_id_key: { field: 'externalId', message: 'another member of the organization has this external id' },
};

/** A unique violation that a concurrent request won the race for, as the 409 a pre-check would give. */
export function conflictFrom(error: unknown): ApiError | undefined {
  const pgError = error as { code?: string; constraint?: string };
  const unique = pgError.code === '23505' && pgError.constraint !== undefined ? UNIQUE_FIELDS[pgError.constraint] : undefined;
  return unique && new ApiError('conflict', unique.message, { fields: [{ path: `body.${unique.field}`, message: unique.message }] });
}

export async function findMember(db: Kysely<Database>, organizationId: string, memberId: string): Promise<Member | undefined> {
  return db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).where('id', '=', memberId).executeTakeFirst();
}

export async function findMemberForUpdate(db: Kysely<Database>, organizationId: string, memberId: string): Promise<Member | undefined> {
  return db.selectFrom('members').selectAll().where('organization_id', '=', organizationId).where('id', '=', memberId).forUpdate().executeTakeFirst();
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** One page of members, ordered by name then id, after the cursor's position. */
export async function listMembers(db: Kysely<Database>, organizationId: string, filters: MemberListQuery): Promise<{ members: Member[]; more: boolean }> {
  let query = db.selectFrom('members').selectAll().where('organization_id', '=', organizationId);
  if (filters.standing !== undefined) query = query.where('standing', '=', filters.standing);
  if (filters.planId !== undefined) query = query.where('plan_id', '=', filters.planId);
  if (filters.worksite !== undefined) query = query.where(sql`lower(worksite)`, '=', filters.worksite.toLowerCase());
  if (filters.organizerId !== undefined) query = query.where('organizer_staff_user_id', '=', filters.organizerId);
  const q = filters.q;
  if (q !== undefined) {
    const pattern = `%${escapeLike(q)}%`;
    // "(555) 123-4567" finds "555.123.4567": phone numbers are compared by their digits too.
    const digits = /^[\d\s().+-]+$/.test(q) ? q.replace(/\D/g, '') : '';
    query = query.where((eb) =>
      eb.or([
        eb('name', 'ilike', pattern),
        eb('email', 'ilike', pattern),
        eb('phone', 'ilike', pattern),
        ...(digits.length >= 3 ? [eb(sql`regexp_replace(phone, '\\D', '', 'g')`, 'like', `%${digits}%`)] : []),
      ]),
    );
  }
  const cursor = filters.cursor;
  if (cursor !== undefined) query = query.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(cursor.name, cursor.id)));
  const rows = await query.orderBy('name').orderBy('id').limit(filters.limit + 1).execute();
  return { members: rows.slice(0, filters.limit), more: rows.length > filters.limit };
}

export async function insertMembers(db: Kysely<Database>, organizationId: string, members: NewMemberRow[], at: Date): Promise<Member[]> {
  const inserted: Member[] = [];
  // In slices: PostgreSQL takes at most 65,535 parameters in one statement.
  for (let start = 0; start < members.length; start += 500) {
    const rows = members.slice(start, start + 500).map((member) => ({ ...member, organization_id: organizationId, created_at: at, updated_at: at, standing_changed_at: at }));
    inserted.push(...(await db.insertInto('members').values(rows).returningAll().execute()));
  }
  return inserted;
}

export async function updateMember(db: Kysely<Database>, organizationId: string, memberId: string, changes: Updateable<MembersTable>, at: Date): Promise<Member> {
  return db
    .updateTable('members')
    .set({ ...changes, updated_at: at })
    .where('organization_id', '=', organizationId)
    .where('id', '=', memberId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Which of these emails (compared case-insensitively) members of the organization already use. */
export async function emailsInUse(db: Kysely<Database>, organizationId: string, emails: string[], exceptMemberId?: string): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  let query = db
    .selectFrom('members')
    .select(sql<string>`lower(email)`.as('email'))
    .where('organization_id', '=', organizationId)
    .where(sql<boolean>`lower(email) = any(${emails.map((email) => email.toLowerCase())}::text[])`);
  if (exceptMemberId !== undefined) query = query.where('id', '<>', exceptMemberId);
  return new Set((await query.execute()).map((row) => row.email));
}

export async function externalIdsInUse(db: Kysely<Database>, organizationId: string, externalIds: string[], exceptMemberId?: string): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set();
  let query = db
    .selectFrom('members')
    .select('external_id')
    .where('organization_id', '=', organizationId)
    .where(sql<boolean>`external_id = any(${externalIds}::text[])`);
  if (exceptMemberId !== undefined) query = query.where('id', '<>', exceptMemberId);
  return new Set((await query.execute()).map((row) => row.external_id!));
}

export interface PlanWithTerms {
  plan: Plan;
  /** The rate in force on the day asked about; undefined before the plan's first version takes effect. */
  terms: PlanTerms | undefined;
}

export async function planTerms(db: Kysely<Database>, plan: Plan, onDate: string): Promise<PlanWithTerms> {
  const version = await versionInEffect(db, plan.organization_id, plan.id, onDate);
  return {
    plan,
    terms: version && { rule: version.amount_rule, period: { interval: plan.billing_interval, intervalCount: plan.billing_interval_count } },
  };
}

/** Every plan of the organization with the rate in force on a day: what an import resolves plan names against. */
export async function plansWithTerms(db: Kysely<Database>, organizationId: string, onDate: string): Promise<PlanWithTerms[]> {
  return Promise.all((await listPlans(db, organizationId)).map((plan) => planTerms(db, plan, onDate)));
}

/** Staff of the organization by lowercased email, for the import's organizer column. */
export async function staffIdsByEmail(db: Kysely<Database>, organizationId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('staff_users')
    .innerJoin('staff_roles', 'staff_roles.staff_user_id', 'staff_users.id')
    .select(['staff_users.id', sql<string>`lower(staff_users.email)`.as('email')])
    .where('staff_roles.organization_id', '=', organizationId)
    .distinct()
    .execute();
  return new Map(rows.map((row) => [row.email, row.id]));
}

export async function listManualPayments(db: Kysely<Database>, organizationId: string, memberId: string) {
  return db
    .selectFrom('manual_payments')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('member_id', '=', memberId)
    .orderBy('period_end', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
}

/** The organization's members a roll names, by email (case-insensitively) or by member number. */
export async function membersNamedByRoll(db: Kysely<Database>, organizationId: string, emails: string[], externalIds: string[]): Promise<ExistingMember[]> {
  if (emails.length === 0 && externalIds.length === 0) return [];
  return db
    .selectFrom('members')
    .select(['id', 'name', 'email', 'phone', 'preferred_language', 'employer', 'worksite', 'member_class', 'external_id', 'plan_id', 'wage_facts', 'organizer_staff_user_id', 'standing'])
    .where('organization_id', '=', organizationId)
    .where((eb) => eb.or([sql<boolean>`lower(email) = any(${emails.map((email) => email.toLowerCase())}::text[])`, sql<boolean>`external_id = any(${externalIds}::text[])`]))
    .execute();
}

import { sql, type Kysely } from 'kysely';
import type { Database, StaffRole, StaffUser } from '../../db/database';

export async function findStaffUserByEmail(db: Kysely<Database>, email: string): Promise<StaffUser | undefined> {
  return db.selectFrom('staff_users').selectAll().where(sql`lower(email)`, '=', email.trim().toLowerCase()).executeTakeFirst();
}

/** Creates the staff user, or returns the existing one with that email (emails are unique, case-insensitively). */
export async function upsertStaffUser(db: Kysely<Database>, user: { email: string; name: string }, at: Date): Promise<StaffUser> {
  const existing = await findStaffUserByEmail(db, user.email);
  if (existing) return existing;
  const inserted = await db
    .insertInto('staff_users')
    .values({ email: user.email.trim(), name: user.name.trim(), created_at: at })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returningAll()
    .executeTakeFirst();
  return inserted ?? (await findStaffUserByEmail(db, user.email))!;
}

export async function grantRole(db: Kysely<Database>, organizationId: string, staffUserId: string, role: StaffRole, at: Date): Promise<void> {
  await db
    .insertInto('staff_roles')
    .values({ organization_id: organizationId, staff_user_id: staffUserId, role, created_at: at })
    .onConflict((oc) => oc.columns(['organization_id', 'staff_user_id', 'role']).doNothing())
    .execute();
}

export async function revokeRole(db: Kysely<Database>, organizationId: string, staffUserId: string, role: StaffRole): Promise<boolean> {
  const result = await db
    .deleteFrom('staff_roles')
    .where('organization_id', '=', organizationId)
    .where('staff_user_id', '=', staffUserId)
    .where('role', '=', role)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function rolesIn(db: Kysely<Database>, organizationId: string, staffUserId: string): Promise<StaffRole[]> {
  const rows = await db
    .selectFrom('staff_roles')
    .select('role')
    .where('organization_id', '=', organizationId)
    .where('staff_user_id', '=', staffUserId)
    .orderBy('role')
    .execute();
  return rows.map((row) => row.role);
}

/** The organizations a staff user belongs to, oldest membership first. */
export async function organizationsOf(db: Kysely<Database>, staffUserId: string) {
  return db
    .selectFrom('staff_roles')
    .innerJoin('organizations', 'organizations.id', 'staff_roles.organization_id')
    .select(['organizations.id', 'organizations.slug', 'organizations.name'])
    .select(sql<Date>`min(staff_roles.created_at)`.as('since'))
    .where('staff_roles.staff_user_id', '=', staffUserId)
    .groupBy(['organizations.id', 'organizations.slug', 'organizations.name'])
    .orderBy('since')
    .execute();
}

export interface StaffMember {
  id: string;
  email: string;
  name: string;
  roles: StaffRole[];
}

const staffInOrganization = (db: Kysely<Database>, organizationId: string) =>
  db
    .selectFrom('staff_users')
    .innerJoin('staff_roles', 'staff_roles.staff_user_id', 'staff_users.id')
    .select(['staff_users.id', 'staff_users.email', 'staff_users.name'])
    .select(sql<StaffRole[]>`array_agg(staff_roles.role ORDER BY staff_roles.role)`.as('roles'))
    .where('staff_roles.organization_id', '=', organizationId)
    .groupBy(['staff_users.id', 'staff_users.email', 'staff_users.name']);

export async function listStaff(db: Kysely<Database>, organizationId: string): Promise<StaffMember[]> {
  return staffInOrganization(db, organizationId).orderBy('staff_users.name').execute();
}

/** A staff user as seen from one organization: undefined unless they hold a role there. */
export async function findStaffMember(db: Kysely<Database>, organizationId: string, staffUserId: string): Promise<StaffMember | undefined> {
  return staffInOrganization(db, organizationId).where('staff_users.id', '=', staffUserId).executeTakeFirst();
}

/** A staff member of this organization by email; undefined for anyone else, whether or not they have an account elsewhere. */
export async function findStaffMemberByEmail(db: Kysely<Database>, organizationId: string, email: string): Promise<StaffMember | undefined> {
  return staffInOrganization(db, organizationId).where(sql`lower(staff_users.email)`, '=', email.trim().toLowerCase()).executeTakeFirst();
}

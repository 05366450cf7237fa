import type { Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import type { NewOrganization, OrganizationChanges } from './organizations';

export async function insertOrganization(db: Kysely<Database>, organization: NewOrganization, at: Date): Promise<Organization> {
  return db
    .insertInto('organizations')
    .values({ slug: organization.slug, name: organization.name, time_zone: organization.timeZone, currency: organization.currency, settings: '{}', created_at: at, updated_at: at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findOrganizationById(db: Kysely<Database>, id: string): Promise<Organization | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOrganizationBySlug(db: Kysely<Database>, slug: string): Promise<Organization | undefined> {
  return db.selectFrom('organizations').selectAll().where('slug', '=', slug.toLowerCase()).executeTakeFirst();
}

export async function updateOrganization(db: Kysely<Database>, id: string, changes: OrganizationChanges, at: Date): Promise<Organization> {
  return db
    .updateTable('organizations')
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.timeZone !== undefined ? { time_zone: changes.timeZone } : {}),
      ...(changes.settings !== undefined ? { settings: JSON.stringify(changes.settings) } : {}),
      updated_at: at,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function presentOrganization(organization: Organization) {
  return {
    id: organization.id,
    slug: organization.slug,
    name: organization.name,
    timeZone: organization.time_zone,
    currency: organization.currency,
    settings: organization.settings,
    createdAt: organization.created_at,
  };
}

import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type {} from '../../db/database-admin';
import type { LogoType } from './logo';
import type { OrganizationSettings } from './settings';
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
      ...(changes.contactPhone !== undefined ? { contact_phone: changes.contactPhone } : {}),
      ...(changes.contactEmail !== undefined ? { contact_email: changes.contactEmail } : {}),
      ...(changes.contactAddress !== undefined ? { contact_address: changes.contactAddress } : {}),
      ...(changes.privacyNotice !== undefined ? { privacy_notice: JSON.stringify(changes.privacyNotice) } : {}),
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
    contactPhone: organization.contact_phone,
    contactEmail: organization.contact_email,
    contactAddress: organization.contact_address,
    privacyNotice: organization.privacy_notice,
    createdAt: organization.created_at,
  };
}

/** Saves the admin's settings form; other settings (the accountant's mapping, say) are kept. */
export async function saveOrganizationSettings(db: Kysely<Database>, organization: Organization, settings: OrganizationSettings, at: Date): Promise<void> {
  await db
    .updateTable('organizations')
    .set({
      name: settings.name,
      time_zone: settings.timeZone,
      settings: JSON.stringify({ ...organization.settings, fiscalYearStartMonth: settings.fiscalYearStartMonth }),
      contact_phone: settings.contactPhone,
      contact_email: settings.contactEmail,
      contact_address: settings.contactAddress,
      privacy_notice: JSON.stringify({ ...(settings.privacyEn ? { en: settings.privacyEn } : {}), ...(settings.privacyEs ? { es: settings.privacyEs } : {}) }),
      updated_at: at,
    })
    .where('id', '=', organization.id)
    .execute();
}

/** The logo's fingerprint (its version in the signup page's address), if the organization has one. */
export async function logoVersion(db: Kysely<Database>, organizationId: string): Promise<string | undefined> {
  return (await db.selectFrom('organization_logos').select('sha256').where('organization_id', '=', organizationId).executeTakeFirst())?.sha256;
}

export async function findLogoBySlug(db: Kysely<Database>, slug: string) {
  return db
    .selectFrom('organization_logos as l')
    .innerJoin('organizations as o', 'o.id', 'l.organization_id')
    .select(['l.content_type', 'l.bytes', 'l.sha256'])
    .where('o.slug', '=', slug.toLowerCase())
    .executeTakeFirst();
}

export async function saveLogo(db: Kysely<Database>, organizationId: string, logo: { type: LogoType; bytes: Buffer }, at: Date): Promise<void> {
  const row = { content_type: logo.type, bytes: logo.bytes, sha256: createHash('sha256').update(logo.bytes).digest('hex'), updated_at: at };
  await db
    .insertInto('organization_logos')
    .values({ organization_id: organizationId, ...row })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet(row))
    .execute();
}

export async function removeLogo(db: Kysely<Database>, organizationId: string): Promise<boolean> {
  const result = await db.deleteFrom('organization_logos').where('organization_id', '=', organizationId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

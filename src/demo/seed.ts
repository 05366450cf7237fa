import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { requestSignIn } from '../auth/sign-in';
import { insertOrganization } from '../organizations/queries';
import { grantRole, upsertStaffUser } from '../staff/queries';

export const DEMO_ORGANIZATION = { slug: 'demo', name: 'Demo Workers Union', timeZone: 'America/Chicago', currency: 'usd' };
export const DEMO_ADMIN = { email: 'admin@demo.goodstanding.local', name: 'Demo Admin' };

/**
 * On an empty development database, creates a demo organization with an admin and emails
 * that admin a sign-in link. Returns undefined when the database already has organizations.
 */
export async function seedDemo(db: Kysely<Database>, options: { publicUrl: string; now: Date }) {
  const existing = await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
  if (existing) return undefined;
  const organization = await db.transaction().execute(async (trx) => {
    const created = await insertOrganization(trx, DEMO_ORGANIZATION);
    const admin = await upsertStaffUser(trx, DEMO_ADMIN);
    await grantRole(trx, created.id, admin.id, 'admin');
    return created;
  });
  await requestSignIn(db, { email: DEMO_ADMIN.email, organizationSlug: organization.slug, publicUrl: options.publicUrl, now: options.now });
  return { organization, adminEmail: DEMO_ADMIN.email };
}

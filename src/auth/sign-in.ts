import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { enqueueEmail } from '../email/outbox';
import { signInEmail } from '../email/templates';
import { findOrganizationBySlug } from '../organizations/queries';
import { findStaffUserByEmail, organizationsOf } from '../staff/queries';

export const SIGN_IN_MINUTES = 15;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Queues a single-use sign-in link for a known staff email. Unknown emails (or an
 * organization the person has no role in) queue nothing; the caller answers the same either way.
 */
export async function requestSignIn(
  db: Kysely<Database>,
  request: { email: string; organizationSlug?: string | undefined; publicUrl: string; now: Date },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const user = await findStaffUserByEmail(trx, request.email);
    if (!user) return false;
    const memberships = await organizationsOf(trx, user.id);
    let organization: (typeof memberships)[number] | undefined = memberships[0];
    if (request.organizationSlug !== undefined) {
      const wanted = await findOrganizationBySlug(trx, request.organizationSlug);
      organization = memberships.find((m) => m.id === wanted?.id);
    }
    if (!organization) return false;

    const token = randomBytes(32).toString('base64url');
    await trx
      .insertInto('login_tokens')
      .values({
        token_hash: hashToken(token),
        staff_user_id: user.id,
        organization_id: organization.id,
        expires_at: new Date(request.now.getTime() + SIGN_IN_MINUTES * 60_000),
        created_at: request.now,
      })
      .execute();
    const link = `${request.publicUrl}/auth/callback?token=${encodeURIComponent(token)}`;
    const message = signInEmail({ staffName: user.name, organizationName: organization.name, link, minutes: SIGN_IN_MINUTES });
    await enqueueEmail(trx, { organizationId: organization.id, kind: 'staff_sign_in', to: user.email, ...message, queuedAt: request.now });
    return true;
  });
}

/** Whether a sign-in token would still work, without spending it: what the page a link opens asks first. */
export async function signInIsLive(db: Kysely<Database>, token: string, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('login_tokens')
    .select('id')
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

/** Spends a sign-in token: it works once, within its time, and never again. */
export async function consumeSignIn(db: Kysely<Database>, token: string, now: Date): Promise<{ staffUserId: string; organizationId: string } | undefined> {
  const row = await db
    .updateTable('login_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['staff_user_id', 'organization_id'])
    .executeTakeFirst();
  return row ? { staffUserId: row.staff_user_id, organizationId: row.organization_id } : undefined;
}

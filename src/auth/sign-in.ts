import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { enqueueEmail } from '../email/outbox';
import { noStaffAccountEmail, signInEmail } from '../email/templates';
import { findOrganizationBySlug } from '../organizations/queries';
import { findStaffUserByEmail, organizationsOf } from '../staff/queries';

export const SIGN_IN_MINUTES = 15;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

// Stands in for "nobody" in the statements an unknown address runs, so that it runs the same ones.
const NO_ONE = '00000000-0000-0000-0000-000000000000';

/**
 * Queues a single-use sign-in link for a known staff email, and a note that no account
 * uses it for any other address (or an organization the person has no role in). Both
 * run the same statements and queue one email, so the request takes the same time
 * whether or not the address is known; the caller answers the same either way.
 */
export async function requestSignIn(
  db: Kysely<Database>,
  request: { email: string; organizationSlug?: string | undefined; publicUrl: string; now: Date },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findStaffUserByEmail(trx, request.email);
    const memberships = await organizationsOf(trx, user?.id ?? NO_ONE);
    let organization: (typeof memberships)[number] | undefined = memberships[0];
    if (request.organizationSlug !== undefined) {
      const wanted = await findOrganizationBySlug(trx, request.organizationSlug);
      organization = memberships.find((m) => m.id === wanted?.id);
    }
    const signsIn = user !== undefined && organization !== undefined;

    const token = randomBytes(32).toString('base64url');
    // One statement either way: it stores the token for a person who may sign in, and nothing for anyone else.
    await trx
      .insertInto('login_tokens')
      .columns(['token_hash', 'staff_user_id', 'organization_id', 'expires_at', 'created_at'])
      .expression((eb) =>
        eb
          .selectFrom('staff_users')
          .select([
            sql<string>`${hashToken(token)}::text`.as('token_hash'),
            'staff_users.id',
            sql<string>`${organization?.id ?? NO_ONE}::uuid`.as('organization_id'),
            sql<Date>`${new Date(request.now.getTime() + SIGN_IN_MINUTES * 60_000)}::timestamptz`.as('expires_at'),
            sql<Date>`${request.now}::timestamptz`.as('created_at'),
          ])
          .where('staff_users.id', '=', signsIn ? user.id : NO_ONE),
      )
      .execute();
    const link = `${request.publicUrl}/auth/callback?token=${encodeURIComponent(token)}`;
    const message = signsIn
      ? signInEmail({ staffName: user.name, organizationName: organization!.name, link, minutes: SIGN_IN_MINUTES })
      : noStaffAccountEmail({ signInUrl: `${request.publicUrl}/login` });
    await enqueueEmail(trx, {
      organizationId: signsIn ? organization!.id : null,
      kind: signsIn ? 'staff_sign_in' : 'staff_sign_in.no_account',
      to: request.email,
      ...message,
      queuedAt: request.now,
    });
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

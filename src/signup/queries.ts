import { sql, type Kysely } from 'kysely';
import type { Database, Language, Member, Organization, SignupPaymentMethod } from '../../db/database';
import { listPlans, versionsByPlan } from '../plans/queries';
import { versionOn } from '../plans/plans';
import { messagesFor } from './i18n';
import type { SignupPlan } from './signup';

/** The organization's active plans with the rate in force today; plans with no version in force yet are not offered. */
export async function signupPlans(db: Kysely<Database>, organizationId: string, today: string): Promise<SignupPlan[]> {
  const plans = await listPlans(db, organizationId, 'active');
  const versions = await versionsByPlan(db, organizationId, plans.map((plan) => plan.id));
  const offered: SignupPlan[] = [];
  for (const plan of plans) {
    const version = versionOn(versions.get(plan.id) ?? [], today);
    if (!version) continue;
    offered.push({
      id: plan.id,
      name: plan.name,
      currency: plan.currency,
      period: { interval: plan.billing_interval, intervalCount: plan.billing_interval_count },
      rule: version.amount_rule,
      initiationFeeCents: version.initiation_fee_cents,
      stripeProductId: plan.stripe_product_id,
      stripePriceId: version.stripe_price_id,
    });
  }
  return offered;
}

export interface Authorization {
  version: number;
  /** The language of the text: a version written only in English is shown in English. */
  language: Language;
  text: string;
  /** False for the built-in text of an organization that has written none. */
  stored: boolean;
}

/**
 * The dues authorization in force: the organization's latest version, in the language
 * asked for when written in it. An organization that has written none gets the built-in
 * text as its version 1 (stored on the first signup, so every consent points at a row).
 */
export async function currentAuthorization(db: Kysely<Database>, organization: Organization, language: Language): Promise<Authorization> {
  const rows = await db
    .selectFrom('dues_authorizations')
    .select(['version', 'language', 'text'])
    .where('organization_id', '=', organization.id)
    .where('version', '=', (eb) => eb.selectFrom('dues_authorizations').select(sql<number>`max(version)`.as('v')).where('organization_id', '=', organization.id))
    .execute();
  if (rows.length === 0) return { version: 1, language, text: messagesFor(language).defaultAuthorization(organization.name), stored: false };
  const row = rows.find((r) => r.language === language) ?? rows.find((r) => r.language === 'en') ?? rows[0]!;
  return { ...row, stored: true };
}

export async function storeDefaultAuthorization(trx: Kysely<Database>, organization: Organization, at: Date): Promise<void> {
  await trx
    .insertInto('dues_authorizations')
    .values((['en', 'es'] as const).map((language) => ({ organization_id: organization.id, version: 1, language, text: messagesFor(language).defaultAuthorization(organization.name), created_at: at })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** A new version of the organization's authorization, both languages, numbered after the latest (the built-in text counts as version 1). */
export async function publishAuthorization(trx: Kysely<Database>, organizationId: string, texts: Record<Language, string>, at: Date): Promise<number> {
  const latest = await trx.selectFrom('dues_authorizations').select(sql<number | null>`max(version)`.as('version')).where('organization_id', '=', organizationId).executeTakeFirst();
  const version = (latest?.version ?? 1) + 1;
  await trx
    .insertInto('dues_authorizations')
    .values((['en', 'es'] as const).map((language) => ({ organization_id: organizationId, version, language, text: texts[language], created_at: at })))
    .execute();
  return version;
}

export async function findMemberByEmail(db: Kysely<Database>, organizationId: string, email: string): Promise<Member | undefined> {
  return db
    .selectFrom('members')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .forUpdate()
    .executeTakeFirst();
}

/** Whether Stripe already bills the member (as mirrored by the webhooks): then a second signup must not start another subscription. */
export async function hasLiveSubscription(db: Kysely<Database>, organizationId: string, memberId: string): Promise<boolean> {
  const row = await db
    .selectFrom('stripe_subscriptions')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('member_id', '=', memberId)
    .where('status', 'not in', ['canceled', 'incomplete_expired'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface NewConsent {
  organizationId: string;
  memberId: string;
  authorization: Authorization;
  planId: string;
  duesCents: number;
  paymentMethod: SignupPaymentMethod;
  acceptedAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export async function insertConsent(trx: Kysely<Database>, consent: NewConsent): Promise<string> {
  const row = await trx
    .insertInto('signup_consents')
    .values({
      organization_id: consent.organizationId,
      member_id: consent.memberId,
      authorization_version: consent.authorization.version,
      language: consent.authorization.language,
      plan_id: consent.planId,
      dues_cents: consent.duesCents,
      payment_method: consent.paymentMethod,
      accepted_at: consent.acceptedAt,
      ip: consent.ip,
      user_agent: consent.userAgent?.slice(0, 500) ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function setConsentCheckout(db: Kysely<Database>, organizationId: string, consentId: string, sessionId: string): Promise<void> {
  await db.updateTable('signup_consents').set({ checkout_session_id: sessionId }).where('organization_id', '=', organizationId).where('id', '=', consentId).execute();
}

/** A signup attempt and its member, while the member is still pending (a finished signup is not re-shown). */
export async function findPendingSignup(db: Kysely<Database>, organizationId: string, consentId: string) {
  return db
    .selectFrom('signup_consents')
    .innerJoin('members', (join) => join.onRef('members.organization_id', '=', 'signup_consents.organization_id').onRef('members.id', '=', 'signup_consents.member_id'))
    .select(['members.name', 'members.email', 'members.phone', 'members.employer', 'members.worksite', 'members.plan_id', 'members.wage_facts', 'signup_consents.payment_method'])
    .where('signup_consents.organization_id', '=', organizationId)
    .where('signup_consents.id', '=', consentId)
    .where('members.standing', '=', 'pending')
    .executeTakeFirst();
}

export async function insertManageLink(trx: Kysely<Database>, link: { organizationId: string; memberId: string; tokenHash: string; createdAt: Date; expiresAt: Date }): Promise<void> {
  await trx
    .insertInto('manage_links')
    .values({ organization_id: link.organizationId, member_id: link.memberId, token_hash: link.tokenHash, expires_at: link.expiresAt, created_at: link.createdAt })
    .execute();
}

/** Spends a manage link: only one request can ever get its member back, and only before it expires. */
export async function consumeManageLink(db: Kysely<Database>, organizationId: string, tokenHash: string, now: Date) {
  return db
    .updateTable('manage_links')
    .set({ used_at: now })
    .from('members')
    .whereRef('members.organization_id', '=', 'manage_links.organization_id')
    .whereRef('members.id', '=', 'manage_links.member_id')
    .where('manage_links.organization_id', '=', organizationId)
    .where('manage_links.token_hash', '=', tokenHash)
    .where('manage_links.used_at', 'is', null)
    .where('manage_links.expires_at', '>', now)
    .returning(['manage_links.id', 'members.id as member_id', 'members.stripe_customer_id', 'members.preferred_language'])
    .executeTakeFirst();
}


import { sql, type Kysely } from 'kysely';
import type { ConfirmationPurpose, Database, Language, Member, Organization, Plan, PlanVersion, SignupDraft, SignupPaymentMethod } from '../../db/database';
import { listPlans, versionsByPlan } from '../plans/queries';
import { planInLanguage, versionOn } from '../plans/plans';
import { messagesFor } from './i18n';
import type { SignupPlan } from './signup';

/**
 * The organization's active plans shown on the signup page, in its order, with the rate in
 * force today, in each language (a translation where the admin wrote one, the base text
 * elsewhere); plans with no version in force yet are not offered.
 */
export async function signupPlans(db: Kysely<Database>, organizationId: string, today: string): Promise<Record<Language, SignupPlan[]>> {
  const plans = (await listPlans(db, organizationId, 'active')).filter((plan) => plan.visible_on_signup);
  const versions = await versionsByPlan(db, organizationId, plans.map((plan) => plan.id));
  const offered: Record<Language, SignupPlan[]> = { en: [], es: [] };
  for (const plan of plans) {
    const version = versionOn(versions.get(plan.id) ?? [], today);
    if (!version) continue;
    for (const language of ['en', 'es'] as const) offered[language].push(offeredPlan(plan, version, language));
  }
  return offered;
}

function offeredPlan(plan: Plan, version: PlanVersion, language: Language): SignupPlan {
  const words = planInLanguage(plan, version.amount_rule, language);
  return {
    id: plan.id,
    name: words.name,
    description: words.description,
    preselected: plan.preselected,
    currency: plan.currency,
    period: { interval: plan.billing_interval, intervalCount: plan.billing_interval_count },
    rule: words.rule,
    initiationFeeCents: version.initiation_fee_cents,
    stripeProductId: plan.stripe_product_id,
    stripePriceId: version.stripe_price_id,
  };
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

/** What a finished Checkout chose, for the welcome page: the plan, the dues and how they are paid. */
export async function findWelcomeFacts(db: Kysely<Database>, organizationId: string, consentId: string) {
  return db
    .selectFrom('signup_consents')
    .innerJoin('plans', (join) => join.onRef('plans.organization_id', '=', 'signup_consents.organization_id').onRef('plans.id', '=', 'signup_consents.plan_id'))
    .select(['plans.name as planName', 'plans.currency', 'plans.billing_interval', 'plans.billing_interval_count', 'signup_consents.dues_cents', 'signup_consents.payment_method'])
    .where('signup_consents.organization_id', '=', organizationId)
    .where('signup_consents.id', '=', consentId)
    .executeTakeFirst();
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

/**
 * What the request path needs to know about an address, in one statement whatever the
 * answer, so that known and unknown addresses cost the same: the member (if any) and
 * whether Stripe already bills them.
 */
export async function memberForAddress(db: Kysely<Database>, organizationId: string, email: string) {
  return db
    .selectFrom('members')
    .select((eb) => [
      'members.id',
      'members.name',
      'members.standing',
      'members.stripe_customer_id',
      'members.preferred_language',
      eb
        .exists(
          eb
            .selectFrom('stripe_subscriptions')
            .select('stripe_subscriptions.id')
            .whereRef('stripe_subscriptions.organization_id', '=', 'members.organization_id')
            .whereRef('stripe_subscriptions.member_id', '=', 'members.id')
            .where('stripe_subscriptions.status', 'not in', ['canceled', 'incomplete_expired']),
        )
        .as('billed'),
    ])
    .where('members.organization_id', '=', organizationId)
    .where(sql<string>`lower(members.email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export interface NewConfirmation {
  organizationId: string;
  purpose: ConfirmationPurpose;
  tokenHash: string;
  email: string;
  draft: SignupDraft | null;
  createdAt: Date;
  expiresAt: Date;
}

/** Stores one emailed link, and purges the organization's expired ones (a draft holds an unproven stranger's details). */
export async function insertConfirmation(trx: Kysely<Database>, confirmation: NewConfirmation): Promise<void> {
  await trx.deleteFrom('signup_confirmations').where('organization_id', '=', confirmation.organizationId).where('expires_at', '<=', confirmation.createdAt).execute();
  await trx
    .insertInto('signup_confirmations')
    .values({
      organization_id: confirmation.organizationId,
      purpose: confirmation.purpose,
      token_hash: confirmation.tokenHash,
      email: confirmation.email,
      draft: confirmation.draft === null ? null : JSON.stringify(confirmation.draft),
      created_at: confirmation.createdAt,
      expires_at: confirmation.expiresAt,
    })
    .execute();
}

/** A live join link's draft, without spending it (the landing page shows it; the button continues). */
export async function findJoinConfirmation(db: Kysely<Database>, organizationId: string, tokenHash: string, now: Date) {
  return db
    .selectFrom('signup_confirmations')
    .select(['id', 'email', 'draft', 'created_at'])
    .where('organization_id', '=', organizationId)
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', 'join')
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Notes the first use of a join link; the link keeps working until it expires (a double click, a return from Checkout). */
export async function markJoinConfirmationUsed(db: Kysely<Database>, organizationId: string, id: string, now: Date): Promise<void> {
  await db.updateTable('signup_confirmations').set({ used_at: now }).where('organization_id', '=', organizationId).where('id', '=', id).where('used_at', 'is', null).execute();
}

/** Spends a manage link: only one request can ever get its member back, and only before it expires. */
export async function consumeManageLink(db: Kysely<Database>, organizationId: string, tokenHash: string, now: Date) {
  return db
    .updateTable('signup_confirmations')
    .set({ used_at: now })
    .from('members')
    .whereRef('members.organization_id', '=', 'signup_confirmations.organization_id')
    .where(sql<string>`lower(members.email)`, '=', sql<string>`lower(signup_confirmations.email)`)
    .where('signup_confirmations.organization_id', '=', organizationId)
    .where('signup_confirmations.token_hash', '=', tokenHash)
    .where('signup_confirmations.purpose', '=', 'manage')
    .where('signup_confirmations.used_at', 'is', null)
    .where('signup_confirmations.expires_at', '>', now)
    .returning(['signup_confirmations.id', 'members.id as member_id', 'members.stripe_customer_id', 'members.preferred_language'])
    .executeTakeFirst();
}

/**
 * Every version of the organization's authorization, newest first, with when it was
 * published (null for the built-in text, never stored) and how many members signed it.
 */
export async function authorizationVersions(db: Kysely<Database>, organizationId: string) {
  const rows = await sql<{ version: number; published_at: Date | null; signed: number }>`
    SELECT v.version, min(a.created_at) AS published_at,
           (SELECT count(DISTINCT c.member_id)::int FROM signup_consents c WHERE c.organization_id = ${organizationId} AND c.authorization_version = v.version) AS signed
    FROM (SELECT version FROM dues_authorizations WHERE organization_id = ${organizationId}
          UNION SELECT authorization_version FROM signup_consents WHERE organization_id = ${organizationId}) v
    LEFT JOIN dues_authorizations a ON a.organization_id = ${organizationId} AND a.version = v.version
    GROUP BY v.version ORDER BY v.version DESC`.execute(db);
  return rows.rows;
}

/** The members who signed a version, the latest signature first: whom it binds. */
export async function authorizationSigners(db: Kysely<Database>, organizationId: string, version: number, limit: number) {
  return db
    .selectFrom('signup_consents as c')
    .innerJoin('members as m', (j) => j.onRef('m.organization_id', '=', 'c.organization_id').onRef('m.id', '=', 'c.member_id'))
    .select(['m.id', 'm.name', 'c.language', 'c.accepted_at'])
    .where('c.organization_id', '=', organizationId)
    .where('c.authorization_version', '=', version)
    .orderBy('c.accepted_at', 'desc')
    .orderBy('m.id')
    .limit(limit)
    .execute();
}

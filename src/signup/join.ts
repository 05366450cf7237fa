import type { Kysely } from 'kysely';
import type { Database, Language, Member, Organization } from '../../db/database';
import type { AppContext } from '../context';
import { enqueueEmail } from '../email/outbox';
import { layout } from '../email/templates';
import { insertMembers, updateMember } from '../members/queries';
import { rederiveMember } from '../members/derivation';
import { recordInitialStandings } from '../members/standing';
import { syncPlanToStripe } from '../plans/stripe-sync';
import { requestOptions } from '../stripe/client';
import { memberMetadata } from '../stripe/metadata';
import { checkoutSessionParams } from './checkout';
import { messagesFor } from './i18n';
import {
  findMemberByEmail,
  hasLiveSubscription,
  insertConsent,
  insertManageLink,
  setConsentCheckout,
  storeDefaultAuthorization,
  type Authorization,
} from './queries';
import type { SignupInput } from './signup';
import { draftToken, hashLinkToken, newLinkToken } from './tokens';

export const MANAGE_LINK_MINUTES = 30;

/**
 * Test-only hooks, set through AppContext.signup. `testClockFor` puts a signup's Stripe
 * customer on a sandbox test clock so a test can run the ACH delay forward; production
 * leaves it unset.
 */
export interface SignupOptions {
  testClockFor?: (member: Member) => Promise<string | undefined>;
}

export interface SignupRequest {
  organization: Organization;
  input: SignupInput;
  authorization: Authorization;
  language: Language;
  ip: string | null;
  userAgent: string | null;
}

export type SignupOutcome = { kind: 'checkout'; url: string } | { kind: 'emailed' };

const joinUrl = (ctx: AppContext, organization: Organization, rest = '') => `${ctx.publicUrl}/join/${encodeURIComponent(organization.slug)}${rest}`;

/**
 * One signup: the pending member and their consent in one transaction, then the Stripe
 * customer and Checkout Session. Someone already on the roll (or already billed) gets an
 * email instead, so the page answers them as it answers anyone.
 */
export async function startSignup(ctx: AppContext, request: SignupRequest): Promise<SignupOutcome> {
  const { organization, input } = request;
  const now = ctx.now();
  const recorded = await withRetryOnDuplicate(() => recordSignup(ctx, request, now));
  if (!recorded) {
    ctx.notifyOutbox();
    return { kind: 'emailed' };
  }

  const { member, consentId } = recorded;
  const productId = input.plan.stripeProductId ?? (await syncPlanToStripe(ctx.db, ctx.stripe, organization, input.plan.id)).productId;
  const customerId = member.stripe_customer_id ?? (await createCustomer(ctx, organization, member, request.language));
  const session = await ctx.stripe.checkout.sessions.create(
    checkoutSessionParams({
      organizationId: organization.id,
      memberId: member.id,
      customerId,
      plan: { ...input.plan, stripeProductId: productId },
      duesCents: input.duesCents,
      paymentMethod: input.paymentMethod,
      language: request.language,
      successUrl: joinUrl(ctx, organization, `/welcome?lang=${request.language}&method=${input.paymentMethod}`),
      cancelUrl: joinUrl(ctx, organization, `/cancelled?lang=${request.language}&draft=${draftToken(ctx.config.jwtSecret, consentId, now)}`),
    }),
    requestOptions(organization, `gs-signup-${consentId}-checkout`),
  );
  await setConsentCheckout(ctx.db, organization.id, consentId, session.id);
  if (!session.url) throw new Error(`checkout session ${session.id} has no url`);
  return { kind: 'checkout', url: session.url };
}

/** The pending member and the consent, in one transaction; undefined when the email is already a member's (who is emailed instead). */
async function recordSignup(ctx: AppContext, request: SignupRequest, now: Date): Promise<{ member: Member; consentId: string } | undefined> {
  const { organization, input } = request;
  return ctx.db.transaction().execute(async (trx) => {
    if (!request.authorization.stored) await storeDefaultAuthorization(trx, organization, now);
    const existing = await findMemberByEmail(trx, organization.id, input.email);
    if (existing && (existing.standing !== 'pending' || (await hasLiveSubscription(trx, organization.id, existing.id)))) {
      await emailExistingMember(ctx, trx, organization, existing);
      return undefined;
    }
    const details = {
      name: input.name,
      phone: input.phone,
      employer: input.employer,
      worksite: input.worksite,
      plan_id: input.plan.id,
      wage_facts: JSON.stringify(input.wageFacts),
      preferred_language: request.language,
    };
    // A pending member who comes back (after leaving Checkout) keeps one record, with what they typed last.
    let member: Member;
    if (existing) member = await updateMember(trx, organization.id, existing.id, details, now);
    else {
      [member] = (await insertMembers(trx, organization.id, [{ ...details, email: input.email, standing: 'pending' }], now)) as [Member];
      await recordInitialStandings(trx, organization.id, [member], 'signup', null, now);
    }
    const consentId = await insertConsent(trx, {
      organizationId: organization.id,
      memberId: member.id,
      authorization: request.authorization,
      planId: input.plan.id,
      duesCents: input.duesCents,
      paymentMethod: input.paymentMethod,
      acceptedAt: now,
      ip: request.ip,
      userAgent: request.userAgent,
    });
    // Pending, and now why: checkout started today and not completed (until Stripe says otherwise).
    await rederiveMember(trx, { organizationId: organization.id, memberId: member.id, cause: 'signup' }, now);
    return { member, consentId };
  });
}

/** A double-clicked submit races two inserts of the same email; the loser runs again and finds the winner's pending member. */
async function withRetryOnDuplicate<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { constraint?: string }).constraint !== 'members_org_email_key') throw error;
    return work();
  }
}

async function createCustomer(ctx: AppContext, organization: Organization, member: Member, language: Language): Promise<string> {
  const testClock = await ctx.signup?.testClockFor?.(member);
  const customer = await ctx.stripe.customers.create(
    {
      email: member.email,
      name: member.name,
      preferred_locales: [language],
      metadata: memberMetadata({ organizationId: organization.id, memberId: member.id, planId: member.plan_id }),
      ...(testClock ? { test_clock: testClock } : {}),
    },
    requestOptions(organization, `gs-signup-member-${member.id}-customer`),
  );
  await updateMember(ctx.db, organization.id, member.id, { stripe_customer_id: customer.id }, ctx.now());
  return customer.id;
}

async function newManageLink(ctx: AppContext, trx: Kysely<Database>, organization: Organization, member: Member): Promise<string> {
  const token = newLinkToken();
  await insertManageLink(trx, {
    organizationId: organization.id,
    memberId: member.id,
    tokenHash: hashLinkToken(token),
    createdAt: ctx.now(),
    expiresAt: new Date(ctx.now().getTime() + MANAGE_LINK_MINUTES * 60_000),
  });
  return joinUrl(ctx, organization, `/manage/open?lang=${member.preferred_language}&token=${token}`);
}

/** Someone typed a member's email on the signup page: tell the member, with a way to manage their dues if Stripe bills them. */
async function emailExistingMember(ctx: AppContext, trx: Kysely<Database>, organization: Organization, member: Member): Promise<void> {
  const messages = messagesFor(member.preferred_language);
  const m = messages.alreadyMemberEmail;
  const link = member.stripe_customer_id ? await newManageLink(ctx, trx, organization, member) : undefined;
  const email = layout({
    title: m.subject(organization.name),
    paragraphs: [messages.manageEmail.greeting(member.name), m.body, link ? m.manage : m.noPortal],
    ...(link ? { action: { label: m.action, url: link } } : {}),
    footer: messages.footer(organization.name),
    language: member.preferred_language,
  });
  await enqueueEmail(trx, { organizationId: organization.id, kind: 'signup.already_member', to: member.email, ...email, queuedAt: ctx.now() });
}

/** The manage page: a member with a Stripe customer gets a single-use link; anyone else, nothing (the page answers the same). */
export async function requestManageLink(ctx: AppContext, organization: Organization, email: string): Promise<void> {
  const queued = await ctx.db.transaction().execute(async (trx) => {
    const member = await findMemberByEmail(trx, organization.id, email);
    if (!member?.stripe_customer_id) return false;
    const link = await newManageLink(ctx, trx, organization, member);
    const m = messagesFor(member.preferred_language);
    const message = layout({
      title: m.manageEmail.subject(organization.name),
      paragraphs: [m.manageEmail.greeting(member.name), m.manageEmail.body, m.manageEmail.ignore],
      action: { label: m.manageEmail.action, url: link },
      footer: m.footer(organization.name),
      language: member.preferred_language,
    });
    await enqueueEmail(trx, { organizationId: organization.id, kind: 'signup.manage_link', to: member.email, ...message, queuedAt: ctx.now() });
    return true;
  });
  if (queued) ctx.notifyOutbox();
}

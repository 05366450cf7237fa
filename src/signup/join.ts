import type { Language, Member, Organization, SignupDraft } from '../../db/database';
import type { AppContext } from '../context';
import { enqueueEmail } from '../email/outbox';
import { layout, type RenderedEmail } from '../email/templates';
import { insertMembers, updateMember } from '../members/queries';
import { rederiveMember } from '../members/derivation';
import { recordInitialStandings } from '../members/standing';
import { syncPlanToStripe } from '../plans/stripe-sync';
import { requestOptions } from '../stripe/client';
import { memberMetadata } from '../stripe/metadata';
import { checkoutSessionParams } from './checkout';
import { messagesFor } from './i18n';
import { findMemberByEmail, hasLiveSubscription, insertConfirmation, insertConsent, memberForAddress, setConsentCheckout, storeDefaultAuthorization, type Authorization } from './queries';
import type { SignupInput } from './signup';
import { draftToken, hashLinkToken, newLinkToken } from './tokens';

export const MANAGE_LINK_MINUTES = 30;
/** Long enough to find the email at the end of a shift; the draft it points at is purged after. */
export const JOIN_LINK_HOURS = 24;

/**
 * Test-only hooks, set through AppContext.signup. `testClockFor` puts a signup's Stripe
 * customer on a sandbox test clock so a test can run the ACH delay forward; production
 * leaves it unset.
 */
export interface SignupOptions {
  testClockFor?: (member: Member) => Promise<string | undefined>;
  /** Emails one address may be sent from the signup and manage forms in 15 minutes (EMAILS_PER_ADDRESS unless set). */
  emailsPerAddress?: number;
  /** Emails and Stripe sessions one network address may start in 15 minutes (COSTLY_ACTIONS_PER_NETWORK unless set). */
  costlyActionsPerNetwork?: number;
}

/** Signup and manage emails one address gets in 15 minutes, whoever asks: many senders must not flood one inbox. */
export const EMAILS_PER_ADDRESS = 5;

/** Emails and Stripe sessions one network address starts in 15 minutes: a hall of 40 joining together needs about 80. */
export const COSTLY_ACTIONS_PER_NETWORK = 150;

const joinUrl = (ctx: AppContext, organization: Organization, rest = '') => `${ctx.publicUrl}/join/${encodeURIComponent(organization.slug)}${rest}`;

const minutesFrom = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000);

/**
 * A valid signup form, whoever's address it carries: one lookup, one stored link and one
 * queued email, so the answer (and its time) cannot tell a member from a stranger, and
 * nothing about anyone is created or changed. A stranger or a pending member is emailed
 * a link that continues to Checkout with what they typed (kept in the link's draft); a
 * member is emailed a link to manage their dues instead.
 */
export async function requestSignup(ctx: AppContext, organization: Organization, draft: SignupDraft): Promise<void> {
  const now = ctx.now();
  const email = draft.values.email ?? '';
  const token = newLinkToken();
  await ctx.db.transaction().execute(async (trx) => {
    const member = await memberForAddress(trx, organization.id, email);
    const isMember = member !== undefined && (member.standing !== 'pending' || member.billed);
    await insertConfirmation(trx, {
      organizationId: organization.id,
      purpose: isMember ? 'manage' : 'join',
      tokenHash: hashLinkToken(token),
      email,
      draft: isMember ? null : draft,
      createdAt: now,
      expiresAt: isMember ? minutesFrom(now, MANAGE_LINK_MINUTES) : minutesFrom(now, JOIN_LINK_HOURS * 60),
    });
    const message = isMember ? alreadyMemberEmail(ctx, organization, member, token) : confirmJoinEmail(ctx, organization, draft, token);
    await enqueueEmail(trx, { organizationId: organization.id, kind: isMember ? 'signup.already_member' : 'signup.confirm', to: email, ...message, queuedAt: now });
  });
  ctx.notifyOutbox();
}

function confirmJoinEmail(ctx: AppContext, organization: Organization, draft: SignupDraft, token: string): RenderedEmail {
  const m = messagesFor(draft.language);
  return layout({
    title: m.confirmEmail.subject(organization.name),
    paragraphs: [m.manageEmail.greeting(draft.values.name ?? ''), m.confirmEmail.body(organization.name), m.confirmEmail.ignore],
    action: { label: m.confirmEmail.action, url: joinUrl(ctx, organization, `/confirm?lang=${draft.language}&token=${token}`) },
    footer: m.footer(organization.name),
    language: draft.language,
  });
}

/** Someone typed a member's email on the signup page: tell the member, with a way to manage their dues if Stripe bills them. */
function alreadyMemberEmail(ctx: AppContext, organization: Organization, member: { name: string; stripe_customer_id: string | null; preferred_language: Language }, token: string): RenderedEmail {
  const messages = messagesFor(member.preferred_language);
  const m = messages.alreadyMemberEmail;
  const link = member.stripe_customer_id ? manageUrl(ctx, organization, member.preferred_language, token) : undefined;
  return layout({
    title: m.subject(organization.name),
    paragraphs: [messages.manageEmail.greeting(member.name), m.body, link ? m.manage : m.noPortal],
    ...(link ? { action: { label: m.action, url: link } } : {}),
    footer: messages.footer(organization.name),
    language: member.preferred_language,
  });
}

const manageUrl = (ctx: AppContext, organization: Organization, language: Language, token: string) => joinUrl(ctx, organization, `/manage/open?lang=${language}&token=${token}`);

/**
 * The manage page, whoever's address it carries: one lookup, one stored link, one queued
 * email. A member Stripe bills gets a single-use link to the billing portal; any other
 * address is told that no dues are managed online for it (and how to join).
 */
export async function requestManageLink(ctx: AppContext, organization: Organization, email: string, language: Language): Promise<void> {
  const now = ctx.now();
  const token = newLinkToken();
  await ctx.db.transaction().execute(async (trx) => {
    const member = await memberForAddress(trx, organization.id, email);
    await insertConfirmation(trx, {
      organizationId: organization.id,
      purpose: 'manage',
      tokenHash: hashLinkToken(token),
      email,
      draft: null,
      createdAt: now,
      expiresAt: minutesFrom(now, MANAGE_LINK_MINUTES),
    });
    let message: RenderedEmail;
    if (member?.stripe_customer_id) {
      const m = messagesFor(member.preferred_language);
      message = layout({
        title: m.manageEmail.subject(organization.name),
        paragraphs: [m.manageEmail.greeting(member.name), m.manageEmail.body, m.manageEmail.ignore],
        action: { label: m.manageEmail.action, url: manageUrl(ctx, organization, member.preferred_language, token) },
        footer: m.footer(organization.name),
        language: member.preferred_language,
      });
    } else {
      const m = messagesFor(language);
      message = layout({
        title: m.noOnlineDuesEmail.subject(organization.name),
        paragraphs: [m.noOnlineDuesEmail.body, m.noOnlineDuesEmail.join, m.manageEmail.ignore],
        action: { label: m.noOnlineDuesEmail.action, url: joinUrl(ctx, organization, `?lang=${language}`) },
        footer: m.footer(organization.name),
        language,
      });
    }
    await enqueueEmail(trx, { organizationId: organization.id, kind: 'signup.manage_link', to: email, ...message, queuedAt: now });
  });
  ctx.notifyOutbox();
}

export interface ConfirmedSignup {
  organization: Organization;
  input: SignupInput;
  authorization: Authorization;
  language: Language;
  /** When the form was sent: the moment the authorization was accepted. */
  acceptedAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export type SignupOutcome = { kind: 'checkout'; url: string } | { kind: 'member' };

/**
 * A signup whose address is proven (its emailed link was used): the pending member and
 * their consent in one transaction, then the Stripe customer and Checkout Session. Only
 * now may a returning pending member's record take what they typed. An address that
 * became a member's meanwhile starts nothing.
 */
export async function startSignup(ctx: AppContext, request: ConfirmedSignup): Promise<SignupOutcome> {
  const { organization, input } = request;
  const now = ctx.now();
  const recorded = await withRetryOnDuplicate(() => recordSignup(ctx, request, now));
  if (!recorded) return { kind: 'member' };

  const { member, consentId } = recorded;
  const productId = input.plan.stripeProductId ?? (await syncPlanToStripe(ctx.db, ctx.stripe, organization, input.plan.id)).productId;
  const customerId = member.stripe_customer_id ?? (await createCustomer(ctx, organization, member, request.language));
  // Both return pages read this signup back from it: the welcome page what was chosen, the cancelled page the form.
  const draft = draftToken(ctx.config.jwtSecret, consentId, now);
  const session = await ctx.stripe.checkout.sessions.create(
    checkoutSessionParams({
      organizationId: organization.id,
      memberId: member.id,
      customerId,
      plan: { ...input.plan, stripeProductId: productId },
      duesCents: input.duesCents,
      paymentMethod: input.paymentMethod,
      language: request.language,
      initiationFeeName: messagesFor(request.language).initiationFeeLine,
      successUrl: joinUrl(ctx, organization, `/welcome?lang=${request.language}&method=${input.paymentMethod}&draft=${draft}`),
      cancelUrl: joinUrl(ctx, organization, `/cancelled?lang=${request.language}&draft=${draft}`),
    }),
    requestOptions(organization, `gs-signup-${consentId}-checkout`),
  );
  await setConsentCheckout(ctx.db, organization.id, consentId, session.id);
  if (!session.url) throw new Error(`checkout session ${session.id} has no url`);
  return { kind: 'checkout', url: session.url };
}

/** The pending member and the consent, in one transaction; undefined when the address is already a member's. */
async function recordSignup(ctx: AppContext, request: ConfirmedSignup, now: Date): Promise<{ member: Member; consentId: string } | undefined> {
  const { organization, input } = request;
  return ctx.db.transaction().execute(async (trx) => {
    if (!request.authorization.stored) await storeDefaultAuthorization(trx, organization, now);
    const existing = await findMemberByEmail(trx, organization.id, input.email);
    if (existing && (existing.standing !== 'pending' || (await hasLiveSubscription(trx, organization.id, existing.id)))) return undefined;
    const details = {
      name: input.name,
      phone: input.phone,
      employer: input.employer,
      worksite: input.worksite,
      plan_id: input.plan.id,
      wage_facts: JSON.stringify(input.wageFacts),
      preferred_language: request.language,
    };
    // A pending member who comes back (after leaving Checkout) keeps one record, with what they typed last: they proved the address.
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
      acceptedAt: request.acceptedAt,
      ip: request.ip,
      userAgent: request.userAgent,
    });
    // Pending, and now why: checkout started today and not completed (until Stripe says otherwise).
    await rederiveMember(trx, { organizationId: organization.id, memberId: member.id, cause: 'signup' }, now);
    return { member, consentId };
  });
}

/** A double-clicked button races two inserts of the same email; the loser runs again and finds the winner's pending member. */
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

import type { Kysely } from 'kysely';
import type { Database, Language, Organization } from '../../db/database';
import { enqueueEmailOnce } from '../email/outbox';
import { layout, type RenderedEmail } from '../email/templates';
import type { LedgerTransactionDraft } from '../ledger/postings';
import { todayIn } from '../organizations/calendar';
import { formatMoney, messagesFor } from '../signup/i18n';

/** A ledger transaction a batch has just posted (new, not a repeat), with its organization. */
export interface PostedTransaction {
  organizationId: string;
  draft: LedgerTransactionDraft;
}

/** One email a member is owed for money that moved: a receipt per charge, a notice per refund. */
export interface PaymentEmailFact {
  organizationId: string;
  memberId: string;
  kind: 'receipt' | 'refund';
  /** What the email reports, once: `receipt:<charge>` or `refund:<refund>`. */
  dedupeKey: string;
  currency: string;
  occurredAt: Date;
  paymentMethod: string;
  duesCents: number;
  initiationFeeCents: number;
  refundedCents: number;
  periodStart: string | null;
  periodEnd: string | null;
}

/**
 * The emails newly posted transactions call for: a charge's dues and initiation fee make
 * one receipt, a refund one notice. Built from postings the ledger has just accepted as
 * new, so a repeated or reordered event owes nobody a second email.
 */
export function paymentEmailFacts(posted: readonly PostedTransaction[]): PaymentEmailFact[] {
  const facts = new Map<string, PaymentEmailFact>();
  for (const { organizationId, draft } of posted) {
    if (!draft.memberId) continue;
    const receipt = (draft.kind === 'dues_payment' || draft.kind === 'initiation_fee') && draft.stripeChargeId;
    const refund = draft.kind === 'refund' && draft.stripeRefundId;
    if (!receipt && !refund) continue;
    const dedupeKey = receipt ? `receipt:${draft.stripeChargeId}` : `refund:${draft.stripeRefundId}`;
    const fact = facts.get(`${organizationId}\u0000${dedupeKey}`) ?? {
      organizationId,
      memberId: draft.memberId,
      kind: receipt ? 'receipt' : 'refund',
      dedupeKey,
      currency: draft.currency,
      occurredAt: draft.occurredAt,
      paymentMethod: draft.paymentMethod ?? 'other',
      duesCents: 0,
      initiationFeeCents: 0,
      refundedCents: 0,
      periodStart: null,
      periodEnd: null,
    };
    const amount = Math.abs(draft.grossCents ?? 0);
    if (draft.kind === 'dues_payment') Object.assign(fact, { duesCents: amount, periodStart: draft.periodStart ?? null, periodEnd: draft.periodEnd ?? null });
    if (draft.kind === 'initiation_fee') fact.initiationFeeCents = amount;
    if (draft.kind === 'refund') fact.refundedCents = amount;
    facts.set(`${organizationId}\u0000${dedupeKey}`, fact);
  }
  return [...facts.values()];
}

const LOCALES: Record<Language, string> = { en: 'en-US', es: 'es-MX' };
export const longDay = (language: Language, day: string) => new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
const longPeriod = (language: Language, start: string, end: string) =>
  new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeZone: 'UTC' }).formatRange(new Date(`${start}T00:00:00Z`), new Date(`${end}T00:00:00Z`));

export interface Recipient {
  name: string;
  language: Language;
}

export const manageAction = (language: Language, organization: Organization, publicUrl: string | undefined) =>
  publicUrl ? { action: { label: messagesFor(language).paymentEmails.action, url: `${publicUrl}/join/${encodeURIComponent(organization.slug)}/manage?lang=${language}` } } : {};

/** A receipt or refund notice, in the member's language: amounts, the period covered, the method, and whom to ask. */
export function paymentEmail(fact: PaymentEmailFact, organization: Organization, member: Recipient, publicUrl?: string): RenderedEmail {
  const messages = messagesFor(member.language);
  const m = messages.paymentEmails;
  const money = (cents: number) => formatMoney(cents, fact.currency);
  const day = longDay(member.language, todayIn(organization.time_zone, fact.occurredAt));
  const method = m.method[fact.paymentMethod] ?? m.method.other!;
  const contact = m.contact(organization.name);
  if (fact.kind === 'refund') {
    return layout({
      title: m.refundSubject(money(fact.refundedCents), organization.name),
      paragraphs: [messages.manageEmail.greeting(member.name), m.refundBody(money(fact.refundedCents), day, method), contact],
      ...manageAction(member.language, organization, publicUrl),
      footer: messages.footer(organization.name),
      language: member.language,
    });
  }
  const total = fact.duesCents + fact.initiationFeeCents;
  const period = fact.periodStart && fact.periodEnd ? longPeriod(member.language, fact.periodStart, fact.periodEnd) : undefined;
  const lines = [
    ...(fact.duesCents > 0 ? [m.duesLine(money(fact.duesCents), period)] : []),
    ...(fact.initiationFeeCents > 0 ? [m.initiationLine(money(fact.initiationFeeCents))] : []),
    m.totalLine(money(total)),
  ];
  return layout({
    title: m.receiptSubject(money(total), organization.name),
    paragraphs: [messages.manageEmail.greeting(member.name), m.receiptBody(money(total), method, day), lines.join('\n'), contact],
    ...manageAction(member.language, organization, publicUrl),
    footer: messages.footer(organization.name),
    language: member.language,
  });
}

/** Queues, in the posting's transaction, the receipts and refund notices its new postings call for: each once. */
export async function queuePaymentEmails(trx: Kysely<Database>, posted: readonly PostedTransaction[], options: { now: Date; publicUrl?: string }): Promise<number> {
  const facts = paymentEmailFacts(posted);
  if (facts.length === 0) return 0;
  const organizations = await trx.selectFrom('organizations').selectAll().where('id', 'in', [...new Set(facts.map((f) => f.organizationId))]).execute();
  const members = await trx
    .selectFrom('members')
    .select(['id', 'organization_id', 'name', 'email', 'preferred_language'])
    .where('id', 'in', [...new Set(facts.map((f) => f.memberId))])
    .execute();
  let queued = 0;
  for (const fact of facts) {
    const organization = organizations.find((o) => o.id === fact.organizationId);
    const member = members.find((row) => row.id === fact.memberId && row.organization_id === fact.organizationId);
    if (!organization || !member) continue;
    const email = paymentEmail(fact, organization, { name: member.name, language: member.preferred_language }, options.publicUrl);
    const sent = await enqueueEmailOnce(trx, { organizationId: organization.id, kind: `member.${fact.kind}`, to: member.email, ...email, queuedAt: options.now, dedupeKey: fact.dedupeKey });
    if (sent) queued += 1;
  }
  return queued;
}

/**
 * A bank debit has started (it clears in days): the member hears so now, and the receipt
 * follows when the money moves. Not once the receipt is queued, whichever event came first.
 */
export async function queuePaymentStarted(
  trx: Kysely<Database>,
  started: { organization: Organization; member: { id: string; name: string; email: string; preferred_language: Language }; paymentIntentId: string; chargeId: string | undefined; amountCents: number; currency: string },
  options: { now: Date; publicUrl?: string },
): Promise<boolean> {
  const { organization, member } = started;
  const messages = messagesFor(member.preferred_language);
  const m = messages.paymentEmails;
  const amount = formatMoney(started.amountCents, started.currency);
  const email = layout({
    title: m.startedSubject(amount, organization.name),
    paragraphs: [messages.manageEmail.greeting(member.name), m.startedBody(amount), m.contact(organization.name)],
    ...manageAction(member.preferred_language, organization, options.publicUrl),
    footer: messages.footer(organization.name),
    language: member.preferred_language,
  });
  return enqueueEmailOnce(
    trx,
    { organizationId: organization.id, kind: 'member.payment_started', to: member.email, ...email, queuedAt: options.now, dedupeKey: `payment-started:${started.paymentIntentId}` },
    started.chargeId ? `receipt:${started.chargeId}` : undefined,
  );
}

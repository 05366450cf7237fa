import type { Language, Organization } from '../../db/database';
import { layout, type RenderedEmail } from '../email/templates';
import { longDay, manageAction } from '../members/payment-emails';
import { formatMoney, messagesFor } from '../signup/i18n';

const WORDS = {
  en: {
    subject: (organization: string) => `Your dues with ${organization} are changing`,
    body: (day: string, before: string | null, after: string, per: string) =>
      before ? `From ${day}, your dues go from ${before} to ${after} a ${per}. Your next payment after that day is charged the new amount; nothing changes before then.` : `From ${day}, your dues are ${after} a ${per}. Your next payment after that day is charged the new amount; nothing changes before then.`,
    why: (plan: string, note: string) => `The new rate for ${plan} was approved: ${note}.`,
    per: { week: 'week', month: 'month', year: 'year' },
  },
  es: {
    subject: (organization: string) => `Sus cuotas con ${organization} van a cambiar`,
    body: (day: string, before: string | null, after: string, per: string) =>
      before ? `A partir del ${day}, sus cuotas pasan de ${before} a ${after} por ${per}. Su siguiente pago después de ese día se cobra con el nuevo monto; antes no cambia nada.` : `A partir del ${day}, sus cuotas son ${after} por ${per}. Su siguiente pago después de ese día se cobra con el nuevo monto; antes no cambia nada.`,
    why: (plan: string, note: string) => `La nueva cuota de ${plan} fue aprobada: ${note}.`,
    per: { week: 'semana', month: 'mes', year: 'año' },
  },
} satisfies Record<Language, unknown>;

/** The notice a member is owed before their dues rise, in their language: when, from what to what, and who approved it. */
export function duesIncreaseNotice(
  facts: { name: string; language: Language; planName: string; authorizationNote: string; effectiveFrom: string; beforeCents: number | null; afterCents: number; currency: string; interval: 'week' | 'month' | 'year' },
  organization: Organization,
  publicUrl?: string,
): RenderedEmail {
  const words = WORDS[facts.language];
  const messages = messagesFor(facts.language);
  const money = (cents: number) => formatMoney(cents, facts.currency);
  return layout({
    title: words.subject(organization.name),
    paragraphs: [
      messages.manageEmail.greeting(facts.name),
      words.body(longDay(facts.language, facts.effectiveFrom), facts.beforeCents === null ? null : money(facts.beforeCents), money(facts.afterCents), words.per[facts.interval]),
      words.why(facts.planName, facts.authorizationNote),
      messages.paymentEmails.contact(organization.name),
    ],
    ...manageAction(facts.language, organization, publicUrl),
    footer: messages.footer(organization.name),
    language: facts.language,
  });
}

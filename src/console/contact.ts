import type { Language } from '../../db/database';
import { smsBody } from './i18n';

/** A phone number as a dialler takes it: a leading + and the digits; undefined when too short to be a number. */
export function dialable(phone: string | null): string | undefined {
  if (phone === null) return undefined;
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 3) return undefined;
  return phone.trim().startsWith('+') ? `+${digits}` : digits;
}

export const telHref = (number: string): string => `tel:${number}`;

/** An RFC 5724 sms: link with the text prefilled (Android and iOS both open it with the body). */
export const smsHref = (number: string, body: string): string => `sms:${number}?body=${encodeURIComponent(body)}`;

/**
 * The link a member uses to update how they pay: the manage page of the signup flow in the
 * member's language, the same link the member notices carry, where they ask for a
 * single-use link to their billing settings by email.
 */
export const manageLink = (publicUrl: string, organizationSlug: string, language: Language): string =>
  `${publicUrl}/join/${encodeURIComponent(organizationSlug)}/manage?lang=${language}`;

/** The text an organizer sends from the call list: in the member's language, signed by the organizer, with the member's link. */
export function memberText(facts: { memberName: string; memberLanguage: Language; staffName: string; organizationName: string; organizationSlug: string; publicUrl: string }): string {
  return smsBody(facts.memberLanguage, {
    memberFirstName: facts.memberName.trim().split(/\s+/)[0] ?? facts.memberName,
    staffName: facts.staffName.trim().split(/\s+/)[0] ?? facts.staffName,
    organizationName: facts.organizationName,
    link: manageLink(facts.publicUrl, facts.organizationSlug, facts.memberLanguage),
  });
}

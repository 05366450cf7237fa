import { z } from 'zod';
import type { Organization } from '../../db/database';
import type { PrivacyNotice } from '../../db/database-admin';
import { timeZone } from './organizations';

// What an admin sets about the organization: its name and calendar, and what the signup page
// tells members (how to reach the union, what it does with their information).

export const ORGANIZATION_FIELDS = ['name', 'timeZone', 'fiscalYearStartMonth', 'contactPhone', 'contactEmail', 'contactAddress', 'privacyEn', 'privacyEs'] as const;
export type OrganizationField = (typeof ORGANIZATION_FIELDS)[number];

const noNul = (value: string) => !value.includes('\u0000');
const optionalText = (max: number) => z.string().trim().max(max).refine(noNul).transform((value) => (value === '' ? null : value));

export const organizationSettingsSchema = z.object({
  name: z.string().trim().min(1).max(200).refine(noNul),
  timeZone,
  fiscalYearStartMonth: z.coerce.number().int().min(1).max(12),
  contactPhone: optionalText(40).refine((value) => value === null || /^[0-9+().\-\s]{3,40}$/.test(value)),
  contactEmail: optionalText(320).refine((value) => value === null || z.email().safeParse(value).success),
  contactAddress: optionalText(500),
  privacyEn: optionalText(4000),
  privacyEs: optionalText(4000),
});
export type OrganizationSettings = z.infer<typeof organizationSettingsSchema>;

const fiscalYearSettings = z.object({ fiscalYearStartMonth: z.number().int().min(1).max(12) });

/** The month the organization's fiscal year starts in, from its settings; January when unset. */
export function fiscalYearStartMonth(organization: Pick<Organization, 'settings'>): number {
  const parsed = fiscalYearSettings.safeParse(organization.settings);
  return parsed.success ? parsed.data.fiscalYearStartMonth : 1;
}

/** The settings form as the organization stands. */
export function settingsValuesOf(organization: Organization): Record<OrganizationField, string> {
  return {
    name: organization.name,
    timeZone: organization.time_zone,
    fiscalYearStartMonth: String(fiscalYearStartMonth(organization)),
    contactPhone: organization.contact_phone ?? '',
    contactEmail: organization.contact_email ?? '',
    contactAddress: organization.contact_address ?? '',
    privacyEn: organization.privacy_notice.en ?? '',
    privacyEs: organization.privacy_notice.es ?? '',
  };
}

/** The privacy notice in a language: its own text, else the English one. */
export function privacyNoticeIn(notice: PrivacyNotice, language: 'en' | 'es'): { text: string; language: 'en' | 'es' } | undefined {
  const own = notice[language];
  if (own) return { text: own, language };
  return notice.en ? { text: notice.en, language: 'en' } : undefined;
}

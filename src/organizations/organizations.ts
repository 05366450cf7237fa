import { z } from 'zod';

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const organizationSlug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'use 2 to 63 lowercase letters, digits and dashes, starting with a letter or digit');

export const timeZone = z.string().trim().refine(isTimeZone, 'not an IANA time zone, for example America/Chicago');

export const currencyCode = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z]{3}$/, 'a three-letter ISO currency code, for example usd');

export const newOrganizationSchema = z.object({
  slug: organizationSlug,
  name: z.string().trim().min(1).max(200),
  timeZone: timeZone.default('America/New_York'),
  currency: currencyCode.default('usd'),
});
export type NewOrganization = z.infer<typeof newOrganizationSchema>;

const noNul = (value: string) => !value.includes('\u0000');
const privacyText = z.string().trim().min(1).max(4000).refine(noNul);

export const organizationChangesSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    timeZone: timeZone.optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    // What the signup page tells members (the console's organization page sets the same).
    contactPhone: z.string().trim().regex(/^[0-9+().\-\s]{3,40}$/).nullable().optional(),
    contactEmail: z.email().max(320).nullable().optional(),
    contactAddress: z.string().trim().min(1).max(500).refine(noNul).nullable().optional(),
    privacyNotice: z.object({ en: privacyText.optional(), es: privacyText.optional() }).strict().optional(),
  })
  .strict();
export type OrganizationChanges = z.infer<typeof organizationChangesSchema>;

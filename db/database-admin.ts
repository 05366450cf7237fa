import type { ColumnType } from 'kysely';
import type { Language } from './database';

/** A plan's words in one language; what is missing falls back to the plan's base text. */
export interface PlanTranslation {
  name?: string;
  description?: string;
  /** A sliding scale's bracket labels, in the order of the rule's brackets. */
  bracketLabels?: string[];
}
export type PlanTranslations = Partial<Record<Language, PlanTranslation>>;
export type PrivacyNotice = Partial<Record<Language, string>>;

type Optional<T> = ColumnType<T, T | undefined, T>;

/** The organization's logo for its signup page (migration 0024): PNG or JPEG, at most 200 KB. */
export interface OrganizationLogosTable {
  organization_id: string;
  content_type: 'image/png' | 'image/jpeg';
  bytes: Buffer;
  sha256: string;
  updated_at: ColumnType<Date, Date, Date>;
}

declare module './database' {
  interface Database {
    organization_logos: OrganizationLogosTable;
  }
  interface PlansTable {
    description: Optional<string | null>;
    translations: ColumnType<PlanTranslations, string | PlanTranslations | undefined, string | PlanTranslations>;
    /** Lower first on the signup page; ties by name. */
    display_order: Optional<number>;
    visible_on_signup: Optional<boolean>;
    /** At most one per organization (a unique partial index). */
    preselected: Optional<boolean>;
  }
  interface OrganizationsTable {
    contact_phone: Optional<string | null>;
    contact_email: Optional<string | null>;
    contact_address: Optional<string | null>;
    privacy_notice: ColumnType<PrivacyNotice, string | PrivacyNotice | undefined, string | PrivacyNotice>;
  }
}

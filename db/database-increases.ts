import type { ColumnType, Generated } from 'kysely';

/** A confirmed dues increase: a plan's new rate version carried to Stripe (migration 0027). */
export interface DuesIncreasesTable {
  id: Generated<string>;
  organization_id: string;
  plan_id: string;
  plan_version_id: string;
  notice_days: number;
  /** 'YYYY-MM-DD': the day members are told (the effective day less the notice). */
  notice_on: string;
  /** 'YYYY-MM-DD': the version's effective day, from which subscriptions are changed. */
  effective_from: string;
  confirmed_by_staff_user_id: string | null;
  confirmed_at: ColumnType<Date, Date, never>;
}

/** One subscription a dues increase changes: the job's state for it. */
export interface DuesIncreaseItemsTable {
  id: Generated<string>;
  organization_id: string;
  increase_id: string;
  member_id: string;
  subscription_id: string;
  before_cents: number | null;
  after_cents: number | null;
  notice_sent_at: ColumnType<Date | null, undefined, Date | null>;
  applied_at: ColumnType<Date | null, undefined, Date | null>;
  attempts: ColumnType<number, undefined, number>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
}

declare module './database' {
  interface Database {
    dues_increases: DuesIncreasesTable;
    dues_increase_items: DuesIncreaseItemsTable;
  }
}

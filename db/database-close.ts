import type { ColumnType, Generated } from 'kysely';
import type { MemberCounts } from '../src/treasurer/reports/monthly';

/**
 * A month's closing (migration 0022): postings are refused in it until it is reopened. A
 * late posting that belongs to a closed month is posted on the first open day instead,
 * with its own date kept in ledger_transactions.original_occurred_at.
 */
export interface ClosedMonthsTable {
  id: Generated<string>;
  organization_id: string;
  /** 'YYYY-MM' in the organization's time zone. */
  month: string;
  closed_at: ColumnType<Date, Date, never>;
  closed_by_staff_user_id: string | null;
  /** The monthly report's member counts when the month was closed, which it reports from then on. */
  member_counts: ColumnType<MemberCounts, string, never>;
  reopened_at: ColumnType<Date | null, undefined, Date>;
  reopened_by_staff_user_id: ColumnType<string | null, undefined, string | null>;
}

declare module './database' {
  interface Database {
    closed_months: ClosedMonthsTable;
  }
}

import type { ColumnType, Generated } from 'kysely';

/** A per-capita tax payment to an affiliate (migration 0032): one standing per affiliate, month and reference; reversed, never deleted. */
export interface PerCapitaPaymentsTable {
  id: Generated<string>;
  organization_id: string;
  affiliate_id: string;
  /** 'YYYY-MM': the month the tax is for. */
  month: string;
  amount_cents: number;
  currency: string;
  paid_on: string;
  /** The check number or transfer reference. */
  reference: string;
  recorded_by_staff_user_id: string | null;
  created_at: ColumnType<Date, Date, never>;
  reversed_at: Date | null;
  reversed_by_staff_user_id: string | null;
}

declare module './database' {
  interface Database {
    per_capita_payments: PerCapitaPaymentsTable;
  }
  interface LedgerTransactionsTable {
    /** The affiliate a per-capita accrual or payment is for. */
    affiliate_id: ColumnType<string | null, string | null | undefined, never>;
  }
}

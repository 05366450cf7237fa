import type { ColumnType, Generated } from 'kysely';
import type { StatementMapping } from '../src/bank/statement';

/** How an organization's bank statement CSV reads (migration 0023): set at its first import. */
export interface BankStatementMappingsTable {
  organization_id: string;
  mapping: ColumnType<StatementMapping, string, string>;
  updated_at: Date;
  updated_by_staff_user_id: string | null;
}

export interface BankImportsTable {
  id: Generated<string>;
  organization_id: string;
  file_name: string | null;
  rows_read: number;
  deposits_new: number;
  deposits_known: number;
  imported_at: Date;
  imported_by_staff_user_id: string | null;
}

/** A deposit on a bank statement, and what explains it: a Stripe payout, a deposit batch or an employer's payroll remittance. */
export interface BankLinesTable {
  id: Generated<string>;
  organization_id: string;
  import_id: string;
  booked_on: string;
  amount_cents: number;
  description: string;
  line_hash: string;
  matched_payout_id: string | null;
  matched_batch_id: string | null;
  matched_remittance_id: string | null;
  matched_at: Date | null;
  matched_by_staff_user_id: string | null;
  unmatched_by_hand: ColumnType<boolean, boolean | undefined, boolean>;
}

/** Checks and cash taken to the bank on one deposit slip; posted once, all its payments together. */
export interface DepositBatchesTable {
  id: Generated<string>;
  organization_id: string;
  deposited_on: string;
  reference: string | null;
  created_at: Date;
  created_by_staff_user_id: string | null;
  posted_at: Date | null;
  posted_by_staff_user_id: string | null;
}

export type DepositMethod = 'cash' | 'check';

export interface DepositBatchItemsTable {
  id: Generated<string>;
  seq: Generated<number>;
  organization_id: string;
  batch_id: string;
  member_id: string;
  payer: string;
  method: DepositMethod;
  amount_cents: number;
  check_number: string | null;
  period_start: string;
  period_end: string;
  partial: ColumnType<boolean, boolean | undefined, boolean>;
  /** The manual payment the item became when the batch was posted. */
  manual_payment_id: string | null;
  created_at: Date;
}

declare module './database' {
  interface Database {
    bank_statement_mappings: BankStatementMappingsTable;
    bank_imports: BankImportsTable;
    bank_lines: BankLinesTable;
    deposit_batches: DepositBatchesTable;
    deposit_batch_items: DepositBatchItemsTable;
  }
}

import type { ColumnType, Generated } from 'kysely';
import type { ColumnMapping } from '../src/payroll/mapping';

/** Employer payroll deduction (migration 0025): employers, who they deduct for, remittances and their lines. */

export type EmployerPayFrequency = 'weekly' | 'biweekly' | 'semimonthly' | 'monthly';
export const EMPLOYER_PAY_FREQUENCIES: readonly EmployerPayFrequency[] = ['weekly', 'biweekly', 'semimonthly', 'monthly'];

export interface EmployersTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  pay_frequency: EmployerPayFrequency;
  worksites: ColumnType<string[], string[] | undefined, string[]>;
  column_mapping: ColumnType<ColumnMapping | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
}

/** A member whose dues their employer deducts: one current employer per member. */
export interface MemberPayrollDeductionsTable {
  organization_id: string;
  member_id: string;
  employer_id: string;
  employee_number: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
}

export type RemittanceStatus = 'draft' | 'replaced' | 'posted' | 'reversed';

export interface RemittancesTable {
  id: Generated<string>;
  organization_id: string;
  employer_id: string;
  period_start: string;
  period_end: string;
  pay_date: string | null;
  received_on: string;
  amount_received_cents: number;
  currency: string;
  file_name: string | null;
  file_sha256: string;
  status: RemittanceStatus;
  /** A corrected file for a posted remittance: posting it reverses that one first. */
  corrects_remittance_id: string | null;
  uploaded_by_staff_user_id: string | null;
  created_at: ColumnType<Date, Date, never>;
  posted_at: ColumnType<Date | null, undefined, Date>;
  posted_by_staff_user_id: ColumnType<string | null, undefined, string | null>;
  reversed_at: ColumnType<Date | null, undefined, Date>;
  /** What the payroll suspense of a posted remittance is, said by a treasurer with a note (migration 0031). */
  suspense_resolution: ColumnType<SuspenseResolution | null, undefined, SuspenseResolution>;
  suspense_note: ColumnType<string | null, undefined, string>;
  suspense_explained_at: ColumnType<Date | null, undefined, Date>;
  suspense_explained_by_staff_user_id: ColumnType<string | null, undefined, string>;
}

/** Where a remittance's suspense is cleared to: dues income, or owed between the union and the employer. */
export type SuspenseResolution = 'dues_income' | 'employer';

export type MatchedBy = 'employee_number' | 'name' | 'treasurer';

export interface RemittanceLinesTable {
  organization_id: string;
  remittance_id: string;
  row_number: number;
  employee_number: string | null;
  name: string | null;
  amount_cents: number | null;
  hours_hundredths: number | null;
  wages_cents: number | null;
  period_text: string | null;
  /** Why the line could not be read (an unreadable amount), if so. */
  problem: string | null;
  member_id: string | null;
  matched_by: MatchedBy | null;
  proposed_member_ids: ColumnType<string[], string[] | undefined, string[]>;
  proposal_reason: string | null;
}

declare module './database' {
  interface Database {
    employers: EmployersTable;
    member_payroll_deductions: MemberPayrollDeductionsTable;
    remittances: RemittancesTable;
    remittance_lines: RemittanceLinesTable;
  }
  interface ManualPaymentsTable {
    /** The remittance (and its line's row) a payroll deduction came in. */
    remittance_id: ColumnType<string | null, string | null | undefined, never>;
    remittance_row: ColumnType<number | null, number | null | undefined, never>;
    /** Set when a corrected remittance reversed it: standing no longer counts it. */
    reversed_at: ColumnType<Date | null, undefined, Date>;
  }
  interface LedgerTransactionsTable {
    remittance_id: ColumnType<string | null, string | null | undefined, never>;
  }
}

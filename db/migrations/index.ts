import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation';
import * as m0002 from './0002_plans_and_members';
import * as m0003 from './0003_stripe_events';
import * as m0004 from './0004_ledger';
import * as m0005 from './0005_signup';
import * as m0006 from './0006_retention';
import * as m0007 from './0007_treasurer';
import * as m0008 from './0008_subscription_state_as_of';
import * as m0009 from './0009_members_by_stripe_customer';
import * as m0010 from './0010_ledger_balance_check_in_one_query';
import * as m0011 from './0011_ledger_by_stripe_charge';
import * as m0012 from './0012_one_clock';
import * as m0014 from './0014_standing';
import * as m0015 from './0015_console';
import * as m0016 from './0016_staff_sessions';
import * as m0017 from './0017_signup_confirmation';
import * as m0018 from './0018_call_list_covering';
import * as m0020 from './0020_member_notices';
import * as m0022 from './0022_closed_months';
import * as m0023 from './0023_bank';
import * as m0024 from './0024_admin_settings';
import * as m0025 from './0025_payroll_deduction';
import * as m0026 from './0026_roll_uploads';
import * as m0027 from './0027_dues_increases';
import * as m0030 from './0030_events_by_customer';
import * as m0031 from './0031_payroll_suspense_explained';
import * as m0032 from './0032_per_capita_payments';
import * as m0033 from './0033_call_list_index_only';
import * as m0034 from './0034_ledger_by_xact';
import * as m0035 from './0035_bank_remittances';
import * as m0036 from './0036_members_last_signal';
import * as m0037 from './0037_call_list_changes';
import * as m0038 from './0038_filter_options_changes';

// A static list (not a folder scan) so the same migrations run from TypeScript in
// tests and from compiled JavaScript in the production image.
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_plans_and_members': m0002,
  '0003_stripe_events': m0003,
  '0004_ledger': m0004,
  '0005_signup': m0005,
  '0006_retention': m0006,
  '0007_treasurer': m0007,
  '0008_subscription_state_as_of': m0008,
  '0009_members_by_stripe_customer': m0009,
  '0010_ledger_balance_check_in_one_query': m0010,
  '0011_ledger_by_stripe_charge': m0011,
  '0012_one_clock': m0012,
  '0014_standing': m0014,
  '0015_console': m0015,
  '0016_staff_sessions': m0016,
  '0017_signup_confirmation': m0017,
  '0018_call_list_covering': m0018,
  '0020_member_notices': m0020,
  '0022_closed_months': m0022,
  '0023_bank': m0023,
  '0024_admin_settings': m0024,
  '0025_payroll_deduction': m0025,
  '0026_roll_uploads': m0026,
  '0027_dues_increases': m0027,
  '0030_events_by_customer': m0030,
  '0031_payroll_suspense_explained': m0031,
  '0032_per_capita_payments': m0032,
  '0033_call_list_index_only': m0033,
  '0034_ledger_by_xact': m0034,
  '0035_bank_remittances': m0035,
  '0036_members_last_signal': m0036,
  '0037_call_list_changes': m0037,
  '0038_filter_options_changes': m0038,
};

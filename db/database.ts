import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { AmountRule, WageFacts } from '../src/plans/dues';
import type { AccountCode } from '../src/ledger/accounts';
import type { LedgerKind, LedgerPaymentMethod } from '../src/ledger/postings';

// Required on insert: times are written from the service's clock, never a column default (migration 0012).
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | T | undefined, string | T>;

export type StaffRole = 'admin' | 'treasurer' | 'organizer';
export const STAFF_ROLES: readonly StaffRole[] = ['admin', 'treasurer', 'organizer'];

export interface OrganizationsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  time_zone: ColumnType<string, string | undefined, string>;
  currency: ColumnType<string, string | undefined, string>;
  settings: Json<Record<string, unknown>>;
  stripe_account_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StaffUsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  /** The language the console speaks to them in. */
  preferred_language: ColumnType<Language, Language | undefined, Language>;
  created_at: Timestamp;
}

export interface StaffRolesTable {
  organization_id: string;
  staff_user_id: string;
  role: StaffRole;
  created_at: Timestamp;
}

export interface LoginTokensTable {
  id: Generated<string>;
  token_hash: string;
  staff_user_id: string;
  organization_id: string;
  expires_at: Date | string;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export type StaffSessionVia = 'sign_in_link' | 'invitation' | 'issued_token';
export type StaffSessionEnd = 'signed_out' | 'signed_out_everywhere' | 'roles_changed';

export interface StaffSessionsTable {
  id: Generated<string>;
  organization_id: string;
  staff_user_id: string;
  via: StaffSessionVia;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: StaffSessionEnd | null;
}

export interface StaffInvitationsTable {
  id: Generated<string>;
  organization_id: string;
  /** As the inviting organization entered them: nothing is read from an account elsewhere. */
  email: string;
  name: string;
  role: StaffRole;
  token_hash: string;
  invited_by_staff_user_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  accepted_at: NullableTimestamp;
  accepted_by_staff_user_id: string | null;
  withdrawn_at: NullableTimestamp;
}

export type EmailStatus = 'pending' | 'sent' | 'failed';

export interface EmailOutboxTable {
  id: Generated<string>;
  organization_id: string | null;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: ColumnType<EmailStatus, EmailStatus | undefined, EmailStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  message_id: string | null;
  sent_at: NullableTimestamp;
  created_at: Timestamp;
  /** What the message reports, where it must go out once however often that is seen (migration 0020). */
  dedupe_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AuditLogTable {
  id: Generated<string>;
  organization_id: string | null;
  actor_staff_user_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  details: Json<Record<string, unknown>>;
  request_id: string | null;
  ip: string | null;
  created_at: Timestamp;
}

export type BillingInterval = 'week' | 'month' | 'year';
export type PlanStatus = 'active' | 'archived';

export interface PlansTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  member_class: ColumnType<string, string | undefined, string>;
  currency: string;
  billing_interval: BillingInterval;
  billing_interval_count: ColumnType<number, number | undefined, number>;
  status: ColumnType<PlanStatus, PlanStatus | undefined, PlanStatus>;
  stripe_product_id: string | null;
  archived_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PlanVersionsTable {
  id: Generated<string>;
  organization_id: string;
  plan_id: string;
  version: number;
  /** 'YYYY-MM-DD' in the organization's time zone. */
  effective_from: string;
  amount_rule: Json<AmountRule>;
  initiation_fee_cents: number | null;
  authorization_note: string;
  stripe_price_id: string | null;
  created_by_staff_user_id: string | null;
  created_at: Timestamp;
}

export type Standing = 'pending' | 'active' | 'past_due' | 'lapsed' | 'exempt' | 'resigned' | 'suspended' | 'dropped';
export const STANDINGS: readonly Standing[] = ['pending', 'active', 'past_due', 'lapsed', 'exempt', 'resigned', 'suspended', 'dropped'];
export type Language = 'en' | 'es';
/** Standings people decide; every other standing follows from payments. */
export type StandingDecision = 'resigned' | 'dropped' | 'suspended' | 'exempt';
export const STANDING_DECISIONS: readonly StandingDecision[] = ['resigned', 'dropped', 'suspended', 'exempt'];

export interface MembersTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  email: string;
  phone: string | null;
  preferred_language: ColumnType<Language, Language | undefined, Language>;
  employer: string | null;
  worksite: string | null;
  member_class: ColumnType<string, string | undefined, string>;
  organizer_staff_user_id: string | null;
  external_id: string | null;
  stripe_customer_id: string | null;
  plan_id: string | null;
  wage_facts: Json<WageFacts>;
  joined_on: string | null;
  /** The last day paid for: derived from the member's facts (deriveStanding), never set directly. */
  paid_through: string | null;
  /** A paid-through date a roll or staff recorded for payments made before they were kept here: a fact. */
  recorded_paid_through: string | null;
  standing: ColumnType<Standing, Standing | undefined, Standing>;
  /** An officer's (or the member's) decision that payments do not undo. */
  standing_decision: StandingDecision | null;
  /** Why the member has their standing (deriveStanding's reason), and since when where that matters. */
  standing_reason: string | null;
  standing_reason_since: string | null;
  standing_changed_at: Timestamp;
  /** The last day a retention signal was recorded for the member: kept by a trigger on retention_signals, cleared by the daily scan once long past the call list's window (migration 0036). */
  last_signal_on: ColumnType<string | null, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MemberStandingChangesTable {
  id: Generated<string>;
  organization_id: string;
  member_id: string;
  from_standing: Standing | null;
  to_standing: Standing;
  cause: string;
  cause_reference: string | null;
  /** deriveStanding's reason for the new standing, when it was derived. */
  reason: string | null;
  staff_user_id: string | null;
  created_at: Timestamp;
}

export type ManualPaymentMethod = 'cash' | 'check' | 'payroll_deduction';

export interface ManualPaymentsTable {
  id: Generated<string>;
  organization_id: string;
  member_id: string;
  method: ManualPaymentMethod;
  amount_cents: number;
  currency: string;
  period_start: string;
  period_end: string;
  received_on: string;
  reference: string | null;
  note: string | null;
  recorded_by_staff_user_id: string | null;
  /** Recorded as a partial payment: less than the periods' dues, applied to them in order. */
  partial: ColumnType<boolean, boolean | undefined, boolean>;
  /** What it paid beyond the dues of the periods it names: the member's credit. */
  credit_cents: ColumnType<number, number | undefined, number>;
  /** Credit from earlier payments this one used. */
  credit_used_cents: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
}

/** What a manual payment paid towards each dues period it names. */
export interface ManualPaymentPeriodsTable {
  organization_id: string;
  manual_payment_id: string;
  member_id: string;
  period_start: string;
  period_end: string;
  dues_cents: number;
  applied_cents: number;
}

export type StripeEventStatus = 'pending' | 'processed' | 'ignored' | 'failed';

export interface StripeEventsTable {
  id: string;
  type: string;
  account: string | null;
  api_version: string | null;
  stripe_created_at: Date | string;
  livemode: boolean;
  payload: Json<Record<string, unknown>>;
  serial_key: string;
  received_at: Timestamp;
  status: ColumnType<StripeEventStatus, StripeEventStatus | undefined, StripeEventStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  outcome: string | null;
  organization_id: string | null;
  processed_at: NullableTimestamp;
}

export interface StripeSubscriptionsTable {
  organization_id: string;
  id: string;
  member_id: string | null;
  customer_id: string;
  status: string;
  current_period_start: NullableTimestamp;
  current_period_end: NullableTimestamp;
  cancel_at_period_end: boolean;
  collection_paused: boolean;
  canceled_at: NullableTimestamp;
  amount_cents: number | null;
  /** Created time of the event whose state this is; null on rows mirrored before it was kept. */
  state_as_of: NullableTimestamp;
  updated_at: Timestamp;
}

export interface StripeInvoicesTable {
  organization_id: string;
  id: string;
  member_id: string | null;
  subscription_id: string | null;
  status: string;
  currency: string;
  amount_due: number;
  amount_paid: number;
  period_start: string | null;
  period_end: string | null;
  attempt_count: number;
  paid_at: NullableTimestamp;
  updated_at: Timestamp;
}

/** A signup's checkout: completed (paid, or a bank debit processing), then the debit's outcome. */
export interface StripeCheckoutSessionsTable {
  organization_id: string;
  id: string;
  member_id: string | null;
  subscription_id: string | null;
  payment_status: string;
  async_result: 'succeeded' | 'failed' | null;
  /** The earliest of its events' times: when Stripe reported it completed. */
  completed_at: Date | string;
  updated_at: Date | string;
}

export interface StripeDisputesTable {
  organization_id: string;
  id: string;
  charge_id: string;
  member_id: string | null;
  status: string;
  reason: string | null;
  amount_cents: number;
  currency: string;
  updated_at: Timestamp;
}

export interface StripePayoutsTable {
  organization_id: string;
  id: string;
  status: string;
  amount_cents: number;
  currency: string;
  arrival_date: string | null;
  failure_message: string | null;
  updated_at: Timestamp;
}

export interface LedgerAccountsTable {
  id: Generated<string>;
  organization_id: string;
  code: AccountCode;
  currency: string;
  name: string;
  created_at: Timestamp;
}

/** Append-only: the database refuses UPDATE, DELETE and TRUNCATE. Amounts are signed cents. */
export interface LedgerTransactionsTable {
  id: Generated<string>;
  organization_id: string;
  source_key: string;
  kind: LedgerKind;
  occurred_at: Timestamp;
  currency: string;
  description: string;
  member_id: string | null;
  plan_id: string | null;
  period_start: string | null;
  period_end: string | null;
  payment_method: LedgerPaymentMethod | null;
  stripe_invoice_id: string | null;
  stripe_charge_id: string | null;
  stripe_refund_id: string | null;
  stripe_dispute_id: string | null;
  stripe_payout_id: string | null;
  payout_arrival_date: string | null;
  /** The Stripe balance transaction (txn_…) this posting records. */
  stripe_balance_transaction_id: string | null;
  stripe_event_id: string | null;
  gross_cents: number | null;
  fee_cents: number | null;
  net_cents: number | null;
  original_occurred_at: ColumnType<Date | null, Date | null | undefined, never>; // a late posting's own date (see database-close.ts)
  /** Set by a trigger to the posting database transaction's id. */
  posted_in_xact: ColumnType<string, never, never>;
  created_at: Timestamp;
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  organization_id: string;
  transaction_id: string;
  account_id: string;
  /** + debit, - credit; never 0. */
  amount_cents: number;
  currency: string;
}

export interface Database {
  organizations: OrganizationsTable;
  staff_users: StaffUsersTable;
  staff_roles: StaffRolesTable;
  login_tokens: LoginTokensTable;
  staff_sessions: StaffSessionsTable;
  staff_invitations: StaffInvitationsTable;
  email_outbox: EmailOutboxTable;
  audit_log: AuditLogTable;
  plans: PlansTable;
  plan_versions: PlanVersionsTable;
  members: MembersTable;
  member_standing_changes: MemberStandingChangesTable;
  manual_payments: ManualPaymentsTable;
  manual_payment_periods: ManualPaymentPeriodsTable;
  stripe_checkout_sessions: StripeCheckoutSessionsTable;
  stripe_events: StripeEventsTable;
  stripe_subscriptions: StripeSubscriptionsTable;
  stripe_invoices: StripeInvoicesTable;
  stripe_disputes: StripeDisputesTable;
  stripe_payouts: StripePayoutsTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_transactions: LedgerTransactionsTable;
  ledger_entries: LedgerEntriesTable;
  dues_authorizations: DuesAuthorizationsTable;
  signup_consents: SignupConsentsTable;
  signup_confirmations: SignupConfirmationsTable;
  affiliates: AffiliatesTable;
  per_capita_rates: PerCapitaRatesTable;
}

export type Organization = Selectable<OrganizationsTable>;
export type StaffUser = Selectable<StaffUsersTable>;
export type EmailOutboxRow = Selectable<EmailOutboxTable>;
export type NewAuditEntry = Insertable<AuditLogTable>;
export type Plan = Selectable<PlansTable>;
export type PlanVersion = Selectable<PlanVersionsTable>;
export type Member = Selectable<MembersTable>;
export type StoredStripeEvent = Selectable<StripeEventsTable>;

export interface DuesAuthorizationsTable {
  organization_id: string;
  version: number;
  language: Language;
  text: string;
  created_at: Timestamp;
}

export type SignupPaymentMethod = 'us_bank_account' | 'card';

export interface SignupConsentsTable {
  id: Generated<string>;
  organization_id: string;
  member_id: string;
  authorization_version: number;
  language: Language;
  plan_id: string;
  dues_cents: number;
  payment_method: SignupPaymentMethod;
  accepted_at: Date | string;
  ip: string | null;
  user_agent: string | null;
  checkout_session_id: string | null;
}

export type ConfirmationPurpose = 'join' | 'manage';

/** What a signup form said, kept until the emailed link proves the address (see migration 0017). */
export interface SignupDraft {
  /** The form's fields as typed (plan, wage facts, payment method, the authorization accepted). */
  values: Record<string, string>;
  language: Language;
  ip: string | null;
  userAgent: string | null;
}

export interface SignupConfirmationsTable {
  id: Generated<string>;
  organization_id: string;
  purpose: ConfirmationPurpose;
  token_hash: string;
  email: string;
  draft: Json<SignupDraft | null>;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export type ExemptionKind = 'hardship' | 'layoff' | 'leave' | 'retired';
export type EpisodeCloseReason = 'recovered' | 'dropped' | 'resigned' | 'exempted';
export type OutreachChannel = 'call' | 'text' | 'visit' | 'email';
export type OutreachOutcome = 'no_answer' | 'left_message' | 'wrong_number' | 'reached' | 'recommitted' | 'promised_to_pay' | 'hardship_exemption_requested' | 'changed_jobs' | 'resigned';

export interface RetentionPoliciesTable {
  organization_id: string;
  policy: Json<Record<string, unknown>>;
  updated_by_staff_user_id: string | null;
  updated_at: Timestamp;
}

export interface MemberExemptionsTable {
  id: Generated<string>;
  organization_id: string;
  member_id: string;
  kind: ExemptionKind;
  starts_on: string;
  ends_on: string | null;
  note: string | null;
  created_by_staff_user_id: string | null;
  created_at: Timestamp;
}

export interface WorksiteOrganizersTable {
  organization_id: string;
  worksite: string;
  organizer_staff_user_id: string;
  updated_at: Timestamp;
}

export interface MemberCardExpiriesTable {
  organization_id: string;
  member_id: string;
  exp_month: number;
  exp_year: number;
  updated_at: Timestamp;
}

export interface LapseEpisodesTable {
  id: Generated<string>;
  organization_id: string;
  member_id: string;
  opened_on: string;
  closed_on: string | null;
  close_reason: EpisodeCloseReason | null;
  worksite: string | null;
  organizer_staff_user_id: string | null;
  created_at: Timestamp;
}

export interface RetentionScanRunsTable {
  organization_id: string;
  scan_on: string;
  started_at: Date | string;
  report: Json<Record<string, unknown>>;
}

export interface OrganizerDigestsTable {
  id: string;
  organization_id: string;
  recipient: string;
  organizer_staff_user_id: string | null;
  digest_on: string;
  item_count: number;
  outbox_id: string;
  created_at: Timestamp;
}

export interface RetentionSignalsTable {
  id: Generated<number>;
  organization_id: string;
  member_id: string;
  signal: string;
  signal_key: string;
  episode_id: string | null;
  detected_on: string;
  reason: string;
  months_in_arrears: number;
  digest_id: string | null;
  immediate_outbox_id: string | null;
  notice_outbox_id: string | null;
  created_at: Timestamp;
}

export interface OutreachLogTable {
  id: Generated<string>;
  organization_id: string;
  member_id: string;
  staff_user_id: string | null;
  episode_id: string | null;
  channel: OutreachChannel;
  outcome: OutreachOutcome;
  note: string | null;
  follow_up_on: string | null;
  contacted_on: string;
  /** The day a member promised to pay by (outcome `promised_to_pay` only). */
  promised_on: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

// Retention's tables, merged into the Database interface above.
export interface Database {
  retention_policies: RetentionPoliciesTable;
  member_exemptions: MemberExemptionsTable;
  worksite_organizers: WorksiteOrganizersTable;
  member_card_expiries: MemberCardExpiriesTable;
  lapse_episodes: LapseEpisodesTable;
  retention_scan_runs: RetentionScanRunsTable;
  organizer_digests: OrganizerDigestsTable;
  retention_signals: RetentionSignalsTable;
  outreach_log: OutreachLogTable;
}

export type AffiliateKind = 'international_union' | 'state_federation' | 'central_labor_council' | 'other';

export interface AffiliatesTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  kind: AffiliateKind;
  created_at: Timestamp;
}

/** Cents per member in good standing per month, from `effective_from` until the affiliate's next rate. */
export interface PerCapitaRatesTable {
  id: Generated<string>;
  organization_id: string;
  affiliate_id: string;
  rate_cents: number;
  effective_from: string;
  created_by_staff_user_id: string | null;
  created_at: Timestamp;
}

/** Migration 0037: the transactions that changed an organization's call-list facts, written by triggers only. */
export interface CallListChangesTable {
  organization_id: string;
  /** The writing transaction's id (xid8, as text). */
  xact: ColumnType<string, never, never>;
}

/** Migration 0037: below this transaction id the organization's change rows have been deleted (the daily scan). */
export interface CallListHorizonsTable {
  organization_id: string;
  pruned_before: string;
}

export interface Database {
  call_list_changes: CallListChangesTable;
  call_list_horizons: CallListHorizonsTable;
}

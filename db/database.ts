import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
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

export interface Database {
  organizations: OrganizationsTable;
  staff_users: StaffUsersTable;
  staff_roles: StaffRolesTable;
  login_tokens: LoginTokensTable;
  email_outbox: EmailOutboxTable;
  audit_log: AuditLogTable;
}

export type Organization = Selectable<OrganizationsTable>;
export type StaffUser = Selectable<StaffUsersTable>;
export type EmailOutboxRow = Selectable<EmailOutboxTable>;
export type NewAuditEntry = Insertable<AuditLogTable>;

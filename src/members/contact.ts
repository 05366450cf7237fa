import type { Kysely } from 'kysely';
import type { Database, Language } from '../../db/database';
import { checkOrganizer, checkUnique } from './checks';
import { updateMember } from './queries';

/** The fields of a member's contact details, as the console edits them. */
export interface ContactChanges {
  name?: string | undefined;
  email?: string | undefined;
  phone?: string | null | undefined;
  preferredLanguage?: Language | undefined;
  worksite?: string | null | undefined;
  organizerStaffUserId?: string | null | undefined;
  employer?: string | null | undefined;
}

/**
 * Changes a member's contact details with the checks the API's PATCH makes (email unique
 * in the organization, organizer on its staff); the caller checks the role may change
 * each field (fieldsNotAllowed) and audits. Run it in a transaction.
 */
export async function changeContactDetails(trx: Kysely<Database>, organizationId: string, memberId: string, current: { email: string }, changes: ContactChanges, at: Date): Promise<void> {
  const emailChanged = changes.email !== undefined && changes.email.toLowerCase() !== current.email.toLowerCase();
  await checkUnique(trx, organizationId, { email: emailChanged ? changes.email : undefined }, memberId);
  if (changes.organizerStaffUserId) await checkOrganizer(trx, organizationId, changes.organizerStaffUserId);
  await updateMember(trx, organizationId, memberId, {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.email !== undefined ? { email: changes.email } : {}),
    ...(changes.phone !== undefined ? { phone: changes.phone } : {}),
    ...(changes.preferredLanguage !== undefined ? { preferred_language: changes.preferredLanguage } : {}),
    ...(changes.worksite !== undefined ? { worksite: changes.worksite } : {}),
    ...(changes.organizerStaffUserId !== undefined ? { organizer_staff_user_id: changes.organizerStaffUserId } : {}),
    ...(changes.employer !== undefined ? { employer: changes.employer } : {}),
  }, at);
}

import type { Kysely } from 'kysely';
import type { Database, Member, Plan } from '../../db/database';
import { ApiError, notFound } from '../http/errors';
import type { WageFacts } from '../plans/dues';
import { findPlan } from '../plans/queries';
import { findStaffMember } from '../staff/queries';
import { checkWageFacts, fieldError } from './members';
import { emailsInUse, externalIdsInUse, findMember, planTerms } from './queries';

// The checks of a member's fields that need the database, shared by creation and change.

/** The member a path names, in the caller's organization: another organization's id is a 404 whatever the rest of the request says. */
export async function memberInPath(db: Kysely<Database>, { me, params }: { me: { organizationId: string }; params: { memberId: string } }): Promise<Member> {
  const member = await findMember(db, me.organizationId, params.memberId);
  if (!member) throw notFound('member');
  return member;
}

export async function checkOrganizer(db: Kysely<Database>, organizationId: string, staffUserId: string): Promise<void> {
  if (!(await findStaffMember(db, organizationId, staffUserId))) {
    throw fieldError('body.organizerStaffUserId', 'not a staff member of this organization');
  }
}

/** A 409 naming the field when another member of the organization already has the email or external id. */
export async function checkUnique(db: Kysely<Database>, organizationId: string, fields: { email?: string | undefined; externalId?: string | null | undefined }, exceptMemberId?: string): Promise<void> {
  const conflicts: Array<{ path: string; message: string }> = [];
  if (fields.email !== undefined && (await emailsInUse(db, organizationId, [fields.email], exceptMemberId)).size > 0) {
    conflicts.push({ path: 'body.email', message: 'another member of the organization has this email' });
  }
  const externalId = fields.externalId ?? undefined;
  if (externalId !== undefined && (await externalIdsInUse(db, organizationId, [externalId], exceptMemberId)).size > 0) {
    conflicts.push({ path: 'body.externalId', message: 'another member of the organization has this external id' });
  }
  if (conflicts.length > 0) throw new ApiError('conflict', conflicts.map((c) => c.message).join('; '), { fields: conflicts });
}

/**
 * The plan a member is put on and the wage facts to keep for it: the plan must be the
 * organization's (and active, for a member joining it), and the facts must be enough for
 * the rate in force today in the organization's time zone.
 */
export async function checkPlanAndFacts(
  db: Kysely<Database>,
  organizationId: string,
  choice: { planId: string; wageFacts: WageFacts; joining: boolean; today: string },
): Promise<{ plan: Plan; wageFacts: WageFacts }> {
  const plan = await findPlan(db, organizationId, choice.planId);
  if (!plan) throw fieldError('body.planId', 'no plan of this organization has this id');
  if (choice.joining && plan.status !== 'active') throw fieldError('body.planId', 'the plan is archived and takes no new members');
  const { terms } = await planTerms(db, plan, choice.today);
  if (!terms) throw fieldError('body.planId', 'the plan has no rate in effect today');
  const check = checkWageFacts(terms, choice.wageFacts);
  if (!check.ok) throw fieldError(`body.wageFacts.${check.field}`, check.message);
  return { plan, wageFacts: check.wageFacts };
}

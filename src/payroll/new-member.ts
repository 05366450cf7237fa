import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, Organization } from '../../db/database';
import { ApiError, notFound } from '../http/errors';
import { checkPlanAndFacts, checkUnique } from '../members/checks';
import { insertMembers } from '../members/queries';
import { recordInitialStandings } from '../members/standing';
import { todayIn } from '../organizations/calendar';
import { employeeNumberHolder, findEmployer, setDeduction, setLineMember, type Remittance } from './queries';

/**
 * "Add as a new member" for a line of a remittance not yet posted that matches no one: the
 * member is created on payroll deduction with the remittance's employer and the line's
 * employee number, and the line is matched to them.
 */

export const newMemberFromLine = z
  .object({
    name: z.string().trim().min(1, 'a name is required').max(200),
    email: z.email('an email address is required').max(320),
    phone: z
      .string()
      .trim()
      .max(40)
      .optional()
      .transform((value) => (value ? value : null)),
    planId: z.uuid('choose a dues plan'),
  })
  .strict();
export type NewMemberFromLine = z.infer<typeof newMemberFromLine>;

export async function addMemberFromLine(trx: Kysely<Database>, organization: Organization, remittance: Remittance, row: number, input: NewMemberFromLine, staffUserId: string, at: Date): Promise<string> {
  if (remittance.status !== 'draft') throw new ApiError('conflict', 'only a remittance not yet posted can be changed; upload a corrected file');
  const line = await trx.selectFrom('remittance_lines').select(['employee_number', 'member_id']).where('organization_id', '=', organization.id).where('remittance_id', '=', remittance.id).where('row_number', '=', row).forUpdate().executeTakeFirst();
  if (!line) throw notFound('line');
  if (line.member_id !== null) throw new ApiError('conflict', 'this line is already matched to a member');
  const employer = (await findEmployer(trx, organization.id, remittance.employer_id))!;
  // The nil id excepts no one: the member does not exist yet.
  if (line.employee_number !== null && (await employeeNumberHolder(trx, organization.id, employer.id, line.employee_number, '00000000-0000-0000-0000-000000000000'))) {
    throw new ApiError('conflict', `another member of ${employer.name} has employee number ${line.employee_number}`);
  }
  await checkUnique(trx, organization.id, { email: input.email });
  const { plan } = await checkPlanAndFacts(trx, organization.id, { planId: input.planId, wageFacts: {}, joining: true, today: todayIn(organization.time_zone, at) });
  const [member] = await insertMembers(
    trx,
    organization.id,
    [{ name: input.name, email: input.email, phone: input.phone, employer: employer.name, member_class: plan.member_class, plan_id: plan.id, wage_facts: '{}', standing: 'pending' }],
    at,
  );
  await recordInitialStandings(trx, organization.id, [member!], 'created_by_staff', staffUserId, at);
  await setDeduction(trx, organization.id, member!.id, employer.id, line.employee_number, at);
  await setLineMember(trx, organization.id, remittance.id, row, member!.id);
  return member!.id;
}

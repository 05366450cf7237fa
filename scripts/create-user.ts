import { parseArgs } from 'node:util';
import { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from '../db/database';
import { recordAudit } from '../src/audit/audit';
import { findOrganizationBySlug } from '../src/organizations/queries';
import { grantRole, rolesIn, upsertStaffUser } from '../src/staff/queries';
import { runScript } from './support/database';

const USAGE = `usage: npm run create-user -- --org <slug> --email <email> --name "<name>" --role <${STAFF_ROLES.join('|')}>`;

const { values } = parseArgs({
  options: { org: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, help: { type: 'boolean' } },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const schema = z.object({
  org: z.string().min(1),
  email: z.email(),
  name: z.string().trim().min(1),
  role: z.enum(STAFF_ROLES as [StaffRole, ...StaffRole[]]),
});
const parsed = schema.safeParse(values);
if (!parsed.success) {
  process.stderr.write(`${parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n')}\n${USAGE}\n`);
  process.exit(2);
}
const input = parsed.data;

void runScript(async (db) => {
  const organization = await findOrganizationBySlug(db, input.org);
  if (!organization) throw new Error(`no organization with slug "${input.org}"`);
  const now = new Date();
  const user = await db.transaction().execute(async (trx) => {
    const staff = await upsertStaffUser(trx, { email: input.email, name: input.name }, now);
    await grantRole(trx, organization.id, staff.id, input.role, now);
    await recordAudit(trx, { organizationId: organization.id, actorStaffUserId: null, action: 'staff.role_granted', subjectType: 'staff_user', subjectId: staff.id, details: { role: input.role, via: 'create-user script' }, at: now });
    return staff;
  });
  const roles = await rolesIn(db, organization.id, user.id);
  process.stdout.write(`${user.email} (${user.id}) now has roles [${roles.join(', ')}] in ${organization.slug}\n`);
});

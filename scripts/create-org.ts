import { parseArgs } from 'node:util';
import { newOrganizationSchema } from '../src/organizations/organizations';
import { insertOrganization, findOrganizationBySlug } from '../src/organizations/queries';
import { recordAudit } from '../src/audit/audit';
import { runScript } from './support/database';

const USAGE = 'usage: npm run create-org -- --slug <slug> --name "<name>" [--time-zone America/Chicago] [--currency usd]';

const { values } = parseArgs({
  options: { slug: { type: 'string' }, name: { type: 'string' }, 'time-zone': { type: 'string' }, currency: { type: 'string' }, help: { type: 'boolean' } },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const parsed = newOrganizationSchema.safeParse({ slug: values.slug, name: values.name, timeZone: values['time-zone'], currency: values.currency });
if (!parsed.success) {
  process.stderr.write(`${parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n')}\n${USAGE}\n`);
  process.exit(2);
}

void runScript(async (db) => {
  if (await findOrganizationBySlug(db, parsed.data.slug)) throw new Error(`an organization with slug "${parsed.data.slug}" already exists`);
  const now = new Date();
  const organization = await db.transaction().execute(async (trx) => {
    const created = await insertOrganization(trx, parsed.data, now);
    await recordAudit(trx, { organizationId: created.id, actorStaffUserId: null, action: 'organization.created', subjectType: 'organization', subjectId: created.id, details: { via: 'create-org script' }, at: now });
    return created;
  });
  process.stdout.write(`created organization ${organization.slug} (${organization.id}), time zone ${organization.time_zone}, currency ${organization.currency}\n`);
});

import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config';
import { recordAudit } from '../src/audit/audit';
import { openStaffSession } from '../src/auth/sessions';
import { findOrganizationBySlug } from '../src/organizations/queries';
import { findStaffUserByEmail, rolesIn } from '../src/staff/queries';
import { runScript } from './support/database';

const USAGE = 'usage: npm run issue-token -- --org <slug> --email <staff email> [--expires-in 1h|30m|7d|3600]';

/** '90', '90s', '30m', '12h', '7d' → seconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  return seconds > 0 && seconds <= 366 * 86400 ? seconds : undefined;
}

const { values } = parseArgs({
  options: { org: { type: 'string' }, email: { type: 'string' }, 'expires-in': { type: 'string', default: '1h' }, help: { type: 'boolean' } },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const expiresIn = parseDuration(values['expires-in']);
if (!values.org || !values.email || expiresIn === undefined) {
  process.stderr.write(`${expiresIn === undefined ? '--expires-in: use a number of seconds or 30m, 12h, 7d (at most a year)\n' : ''}${USAGE}\n`);
  process.exit(2);
}
const { org, email } = values;

void runScript(async (db) => {
  const config = loadConfig();
  const organization = await findOrganizationBySlug(db, org);
  if (!organization) throw new Error(`no organization with slug "${org}"`);
  const user = await findStaffUserByEmail(db, email);
  const roles = user ? await rolesIn(db, organization.id, user.id) : [];
  if (!user || roles.length === 0) throw new Error(`${email} has no role in ${organization.slug}`);
  const now = new Date();
  // A session like any other: revoked by "sign out everywhere" or a change of the person's roles.
  const { sessionId, token } = await openStaffSession(db, config.jwtSecret, { staffUserId: user.id, organizationId: organization.id, roles, via: 'issued_token' }, expiresIn, now);
  await recordAudit(db, { organizationId: organization.id, actorStaffUserId: user.id, action: 'staff.token_issued', subjectType: 'staff_user', subjectId: user.id, details: { expiresInSeconds: expiresIn, sessionId, via: 'issue-token script' }, at: now });
  process.stdout.write(`${token}\n`);
  process.stderr.write(`token for ${user.email} in ${organization.slug} with roles [${roles.join(', ')}], valid ${values['expires-in']}\n`);
});

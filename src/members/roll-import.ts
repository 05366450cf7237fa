import type { Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import { todayIn } from '../organizations/calendar';
import { nextScanStandings, type ScanVerdict } from '../retention/preview';
import { loadPolicy } from '../retention/queries';
import { nextScanDay } from '../retention/scan';
import { rederiveMembers } from './derivation';
import { checkRoll, previewImportedStandings, type ImportPreview, type RollCheck, type RollRow } from './import';
import { indexExisting } from './import-update';
import { emailsInUse, externalIdsInUse, insertMembers, membersNamedByRoll, plansWithTerms, staffIdsByEmail, updateMember } from './queries';
import { recordInitialStandings } from './standing';

/** `add` refuses a row naming a member already on the books; `update` updates that member. */
export type RollMode = 'add' | 'update';

export interface RollRun {
  check: RollCheck;
  /** The next scan's standing of each new member, from what the roll says. */
  preview: ImportPreview;
  /** The next scan's standing of each member already on the books that a row names. */
  existingStandings: Map<string, ScanVerdict>;
  /** Whether the roll was written: every row valid and not a dry run. */
  written: boolean;
}

/**
 * The audit details of a roll checked but not written (a dry run, a preview, a refused
 * roll): what was looked up against the members, without anyone's name or email. A check
 * tells its reader which rows name members already on the books and their next standings,
 * so it is audited as a bulk read.
 */
export function rollCheckedDetails(rowsInFile: number, run: RollRun, mode: RollMode): Record<string, unknown> {
  return { rows: rowsInFile, named: run.check.rowsNamingMembers, rejected: new Set(run.check.rejected.map((r) => r.row)).size, mode };
}

/**
 * Checks a roll against the organization and, unless it is a dry run or any row is refused,
 * writes it in the caller's transaction: new members inserted with their first standing,
 * named members updated, everyone touched derived again. The checks and the write see the
 * same rows, so what the preview said is what is written.
 */
export async function runRoll(
  trx: Kysely<Database>,
  who: { organizationId: string; staffUserId: string },
  organization: Organization,
  rows: RollRow[],
  options: { mode: RollMode; dryRun: boolean; now: Date },
): Promise<RollRun> {
  const { organizationId } = who;
  const emails = rows.flatMap((row) => (row.email === undefined ? [] : [row.email]));
  const externalIds = rows.flatMap((row) => (row.external_id === undefined ? [] : [row.external_id]));
  const check = checkRoll(rows, {
    plans: await plansWithTerms(trx, organizationId, todayIn(organization.time_zone, options.now)),
    staffIdsByEmail: await staffIdsByEmail(trx, organizationId),
    emailsInUse: await emailsInUse(trx, organizationId, emails),
    externalIdsInUse: await externalIdsInUse(trx, organizationId, externalIds),
    existing: options.mode === 'update' ? indexExisting(await membersNamedByRoll(trx, organizationId, emails, externalIds)) : undefined,
  });
  // What the rules will make of the roll at the next daily scan, said before anything is written.
  const policy = await loadPolicy(trx, organizationId);
  const on = await nextScanDay(trx, organization, options.now);
  const preview = previewImportedStandings(check, policy, on);
  const named = [...check.updates.map((u) => u.memberId), ...check.unchanged.map((u) => u.memberId)];
  const existingStandings = await nextScanStandings(trx, organizationId, policy, on, named);
  if (check.rejected.length > 0 || options.dryRun) return { check, preview, existingStandings, written: false };

  const members = await insertMembers(trx, organizationId, check.accepted, options.now);
  await recordInitialStandings(trx, organizationId, members, 'import', who.staffUserId, options.now);
  for (const update of check.updates) await updateMember(trx, organizationId, update.memberId, update.changes, options.now);
  // The standing each member has from what the roll says, from today.
  const touched = [...members.map((m) => m.id), ...check.updates.map((u) => u.memberId)];
  await rederiveMembers(trx, touched.map((memberId) => ({ organizationId, memberId, cause: 'import', staffUserId: who.staffUserId })), options.now);
  return { check, preview, existingStandings, written: true };
}

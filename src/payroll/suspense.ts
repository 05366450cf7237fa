import type { Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import type { SuspenseResolution } from '../../db/database-payroll';
import { ApiError } from '../http/errors';
import { postLedgerTransactions } from '../ledger/queries';
import { todayIn } from '../organizations/calendar';
import { postingsForSuspenseClearing, postingsForSuspenseClearingReversal, type SuspenseClearingInput } from './postings';
import { findEmployer, remittanceSuspense, type Remittance } from './queries';

/**
 * A posted remittance's payroll suspense (the amount received less the lines posted as dues)
 * explained by a treasurer: a note, and what it is, cleared out of suspense by a posting of
 * its own (source key `remittance:<id>:suspense`), so the month it was received can close.
 */

export type ExplainOutcome = { explained: true; heldCents: number } | { explained: false; alreadyExplained: true };

async function clearingInput(db: Kysely<Database>, remittance: Remittance, heldCents: number, resolution: SuspenseResolution): Promise<SuspenseClearingInput> {
  const employer = (await findEmployer(db, remittance.organization_id, remittance.employer_id))!;
  return {
    remittanceId: remittance.id,
    employerName: employer.name,
    currency: remittance.currency,
    receivedOn: remittance.received_on,
    periodStart: remittance.period_start,
    periodEnd: remittance.period_end,
    heldCents,
    resolution,
  };
}

export async function explainSuspense(trx: Kysely<Database>, organizationId: string, remittanceId: string, input: { resolution: SuspenseResolution; note: string; staffUserId: string; at: Date }): Promise<ExplainOutcome> {
  const remittance = await trx.selectFrom('remittances').selectAll().where('organization_id', '=', organizationId).where('id', '=', remittanceId).forUpdate().executeTakeFirst();
  if (!remittance) throw new ApiError('not_found', 'remittance not found');
  if (remittance.suspense_explained_at !== null) return { explained: false, alreadyExplained: true };
  if (remittance.status !== 'posted') throw new ApiError('conflict', 'only a posted remittance’s payroll suspense is explained');
  const { heldCents } = await remittanceSuspense(trx, organizationId, remittance.id);
  if (heldCents === 0) throw new ApiError('conflict', 'this remittance holds nothing in payroll suspense');
  await postLedgerTransactions(trx, organizationId, postingsForSuspenseClearing(await clearingInput(trx, remittance, heldCents, input.resolution)), input.at);
  await trx
    .updateTable('remittances')
    .set({ suspense_resolution: input.resolution, suspense_note: input.note, suspense_explained_at: input.at, suspense_explained_by_staff_user_id: input.staffUserId })
    .where('organization_id', '=', organizationId)
    .where('id', '=', remittance.id)
    .execute();
  return { explained: true, heldCents };
}

/** A remittance being reversed: its explained suspense is reversed with it, so the remittance nets to nothing. */
export async function reverseSuspenseClearing(trx: Kysely<Database>, organization: Pick<Organization, 'id' | 'time_zone'>, remittance: Remittance, at: Date): Promise<void> {
  if (remittance.suspense_resolution === null) return;
  const { clearedCents } = await remittanceSuspense(trx, organization.id, remittance.id);
  if (clearedCents === 0) return;
  const input = await clearingInput(trx, remittance, clearedCents, remittance.suspense_resolution);
  await postLedgerTransactions(trx, organization.id, postingsForSuspenseClearingReversal({ ...input, reversedOn: todayIn(organization.time_zone, at) }), at);
}

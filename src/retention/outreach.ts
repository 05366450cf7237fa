import type { Kysely } from 'kysely';
import type { Database, OutreachChannel, OutreachOutcome, Standing } from '../../db/database';
import { decideStanding } from '../members/decisions';
import { closeEpisode, insertOutreach } from './queries';

export const OUTREACH_CHANNELS: readonly OutreachChannel[] = ['call', 'text', 'visit', 'email'];
/** In the order an organizer meets them on a call list. */
export const OUTREACH_OUTCOMES: readonly OutreachOutcome[] = ['reached', 'left_message', 'no_answer', 'wrong_number', 'promised_to_pay', 'resigned', 'recommitted', 'hardship_exemption_requested', 'changed_jobs'];
/** Outcomes in which nobody was reached, for the metrics' "reached" count. */
export const NOT_REACHED: readonly OutreachOutcome[] = ['no_answer', 'left_message', 'wrong_number'];

export interface OutreachInput {
  organizationId: string;
  memberId: string;
  staffUserId: string;
  channel: OutreachChannel;
  outcome: OutreachOutcome;
  note: string | null;
  followUpOn: string | null;
  /** The day the member promised to pay by: with `promised_to_pay` only. */
  promisedOn: string | null;
  today: string;
  now: Date;
}

/**
 * Records a contact with a member, for the API and the console alike. `resigned` records
 * the member's decision (cause `outreach`), so they are resigned, and closes their lapse.
 * Run it in a transaction.
 */
export async function recordOutreach(trx: Kysely<Database>, input: OutreachInput): Promise<{ entryId: string; standing: Standing }> {
  const entry = await insertOutreach(trx, {
    organizationId: input.organizationId,
    memberId: input.memberId,
    staffUserId: input.staffUserId,
    channel: input.channel,
    outcome: input.outcome,
    note: input.note,
    followUpOn: input.followUpOn,
    promisedOn: input.outcome === 'promised_to_pay' ? input.promisedOn : null,
    contactedOn: input.today,
    at: input.now,
  });
  if (input.outcome === 'resigned') {
    // The member's decision, from which the standing is derived.
    const change = await decideStanding(trx, { organizationId: input.organizationId, memberId: input.memberId, to: 'resigned', cause: 'outreach', causeReference: entry.id, staffUserId: input.staffUserId, now: input.now });
    if (change.changed) await closeEpisode(trx, input.organizationId, input.memberId, input.today, 'resigned');
    return { entryId: entry.id, standing: change.derived.standing };
  }
  const member = await trx.selectFrom('members').select('standing').where('organization_id', '=', input.organizationId).where('id', '=', input.memberId).executeTakeFirstOrThrow();
  return { entryId: entry.id, standing: member.standing };
}

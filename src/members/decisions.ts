import type { Kysely } from 'kysely';
import { STANDING_DECISIONS, type Database, type Standing, type StandingDecision } from '../../db/database';
import { notFound } from '../http/errors';
import { rederiveMember, type Derivation } from './derivation';
import { fieldError } from './members';

export interface StandingDecisionInput {
  organizationId: string;
  memberId: string;
  staffUserId: string;
  /** resigned, dropped, suspended or exempt: a decision payments do not undo; active: the officer lifts one (and reinstates a member out for arrears). */
  to: Standing;
  reason?: string | undefined;
  now: Date;
  /** What recorded the decision: 'staff' (the member page), 'outreach' (an organizer's call). */
  cause?: string;
  causeReference?: string | undefined;
}

/**
 * An officer's decision about a member's standing, kept as a fact; the standing is then
 * derived like any other (deriveStanding), with the decision as the cause. Pending, past due
 * and lapsed follow from payments and the policy, so nobody sets them.
 */
export async function decideStanding(trx: Kysely<Database>, input: StandingDecisionInput): Promise<Derivation> {
  const decision = STANDING_DECISIONS.includes(input.to as StandingDecision) ? (input.to as StandingDecision) : null;
  if (decision === null && input.to !== 'active') {
    throw fieldError('body.standing', `${input.to} follows from the member's payments and the lapse policy; an officer decides resigned, dropped, suspended or exempt, or active to lift a decision or reinstate`);
  }
  const updated = await trx
    .updateTable('members')
    .set({ standing_decision: decision, updated_at: input.now })
    .where('organization_id', '=', input.organizationId)
    .where('id', '=', input.memberId)
    .returning('standing')
    .executeTakeFirst();
  if (!updated) throw notFound('member');
  // Reinstating: the officer's word replaces the standing the member was out in (suspended or dropped for arrears).
  const override = decision === null ? { current: 'active' as const } : undefined;
  const derived = await rederiveMember(
    trx,
    { organizationId: input.organizationId, memberId: input.memberId, cause: input.cause ?? 'staff', causeReference: input.causeReference ?? input.reason ?? null, staffUserId: input.staffUserId, override },
    input.now,
  );
  return derived!;
}

import type { Kysely } from 'kysely';
import type { Database, Standing } from '../../db/database';
import { notFound } from '../http/errors';
import type { StandingChangeRow } from './members';

/** Why a standing changed: 'created_by_staff', 'import', 'staff', 'manual_payment', 'stripe_event', ... */
export interface StandingChange {
  organizationId: string;
  memberId: string;
  to: Standing;
  cause: string;
  /** What explains the cause: a payment id, a Stripe event id, a staff member's reason. */
  causeReference?: string | undefined;
  staffUserId?: string | undefined;
  /** The standing the caller read with FOR UPDATE earlier in this transaction, which spares reading it again. */
  lockedCurrent?: Standing | undefined;
  /** When, from the service's clock. */
  at: Date;
}

export interface StandingOutcome {
  from: Standing;
  to: Standing;
  changed: boolean;
}

/**
 * Sets a member's standing and records the change with its cause, only when the standing
 * actually changes, so a repeated cause (a redelivered event) adds no history. Run it in a
 * transaction: the member row is locked until the history row is written.
 */
export async function changeStanding(trx: Kysely<Database>, change: StandingChange): Promise<StandingOutcome> {
  const member =
    change.lockedCurrent !== undefined
      ? { standing: change.lockedCurrent }
      : await trx.selectFrom('members').select('standing').where('organization_id', '=', change.organizationId).where('id', '=', change.memberId).forUpdate().executeTakeFirst();
  if (!member) throw notFound('member');
  if (member.standing === change.to) return { from: member.standing, to: change.to, changed: false };

  await trx
    .updateTable('members')
    .set({ standing: change.to, standing_changed_at: change.at, updated_at: change.at })
    .where('organization_id', '=', change.organizationId)
    .where('id', '=', change.memberId)
    .execute();
  await trx
    .insertInto('member_standing_changes')
    .values({
      organization_id: change.organizationId,
      member_id: change.memberId,
      from_standing: member.standing,
      to_standing: change.to,
      cause: change.cause,
      cause_reference: change.causeReference ?? null,
      staff_user_id: change.staffUserId ?? null,
      created_at: change.at,
    })
    .execute();
  return { from: member.standing, to: change.to, changed: true };
}

/** The first history row of new members: the standing they start in, from nothing. */
export async function recordInitialStandings(
  trx: Kysely<Database>,
  organizationId: string,
  members: ReadonlyArray<{ id: string; standing: Standing }>,
  cause: string,
  staffUserId: string | null,
  at: Date,
): Promise<void> {
  // In slices: PostgreSQL takes at most 65,535 parameters in one statement.
  for (let start = 0; start < members.length; start += 1000) {
    await trx
      .insertInto('member_standing_changes')
      .values(
        members.slice(start, start + 1000).map((member) => ({
          organization_id: organizationId,
          member_id: member.id,
          from_standing: null,
          to_standing: member.standing,
          cause,
          cause_reference: null,
          staff_user_id: staffUserId,
          created_at: at,
        })),
      )
      .execute();
  }
}

export async function standingHistory(db: Kysely<Database>, organizationId: string, memberId: string): Promise<StandingChangeRow[]> {
  const rows = await db
    .selectFrom('member_standing_changes')
    .select(['id', 'from_standing', 'to_standing', 'cause', 'cause_reference', 'staff_user_id', 'created_at'])
    .where('organization_id', '=', organizationId)
    .where('member_id', '=', memberId)
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

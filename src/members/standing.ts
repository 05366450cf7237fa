import type { Kysely } from 'kysely';
import type { Database, Standing } from '../../db/database';
import type { StandingChangeRow } from './members';

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
    .select(['id', 'from_standing', 'to_standing', 'cause', 'cause_reference', 'reason', 'staff_user_id', 'created_at'])
    .where('organization_id', '=', organizationId)
    .where('member_id', '=', memberId)
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

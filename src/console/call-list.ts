import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { RememberedPerHandle } from '../../db/remembered';
import type { BulkReadRecord } from '../audit/audit';
import { callContacts, callRows, rankCalls, RECENT_DROP_DAYS, type CallRow, type CallScope, type RankedCall } from './queries';

/**
 * The call list, its ranking remembered. Ranking an organizer's scope reads ~1,000
 * candidates (most of a view's cost); the ranking only changes when a fact it reads changes
 * or the day turns. So each process remembers the ranking with the snapshot it was read in,
 * and a later view asks, in the one statement that reads its page's contacts, whether any
 * transaction has changed the organization's call-list facts since (migration 0037): if so,
 * it ranks afresh. What a view shows is what ranking afresh would show, never older.
 */
interface Remembered {
  snapshot: string;
  ranked: readonly RankedCall[];
  /** The ranking holds from the time it was ranked for until the first listed drop leaves the list (ms). */
  from: number;
  until: number;
}

/**
 * Per database handle, per organization, scope, day and time zone; at most 200,000
 * candidates over all its rankings, the least recently read forgotten first: an organizer's
 * ranking is ~1,000 of them, an organization's whole list ~12,000 at 100,000 members; at
 * some 300 bytes each, about 60 MB at most.
 */
const rankings = new RememberedPerHandle<Remembered>(200_000, (ranking) => ranking.ranked.length);

export async function callList(
  db: Kysely<Database>,
  organizationId: string,
  options: { scope: CallScope; today: string; now: Date; limit: number; offset: number; timeZone: string; audit: BulkReadRecord },
): Promise<CallRow[]> {
  const key = JSON.stringify([organizationId, options.scope.organizerId ?? null, options.scope.worksite ?? null, options.today, options.timeZone]);
  const held = rankings.get(db, key);
  if (held && held.from <= options.now.getTime() && options.now.getTime() < held.until) {
    const page = held.ranked.slice(options.offset, options.offset + options.limit);
    const read = await callContacts(db, organizationId, { snapshot: held.snapshot, ids: page.map((row) => row.id), signalRanks: page.map((row) => row.signal_rank), today: options.today, audit: options.audit });
    if (read.holds) {
      rankings.remember(db, key, held);
      return callRows(held.ranked, options.offset, options.limit, read.contacts);
    }
  }
  const read = await rankCalls(db, organizationId, { scope: options.scope, today: options.today, now: options.now, timeZone: options.timeZone, page: { from: options.offset, limit: options.limit }, audit: options.audit });
  if (read.snapshot === null) rankings.forget(db, key);
  else rankings.remember(db, key, { snapshot: read.snapshot, ranked: read.ranked, from: options.now.getTime(), until: holdsUntil(read.ranked) });
  return callRows(read.ranked, options.offset, options.limit, read.contacts);
}

/** When the earliest listed drop is no longer recent (the only part of a ranking that moves within a day). */
export function holdsUntil(ranked: readonly RankedCall[]): number {
  let until = Number.POSITIVE_INFINITY;
  for (const row of ranked) if (row.dropped_at !== null) until = Math.min(until, new Date(row.dropped_at).getTime() + RECENT_DROP_DAYS * 86_400_000);
  return until;
}

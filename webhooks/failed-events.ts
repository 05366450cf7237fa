import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { renderTable } from '../src/ledger/format';

export interface FailedEvent {
  id: string;
  type: string;
  /** The organization's slug, or null for an event traced to none (it shows in no admin's list). */
  organization: string | null;
  reason: string;
  attempts: number;
  receivedAt: Date;
}

/** Every event parked as failed, of every organization and of none, oldest first. */
export async function listFailedEvents(db: Kysely<Database>): Promise<FailedEvent[]> {
  const rows = await db
    .selectFrom('stripe_events as e')
    .leftJoin('organizations as o', 'o.id', 'e.organization_id')
    .select(['e.id', 'e.type', 'o.slug', 'e.last_error', 'e.outcome', 'e.attempts', 'e.received_at'])
    .where('e.status', '=', 'failed')
    .orderBy('e.received_at')
    .orderBy('e.id')
    .execute();
  return rows.map((row) => ({ id: row.id, type: row.type, organization: row.slug, reason: row.last_error ?? row.outcome ?? '(no reason recorded)', attempts: row.attempts, receivedAt: new Date(row.received_at) }));
}

/** 90 s → "1 min", 3 days and 4 hours → "3 d 4 h": how long an event has waited. */
export function ageOf(from: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** The list as a table for a terminal, with a count per organization ("none" for events traced to no organization). */
export function describeFailedEvents(events: readonly FailedEvent[], now: Date): string {
  if (events.length === 0) return 'no failed events\n';
  const rows = events.map((e) => [e.type, e.id, e.organization ?? 'none', String(e.attempts), ageOf(e.receivedAt, now), e.reason.replace(/\s+/g, ' ').slice(0, 200)]);
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.organization ?? 'none', (counts.get(e.organization ?? 'none') ?? 0) + 1);
  const summary = [...counts].map(([organization, n]) => `${organization} ${n}`).join(', ');
  return `${renderTable(['type', 'id', 'organization', 'attempts', 'age', 'reason'], rows, new Set([3, 4]))}\n${events.length} failed event(s): ${summary}\n`;
}

import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../../db/database';
import type { AccountCode } from '../../ledger/accounts';
import { forEachInPostingOrder } from '../queries';
import type { JournalEntry } from './formats';

interface JournalRow {
  id: string;
  day: string;
  description: string;
  member_name: string | null;
  currency: string;
  lines: { account: AccountCode; amountCents: number }[];
  posted_at: Date;
  xact: string;
  first_entry: number;
}

/**
 * The ledger transactions that occurred on the days from `from` to `to` (in the
 * organization's time zone), each with its entries, in the order of the occurred_at index:
 * forEachInPostingOrder puts each day in posting order as it streams, as the ledger export does.
 */
function journalQuery(organizationId: string, timeZone: string, from: string, to: string): RawBuilder<JournalRow> {
  return sql<JournalRow>`
    SELECT t.id, to_char(t.occurred_at AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day, t.description, m.name AS member_name,
      t.currency, e.lines, t.created_at AS posted_at, t.posted_in_xact::text AS xact, e.first_entry
    FROM ledger_transactions t
    CROSS JOIN LATERAL (
      SELECT json_agg(json_build_object('account', a.code, 'amountCents', e.amount_cents) ORDER BY e.id) AS lines, min(e.id) AS first_entry
      FROM ledger_entries e
      JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
      WHERE e.organization_id = t.organization_id AND e.transaction_id = t.id
    ) e
    LEFT JOIN members m ON m.organization_id = t.organization_id AND m.id = t.member_id
    WHERE t.organization_id = ${organizationId}
      AND t.occurred_at >= (${from}::date::timestamp AT TIME ZONE ${timeZone})
      AND t.occurred_at < ((${to}::date + 1)::timestamp AT TIME ZONE ${timeZone})
    ORDER BY t.occurred_at, t.created_at, t.posted_in_xact, e.first_entry`;
}

/** Each batch of journal entries in the range, in posting order; memory holds a day's transactions at most. */
export function forEachJournalEntry(db: Kysely<Database>, organizationId: string, timeZone: string, range: { from: string; to: string }, onBatch: (entries: JournalEntry[]) => Promise<void>): Promise<number> {
  return forEachInPostingOrder(db, journalQuery(organizationId, timeZone, range.from, range.to), (rows) =>
    onBatch(rows.map((row) => ({ transactionId: row.id, day: row.day, description: row.description, memberName: row.member_name, currency: row.currency, lines: row.lines.map((line) => ({ account: line.account, amountCents: Number(line.amountCents) })) }))),
  );
}

import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { BankLinesTable } from '../../db/database-bank';
import { ApiError, notFound } from '../http/errors';
import { candidatesOf, DEPOSIT_KINDS, matchDeposits, type Deposit, type DepositKind } from './matcher';
import type { StatementLine, StatementMapping } from './statement';

export async function statementMapping(db: Kysely<Database>, organizationId: string): Promise<StatementMapping | undefined> {
  return (await db.selectFrom('bank_statement_mappings').select('mapping').where('organization_id', '=', organizationId).executeTakeFirst())?.mapping;
}

export async function saveStatementMapping(db: Kysely<Database>, organizationId: string, mapping: StatementMapping, staffUserId: string, at: Date): Promise<void> {
  const row = { mapping: JSON.stringify(mapping), updated_at: at, updated_by_staff_user_id: staffUserId };
  await db
    .insertInto('bank_statement_mappings')
    .values({ organization_id: organizationId, ...row })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet(row))
    .execute();
}

export async function hasImportedStatements(db: Kysely<Database>, organizationId: string): Promise<boolean> {
  return (await db.selectFrom('bank_imports').select('id').where('organization_id', '=', organizationId).limit(1).executeTakeFirst()) !== undefined;
}

export interface ImportOutcome {
  importId: string;
  depositsNew: number;
  depositsKnown: number;
  matched: number;
}

const CHUNK = 1000;

/**
 * One matcher at a time per organization (imports, posted batches, matches by hand): two
 * running together could each give the same payout to a different line. Held to the end of
 * the caller's transaction; taking it again in the same transaction is free.
 */
async function lockMatching(trx: Kysely<Database>, organizationId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`bank_matching:${organizationId}`}, 0))`.execute(trx);
}

/**
 * Stores a statement's deposits (a line already imported, by its hash, is skipped), then
 * matches every line still unmatched. Call it inside the transaction that audits it.
 */
export async function importStatement(trx: Kysely<Database>, input: { organizationId: string; fileName: string | null; rowsRead: number; deposits: readonly StatementLine[]; staffUserId: string; at: Date }): Promise<ImportOutcome> {
  const { organizationId } = input;
  await lockMatching(trx, organizationId);
  const made = await trx
    .insertInto('bank_imports')
    .values({ organization_id: organizationId, file_name: input.fileName, rows_read: input.rowsRead, deposits_new: 0, deposits_known: 0, imported_at: input.at, imported_by_staff_user_id: input.staffUserId })
    .returning('id')
    .executeTakeFirstOrThrow();
  let depositsNew = 0;
  for (let start = 0; start < input.deposits.length; start += CHUNK) {
    const chunk = input.deposits.slice(start, start + CHUNK);
    const inserted = await trx
      .insertInto('bank_lines')
      .values(chunk.map((line) => ({ organization_id: organizationId, import_id: made.id, booked_on: line.bookedOn, amount_cents: line.amountCents, description: line.description, line_hash: line.hash })))
      .onConflict((oc) => oc.columns(['organization_id', 'line_hash']).doNothing())
      .returning('id')
      .execute();
    depositsNew += inserted.length;
  }
  const depositsKnown = input.deposits.length - depositsNew;
  await trx.updateTable('bank_imports').set({ deposits_new: depositsNew, deposits_known: depositsKnown }).where('organization_id', '=', organizationId).where('id', '=', made.id).execute();
  const matched = await matchOpenLines(trx, organizationId, input.at);
  return { importId: made.id, depositsNew, depositsKnown, matched };
}

/** The bank line's column naming each kind of deposit it is matched to. */
export const MATCHED_COLUMN = { payout: 'matched_payout_id', batch: 'matched_batch_id', remittance: 'matched_remittance_id' } as const satisfies Record<DepositKind, keyof BankLinesTable>;

const NO_MATCH = { matched_payout_id: null, matched_batch_id: null, matched_remittance_id: null };

/** What a line is matched to, if anything. */
export function matchOf(line: Pick<BankLinesTable, 'matched_payout_id' | 'matched_batch_id' | 'matched_remittance_id'>): { kind: DepositKind; id: string } | null {
  for (const kind of DEPOSIT_KINDS) {
    const id = line[MATCHED_COLUMN[kind]];
    if (id !== null) return { kind, id };
  }
  return null;
}

/** Paid or arriving Stripe payouts, posted deposit batches (with their totals) and posted remittances (the amount received) that no bank line explains yet. */
export async function unmatchedDeposits(db: Kysely<Database>, organizationId: string): Promise<Deposit[]> {
  const { rows } = await sql<{ kind: DepositKind; id: string; amount_cents: number; day: string }>`
    SELECT 'payout' AS kind, p.id, p.amount_cents, p.arrival_date::text AS day FROM stripe_payouts p
     WHERE p.organization_id = ${organizationId} AND p.status IN ('paid', 'in_transit') AND p.arrival_date IS NOT NULL AND p.amount_cents > 0
       AND NOT EXISTS (SELECT 1 FROM bank_lines b WHERE b.organization_id = p.organization_id AND b.matched_payout_id = p.id)
    UNION ALL
    SELECT 'batch' AS kind, d.id::text, (SELECT sum(i.amount_cents) FROM deposit_batch_items i WHERE i.organization_id = d.organization_id AND i.batch_id = d.id)::bigint, d.deposited_on::text
      FROM deposit_batches d
     WHERE d.organization_id = ${organizationId} AND d.posted_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM bank_lines b WHERE b.organization_id = d.organization_id AND b.matched_batch_id = d.id)
    UNION ALL
    SELECT 'remittance' AS kind, r.id::text, r.amount_received_cents, r.received_on::text FROM remittances r
     WHERE r.organization_id = ${organizationId} AND r.status = 'posted'
       AND NOT EXISTS (SELECT 1 FROM bank_lines b WHERE b.organization_id = r.organization_id AND b.matched_remittance_id = r.id)
    ORDER BY day, id`.execute(db);
  return rows.map((row) => ({ kind: row.kind, id: row.id, amountCents: Number(row.amount_cents), day: row.day }));
}

export interface OpenLine {
  id: string;
  booked_on: string;
  amount_cents: number;
  description: string;
  unmatched_by_hand: boolean;
}

export async function unmatchedLines(db: Kysely<Database>, organizationId: string, options: { limit?: number; automaticOnly?: boolean } = {}): Promise<OpenLine[]> {
  let query = db
    .selectFrom('bank_lines')
    .select(['id', 'booked_on', 'amount_cents', 'description', 'unmatched_by_hand'])
    .where('organization_id', '=', organizationId)
    .where('matched_at', 'is', null)
    .orderBy('booked_on')
    .orderBy('id');
  if (options.automaticOnly) query = query.where('unmatched_by_hand', '=', false);
  if (options.limit !== undefined) query = query.limit(options.limit);
  return query.execute();
}

/** Runs the matcher over the lines and deposits still open, and stores the matches it makes; answers how many. */
export async function matchOpenLines(trx: Kysely<Database>, organizationId: string, at: Date): Promise<number> {
  await lockMatching(trx, organizationId);
  const lines = await unmatchedLines(trx, organizationId, { automaticOnly: true });
  if (lines.length === 0) return 0;
  const deposits = await unmatchedDeposits(trx, organizationId);
  const { matches } = matchDeposits(
    lines.map((line) => ({ id: line.id, bookedOn: line.booked_on, amountCents: line.amount_cents })),
    deposits,
  );
  for (let start = 0; start < matches.length; start += CHUNK) {
    const chunk = matches.slice(start, start + CHUNK);
    await sql`
      UPDATE bank_lines b SET matched_payout_id = v.payout, matched_batch_id = v.batch, matched_remittance_id = v.remittance, matched_at = ${at}, matched_by_staff_user_id = NULL
        FROM unnest(${chunk.map((m) => m.lineId)}::uuid[], ${chunk.map((m) => (m.deposit.kind === 'payout' ? m.deposit.id : null))}::text[],
          ${chunk.map((m) => (m.deposit.kind === 'batch' ? m.deposit.id : null))}::uuid[], ${chunk.map((m) => (m.deposit.kind === 'remittance' ? m.deposit.id : null))}::uuid[]) AS v(id, payout, batch, remittance)
       WHERE b.organization_id = ${organizationId} AND b.id = v.id AND b.matched_at IS NULL`.execute(trx);
  }
  return matches.length;
}

export interface LineWithCandidates extends OpenLine {
  candidates: Deposit[];
}

/** The bank side and the books' side left unexplained: open lines with their candidates, and deposits no line explains. */
export async function reconciliation(db: Kysely<Database>, organizationId: string, limit: number): Promise<{ lines: LineWithCandidates[]; linesTotal: number; deposits: Deposit[] }> {
  const [lines, deposits, total] = await Promise.all([
    unmatchedLines(db, organizationId, { limit }),
    unmatchedDeposits(db, organizationId),
    db.selectFrom('bank_lines').select((eb) => eb.fn.countAll<number>().as('count')).where('organization_id', '=', organizationId).where('matched_at', 'is', null).executeTakeFirstOrThrow(),
  ]);
  // By hand, a line may take any open deposit of its amount: the window only limits what the matcher does alone.
  const candidates = candidatesOf(
    lines.map((line) => ({ id: line.id, bookedOn: line.booked_on, amountCents: line.amount_cents })),
    deposits,
    { daysBefore: 31, daysAfter: 31 },
  );
  return { lines: lines.map((line) => ({ ...line, candidates: candidates.get(line.id) ?? [] })), linesTotal: Number(total.count), deposits };
}

export interface MatchedLine {
  id: string;
  booked_on: string;
  amount_cents: number;
  description: string;
  matched_payout_id: string | null;
  matched_batch_id: string | null;
  matched_remittance_id: string | null;
  matched_at: Date;
  by_hand: boolean;
}

export async function matchedLines(db: Kysely<Database>, organizationId: string, limit: number): Promise<MatchedLine[]> {
  const rows = await db
    .selectFrom('bank_lines')
    .select(['id', 'booked_on', 'amount_cents', 'description', 'matched_payout_id', 'matched_batch_id', 'matched_remittance_id', 'matched_at', 'matched_by_staff_user_id'])
    .where('organization_id', '=', organizationId)
    .where('matched_at', 'is not', null)
    .orderBy('booked_on', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, matched_at: row.matched_at!, by_hand: row.matched_by_staff_user_id !== null }));
}

async function lineForUpdate(trx: Kysely<Database>, organizationId: string, lineId: string) {
  await lockMatching(trx, organizationId);
  const line = await trx.selectFrom('bank_lines').selectAll().where('organization_id', '=', organizationId).where('id', '=', lineId).forUpdate().executeTakeFirst();
  if (!line) throw notFound('bank line');
  return line;
}

/** Matches a line to an open deposit of the same amount, chosen by a person. */
export async function matchByHand(trx: Kysely<Database>, organizationId: string, lineId: string, choice: { kind: DepositKind; id: string }, staffUserId: string, at: Date): Promise<Deposit> {
  const line = await lineForUpdate(trx, organizationId, lineId);
  if (line.matched_at !== null) throw new ApiError('conflict', 'this bank line is already matched: undo that match first');
  const deposit = (await unmatchedDeposits(trx, organizationId)).find((d) => d.kind === choice.kind && d.id === choice.id);
  if (!deposit) throw notFound(({ payout: 'payout', batch: 'deposit batch', remittance: 'remittance' } as const)[choice.kind]);
  if (deposit.amountCents !== line.amount_cents) throw new ApiError('conflict', 'the bank line and the deposit are not the same amount');
  await trx
    .updateTable('bank_lines')
    .set({ ...NO_MATCH, [MATCHED_COLUMN[deposit.kind]]: deposit.id, matched_at: at, matched_by_staff_user_id: staffUserId })
    .where('organization_id', '=', organizationId)
    .where('id', '=', lineId)
    .execute();
  return deposit;
}

/** Undoes a line's match; the matcher leaves the line alone from then on. Answers what it was matched to. */
export async function undoMatch(trx: Kysely<Database>, organizationId: string, lineId: string): Promise<{ kind: DepositKind; id: string }> {
  const line = await lineForUpdate(trx, organizationId, lineId);
  const matched = matchOf(line);
  if (matched === null) throw new ApiError('conflict', 'this bank line is not matched');
  await trx
    .updateTable('bank_lines')
    .set({ ...NO_MATCH, matched_at: null, matched_by_staff_user_id: null, unmatched_by_hand: true })
    .where('organization_id', '=', organizationId)
    .where('id', '=', lineId)
    .execute();
  return matched;
}

/** Frees the bank line matched to a remittance a corrected file reversed; the matcher may match it again. */
export async function unmatchRemittance(trx: Kysely<Database>, organizationId: string, remittanceId: string): Promise<void> {
  await lockMatching(trx, organizationId);
  await trx.updateTable('bank_lines').set({ ...NO_MATCH, matched_at: null, matched_by_staff_user_id: null, unmatched_by_hand: false }).where('organization_id', '=', organizationId).where('matched_remittance_id', '=', remittanceId).execute();
}

export interface PayoutRow {
  id: string;
  status: string;
  amount_cents: number;
  currency: string;
  arrival_date: string | null;
  bank_line_id: string | null;
  bank_booked_on: string | null;
}

/** The organization's payouts, latest arrival first, with the bank line that explains each. */
export async function listPayouts(db: Kysely<Database>, organizationId: string, limit: number): Promise<PayoutRow[]> {
  return db
    .selectFrom('stripe_payouts as p')
    .leftJoin('bank_lines as b', (join) => join.onRef('b.organization_id', '=', 'p.organization_id').onRef('b.matched_payout_id', '=', 'p.id'))
    .select(['p.id', 'p.status', 'p.amount_cents', 'p.currency', 'p.arrival_date', 'b.id as bank_line_id', 'b.booked_on as bank_booked_on'])
    .where('p.organization_id', '=', organizationId)
    .orderBy('p.arrival_date', (ob) => ob.desc().nullsFirst())
    .orderBy('p.id', 'desc')
    .limit(limit)
    .execute();
}

export interface RemittanceName {
  id: string;
  employer: string;
  period_start: string;
  period_end: string;
}

/** The employer and pay period of the remittances a page names. */
export async function remittanceNames(db: Kysely<Database>, organizationId: string, ids: readonly string[]): Promise<Map<string, RemittanceName>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('remittances as r')
    .innerJoin('employers as e', (join) => join.onRef('e.organization_id', '=', 'r.organization_id').onRef('e.id', '=', 'r.employer_id'))
    .select(['r.id', 'e.name as employer', 'r.period_start', 'r.period_end'])
    .where('r.organization_id', '=', organizationId)
    .where('r.id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, Organization } from '../../db/database';
import { matchOpenLines, unmatchRemittance } from '../bank/queries';
import { ApiError } from '../http/errors';
import { postingsForRemittance, postingsForRemittanceReversal } from './postings';
import { postLedgerTransactions } from '../ledger/queries';
import { rederiveMembers } from '../members/derivation';
import { allocateManualPayment } from '../members/manual-dues';
import { todayIn } from '../organizations/calendar';
import { earlierPaymentsOf, expectedDues, periodDues, readDuesBook } from './dues';
import { remittanceExceptions, type RemittanceSummary } from './exceptions';
import type { ColumnMapping } from './mapping';
import { matchLines } from './match';
import { reverseSuspenseClearing } from './suspense';
import { flagMembersMissingTwice } from './watch';
import { readRemittance, RemittanceFileError } from './parse';
import { employerMembers, findEmployer, insertLines, lineRows, memberRefs, remittancesOfPeriod, type Employer, type Remittance, type RemittanceLineRow } from './queries';

/**
 * A remittance from upload to posting: the file read with the employer's mapping and
 * matched (nothing posted), reviewed with its exceptions, then posted on the treasurer's
 * confirmation as one ledger transaction plus a manual payment by payroll deduction per
 * member, from which their standing is derived. The same file twice is recognised; a new
 * file replaces one not yet posted; a file for a posted period is a correction, and posting
 * it reverses the posted one first.
 */

export interface UploadInput {
  organization: Organization;
  employer: Employer;
  periodStart: string;
  periodEnd: string;
  payDate: string | null;
  receivedOn: string;
  amountReceivedCents: number;
  fileName: string | null;
  bytes: Buffer;
  /** A mapping sent with the file: used, and kept as the employer's. */
  mapping: ColumnMapping | undefined;
  /** Who uploaded it; null for a file an import or a test brings. */
  staffUserId: string | null;
  at: Date;
}

export type UploadOutcome = { outcome: 'created' | 'same_file_draft' | 'already_posted'; remittance: Remittance; replaced: string | null };

export async function uploadRemittance(trx: Kysely<Database>, input: UploadInput): Promise<UploadOutcome> {
  const { organization, employer } = input;
  const mapping = input.mapping ?? employer.column_mapping;
  if (!mapping) throw new ApiError('validation_failed', `set the column mapping of ${employer.name}'s files first (send it with this file, or on the employer)`, { fields: [{ path: 'query.mapping', message: 'no column mapping is set for this employer' }] });
  const sha = createHash('sha256').update(input.bytes).digest('hex');
  const existing = await remittancesOfPeriod(trx, organization.id, employer.id, input.periodStart, input.periodEnd);
  const posted = existing.find((r) => r.status === 'posted');
  const draft = existing.find((r) => r.status === 'draft');
  if (posted && posted.file_sha256 === sha) return { outcome: 'already_posted', remittance: posted, replaced: null };
  if (draft && draft.file_sha256 === sha && draft.amount_received_cents === input.amountReceivedCents) return { outcome: 'same_file_draft', remittance: draft, replaced: null };

  let lines;
  try {
    lines = await readRemittance(input.bytes, mapping);
  } catch (error) {
    // The problem's code (and its headers or limit) let the console say it in the visitor's language.
    if (error instanceof RemittanceFileError) throw new ApiError('bad_request', error.message, { problem: error.problem, ...(error.text ? { about: error.text } : {}), ...error.details });
    throw error;
  }
  if (input.mapping) await trx.updateTable('employers').set({ column_mapping: JSON.stringify(input.mapping), updated_at: input.at }).where('organization_id', '=', organization.id).where('id', '=', employer.id).execute();
  if (draft) await trx.updateTable('remittances').set({ status: 'replaced' }).where('organization_id', '=', organization.id).where('id', '=', draft.id).execute();
  const remittance = await trx
    .insertInto('remittances')
    .values({
      organization_id: organization.id,
      employer_id: employer.id,
      period_start: input.periodStart,
      period_end: input.periodEnd,
      pay_date: input.payDate,
      received_on: input.receivedOn,
      amount_received_cents: input.amountReceivedCents,
      currency: organization.currency,
      file_name: input.fileName,
      file_sha256: sha,
      status: 'draft',
      corrects_remittance_id: posted?.id ?? null,
      uploaded_by_staff_user_id: input.staffUserId,
      created_at: input.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const matches = matchLines(lines, employer.id, await memberRefs(trx, organization.id));
  await insertLines(
    trx,
    organization.id,
    remittance.id,
    lines.map((line, i) => ({ ...line, memberId: matches[i]!.memberId, matchedBy: matches[i]!.matchedBy, proposed: matches[i]!.proposed, reason: matches[i]!.reason })),
  );
  return { outcome: 'created', remittance, replaced: draft?.id ?? null };
}

const asLine = (row: RemittanceLineRow) => ({
  row: row.row_number,
  employeeNumber: row.employee_number,
  name: row.name,
  amountCents: row.amount_cents,
  hoursHundredths: row.hours_hundredths,
  wagesCents: row.wages_cents,
  period: row.period_text,
  problem: row.problem,
});

export interface RemittanceReview {
  remittance: Remittance;
  employer: Employer;
  lines: RemittanceLineRow[];
  summary: RemittanceSummary;
}

/** The remittance with its lines and what must be seen before it is posted. */
export async function reviewRemittance(db: Kysely<Database>, remittance: Remittance): Promise<RemittanceReview> {
  const employer = (await findEmployer(db, remittance.organization_id, remittance.employer_id))!;
  const rows = await lineRows(db, remittance.organization_id, remittance.id);
  const matched = rows.flatMap((row) => (row.member_id === null ? [] : [row.member_id]));
  const book = await readDuesBook(db, remittance.organization_id, matched);
  const summary = remittanceExceptions({
    lines: rows.map(asLine),
    matches: new Map(rows.map((row) => [row.row_number, { memberId: row.member_id, proposed: row.proposed_member_ids, reason: row.proposal_reason as never }])),
    expected: expectedDues(book, matched, { start: remittance.period_start, end: remittance.period_end }),
    onDeduction: await employerMembers(db, remittance.organization_id, remittance.employer_id),
    amountReceivedCents: remittance.amount_received_cents,
  });
  return { remittance, employer, lines: rows, summary };
}

/** The manual payments a remittance made, marked reversed, and its ledger transactions (with any suspense explained) reversed; the members' standing derived again by the caller. */
async function reverseRemittance(trx: Kysely<Database>, organization: Organization, remittance: Remittance, employer: Employer, at: Date): Promise<string[]> {
  const reversed = await trx
    .updateTable('manual_payments')
    .set({ reversed_at: at })
    .where('organization_id', '=', organization.id)
    .where('remittance_id', '=', remittance.id)
    .where('reversed_at', 'is', null)
    .returning('member_id')
    .execute();
  const posted = await trx
    .selectFrom('ledger_entries as e')
    .innerJoin('ledger_transactions as t', (join) => join.onRef('t.organization_id', '=', 'e.organization_id').onRef('t.id', '=', 'e.transaction_id'))
    .innerJoin('ledger_accounts as a', (join) => join.onRef('a.organization_id', '=', 'e.organization_id').onRef('a.id', '=', 'e.account_id'))
    .select(['a.code', 'e.amount_cents'])
    .where('t.organization_id', '=', organization.id)
    .where('t.source_key', '=', `remittance:${remittance.id}`)
    .execute();
  const dues = -posted.filter((e) => e.code === 'dues_income').reduce((sum, e) => sum + Number(e.amount_cents), 0);
  await postLedgerTransactions(
    trx,
    organization.id,
    postingsForRemittanceReversal({
      remittanceId: remittance.id,
      employerName: employer.name,
      currency: remittance.currency,
      receivedOn: remittance.received_on,
      periodStart: remittance.period_start,
      periodEnd: remittance.period_end,
      amountReceivedCents: remittance.amount_received_cents,
      duesCents: dues,
      reversedOn: todayIn(organization.time_zone, at),
    }),
    at,
  );
  await reverseSuspenseClearing(trx, organization, remittance, at);
  await trx.updateTable('remittances').set({ status: 'reversed', reversed_at: at }).where('organization_id', '=', organization.id).where('id', '=', remittance.id).execute();
  // The bank line that showed its money is open again, for the corrected remittance to take.
  await unmatchRemittance(trx, organization.id, remittance.id);
  return reversed.map((row) => row.member_id);
}

export type PostOutcome = { posted: true; members: number; duesCents: number; suspenseCents: number; reversed: string | null } | { posted: false; alreadyPosted: true };

/**
 * Posts a remittance the treasurer confirmed. Each matched member's lines become one manual
 * payment by payroll deduction towards the pay period's billing periods (less than owed is
 * taken as a partial payment, more is the member's credit, as with any manual payment);
 * the remittance is one ledger transaction; members' standing is derived again. A
 * remittance already posted posts nothing.
 */
export async function postRemittance(trx: Kysely<Database>, organization: Organization, remittanceId: string, staffUserId: string, at: Date): Promise<PostOutcome> {
  const remittance = await trx.selectFrom('remittances').selectAll().where('organization_id', '=', organization.id).where('id', '=', remittanceId).forUpdate().executeTakeFirst();
  if (!remittance) throw new ApiError('not_found', 'remittance not found');
  if (remittance.status === 'posted') return { posted: false, alreadyPosted: true };
  if (remittance.status !== 'draft') throw new ApiError('conflict', `this remittance was ${remittance.status === 'replaced' ? 'replaced by a later file' : 'reversed by a corrected file'}; post the newer one`);
  const employer = (await findEmployer(trx, organization.id, remittance.employer_id))!;
  const touched = new Set<string>();
  let reversed: string | null = null;
  if (remittance.corrects_remittance_id !== null) {
    const earlier = await trx.selectFrom('remittances').selectAll().where('organization_id', '=', organization.id).where('id', '=', remittance.corrects_remittance_id).forUpdate().executeTakeFirstOrThrow();
    if (earlier.status === 'posted') {
      for (const id of await reverseRemittance(trx, organization, earlier, employer, at)) touched.add(id);
      reversed = earlier.id;
    }
  }

  const rows = await lineRows(trx, organization.id, remittance.id);
  const byMember = new Map<string, { amount: number; row: number }>();
  for (const row of rows) {
    if (row.member_id === null || row.amount_cents === null || row.amount_cents <= 0) continue;
    const seen = byMember.get(row.member_id);
    byMember.set(row.member_id, { amount: (seen?.amount ?? 0) + row.amount_cents, row: seen?.row ?? row.row_number });
  }
  const memberIds = [...byMember.keys()];
  const book = await readDuesBook(trx, organization.id, memberIds);
  const earlier = await earlierPaymentsOf(trx, organization.id, memberIds);
  const payPeriod = { start: remittance.period_start, end: remittance.period_end };
  const payments: Array<{ memberId: string; row: number; amount: number; credit: number; creditUsed: number; lines: Array<{ start: string; end: string; duesCents: number; appliedCents: number }> }> = [];
  for (const [memberId, { amount, row }] of byMember) {
    const dues = periodDues(book, memberId, payPeriod);
    const before = earlier.get(memberId)!;
    const allocation = allocateManualPayment({
      periods: dues.ok ? dues.dues : [],
      alreadyPaid: before.paid,
      paidThrough: book.members.get(memberId)?.recordedPaidThrough ?? null,
      amountCents: amount,
      creditCents: before.creditCents,
      // The treasurer saw any amount other than the dues before confirming: less is taken towards the periods.
      partial: true,
    });
    if (!allocation.ok) continue;
    payments.push({ memberId, row, amount, credit: allocation.creditCents, creditUsed: allocation.creditUsedCents, lines: allocation.lines.filter((line) => line.appliedCents > 0) });
  }

  const reference = `${employer.name} ${remittance.period_start}/${remittance.period_end}`.slice(0, 200);
  for (let at0 = 0; at0 < payments.length; at0 += 5000) {
    const chunk = payments.slice(at0, at0 + 5000);
    const { rows: inserted } = await sql<{ id: string; member_id: string }>`
      INSERT INTO manual_payments (organization_id, member_id, method, amount_cents, currency, period_start, period_end, received_on, reference, note, recorded_by_staff_user_id, partial, credit_cents, credit_used_cents, created_at, remittance_id, remittance_row)
      SELECT ${organization.id}::uuid, p.member_id, 'payroll_deduction', p.amount, ${remittance.currency}, ${remittance.period_start}::date, ${remittance.period_end}::date, ${remittance.received_on}::date,
             ${reference}, NULL, ${staffUserId}::uuid, true, p.credit, p.credit_used, ${at}::timestamptz, ${remittance.id}::uuid, p.row_number
      FROM unnest(${chunk.map((p) => p.memberId)}::uuid[], ${chunk.map((p) => p.amount)}::bigint[], ${chunk.map((p) => p.credit)}::bigint[], ${chunk.map((p) => p.creditUsed)}::bigint[], ${chunk.map((p) => p.row)}::int[])
        AS p (member_id, amount, credit, credit_used, row_number)
      RETURNING id, member_id`.execute(trx);
    const idOf = new Map(inserted.map((row) => [row.member_id, row.id]));
    const periods = chunk.flatMap((p) => p.lines.map((line) => ({ paymentId: idOf.get(p.memberId)!, memberId: p.memberId, ...line })));
    if (periods.length > 0) {
      await sql`
        INSERT INTO manual_payment_periods (organization_id, manual_payment_id, member_id, period_start, period_end, dues_cents, applied_cents)
        SELECT ${organization.id}::uuid, p.payment_id, p.member_id, p.period_start, p.period_end, p.dues, p.applied
        FROM unnest(${periods.map((p) => p.paymentId)}::uuid[], ${periods.map((p) => p.memberId)}::uuid[], ${periods.map((p) => p.start)}::date[], ${periods.map((p) => p.end)}::date[],
                    ${periods.map((p) => p.duesCents)}::bigint[], ${periods.map((p) => p.appliedCents)}::bigint[])
          AS p (payment_id, member_id, period_start, period_end, dues, applied)`.execute(trx);
    }
  }
  const duesCents = payments.reduce((sum, p) => sum + p.amount, 0);
  await postLedgerTransactions(
    trx,
    organization.id,
    postingsForRemittance({
      remittanceId: remittance.id,
      employerName: employer.name,
      currency: remittance.currency,
      receivedOn: remittance.received_on,
      periodStart: remittance.period_start,
      periodEnd: remittance.period_end,
      amountReceivedCents: remittance.amount_received_cents,
      duesCents,
    }),
    at,
  );
  await trx.updateTable('remittances').set({ status: 'posted', posted_at: at, posted_by_staff_user_id: staffUserId }).where('organization_id', '=', organization.id).where('id', '=', remittance.id).execute();
  // A corrected file for an earlier period can flag no one: only the latest pair of remittances says who stopped.
  await flagMembersMissingTwice(trx, remittance, todayIn(organization.time_zone, at), at);
  for (const p of payments) touched.add(p.memberId);
  await rederiveMembers(trx, [...touched].map((memberId) => ({ organizationId: organization.id, memberId, cause: 'payroll_remittance', causeReference: remittance.id, staffUserId })), at);
  // The employer's money is one deposit: a bank line already imported may show it.
  await matchOpenLines(trx, organization.id, at);
  return { posted: true, members: payments.length, duesCents, suspenseCents: remittance.amount_received_cents - duesCents, reversed };
}

import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { Database } from '../../db/database';
import type { EmployersTable, MemberPayrollDeductionsTable, RemittanceLinesTable, RemittancesTable } from '../../db/database-payroll';
import type { ColumnMapping } from './mapping';
import type { MemberRef } from './match';
import type { RemittanceLine } from './parse';

/** The SQL of payroll deduction: employers, who they deduct for, remittances and their lines. */

export type Employer = Selectable<EmployersTable>;
export type PayrollDeduction = Selectable<MemberPayrollDeductionsTable>;
export type Remittance = Selectable<RemittancesTable>;
export type RemittanceLineRow = Selectable<RemittanceLinesTable>;

export async function listEmployers(db: Kysely<Database>, organizationId: string): Promise<Array<Employer & { members: number }>> {
  return db
    .selectFrom('employers as e')
    .selectAll('e')
    .select((eb) =>
      eb
        .selectFrom('member_payroll_deductions as d')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('d.organization_id', '=', 'e.organization_id')
        .whereRef('d.employer_id', '=', 'e.id')
        .as('members'),
    )
    .where('e.organization_id', '=', organizationId)
    .orderBy(sql`lower(e.name)`)
    .execute() as Promise<Array<Employer & { members: number }>>;
}

export async function findEmployer(db: Kysely<Database>, organizationId: string, employerId: string): Promise<Employer | undefined> {
  return db.selectFrom('employers').selectAll().where('organization_id', '=', organizationId).where('id', '=', employerId).executeTakeFirst();
}

export async function employerNamed(db: Kysely<Database>, organizationId: string, name: string, except?: string): Promise<boolean> {
  let query = db.selectFrom('employers').select('id').where('organization_id', '=', organizationId).where(sql`lower(name)`, '=', name.toLowerCase());
  if (except) query = query.where('id', '<>', except);
  return (await query.executeTakeFirst()) !== undefined;
}

export interface EmployerFields {
  name: string;
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  payFrequency: Employer['pay_frequency'];
  worksites: string[];
  columnMapping: ColumnMapping | null;
}

const employerColumns = (fields: Partial<EmployerFields>) => ({
  ...(fields.name !== undefined && { name: fields.name }),
  ...(fields.contactName !== undefined && { contact_name: fields.contactName }),
  ...(fields.contactEmail !== undefined && { contact_email: fields.contactEmail }),
  ...(fields.contactPhone !== undefined && { contact_phone: fields.contactPhone }),
  ...(fields.payFrequency !== undefined && { pay_frequency: fields.payFrequency }),
  ...(fields.worksites !== undefined && { worksites: fields.worksites }),
  ...(fields.columnMapping !== undefined && { column_mapping: fields.columnMapping === null ? null : JSON.stringify(fields.columnMapping) }),
});

export async function insertEmployer(db: Kysely<Database>, organizationId: string, fields: EmployerFields, at: Date): Promise<Employer> {
  return db
    .insertInto('employers')
    .values({ organization_id: organizationId, name: fields.name, pay_frequency: fields.payFrequency, ...employerColumns(fields), created_at: at, updated_at: at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateEmployer(db: Kysely<Database>, organizationId: string, employerId: string, fields: Partial<EmployerFields>, at: Date): Promise<Employer | undefined> {
  return db
    .updateTable('employers')
    .set({ ...employerColumns(fields), updated_at: at })
    .where('organization_id', '=', organizationId)
    .where('id', '=', employerId)
    .returningAll()
    .executeTakeFirst();
}

export async function findDeduction(db: Kysely<Database>, organizationId: string, memberId: string): Promise<PayrollDeduction | undefined> {
  return db.selectFrom('member_payroll_deductions').selectAll().where('organization_id', '=', organizationId).where('member_id', '=', memberId).executeTakeFirst();
}

/** Another member of the employer with this employee number, if any. */
export async function employeeNumberHolder(db: Kysely<Database>, organizationId: string, employerId: string, employeeNumber: string, memberId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('member_payroll_deductions')
    .select('member_id')
    .where('organization_id', '=', organizationId)
    .where('employer_id', '=', employerId)
    .where('employee_number', '=', employeeNumber)
    .where('member_id', '<>', memberId)
    .executeTakeFirst();
  return row?.member_id;
}

export async function setDeduction(db: Kysely<Database>, organizationId: string, memberId: string, employerId: string, employeeNumber: string | null, at: Date): Promise<PayrollDeduction> {
  return db
    .insertInto('member_payroll_deductions')
    .values({ organization_id: organizationId, member_id: memberId, employer_id: employerId, employee_number: employeeNumber, created_at: at, updated_at: at })
    .onConflict((oc) => oc.columns(['organization_id', 'member_id']).doUpdateSet({ employer_id: employerId, employee_number: employeeNumber, updated_at: at }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function endDeduction(db: Kysely<Database>, organizationId: string, memberId: string): Promise<boolean> {
  const result = await db.deleteFrom('member_payroll_deductions').where('organization_id', '=', organizationId).where('member_id', '=', memberId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Every member of the organization as the matcher sees them: name, and employer and number where their dues are deducted. */
export async function memberRefs(db: Kysely<Database>, organizationId: string): Promise<MemberRef[]> {
  const { rows } = await sql<{ id: string; name: string; employer_id: string | null; employee_number: string | null }>`
    SELECT m.id, m.name, d.employer_id, d.employee_number
    FROM members m LEFT JOIN member_payroll_deductions d ON d.organization_id = m.organization_id AND d.member_id = m.id
    WHERE m.organization_id = ${organizationId}`.execute(db);
  return rows.map((row) => ({ id: row.id, name: row.name, employerId: row.employer_id, employeeNumber: row.employee_number }));
}

/** The members an employer deducts for, by name. */
export async function employerMembers(db: Kysely<Database>, organizationId: string, employerId: string): Promise<Array<{ id: string; name: string; employeeNumber: string | null }>> {
  const { rows } = await sql<{ id: string; name: string; employee_number: string | null }>`
    SELECT m.id, m.name, d.employee_number
    FROM member_payroll_deductions d JOIN members m ON m.organization_id = d.organization_id AND m.id = d.member_id
    WHERE d.organization_id = ${organizationId} AND d.employer_id = ${employerId}
    ORDER BY m.name, m.id`.execute(db);
  return rows.map((row) => ({ id: row.id, name: row.name, employeeNumber: row.employee_number }));
}

export async function findRemittance(db: Kysely<Database>, organizationId: string, remittanceId: string, forUpdate = false): Promise<Remittance | undefined> {
  let query = db.selectFrom('remittances').selectAll().where('organization_id', '=', organizationId).where('id', '=', remittanceId);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function listRemittances(db: Kysely<Database>, organizationId: string, employerId?: string): Promise<Array<Remittance & { employer_name: string; lines_total_cents: number; lines: number }>> {
  let query = db
    .selectFrom('remittances as r')
    .innerJoin('employers as e', (join) => join.onRef('e.organization_id', '=', 'r.organization_id').onRef('e.id', '=', 'r.employer_id'))
    .selectAll('r')
    .select('e.name as employer_name')
    .select(sql<number>`(SELECT coalesce(sum(l.amount_cents), 0) FROM remittance_lines l WHERE l.organization_id = r.organization_id AND l.remittance_id = r.id)::bigint`.as('lines_total_cents'))
    .select(sql<number>`(SELECT count(*) FROM remittance_lines l WHERE l.organization_id = r.organization_id AND l.remittance_id = r.id)::int`.as('lines'))
    .where('r.organization_id', '=', organizationId);
  if (employerId) query = query.where('r.employer_id', '=', employerId);
  return query.orderBy('r.period_end', 'desc').orderBy('r.created_at', 'desc').limit(200).execute();
}

/** The remittances of an employer and pay period awaiting posting or posted, locked against a concurrent upload. */
export async function remittancesOfPeriod(trx: Kysely<Database>, organizationId: string, employerId: string, periodStart: string, periodEnd: string): Promise<Remittance[]> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`remittance:${organizationId}:${employerId}:${periodStart}:${periodEnd}`}, 0))`.execute(trx);
  return trx
    .selectFrom('remittances')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('employer_id', '=', employerId)
    .where('period_start', '=', periodStart)
    .where('period_end', '=', periodEnd)
    .where('status', 'in', ['draft', 'posted'])
    .execute();
}

export async function lineRows(db: Kysely<Database>, organizationId: string, remittanceId: string): Promise<RemittanceLineRow[]> {
  return db.selectFrom('remittance_lines').selectAll().where('organization_id', '=', organizationId).where('remittance_id', '=', remittanceId).orderBy('row_number').execute();
}

export interface LineToInsert extends RemittanceLine {
  memberId: string | null;
  matchedBy: RemittanceLineRow['matched_by'];
  proposed: string[];
  reason: string | null;
}

/** A remittance's lines in one statement per few thousand (unnest keeps the parameters few). */
export async function insertLines(trx: Kysely<Database>, organizationId: string, remittanceId: string, lines: readonly LineToInsert[]): Promise<void> {
  for (let at = 0; at < lines.length; at += 5000) {
    const chunk = lines.slice(at, at + 5000);
    const column = <T>(pick: (line: LineToInsert) => T) => chunk.map(pick);
    await sql`
      INSERT INTO remittance_lines (organization_id, remittance_id, row_number, employee_number, name, amount_cents, hours_hundredths, wages_cents, period_text, problem, member_id, matched_by, proposed_member_ids, proposal_reason)
      SELECT ${organizationId}::uuid, ${remittanceId}::uuid, l.row_number, l.employee_number, l.name, l.amount_cents, l.hours, l.wages, l.period_text, l.problem, l.member_id, l.matched_by,
             CASE WHEN l.proposed = '' THEN '{}'::uuid[] ELSE string_to_array(l.proposed, ',')::uuid[] END, l.reason
      FROM unnest(${column((l) => l.row)}::int[], ${column((l) => l.employeeNumber)}::text[], ${column((l) => l.name)}::text[], ${column((l) => l.amountCents)}::bigint[],
                  ${column((l) => l.hoursHundredths)}::bigint[], ${column((l) => l.wagesCents)}::bigint[], ${column((l) => l.period)}::text[], ${column((l) => l.problem)}::text[],
                  ${column((l) => l.memberId)}::uuid[], ${column((l) => l.matchedBy)}::text[], ${column((l) => l.proposed.join(','))}::text[], ${column((l) => l.reason)}::text[])
        AS l (row_number, employee_number, name, amount_cents, hours, wages, period_text, problem, member_id, matched_by, proposed, reason)`.execute(trx);
  }
}

export async function setLineMember(db: Kysely<Database>, organizationId: string, remittanceId: string, row: number, memberId: string): Promise<boolean> {
  const result = await db
    .updateTable('remittance_lines')
    .set({ member_id: memberId, matched_by: 'treasurer' })
    .where('organization_id', '=', organizationId)
    .where('remittance_id', '=', remittanceId)
    .where('row_number', '=', row)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Names of the members a remittance's review mentions. */
export async function memberNames(db: Kysely<Database>, organizationId: string, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; name: string }>`SELECT id, name FROM members WHERE organization_id = ${organizationId} AND id = ANY(${[...new Set(ids)]}::uuid[])`.execute(db);
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** The member of the organization with this email (a treasurer naming the member an unmatched line is). */
export async function memberIdByEmail(db: Kysely<Database>, organizationId: string, email: string): Promise<string | undefined> {
  const row = await db.selectFrom('members').select('id').where('organization_id', '=', organizationId).where(sql<boolean>`lower(email) = ${email.toLowerCase()}`).executeTakeFirst();
  return row?.id;
}

// The ledger transactions of a remittance, by their source keys (the ledger's unique index finds them).
const remittanceKeys = (id: RawBuilder<unknown>) => sql`ARRAY['remittance:' || ${id}, 'remittance:' || ${id} || ':reversal', 'remittance:' || ${id} || ':suspense', 'remittance:' || ${id} || ':suspense:reversal']`;

/**
 * What a remittance holds in payroll suspense now, from the ledger (positive for money
 * received beyond its lines), and what its explanation cleared out of suspense.
 */
export async function remittanceSuspense(db: Kysely<Database>, organizationId: string, remittanceId: string): Promise<{ heldCents: number; clearedCents: number }> {
  const { rows } = await sql<{ held: number; cleared: number }>`
    SELECT coalesce(-sum(e.amount_cents), 0)::bigint AS held, coalesce(sum(e.amount_cents) FILTER (WHERE t.source_key = ${`remittance:${remittanceId}:suspense`}), 0)::bigint AS cleared
    FROM ledger_transactions t
    JOIN ledger_entries e ON e.organization_id = t.organization_id AND e.transaction_id = t.id
    JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
    WHERE t.organization_id = ${organizationId} AND t.source_key = ANY(${remittanceKeys(sql`${remittanceId}::text`)}) AND a.code = 'payroll_suspense'`.execute(db);
  return { heldCents: Number(rows[0]!.held), clearedCents: Number(rows[0]!.cleared) };
}

export interface UnexplainedSuspense {
  remittanceId: string;
  employerName: string;
  currency: string;
  heldCents: number;
}

/**
 * The remittances posted in a period (by the ledger date of their posting, from and until as
 * instants) that still hold payroll suspense: a month cannot close with them.
 */
export async function unexplainedSuspense(db: Kysely<Database>, organizationId: string, from: RawBuilder<unknown>, until: RawBuilder<unknown>): Promise<UnexplainedSuspense[]> {
  const { rows } = await sql<{ id: string; employer_name: string; currency: string; held: number }>`
    SELECT r.id, em.name AS employer_name, r.currency, -sum(e.amount_cents)::bigint AS held
    FROM remittances r
    JOIN employers em ON em.organization_id = r.organization_id AND em.id = r.employer_id
    JOIN ledger_transactions p ON p.organization_id = r.organization_id AND p.source_key = 'remittance:' || r.id::text
    JOIN ledger_transactions t ON t.organization_id = r.organization_id AND t.source_key = ANY(${remittanceKeys(sql`r.id::text`)})
    JOIN ledger_entries e ON e.organization_id = t.organization_id AND e.transaction_id = t.id
    JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id AND a.code = 'payroll_suspense'
    WHERE r.organization_id = ${organizationId} AND r.status IN ('posted', 'reversed') AND p.occurred_at >= ${from} AND p.occurred_at < ${until}
    GROUP BY r.id, em.name, r.currency, r.received_on
    HAVING sum(e.amount_cents) <> 0
    ORDER BY r.received_on, em.name, r.id`.execute(db);
  return rows.map((row) => ({ remittanceId: row.id, employerName: row.employer_name, currency: row.currency, heldCents: Number(row.held) }));
}

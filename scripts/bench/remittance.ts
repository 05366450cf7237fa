/**
 * Remittance benchmark: a 20,000-line payroll remittance for a 100,000-member organization
 * (25,000 of them on deduction with the employer). Times reading the file, matching it and
 * listing its exceptions (the upload and the review a treasurer sees), then posting it
 * (one ledger transaction, a manual payment per member, standing derived for each).
 *
 *   npm run bench:remittance -- [--members 100000] [--lines 20000]
 *
 * Uses DATABASE_URL's server when set, otherwise an embedded PostgreSQL; the benchmark
 * database is dropped at the end. Aims: upload and review under 5 s, posting under 10 s.
 */
import { sql } from 'kysely';
import type { Organization } from '../../db/database';
import {} from '../../db/database-payroll';
import { checkLedger } from '../../src/ledger/check';
import { readRemittance } from '../../src/payroll/parse';
import { matchLines } from '../../src/payroll/match';
import { memberRefs } from '../../src/payroll/queries';
import { postRemittance, reviewRemittance, uploadRemittance } from '../../src/payroll/remittances';
import { benchDatabase, flag } from './support';

const MEMBERS = flag('members', 100_000);
const LINES = flag('lines', 20_000);
const ON_DEDUCTION = Math.min(MEMBERS, Math.round(LINES * 1.25));
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const now = new Date('2026-11-24T15:00:00Z');
const MAPPING = { employeeNumber: 'Employee ID', name: 'Employee Name', amount: 'Union Dues', wages: 'Gross Wages' };

async function main() {
  const bench = await benchDatabase();
  const { db } = bench;
  try {
    const organization = (await db
      .insertInto('organizations')
      .values({ slug: 'bench-checkoff', name: 'Bench Checkoff Local', time_zone: 'America/Chicago', currency: 'usd', settings: '{}', created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow()) as Organization;
    const staff = await db.insertInto('staff_users').values({ email: 'treasurer@bench.example', name: 'Treasurer', created_at: now }).returning('id').executeTakeFirstOrThrow();
    const plan = await db.insertInto('plans').values({ organization_id: organization.id, name: 'Regular', member_class: 'regular', currency: 'usd', billing_interval: 'month', status: 'active', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await db
      .insertInto('plan_versions')
      .values({ organization_id: organization.id, plan_id: plan.id, version: 1, effective_from: '2026-01-01', amount_rule: JSON.stringify({ kind: 'flat', amountCents: 2500 }), initiation_fee_cents: null, authorization_note: 'vote', created_at: now })
      .execute();
    const employer = await db.insertInto('employers').values({ organization_id: organization.id, name: 'Metro Transit', pay_frequency: 'monthly', column_mapping: JSON.stringify(MAPPING), created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
    let started = process.hrtime.bigint();
    await sql`
      INSERT INTO members (organization_id, name, email, plan_id, wage_facts, standing, recorded_paid_through, paid_through, created_at, updated_at, standing_changed_at)
      SELECT ${organization.id}::uuid, 'Member ' || k || ' ' || (ARRAY['Garcia','Smith','Nguyen','Okafor','Tremblay'])[1 + k % 5], 'm' || k || '@bench.example', ${plan.id}::uuid, '{}'::jsonb, 'active',
             DATE '2026-10-31', DATE '2026-10-31', ${now}::timestamptz, ${now}::timestamptz, ${now}::timestamptz
      FROM generate_series(1, ${MEMBERS}::int) k`.execute(db);
    await sql`
      INSERT INTO member_payroll_deductions (organization_id, member_id, employer_id, employee_number, created_at, updated_at)
      SELECT organization_id, id, ${employer.id}::uuid, 'E' || lpad(split_part(email, '@', 1)::text, 7, '0'), ${now}::timestamptz, ${now}::timestamptz
      FROM members WHERE organization_id = ${organization.id} ORDER BY email LIMIT ${ON_DEDUCTION}`.execute(db);
    await sql`ANALYZE`.execute(db);
    const people = await sql<{ name: string; employee_number: string }>`
      SELECT m.name, d.employee_number FROM member_payroll_deductions d JOIN members m ON m.organization_id = d.organization_id AND m.id = d.member_id
      WHERE d.organization_id = ${organization.id} ORDER BY d.employee_number LIMIT ${LINES}`.execute(db);
    console.log(`generated ${MEMBERS} members, ${ON_DEDUCTION} on deduction with the employer, in ${seconds(started).toFixed(1)} s`);

    // The file: most lines by number; some with the number missing (matched by name), some strangers, some at an old rate.
    const rows = ['Employee ID,Employee Name,Union Dues,Gross Wages'];
    let total = 0;
    people.rows.forEach((p, i) => {
      const stranger = i % 400 === 399;
      const amount = i % 250 === 0 ? 2000 : 2500;
      total += amount;
      const number = stranger ? `X${i}` : i % 200 === 7 ? '' : p.employee_number;
      rows.push(`${number},"${stranger ? `Stranger ${i}` : p.name}",${(amount / 100).toFixed(2)},"2,400.00"`);
    });
    rows.push(`TOTAL,,${(total / 100).toFixed(2)},`);
    const bytes = Buffer.from(rows.join('\n'));
    console.log(`file: ${LINES} lines, ${(bytes.length / 1024).toFixed(0)} KB`);

    started = process.hrtime.bigint();
    const lines = await readRemittance(bytes, MAPPING);
    const parsed = seconds(started);
    started = process.hrtime.bigint();
    const refs = await memberRefs(db, organization.id);
    const matches = matchLines(lines, employer.id, refs);
    const matched = seconds(started);
    console.log(`  parse alone ${parsed.toFixed(2)} s; read ${refs.length} members and match alone ${matched.toFixed(2)} s (${matches.filter((m) => m.memberId).length} matched)`);

    started = process.hrtime.bigint();
    const upload = await db.transaction().execute((trx) =>
      uploadRemittance(trx, { organization, employer, periodStart: '2026-11-01', periodEnd: '2026-11-30', payDate: null, receivedOn: '2026-11-20', amountReceivedCents: total + 1000, fileName: 'bench.csv', bytes, mapping: undefined, staffUserId: staff.id, at: now }),
    );
    const uploaded = seconds(started);
    const review = await reviewRemittance(db, upload.remittance);
    const reviewed = seconds(started);
    const byKind = new Map<string, number>();
    for (const e of review.summary.exceptions) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
    console.log(`upload (parse, match, ${LINES} lines written) ${uploaded.toFixed(2)} s; with the review (exceptions listed) ${reviewed.toFixed(2)} s  [aim < 5 s] ${reviewed < 5 ? 'OK' : 'SLOW'}`);
    console.log(`  exceptions: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);

    started = process.hrtime.bigint();
    const posted = await db.transaction().execute((trx) => postRemittance(trx, organization, upload.remittance.id, staff.id, now));
    const postedIn = seconds(started);
    if (!posted.posted) throw new Error('not posted');
    console.log(`post (${posted.members} members' payments, one ledger transaction, standing derived) ${postedIn.toFixed(2)} s  [aim < 10 s] ${postedIn < 10 ? 'OK' : 'SLOW'}`);
    started = process.hrtime.bigint();
    const again = await db.transaction().execute((trx) => postRemittance(trx, organization, upload.remittance.id, staff.id, now));
    console.log(`post again: ${again.posted ? 'POSTED TWICE' : 'nothing posted'} in ${seconds(started).toFixed(2)} s`);
    const problems = await checkLedger(db, organization.id);
    const paid = await sql<{ n: number }>`SELECT count(*)::int AS n FROM members WHERE organization_id = ${organization.id} AND paid_through = DATE '2026-11-30'`.execute(db);
    console.log(`ledger checks: ${problems.length === 0 ? 'pass' : `${problems.length} problems`}; members paid through November: ${paid.rows[0]!.n}`);
  } finally {
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

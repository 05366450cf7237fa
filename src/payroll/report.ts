import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { expectedDues, readDuesBook } from './dues';
import { employerMembers, listRemittances } from './queries';

/**
 * Per employer and pay period: what we expected (the dues of the members the employer
 * deducts for now, for that period), what the file remitted, what was received, and how
 * late the money came (pay date to receipt). Remittances replaced or reversed are left out.
 */
export interface EmployerReportRow {
  remittanceId: string;
  periodStart: string;
  periodEnd: string;
  status: 'draft' | 'posted';
  expectedCents: number;
  /** Members whose dues for the period cannot be worked out (no plan, a period the plan does not bill by): not in the expected figure. */
  expectedUnknown: number;
  remittedCents: number;
  receivedCents: number;
  payDate: string | null;
  receivedOn: string;
  /** Days from the pay date to the receipt; null without a pay date. */
  daysToReceipt: number | null;
}

const dayNumber = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;

export async function employerReport(db: Kysely<Database>, organizationId: string, employerId: string): Promise<EmployerReportRow[]> {
  const remittances = (await listRemittances(db, organizationId, employerId)).filter((r) => r.status === 'draft' || r.status === 'posted');
  const members = (await employerMembers(db, organizationId, employerId)).map((m) => m.id);
  const book = await readDuesBook(db, organizationId, members);
  return remittances.map((r) => {
    const expected = [...expectedDues(book, members, { start: r.period_start, end: r.period_end }).values()];
    return {
      remittanceId: r.id,
      periodStart: r.period_start,
      periodEnd: r.period_end,
      status: r.status as 'draft' | 'posted',
      expectedCents: expected.reduce((sum, e) => sum + (e.ok ? e.cents : 0), 0),
      expectedUnknown: expected.filter((e) => !e.ok).length,
      remittedCents: Number(r.lines_total_cents),
      receivedCents: r.amount_received_cents,
      payDate: r.pay_date,
      receivedOn: r.received_on,
      daysToReceipt: r.pay_date === null ? null : dayNumber(r.received_on) - dayNumber(r.pay_date),
    };
  });
}

import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { BillingPeriod, WageFacts } from '../plans/dues';
import { versionsByPlan } from '../plans/queries';
import { billingPeriods, duesOfPeriods, periodKey, type Period, type PeriodDues, type RateVersion } from '../members/manual-dues';
import type { DuesExpectation } from './exceptions';

/**
 * What a pay period owes for each member: the plan's billing periods that make up the pay
 * period, each at the rate in force when it begins, as a manual payment names them. Read
 * for many members at once (a remittance can hold tens of thousands of lines).
 */

export interface MemberDuesFacts {
  id: string;
  planId: string | null;
  wageFacts: WageFacts;
  recordedPaidThrough: string | null;
}

interface PlanTerms {
  billing: BillingPeriod;
  versions: RateVersion[];
}

export interface DuesBook {
  members: Map<string, MemberDuesFacts>;
  plans: Map<string, PlanTerms>;
}

export async function readDuesBook(db: Kysely<Database>, organizationId: string, memberIds: readonly string[]): Promise<DuesBook> {
  const ids = [...new Set(memberIds)];
  const members = new Map<string, MemberDuesFacts>();
  if (ids.length > 0) {
    const { rows } = await sql<{ id: string; plan_id: string | null; wage_facts: WageFacts; recorded_paid_through: string | null }>`
      SELECT id, plan_id, wage_facts, recorded_paid_through FROM members WHERE organization_id = ${organizationId} AND id = ANY(${ids}::uuid[])`.execute(db);
    for (const row of rows) members.set(row.id, { id: row.id, planId: row.plan_id, wageFacts: row.wage_facts, recordedPaidThrough: row.recorded_paid_through });
  }
  const planIds = [...new Set([...members.values()].flatMap((m) => (m.planId === null ? [] : [m.planId])))];
  const plans = new Map<string, PlanTerms>();
  if (planIds.length > 0) {
    const planRows = await db.selectFrom('plans').select(['id', 'billing_interval', 'billing_interval_count']).where('organization_id', '=', organizationId).where('id', 'in', planIds).execute();
    const versions = await versionsByPlan(db, organizationId, planIds);
    for (const plan of planRows) {
      plans.set(plan.id, {
        billing: { interval: plan.billing_interval, intervalCount: plan.billing_interval_count },
        versions: (versions.get(plan.id) ?? []).map((v) => ({ effectiveFrom: v.effective_from, rule: v.amount_rule })),
      });
    }
  }
  return { members, plans };
}

/** The dues of the billing periods the pay period is made of, or why they cannot be worked out. */
export function periodDues(book: DuesBook, memberId: string, payPeriod: Period): { ok: true; dues: PeriodDues[] } | { ok: false; message: string } {
  const member = book.members.get(memberId);
  if (!member || member.planId === null) return { ok: false, message: 'the member has no dues plan' };
  const plan = book.plans.get(member.planId);
  if (!plan) return { ok: false, message: 'the member has no dues plan' };
  const periods = billingPeriods(payPeriod, plan.billing);
  if (!periods.ok) return { ok: false, message: periods.message };
  return duesOfPeriods(periods.periods, plan.versions, plan.billing, member.wageFacts);
}

export function expectedDues(book: DuesBook, memberIds: readonly string[], payPeriod: Period): Map<string, DuesExpectation> {
  const expected = new Map<string, DuesExpectation>();
  for (const id of new Set(memberIds)) {
    const dues = periodDues(book, id, payPeriod);
    expected.set(id, dues.ok ? { ok: true, cents: dues.dues.reduce((sum, period) => sum + period.duesCents, 0) } : { ok: false, message: dues.message });
  }
  return expected;
}

/** What earlier manual payments (not reversed) paid towards each period, and the credit left, for many members in two statements. */
export async function earlierPaymentsOf(db: Kysely<Database>, organizationId: string, memberIds: readonly string[]): Promise<Map<string, { paid: Map<string, number>; creditCents: number }>> {
  const ids = [...new Set(memberIds)];
  const result = new Map(ids.map((id) => [id, { paid: new Map<string, number>(), creditCents: 0 }]));
  if (ids.length === 0) return result;
  const { rows: periods } = await sql<{ member_id: string; period_start: string; period_end: string; applied: number }>`
    SELECT pp.member_id, pp.period_start, pp.period_end, sum(pp.applied_cents)::bigint AS applied
    FROM manual_payment_periods pp JOIN manual_payments p ON p.organization_id = pp.organization_id AND p.id = pp.manual_payment_id
    WHERE pp.organization_id = ${organizationId} AND pp.member_id = ANY(${ids}::uuid[]) AND p.reversed_at IS NULL
    GROUP BY pp.member_id, pp.period_start, pp.period_end`.execute(db);
  for (const row of periods) result.get(row.member_id)!.paid.set(periodKey({ start: row.period_start, end: row.period_end }), Number(row.applied));
  const { rows: credits } = await sql<{ member_id: string; credit: number }>`
    SELECT member_id, sum(credit_cents - credit_used_cents)::bigint AS credit FROM manual_payments
    WHERE organization_id = ${organizationId} AND member_id = ANY(${ids}::uuid[]) AND reversed_at IS NULL GROUP BY member_id`.execute(db);
  for (const row of credits) result.get(row.member_id)!.creditCents = Number(row.credit);
  return result;
}

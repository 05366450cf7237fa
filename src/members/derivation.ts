import { sql, type Kysely } from 'kysely';
import type { Database, ManualPaymentMethod, Standing, StandingDecision } from '../../db/database';
import { todayIn } from '../organizations/calendar';
import { policyFrom, type Exemption, type RetentionPolicy } from '../retention/policy';
import { deriveStanding, type CheckoutFact, type DerivedStanding, type InvoiceFact, type PaymentFact, type StandingFacts } from './derive';

/**
 * Reads members' facts, derives their standing (deriveStanding) and writes what changed
 * with its cause: a fixed number of statements however many members, so the webhook
 * processor can do it once per batch for every member the batch touched.
 */

export interface DerivationCause {
  /** 'stripe_event', 'manual_payment', 'import', 'staff', 'outreach', 'exemption', ... */
  cause: string;
  /** What explains it: a Stripe event id, a payment id, an officer's reason. */
  causeReference?: string | null | undefined;
  staffUserId?: string | null | undefined;
}

export interface DerivationTarget extends DerivationCause {
  organizationId: string;
  memberId: string;
  /** Facts that replace the stored ones for this derivation (an officer reinstating a member replaces the standing they were out in). */
  override?: Partial<StandingFacts> | undefined;
}

export interface Derivation {
  organizationId: string;
  memberId: string;
  from: Standing;
  derived: DerivedStanding;
  /** The standing changed, and a history row was written. */
  changed: boolean;
}

interface FactsRow {
  organization_id: string;
  id: string;
  standing: Standing;
  standing_decision: StandingDecision | null;
  recorded_paid_through: string | null;
  paid_through: string | null;
  joined_on: string | null;
  standing_reason: string | null;
  standing_reason_since: string | null;
  time_zone: string;
  policy: Record<string, unknown> | null;
  exemptions: Exemption[];
  invoices: InvoiceFact[];
  payments: Array<Omit<PaymentFact, 'dispute'> & { dispute: PaymentFact['dispute'] | null }>;
  manual_periods: Array<{ start: string; end: string; duesCents: number; appliedCents: number; method: ManualPaymentMethod }>;
  subscription_statuses: string[];
  checkout: { createdAt: string; paymentStatus: string; asyncResult: 'succeeded' | 'failed' | null } | null;
  checkout_started_at: string | null;
}

/**
 * Every fact deriveStanding reads, for the given members, in one statement: the member
 * row (recorded paid-through, the officer's decision, the standing they are in), their
 * organization's zone and policy, exemptions, Stripe invoices, card and bank payments with
 * their refunds, reversals and disputes (from the ledger and the dispute mirror), manual
 * payments by period, subscriptions, and the signup's checkout.
 */
async function readFacts(trx: Kysely<Database>, targets: ReadonlyArray<{ organizationId: string; memberId: string }>): Promise<FactsRow[]> {
  const { rows } = await sql<FactsRow>`
    SELECT m.organization_id, m.id, m.standing, m.standing_decision, m.recorded_paid_through, m.paid_through, m.joined_on,
           m.standing_reason, m.standing_reason_since, o.time_zone, rp.policy,
           coalesce((SELECT json_agg(json_build_object('kind', e.kind, 'startsOn', e.starts_on, 'endsOn', e.ends_on) ORDER BY e.starts_on)
                     FROM member_exemptions e WHERE e.organization_id = m.organization_id AND e.member_id = m.id), '[]'::json) AS exemptions,
           coalesce((SELECT json_agg(json_build_object('id', i.id, 'status', i.status, 'periodStart', i.period_start, 'periodEnd', i.period_end, 'attemptCount', i.attempt_count) ORDER BY i.id)
                     FROM stripe_invoices i WHERE i.organization_id = m.organization_id AND i.member_id = m.id), '[]'::json) AS invoices,
           coalesce((SELECT json_agg(json_build_object('chargeId', c.charge_id, 'invoiceId', c.invoice_id, 'amountCents', c.amount, 'refundedCents', c.refunded,
                                                       'failedAfterSuccess', c.reversed, 'dispute', d.outcome) ORDER BY c.charge_id)
                     FROM (SELECT t.stripe_charge_id AS charge_id,
                                  max(t.stripe_invoice_id) FILTER (WHERE t.kind IN ('dues_payment', 'initiation_fee')) AS invoice_id,
                                  coalesce(sum(t.gross_cents) FILTER (WHERE t.kind IN ('dues_payment', 'initiation_fee')), 0) AS amount,
                                  coalesce(-sum(t.gross_cents) FILTER (WHERE t.kind = 'refund'), 0) AS refunded,
                                  coalesce(bool_or(t.kind = 'payment_reversal'), false) AS reversed
                           FROM ledger_transactions t
                           WHERE t.organization_id = m.organization_id AND t.member_id = m.id AND t.stripe_charge_id IS NOT NULL
                           GROUP BY t.stripe_charge_id) c
                     LEFT JOIN LATERAL (
                       SELECT CASE WHEN bool_or(d.status = 'lost') THEN 'lost' WHEN bool_or(d.status = 'won') THEN 'won' ELSE 'open' END AS outcome
                       FROM stripe_disputes d WHERE d.organization_id = m.organization_id AND d.member_id = m.id AND d.charge_id = c.charge_id
                       HAVING count(*) > 0) d ON true
                     WHERE c.amount > 0), '[]'::json) AS payments,
           coalesce((SELECT json_agg(json_build_object('start', pp.period_start, 'end', pp.period_end, 'duesCents', pp.dues_cents, 'appliedCents', pp.applied_cents, 'method', p.method) ORDER BY pp.period_start)
                     FROM manual_payment_periods pp
                     JOIN manual_payments p ON p.organization_id = pp.organization_id AND p.id = pp.manual_payment_id
                     WHERE pp.organization_id = m.organization_id AND pp.member_id = m.id AND p.reversed_at IS NULL), '[]'::json) AS manual_periods,
           coalesce((SELECT json_agg(s.status ORDER BY s.id) FROM stripe_subscriptions s WHERE s.organization_id = m.organization_id AND s.member_id = m.id), '[]'::json) AS subscription_statuses,
           (SELECT json_build_object('createdAt', c.completed_at, 'paymentStatus', c.payment_status, 'asyncResult', c.async_result)
            FROM stripe_checkout_sessions c WHERE c.organization_id = m.organization_id AND c.member_id = m.id
            ORDER BY c.completed_at DESC, c.id DESC LIMIT 1) AS checkout,
           (SELECT max(sc.accepted_at) FROM signup_consents sc WHERE sc.organization_id = m.organization_id AND sc.member_id = m.id) AS checkout_started_at
    FROM unnest(${targets.map((t) => t.organizationId)}::uuid[], ${targets.map((t) => t.memberId)}::uuid[]) AS wanted (organization_id, id)
    JOIN members m ON m.organization_id = wanted.organization_id AND m.id = wanted.id
    JOIN organizations o ON o.id = m.organization_id
    LEFT JOIN retention_policies rp ON rp.organization_id = m.organization_id`.execute(trx);
  return rows;
}

function factsOf(row: FactsRow): StandingFacts {
  const day = (at: string | Date | null) => (at === null ? null : todayIn(row.time_zone, new Date(at)));
  const checkout: CheckoutFact | null =
    row.checkout === null && row.checkout_started_at === null
      ? null
      : {
          startedOn: day(row.checkout_started_at),
          completedOn: row.checkout ? day(row.checkout.createdAt) : null,
          paymentStatus: row.checkout?.paymentStatus ?? null,
          asyncResult: row.checkout?.asyncResult ?? null,
        };
  return {
    current: row.standing,
    decision: row.standing_decision,
    recordedPaidThrough: row.recorded_paid_through,
    exemptions: row.exemptions,
    invoices: row.invoices,
    payments: row.payments.map((payment) => ({ ...payment, dispute: payment.dispute ?? 'none' })),
    manualPeriods: row.manual_periods,
    subscriptionStatuses: row.subscription_statuses,
    checkout,
  };
}

const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null || a <= b ? a : b);

/** What the standing function says of each member named, from their stored facts, on today's date in their organization's zone; nothing written. */
export async function deriveMembers(trx: Kysely<Database>, targets: readonly DerivationTarget[], now: Date): Promise<Array<Derivation & { stored: FactsRow }>> {
  const byMember = new Map<string, DerivationTarget>();
  for (const target of targets) byMember.set(`${target.organizationId}/${target.memberId}`, target);
  if (byMember.size === 0) return [];
  const rows = await readFacts(trx, [...byMember.values()]);
  const policies = new Map<string, RetentionPolicy>();
  return rows.map((row) => {
    const target = byMember.get(`${row.organization_id}/${row.id}`)!;
    let policy = policies.get(row.organization_id);
    if (!policy) policies.set(row.organization_id, (policy = policyFrom(row.policy ?? undefined)));
    const derived = deriveStanding({ ...factsOf(row), ...target.override }, policy, todayIn(row.time_zone, now));
    return { organizationId: row.organization_id, memberId: row.id, from: row.standing, derived, changed: derived.standing !== row.standing, stored: row };
  });
}

/**
 * Derives the standing of each member named (each once; the last cause given for a member
 * is the one recorded) on today's date in their organization's zone, and writes the
 * members whose standing, paid-through date, joining day or reason changed (one
 * statement), with a history row for each change of standing (one more).
 */
export async function rederiveMembers(trx: Kysely<Database>, targets: readonly DerivationTarget[], now: Date): Promise<Derivation[]> {
  const byMember = new Map<string, DerivationTarget>();
  for (const target of targets) byMember.set(`${target.organizationId}/${target.memberId}`, target);
  const results: Derivation[] = [];
  const writes: Array<{ row: FactsRow; derived: DerivedStanding; joinedOn: string | null }> = [];
  const history: Array<{ target: DerivationTarget; from: Standing; derived: DerivedStanding }> = [];
  for (const { stored: row, ...derivation } of await deriveMembers(trx, [...byMember.values()], now)) {
    const { derived, changed } = derivation;
    const joinedOn = earlier(row.joined_on, derived.firstPaidOn);
    results.push(derivation);
    if (changed || derived.paidThrough !== row.paid_through || joinedOn !== row.joined_on || derived.reason !== row.standing_reason || derived.reasonSince !== row.standing_reason_since) {
      writes.push({ row, derived, joinedOn });
    }
    if (changed) history.push({ target: byMember.get(`${row.organization_id}/${row.id}`)!, from: row.standing, derived });
  }
  if (writes.length > 0) {
    // Members in key order, so that two writers lock them in the same order.
    writes.sort((a, b) => (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
    await sql`
      UPDATE members m
      SET standing = c.standing, paid_through = c.paid_through, joined_on = c.joined_on, standing_reason = c.reason, standing_reason_since = c.reason_since,
          standing_changed_at = CASE WHEN m.standing IS DISTINCT FROM c.standing THEN ${now}::timestamptz ELSE m.standing_changed_at END,
          updated_at = ${now}::timestamptz
      FROM unnest(${writes.map((w) => w.row.organization_id)}::uuid[], ${writes.map((w) => w.row.id)}::uuid[], ${writes.map((w) => w.derived.standing)}::text[],
                  ${writes.map((w) => w.derived.paidThrough)}::date[], ${writes.map((w) => w.joinedOn)}::date[], ${writes.map((w) => w.derived.reason)}::text[],
                  ${writes.map((w) => w.derived.reasonSince)}::date[])
        AS c (organization_id, id, standing, paid_through, joined_on, reason, reason_since)
      WHERE m.organization_id = c.organization_id AND m.id = c.id`.execute(trx);
  }
  if (history.length > 0) {
    await trx
      .insertInto('member_standing_changes')
      .values(
        history.map(({ target, from, derived }) => ({
          organization_id: target.organizationId,
          member_id: target.memberId,
          from_standing: from,
          to_standing: derived.standing,
          cause: target.cause,
          cause_reference: target.causeReference ?? null,
          reason: derived.reason,
          staff_user_id: target.staffUserId ?? null,
          created_at: now,
        })),
      )
      .execute();
  }
  return results;
}

/** Derives one member's standing (see rederiveMembers); undefined when there is no such member. */
export async function rederiveMember(trx: Kysely<Database>, target: DerivationTarget, now: Date): Promise<Derivation | undefined> {
  return (await rederiveMembers(trx, [target], now))[0];
}

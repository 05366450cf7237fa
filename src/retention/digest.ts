import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, Language, Organization } from '../../db/database';
import { layout, type RenderedEmail } from '../email/templates';
import { addDays, type RetentionPolicy } from './policy';
import { DIGEST_SIGNALS } from './scan';
import { enqueueMany, markSignals, type OutboxRow } from './notices';

/** One member to call, as an organizer's digest shows them. */
export interface DigestItem {
  signalId: number;
  signal: string;
  reason: string;
  monthsInArrears: number;
  memberId: string;
  name: string;
  phone: string | null;
  email: string;
  preferredLanguage: Language;
  worksite: string | null;
  lastPaidOn: string | null;
  /** The last day paid for (an imported member's paid-through date counts, though no payment of theirs is recorded here). */
  paidThrough: string | null;
  /** The organizer it routes to (member's, else worksite's); null: the alert list. */
  organizerId: string | null;
  organizerEmail: string | null;
  organizerName: string | null;
}

const SIGNAL_LABELS: Record<string, string> = {
  lapsed: 'Lapsed: grace period over',
  suspended: 'Suspended for unpaid dues',
  dropped: 'Dropped from membership for unpaid dues',
  reinstatement_due: 'Paid what was owed: reinstatement waits for an officer',
  payment_failed: 'Payment failed, being retried',
  first_payment_failed: 'First payment failed: signed up, never paid',
  ach_returned: 'Bank (ACH) payment returned',
  card_expiring: 'Card expiring within 30 days',
  cancel_scheduled: 'Cancellation scheduled at period end',
  manual_due_soon: 'Cash/check payer: paid-through date within 7 days',
  payroll_missing: 'Missing from two payroll remittances of their employer',
};
export const signalLabel = (signal: string): string => SIGNAL_LABELS[signal] ?? signal;
const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Spanish' };

/**
 * Undigested signals (or, with `signals`, those kinds not yet sent on at once) with the
 * member's contact details, last payment and routed organizer, in one statement. An
 * organizer who no longer holds a role in the organization is passed over.
 */
export async function routedItems(trx: Kysely<Database>, organization: Organization, options: { pendingIn: 'digest_id' | 'immediate_outbox_id'; signals: readonly string[]; since?: string }): Promise<DigestItem[]> {
  const stillStaff = (alias: string) => sql`EXISTS (SELECT 1 FROM staff_roles r WHERE r.organization_id = m.organization_id AND r.staff_user_id = ${sql.ref(`${alias}.id`)})`;
  const result = await sql<{
    signal_id: number;
    signal: string;
    reason: string;
    months_in_arrears: number;
    member_id: string;
    name: string;
    phone: string | null;
    email: string;
    preferred_language: Language;
    worksite: string | null;
    last_paid_on: string | null;
    paid_through: string | null;
    organizer_id: string | null;
    organizer_email: string | null;
    organizer_name: string | null;
  }>`
    SELECT s.id AS signal_id, s.signal, s.reason, s.months_in_arrears,
           m.id AS member_id, m.name, m.phone, m.email, m.preferred_language, m.worksite,
           greatest(paid.manual_on, paid.stripe_on) AS last_paid_on, m.paid_through,
           coalesce(mo.id, wo.id) AS organizer_id, coalesce(mo.email, wo.email) AS organizer_email, coalesce(mo.name, wo.name) AS organizer_name
    FROM retention_signals s
    JOIN members m ON m.organization_id = s.organization_id AND m.id = s.member_id
    LEFT JOIN staff_users mo ON mo.id = m.organizer_staff_user_id AND ${stillStaff('mo')}
    LEFT JOIN worksite_organizers w ON w.organization_id = m.organization_id AND w.worksite = m.worksite
    LEFT JOIN staff_users wo ON wo.id = w.organizer_staff_user_id AND ${stillStaff('wo')}
    LEFT JOIN LATERAL (
      SELECT (SELECT max(p.received_on) FROM manual_payments p WHERE p.organization_id = m.organization_id AND p.member_id = m.id) AS manual_on,
             (SELECT max((i.paid_at AT TIME ZONE ${organization.time_zone})::date) FROM stripe_invoices i WHERE i.organization_id = m.organization_id AND i.member_id = m.id AND i.paid_at IS NOT NULL) AS stripe_on
    ) paid ON true
    WHERE s.organization_id = ${organization.id} AND s.${sql.ref(options.pendingIn)} IS NULL AND s.signal IN (${sql.join(options.signals)})
      ${options.since === undefined ? sql`` : sql`AND s.detected_on >= ${options.since}::date`}
    ORDER BY m.worksite NULLS LAST, m.name, s.id`.execute(trx);
  return result.rows.map((row) => ({
    signalId: Number(row.signal_id),
    signal: row.signal,
    reason: row.reason,
    monthsInArrears: row.months_in_arrears,
    memberId: row.member_id,
    name: row.name,
    phone: row.phone,
    email: row.email,
    preferredLanguage: row.preferred_language,
    worksite: row.worksite,
    lastPaidOn: row.last_paid_on,
    paidThrough: row.paid_through,
    organizerId: row.organizer_id,
    organizerEmail: row.organizer_email,
    organizerName: row.organizer_name,
  }));
}

/** The organization's alert list, or its admins when the list is empty, so no alert goes nowhere. */
async function alertList(trx: Kysely<Database>, organizationId: string, policy: RetentionPolicy): Promise<string[]> {
  if (policy.alertEmails.length > 0) return policy.alertEmails;
  const admins = await trx
    .selectFrom('staff_roles')
    .innerJoin('staff_users', 'staff_users.id', 'staff_roles.staff_user_id')
    .select('staff_users.email')
    .where('staff_roles.organization_id', '=', organizationId)
    .where('staff_roles.role', '=', 'admin')
    .orderBy('staff_users.email')
    .execute();
  return admins.map((admin) => admin.email);
}

/** The last payment, and the paid-through date, which is what counts (an imported member has one but no payment recorded here). */
function paymentLine(item: Pick<DigestItem, 'lastPaidOn' | 'paidThrough'>): string {
  if (item.paidThrough === null) return `Last payment: ${item.lastPaidOn ?? 'never'}`;
  return `Paid through: ${item.paidThrough} · Last payment: ${item.lastPaidOn ?? 'none recorded here'}`;
}

/** The member's page in the console, where the organizer records the call's outcome. */
export const memberLink = (publicUrl: string, memberId: string) => `${publicUrl}/console/members/${memberId}`;
/** The organizer's call list in the console. */
export const callListLink = (publicUrl: string) => `${publicUrl}/console/workspace`;

function itemLines(item: DigestItem, publicUrl: string): string {
  return [
    `${item.name} — ${signalLabel(item.signal)}`,
    `  Phone: ${item.phone ?? '(none on file)'} · Email: ${item.email} · Speaks: ${LANGUAGE_NAMES[item.preferredLanguage]}`,
    `  Months in arrears: ${item.monthsInArrears} · ${paymentLine(item)}`,
    `  ${memberLink(publicUrl, item.memberId)}`,
  ].join('\n');
}

export function digestEmail(options: { organizationName: string; recipientName: string | null; today: string; items: DigestItem[]; publicUrl: string }): RenderedEmail {
  const byWorksite = new Map<string, DigestItem[]>();
  for (const item of options.items) {
    const key = item.worksite ?? 'No worksite on file';
    byWorksite.set(key, [...(byWorksite.get(key) ?? []), item]);
  }
  const count = options.items.length;
  const paragraphs = [
    `Hello ${options.recipientName ?? 'organizer'},`,
    `${count} ${count === 1 ? 'member needs' : 'members need'} a call from ${options.organizationName} since your last digest.`,
    ...[...byWorksite.entries()].map(([worksite, items]) => [`${worksite} (${items.length})`, ...items.map((item) => itemLines(item, options.publicUrl))].join('\n\n')),
    'Record each call\'s outcome from your call list or the member\'s page, so it shows in the retention metrics.',
  ];
  return layout({
    title: `${options.organizationName}: ${count} ${count === 1 ? 'member' : 'members'} to call (${options.today})`,
    paragraphs,
    action: { label: 'Open my call list', url: callListLink(options.publicUrl) },
    footer: 'Good Standing — retention digest',
  });
}

interface Recipient {
  address: string;
  organizerId: string | null;
  name: string | null;
  items: DigestItem[];
}

function routeToRecipients(items: DigestItem[], alertAddresses: string[]): Recipient[] {
  const recipients = new Map<string, Recipient>();
  const add = (address: string, organizerId: string | null, name: string | null, item: DigestItem) => {
    const key = address.toLowerCase();
    const recipient = recipients.get(key) ?? { address, organizerId, name, items: [] };
    recipient.items.push(item);
    recipients.set(key, recipient);
  };
  for (const item of items) {
    if (item.organizerEmail !== null) add(item.organizerEmail, item.organizerId, item.organizerName, item);
    else for (const address of alertAddresses) add(address, null, null, item);
  }
  return [...recipients.values()];
}

/**
 * One digest per recipient per local day with the signals none has carried yet. The
 * organizer_digests row (unique per recipient and day) is the send log: a recipient who
 * already had today's digest gets nothing more today, and those signals wait for tomorrow.
 */
export async function queueDigests(
  trx: Kysely<Database>,
  options: { organization: Organization; policy: RetentionPolicy; today: string; now: Date; publicUrl: string },
): Promise<{ digests: number; items: number }> {
  const { organization, today, now } = options;
  const items = await routedItems(trx, organization, { pendingIn: 'digest_id', signals: DIGEST_SIGNALS });
  if (items.length === 0) return { digests: 0, items: 0 };
  const recipients = routeToRecipients(items, await alertList(trx, organization.id, options.policy));
  const planned = recipients.map((recipient) => ({ recipient, digestId: randomUUID(), outboxId: randomUUID() }));
  const inserted = await sql<{ id: string }>`
    INSERT INTO organizer_digests (id, organization_id, recipient, organizer_staff_user_id, digest_on, item_count, outbox_id, created_at)
    SELECT id, ${organization.id}::uuid, recipient, organizer_id, ${today}::date, item_count, outbox_id, ${now}
    FROM unnest(${planned.map((p) => p.digestId)}::uuid[], ${planned.map((p) => p.recipient.address)}::text[], ${planned.map((p) => p.recipient.organizerId)}::uuid[],
                ${planned.map((p) => p.recipient.items.length)}::int[], ${planned.map((p) => p.outboxId)}::uuid[]) AS d (id, recipient, organizer_id, item_count, outbox_id)
    ON CONFLICT (organization_id, recipient, digest_on) DO NOTHING
    RETURNING id`.execute(trx);
  const sent = new Set(inserted.rows.map((row) => row.id));
  const sending = planned.filter((p) => sent.has(p.digestId));
  const outbox: OutboxRow[] = sending.map((p) => ({
    id: p.outboxId,
    kind: 'retention.digest',
    to: p.recipient.address,
    rendered: digestEmail({ organizationName: organization.name, recipientName: p.recipient.name, today, items: p.recipient.items, publicUrl: options.publicUrl }),
  }));
  await enqueueMany(trx, organization.id, outbox, now);
  const marks = new Map<number, string>();
  for (const p of sending) for (const item of p.recipient.items) if (!marks.has(item.signalId)) marks.set(item.signalId, p.digestId);
  await markSignals(trx, organization.id, 'digest_id', [...marks.entries()]);
  return { digests: sending.length, items: marks.size };
}

/** With the policy's flag on, an email to the routed organizer for each payment failure, as soon as it is seen. */
export async function queueImmediateFailureAlerts(
  trx: Kysely<Database>,
  options: { organization: Organization; policy: RetentionPolicy; today: string; now: Date; publicUrl: string },
): Promise<number> {
  const { organization, policy, now } = options;
  if (!policy.immediateFailureAlert) return 0;
  const items = await routedItems(trx, organization, { pendingIn: 'immediate_outbox_id', signals: ['payment_failed', 'first_payment_failed', 'ach_returned'], since: addDays(options.today, -2) });
  const alertAddresses = items.some((item) => item.organizerEmail === null) ? await alertList(trx, organization.id, policy) : [];
  const outbox: OutboxRow[] = [];
  const marks: Array<[number, string]> = [];
  for (const item of items) {
    const addresses = item.organizerEmail !== null ? [item.organizerEmail] : alertAddresses;
    for (const address of addresses) {
      const id = randomUUID();
      // With several addresses, the signal keeps one of their messages' ids: any shows it was sent.
      marks.push([item.signalId, id]);
      outbox.push({
        id,
        kind: 'retention.payment_failed_alert',
        to: address,
        rendered: layout({
          title: `${organization.name}: ${item.name}'s dues payment failed`,
          paragraphs: [`${signalLabel(item.signal)}.`, itemLines(item, options.publicUrl), 'Stripe will retry the payment; a call now often saves the membership.'],
          footer: 'Good Standing — payment failure alert',
        }),
      });
    }
  }
  await enqueueMany(trx, organization.id, outbox, now);
  await markSignals(trx, organization.id, 'immediate_outbox_id', marks);
  return outbox.length;
}

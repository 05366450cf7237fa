import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, Language, Organization } from '../../db/database';
import { layout, type RenderedEmail } from '../email/templates';
import { addDays, type RetentionPolicy } from './policy';
import type { SignalKind } from './scan';

/** Notices to members: each kind on or off per organization, in the member's language. */
export type NoticeKind = 'payment_failed' | 'card_expiring' | 'suspension_coming';

// A signal older than this is not worth a notice any more (a notice kind switched on late sends nothing stale).
const NOTICE_FRESH_DAYS = 2;

interface NoticeFacts {
  memberName: string;
  organizationName: string;
  manageUrl: string;
  contact: RetentionPolicy['contact'];
  /** The day suspension takes effect, for `suspension_coming`. */
  day: string;
}

function contactLine(language: Language, contact: RetentionPolicy['contact']): string {
  const ways = [contact.email, contact.phone].filter((way): way is string => way !== null);
  const how = ways.length > 0 ? ` (${ways.join(', ')})` : '';
  return language === 'es'
    ? `Si tiene preguntas o necesita ayuda, comuníquese con ${contact.name}${how}. Estamos para apoyarle.`
    : `If you have questions or need help, please contact ${contact.name}${how}. We are here to help.`;
}

const COPY: Record<Language, Record<NoticeKind, (f: NoticeFacts) => { title: string; paragraphs: string[]; action: string }>> = {
  en: {
    payment_failed: (f) => ({
      title: `Your dues payment to ${f.organizationName} did not go through`,
      paragraphs: [`Hello ${f.memberName},`, `Your latest dues payment to ${f.organizationName} could not be collected. This happens — a new card, a changed bank account, a short balance. The payment will be tried again, and you can update your payment method at any time from the link below.`],
      action: 'Update my payment method',
    }),
    card_expiring: (f) => ({
      title: `The card you pay ${f.organizationName} dues with expires soon`,
      paragraphs: [`Hello ${f.memberName},`, `The card on file for your dues to ${f.organizationName} expires at the end of this month. To keep your membership in good standing without interruption, please add your new card from the link below.`],
      action: 'Update my card',
    }),
    suspension_coming: (f) => ({
      title: `Your membership in ${f.organizationName}: dues are behind`,
      paragraphs: [
        `Hello ${f.memberName},`,
        `Our records show that your dues to ${f.organizationName} are behind. Under our rules, membership is suspended on ${f.day} if the dues are still unpaid then. We would much rather keep you with us: paying the dues owed before that day keeps your membership in good standing.`,
      ],
      action: 'Pay or update my dues',
    }),
  },
  es: {
    payment_failed: (f) => ({
      title: `No se pudo cobrar su cuota a ${f.organizationName}`,
      paragraphs: [`Hola ${f.memberName}:`, `No pudimos cobrar su último pago de cuotas a ${f.organizationName}. Esto pasa: una tarjeta nueva, un cambio de cuenta bancaria, un saldo bajo. Intentaremos el cobro de nuevo, y usted puede actualizar su forma de pago en cualquier momento con el enlace de abajo.`],
      action: 'Actualizar mi forma de pago',
    }),
    card_expiring: (f) => ({
      title: `La tarjeta con la que paga sus cuotas a ${f.organizationName} vence pronto`,
      paragraphs: [`Hola ${f.memberName}:`, `La tarjeta registrada para sus cuotas a ${f.organizationName} vence a fin de este mes. Para mantener su membresía al día sin interrupciones, agregue su nueva tarjeta con el enlace de abajo.`],
      action: 'Actualizar mi tarjeta',
    }),
    suspension_coming: (f) => ({
      title: `Su membresía en ${f.organizationName}: cuotas atrasadas`,
      paragraphs: [
        `Hola ${f.memberName}:`,
        `Nuestros registros muestran que sus cuotas a ${f.organizationName} están atrasadas. Según nuestras reglas, la membresía se suspende el ${f.day} si las cuotas siguen sin pagarse ese día. Queremos que siga con nosotros: pagar las cuotas pendientes antes de esa fecha mantiene su membresía al día.`,
      ],
      action: 'Pagar o actualizar mis cuotas',
    }),
  },
};

export function noticeEmail(kind: NoticeKind, language: Language, facts: NoticeFacts): RenderedEmail {
  const copy = COPY[language][kind](facts);
  return layout({
    title: copy.title,
    paragraphs: [...copy.paragraphs, contactLine(language, facts.contact)],
    action: { label: copy.action, url: facts.manageUrl },
    footer: language === 'es' ? `${facts.organizationName} — enviado por Good Standing` : `${facts.organizationName} — sent by Good Standing`,
    language,
  });
}

/** The manage flow of the signup page: the member asks there for a single-use link to their dues. */
export const manageUrl = (publicUrl: string, organization: Pick<Organization, 'slug'>) => `${publicUrl}/join/${organization.slug}/manage`;

export function enabledNotices(policy: RetentionPolicy): NoticeKind[] {
  return [
    ...(policy.notices.paymentFailed ? (['payment_failed'] as const) : []),
    ...(policy.notices.cardExpiring ? (['card_expiring'] as const) : []),
    ...(policy.notices.beforeSuspension ? (['suspension_coming'] as const) : []),
  ];
}

export interface OutboxRow {
  id: string;
  kind: string;
  to: string;
  rendered: RenderedEmail;
}

/** Queues many messages in one statement (arrays, not one parameter per row), so the count of statements stays fixed. */
export async function enqueueMany(trx: Kysely<Database>, organizationId: string, rows: readonly OutboxRow[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO email_outbox (id, organization_id, kind, to_address, subject, text_body, html_body, next_attempt_at, created_at)
    SELECT id, ${organizationId}::uuid, kind, to_address, subject, text_body, html_body, ${now}, ${now}
    FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.kind)}::text[], ${rows.map((r) => r.to)}::text[],
                ${rows.map((r) => r.rendered.subject)}::text[], ${rows.map((r) => r.rendered.text)}::text[], ${rows.map((r) => r.rendered.html)}::text[])
         AS queued (id, kind, to_address, subject, text_body, html_body)`.execute(trx);
}

/** Marks each signal with the outbox message that told someone of it, in one statement. */
export async function markSignals(trx: Kysely<Database>, organizationId: string, column: 'notice_outbox_id' | 'immediate_outbox_id' | 'digest_id', pairs: ReadonlyArray<[signalId: number, id: string]>): Promise<void> {
  if (pairs.length === 0) return;
  await sql`
    UPDATE retention_signals s SET ${sql.ref(column)} = marked.id
    FROM unnest(${pairs.map(([signalId]) => signalId)}::bigint[], ${pairs.map(([, id]) => id)}::uuid[]) AS marked (signal_id, id)
    WHERE s.organization_id = ${organizationId} AND s.id = marked.signal_id AND s.${sql.ref(column)} IS NULL`.execute(trx);
}

/** Queues the notices owed for today's fresh signals, each signal's notice once. */
export async function queueMemberNotices(
  trx: Kysely<Database>,
  options: { organization: Organization; policy: RetentionPolicy; today: string; now: Date; publicUrl: string },
): Promise<number> {
  const { organization, policy, today, now } = options;
  const kinds: SignalKind[] = enabledNotices(policy);
  if (kinds.length === 0) return 0;
  const pending = await trx
    .selectFrom('retention_signals as s')
    .innerJoin('members as m', (join) => join.onRef('m.organization_id', '=', 's.organization_id').onRef('m.id', '=', 's.member_id'))
    .select(['s.id', 's.signal', 's.signal_key', 'm.name', 'm.email', 'm.preferred_language'])
    .where('s.organization_id', '=', organization.id)
    .where('s.notice_outbox_id', 'is', null)
    .where('s.signal', 'in', kinds)
    .where('s.detected_on', '>=', addDays(today, -NOTICE_FRESH_DAYS))
    .where('m.standing', 'not in', ['resigned', 'dropped', 'exempt'])
    .execute();
  const rows: OutboxRow[] = pending.map((signal) => ({
    id: randomUUID(),
    kind: `retention.notice.${signal.signal}`,
    to: signal.email,
    rendered: noticeEmail(signal.signal as NoticeKind, signal.preferred_language, {
      memberName: signal.name,
      organizationName: organization.name,
      manageUrl: manageUrl(options.publicUrl, organization),
      contact: policy.contact,
      day: signal.signal_key,
    }),
  }));
  await enqueueMany(trx, organization.id, rows, now);
  await markSignals(trx, organization.id, 'notice_outbox_id', pending.map((signal, i) => [Number(signal.id), rows[i]!.id]));
  return rows.length;
}

import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { MailTransport } from './transport';

export interface EmailToQueue {
  organizationId: string | null;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** When it is queued (and first due), from the service's clock. */
  queuedAt: Date;
}

const outboxRow = (email: EmailToQueue) => ({
  organization_id: email.organizationId,
  kind: email.kind,
  to_address: email.to,
  subject: email.subject,
  text_body: email.text,
  html_body: email.html,
  next_attempt_at: email.queuedAt,
  created_at: email.queuedAt,
});

/** Queues a message. Call it inside the transaction that makes the change the message reports, so both commit or neither. */
export async function enqueueEmail(db: Kysely<Database>, email: EmailToQueue): Promise<string> {
  const row = await db.insertInto('email_outbox').values(outboxRow(email)).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Queues a message once per key and organization, however often the fact it reports is
 * seen; and not at all while a message keyed `unless` exists (a debit's "started" notice
 * once its receipt is queued). Answers whether it was queued.
 */
export async function enqueueEmailOnce(db: Kysely<Database>, email: EmailToQueue & { organizationId: string; dedupeKey: string }, unless?: string): Promise<boolean> {
  const values = { ...outboxRow(email), dedupe_key: email.dedupeKey };
  if (unless !== undefined) {
    const superseded = await db.selectFrom('email_outbox').select('id').where('organization_id', '=', email.organizationId).where('dedupe_key', '=', unless).executeTakeFirst();
    if (superseded) return false;
  }
  const row = await db
    .insertInto('email_outbox')
    .values(values)
    .onConflict((oc) => oc.columns(['organization_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export const MAX_ATTEMPTS = 25;

/** Back-off after the n-th failed attempt: 30 s doubling, at most an hour (25 tries span about a day). */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(30 * 2 ** Math.max(0, attempts - 1), 3600);
}

export interface DeliveryReport {
  sent: number;
  failed: number;
}

/**
 * Sends the messages that are due, one transaction per message: each is locked
 * (FOR UPDATE SKIP LOCKED) while it is sent, so two workers never send the same one, and
 * marked sent in a commit as soon as the SMTP server has accepted it, so a crash can repeat
 * at most the message in flight. A failure leaves it pending with a later attempt time, and
 * after the last attempt it is parked as failed for an admin to see.
 */
export async function deliverDueEmails(db: Kysely<Database>, transport: MailTransport, options: { from: string; now: Date }): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, failed: 0 };
  const { now } = options;
  for (;;) {
    const handled = await db.transaction().execute(async (trx) => {
      const message = await trx
        .selectFrom('email_outbox')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!message) return false;
      try {
        const { messageId } = await transport.send({
          from: options.from,
          to: message.to_address,
          subject: message.subject,
          text: message.text_body,
          html: message.html_body,
        });
        await trx
          .updateTable('email_outbox')
          .set({ status: 'sent', sent_at: now, message_id: messageId, attempts: message.attempts + 1, last_error: null })
          .where('id', '=', message.id)
          .execute();
        report.sent += 1;
      } catch (error) {
        const attempts = message.attempts + 1;
        await trx
          .updateTable('email_outbox')
          .set({
            status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
            attempts,
            last_error: error instanceof Error ? error.message : String(error),
            next_attempt_at: sql<Date>`${now}::timestamptz + make_interval(secs => ${retryDelaySeconds(attempts)})`,
          })
          .where('id', '=', message.id)
          .execute();
        report.failed += 1;
      }
      return true;
    });
    if (!handled) return report;
  }
}

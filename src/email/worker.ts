import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../../db/connection';
import { deliverDueEmails } from './outbox';
import type { MailTransport } from './transport';

export const DELIVER_EMAIL_QUEUE = 'email-deliver';

/**
 * Runs outbox delivery as a pg-boss job: on a one-minute schedule (which also picks up
 * retries that have come due) and whenever a commit queues mail. The queue's `short`
 * policy collapses many wake-ups into one queued run; row locks keep concurrent runs apart.
 */
export async function startEmailWorker(boss: PgBoss, db: Db, transport: MailTransport, options: { from: string; logger: Logger; now: () => Date }) {
  await boss.createQueue(DELIVER_EMAIL_QUEUE, { name: DELIVER_EMAIL_QUEUE, policy: 'short', retryLimit: 3, retryBackoff: true });
  await boss.schedule(DELIVER_EMAIL_QUEUE, '* * * * *');
  await boss.work(DELIVER_EMAIL_QUEUE, { pollingIntervalSeconds: 1 }, async () => {
    const report = await deliverDueEmails(db, transport, { from: options.from, now: options.now() });
    if (report.sent + report.failed > 0) options.logger.info(report, 'email delivery run');
  });
  return {
    notify(): void {
      boss.send(DELIVER_EMAIL_QUEUE, {}).catch((error: unknown) => options.logger.warn({ err: error }, 'could not wake the email sender; the schedule will'));
    },
  };
}

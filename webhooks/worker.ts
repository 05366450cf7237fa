import type PgBoss from 'pg-boss';
import { processDueEvents, type ProcessorDeps } from './processor';

export const PROCESS_WEBHOOKS_QUEUE = 'webhooks-process';

/**
 * Runs the processor as a pg-boss job: woken when the receiver stores an event, and every
 * minute to pick up retries that have come due. Each run works the backlog with several
 * processors side by side (each waits on Stripe and the database in turn, and the per-
 * customer locks keep them apart). Any number of instances may run it.
 */
export async function startWebhookWorker(boss: PgBoss, deps: ProcessorDeps, options: { processors: number }) {
  await boss.createQueue(PROCESS_WEBHOOKS_QUEUE, { name: PROCESS_WEBHOOKS_QUEUE, policy: 'short', retryLimit: 3, retryBackoff: true });
  await boss.schedule(PROCESS_WEBHOOKS_QUEUE, '* * * * *');
  await boss.work(PROCESS_WEBHOOKS_QUEUE, { pollingIntervalSeconds: 1 }, async () => {
    const reports = await Promise.all(Array.from({ length: options.processors }, () => processDueEvents(deps)));
    const report = reports.reduce((sum, r) => ({ processed: sum.processed + r.processed, ignored: sum.ignored + r.ignored, retried: sum.retried + r.retried, failed: sum.failed + r.failed }));
    if (report.processed + report.ignored + report.retried + report.failed > 0) deps.logger.info(report, 'webhook processing run');
  });
  return {
    notify(): void {
      boss.send(PROCESS_WEBHOOKS_QUEUE, {}).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not wake the webhook processor; its schedule will'));
    },
  };
}

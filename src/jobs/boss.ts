import PgBoss from 'pg-boss';
import type { Logger } from 'pino';

/** pg-boss keeps its jobs in its own schema of our database, so any instance can run any job. */
export async function startJobs(databaseUrl: string, logger: Logger): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss', max: 4, application_name: 'good-standing-jobs' });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  return boss;
}

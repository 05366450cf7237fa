import { Kysely, PostgresDialect } from 'kysely';
import { Pool, types, type PoolClient } from 'pg';
import type { Database } from './database';

// bigint (int8) columns hold counts and minor-unit sums: parse them as numbers, and fail
// loudly rather than round if one ever leaves the safe-integer range.
types.setTypeParser(types.builtins.INT8, (value) => {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`int8 value ${value} exceeds the safe integer range`);
  return parsed;
});
// Dates (not timestamps) stay as 'YYYY-MM-DD' strings: a calendar day has no time zone.
types.setTypeParser(types.builtins.DATE, (value) => value);

export type Db = Kysely<Database>;

/** Most statements one connection keeps prepared; statements past it run unnamed, as usual. */
export const PREPARED_PER_CONNECTION = 200;

/**
 * Opens a statement the service's pool keeps prepared (`preparedStatements: 'marked'`):
 * for statements run on every page whose plan cannot depend on the values (ids, flags),
 * where planning is most of their cost — a member's page spent 1.7 of its 2.2 ms of
 * database CPU planning three such statements. Statements whose best plan follows the
 * values (a search pattern, a range of days) stay unmarked and are planned each time.
 */
export const KEEP_PREPARED = '/* keep prepared */';

/**
 * Runs each parameterised statement a connection sees (or only those opening with
 * KEEP_PREPARED) as a named prepared statement, so PostgreSQL parses and plans it once per
 * connection instead of on every execution (for the webhook processor's short statements,
 * about a quarter of the database's work). Kysely builds the same text for the same query
 * shape, so a connection holds a few dozen; PREPARED_PER_CONNECTION bounds what unusual
 * shapes (many-row inserts) can add.
 */
function prepareStatementsOn(client: PoolClient, onlyMarked: boolean): void {
  const names = new Map<string, string>();
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  Object.assign(client, {
    query: (text: unknown, values?: unknown, callback?: unknown) => {
      if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || (onlyMarked && !text.startsWith(KEEP_PREPARED))) return query(text, values, callback);
      let name = names.get(text);
      if (!name && names.size < PREPARED_PER_CONNECTION) names.set(text, (name = `gs_${names.size}`));
      return name ? query({ name, text, values }, callback) : query(text, values, callback);
    },
  });
}

// The service's named pools, for the metrics: a pool that has been ended is dropped when next read.
const namedPools = new Map<string, Pool>();

/** Connections of each named pool: open, idle, and requests waiting for one. */
export function poolStatistics(): Array<{ name: string; total: number; idle: number; waiting: number }> {
  for (const [name, pool] of namedPools) if (pool.ending) namedPools.delete(name);
  return [...namedPools].map(([name, pool]) => ({ name, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }));
}

export function createDb(connectionString: string, options: { max?: number; preparedStatements?: boolean | 'marked'; name?: string; jit?: boolean } = {}): Db {
  // jit: false turns off PostgreSQL's JIT compilation on the pool's connections.
  const pool = new Pool({ connectionString, max: options.max ?? 10, ...(options.jit === false ? { options: '-c jit=off' } : {}) });
  // An idle client's connection can drop (a database restart); log-and-continue rather
  // than let the pool's 'error' event crash the process.
  pool.on('error', () => undefined);
  const { preparedStatements } = options;
  if (preparedStatements) pool.on('connect', (client) => prepareStatementsOn(client, preparedStatements === 'marked'));
  if (options.name) namedPools.set(options.name, pool);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

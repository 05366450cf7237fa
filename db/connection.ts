import { Kysely, PostgresDialect } from 'kysely';
import { Pool, types } from 'pg';
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

export function createDb(connectionString: string, options: { max?: number } = {}): Db {
  const pool = new Pool({ connectionString, max: options.max ?? 10 });
  // An idle client's connection can drop (a database restart); log-and-continue rather
  // than let the pool's 'error' event crash the process.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

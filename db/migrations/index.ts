import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation';

// A static list (not a folder scan) so the same migrations run from TypeScript in
// tests and from compiled JavaScript in the production image.
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
};

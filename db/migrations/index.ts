import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation';
import * as m0002 from './0002_plans_and_members';

// A static list (not a folder scan) so the same migrations run from TypeScript in
// tests and from compiled JavaScript in the production image.
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_plans_and_members': m0002,
};

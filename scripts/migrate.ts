import { migrateToLatest } from '../db/migrate';
import { runScript } from './support/database';

// Applies every pending migration (the service also does this at start-up).
void runScript(
  async (db, where) => {
    const applied = await migrateToLatest(db);
    process.stdout.write(applied.length > 0 ? `applied to ${where}: ${applied.join(', ')}\n` : `${where} is up to date\n`);
  },
  { migrate: false },
);

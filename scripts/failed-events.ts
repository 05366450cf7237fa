import { parseArgs } from 'node:util';
import { describeFailedEvents, listFailedEvents } from '../webhooks/failed-events';
import { runScript } from './support/database';

const { values } = parseArgs({ options: { help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(
    'usage: npm run failed-events\n  lists every Stripe event parked as failed, of every organization and of none (those no admin sees),\n  with its type, id, reason, attempts and age; `npm run replay-events` puts them back in line\n',
  );
  process.exit(0);
}

void runScript(
  async (db) => {
    // The script's own clock: the ages it prints are for a person reading them now.
    process.stdout.write(describeFailedEvents(await listFailedEvents(db), new Date()));
  },
  { migrate: false },
);

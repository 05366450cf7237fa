// `npm start`: the service with the offline Stripe sandbox in the same process when no Stripe
// is configured. The sandbox is a development tool: the production entry (src/main.ts) and its
// build leave it out.
import { startStripeSandbox } from './stripe-sandbox/server';
import { runService } from '../src/run';

void runService({ startStripeStandIn: () => startStripeSandbox() });

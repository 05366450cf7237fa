import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config';
import { createStripeClient, STRIPE_API_VERSION } from '../src/stripe/client';
import { setUpStripe } from '../src/stripe/setup';
import { runScript } from './support/database';

const USAGE = 'usage: STRIPE_SECRET_KEY=sk_... PUBLIC_URL=https://dues.example.org npm run stripe-setup';

const { values } = parseArgs({ options: { help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(
    `${USAGE}\n  registers (or mends) the webhook endpoint at PUBLIC_URL/webhooks/stripe with API version ${STRIPE_API_VERSION} and exactly the event types the service handles\n  (a Connect endpoint too once an organization has a connected account), prints the signing secret of any endpoint it creates,\n  and syncs every active plan to Stripe. Run again, it changes nothing.\n`,
  );
  process.exit(0);
}

const config = loadConfig();
if (config.startStripeSandbox) {
  process.stderr.write(`stripe-setup sets up a Stripe account: set STRIPE_SECRET_KEY (or STRIPE_API_BASE for a standalone sandbox)\n${USAGE}\n`);
  process.exit(2);
}
if (!config.publicUrl) {
  process.stderr.write(`set PUBLIC_URL to the address Stripe reaches this service at (https in production)\n${USAGE}\n`);
  process.exit(2);
}
const publicUrl = config.publicUrl;

void runScript(async (db) => {
  const stripe = createStripeClient({ secretKey: config.stripeSecretKey, apiBase: config.stripeApiBase });
  const report = await setUpStripe(db, stripe, publicUrl);
  for (const line of report.lines) process.stdout.write(`${line}\n`);
  for (const secret of report.newSecrets) process.stdout.write(`\nsigning secret of the new endpoint: ${secret}\nadd it to STRIPE_WEBHOOK_SECRET (comma-separated with the old one while both are in use) and restart the service\n`);
  process.stdout.write(report.changed === 0 ? '\nnothing to change: Stripe is set up\n' : `\n${report.changed} change(s) made\n`);
});

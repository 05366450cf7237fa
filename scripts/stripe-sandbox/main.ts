// `npm run stripe-sandbox`: runs the offline Stripe sandbox standalone (PORT optional).
import { startStripeSandbox } from './server';
import { randomToken } from './store';

async function main(): Promise<void> {
  const port = process.env.PORT ? Number(process.env.PORT) : 12111;
  // Optionally deliver webhooks to a service whose signing secret is already configured.
  // Both the platform's own events and its connected accounts' (a Connect endpoint), one secret.
  const webhookUrl = process.env.STRIPE_SANDBOX_WEBHOOK_URL;
  const secret = process.env.STRIPE_WEBHOOK_SECRET || `whsec_${randomToken(32)}`;
  const sandbox = await startStripeSandbox({
    port,
    host: process.env.HOST ?? '127.0.0.1',
    webhookEndpoints: webhookUrl ? [{ url: webhookUrl, secret }, { url: webhookUrl, secret, connect: true }] : [],
  });
  console.log(`Stripe sandbox listening on ${sandbox.url}`);
  if (webhookUrl) console.log(`Webhooks go to ${webhookUrl}, signed with ${secret}`);
  console.log(`Use: new Stripe('sk_test_anything', { host: '127.0.0.1', port: ${sandbox.port}, protocol: 'http' })`);
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

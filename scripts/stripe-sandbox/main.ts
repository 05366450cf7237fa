// `npm run stripe-sandbox`: runs the offline Stripe sandbox standalone (PORT optional).
import { startStripeSandbox } from './server';

async function main(): Promise<void> {
  const port = process.env.PORT ? Number(process.env.PORT) : 12111;
  const sandbox = await startStripeSandbox({ port, host: process.env.HOST ?? '127.0.0.1' });
  console.log(`Stripe sandbox listening on ${sandbox.url}`);
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

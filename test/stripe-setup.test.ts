import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type Stripe from 'stripe';
import { startStripeSandbox, type StripeSandbox } from '../scripts/stripe-sandbox/server';
import { createStripeClient, STRIPE_API_VERSION, type StripeClient } from '../src/stripe/client';
import { planEndpoints, setUpStripe } from '../src/stripe/setup';
import { HANDLED_EVENT_TYPES } from '../webhooks/handlers';
import { TEST_NOW } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createOrganization, createPlans } from './signup/fixtures';

const PUBLIC_URL = 'https://dues.example.org';
const URL = `${PUBLIC_URL}/webhooks/stripe`;
const events = [...HANDLED_EVENT_TYPES];

describe('planEndpoints', () => {
  const endpoint = (fields: Partial<Stripe.WebhookEndpoint>) => ({ id: 'we_1', url: URL, enabled_events: events, api_version: STRIPE_API_VERSION, status: 'enabled', metadata: {}, ...fields });
  const platform = { url: URL, connect: false };
  const connect = { url: URL, connect: true };

  test.each([
    ['nothing registered', [], [platform], [{ action: 'create', wanted: platform }]],
    ['in place', [endpoint({})], [platform], [{ action: 'keep', wanted: platform, id: 'we_1' }]],
    ['another URL only', [endpoint({ url: 'https://old.example.org/webhooks/stripe' })], [platform], [{ action: 'create', wanted: platform }]],
    [
      'an event type missing and one extra',
      [endpoint({ enabled_events: [...events.slice(1), 'charge.succeeded'] })],
      [platform],
      [{ action: 'update', wanted: platform, id: 'we_1', changes: { enabled_events: events }, why: [`missing ${events[0]}; subscribed to charge.succeeded as well`] }],
    ],
    ['disabled', [endpoint({ status: 'disabled' })], [platform], [{ action: 'update', wanted: platform, id: 'we_1', changes: { disabled: false }, why: ['it is disabled'] }]],
    ['another API version', [endpoint({ api_version: '2024-06-20' })], [platform], [{ action: 'replace', wanted: platform, id: 'we_1', why: `its API version is 2024-06-20, not ${STRIPE_API_VERSION}` }]],
    [
      'a Connect endpoint is told apart by its mark',
      [endpoint({}), endpoint({ id: 'we_2', metadata: { gs_endpoint: 'connect' } })],
      [platform, connect],
      [
        { action: 'keep', wanted: platform, id: 'we_1' },
        { action: 'keep', wanted: connect, id: 'we_2' },
      ],
    ],
    ['only the platform one exists', [endpoint({})], [platform, connect], [{ action: 'keep', wanted: platform, id: 'we_1' }, { action: 'create', wanted: connect }]],
  ])('%s', (_name, existing, wanted, steps) => {
    expect(planEndpoints(existing as Stripe.WebhookEndpoint[], wanted)).toEqual(steps);
  });
});

describe('setting up a Stripe account (the sandbox)', () => {
  let testDb: TestDatabase;
  let sandbox: StripeSandbox;
  let stripe: StripeClient;
  const writes: string[] = [];
  const record = (request: { method: string; path: string }) => {
    if (request.method !== 'GET') writes.push(`${request.method} ${request.path}`);
  };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    sandbox = await startStripeSandbox();
    stripe = createStripeClient({ secretKey: 'sk_test_setup', apiBase: sandbox.url, maxNetworkRetries: 0 });
    stripe.on('request', record);
    const local = await createOrganization(testDb.db, 'local-setup');
    await createPlans(testDb.db, local);
    await testDb.db.insertInto('organizations').values({ slug: 'connected', name: 'Connected Local', time_zone: 'UTC', currency: 'usd', settings: '{}', stripe_account_id: 'acct_connectedlocal1', created_at: TEST_NOW, updated_at: TEST_NOW }).execute();
  });
  afterAll(async () => {
    await sandbox.close();
    await testDb.drop();
  });

  test('the first run registers both endpoints and syncs the plans; the second changes nothing; a drifted endpoint is mended', async () => {
    const first = await setUpStripe(testDb.db, stripe, PUBLIC_URL);
    expect(first.newSecrets).toHaveLength(2);
    expect(first.newSecrets.every((secret) => secret.startsWith('whsec_'))).toBe(true);
    const registered = (await stripe.webhookEndpoints.list({ limit: 10 })).data;
    expect(registered.map((e) => [e.url, e.api_version, e.metadata.gs_endpoint, [...e.enabled_events].sort()])).toEqual(
      expect.arrayContaining([
        [URL, STRIPE_API_VERSION, 'platform', [...events].sort()],
        [URL, STRIPE_API_VERSION, 'connect', [...events].sort()],
      ]),
    );
    // Every plan gets its Product; the flat one its Price too (computed rates are priced per member).
    const planLines = first.lines.filter((line) => line.startsWith('plan '));
    expect(planLines).toHaveLength(5);
    expect(planLines.every((line) => line.includes('created product prod_'))).toBe(true);
    expect(planLines.filter((line) => line.includes(', price price_'))).toEqual([expect.stringMatching(/^plan "Regular monthly"/)]);
    expect(first.changed).toBe(2 + 5 + 1);

    writes.length = 0;
    const second = await setUpStripe(testDb.db, stripe, PUBLIC_URL);
    expect(second.changed).toBe(0);
    expect(second.newSecrets).toEqual([]);
    expect(writes).toEqual([]);
    expect(second.lines.every((line) => line.includes('in place'))).toBe(true);

    const platform = registered.find((e) => e.metadata.gs_endpoint === 'platform')!;
    await stripe.webhookEndpoints.update(platform.id, { enabled_events: ['invoice.paid'] });
    writes.length = 0;
    const mended = await setUpStripe(testDb.db, stripe, PUBLIC_URL);
    expect(mended.changed).toBe(1);
    expect(writes).toEqual([`POST /v1/webhook_endpoints/${platform.id}`]);
    expect(mended.lines.find((line) => line.includes('updated'))).toMatch(/missing checkout\.session\.completed/);
    expect((await setUpStripe(testDb.db, stripe, PUBLIC_URL)).changed).toBe(0);
  });

  test('`npm run stripe-setup` run twice: the second run says there is nothing to change', async () => {
    const other = await createTestDatabase();
    const fresh = await startStripeSandbox();
    try {
      await createPlans(other.db, await createOrganization(other.db, 'local-cli'));
      const run = () =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', path.join('scripts', 'stripe-setup.ts')], {
          cwd: path.join(__dirname, '..'),
          env: { ...process.env, DATABASE_URL: other.url, STRIPE_SECRET_KEY: 'sk_test_cli_setup_0123456789abcdef', STRIPE_API_BASE: fresh.url, PUBLIC_URL, NODE_ENV: 'development' },
        });
      const first = await run();
      expect(first.stdout).toContain(`webhook endpoint ${URL}: created we_`);
      expect(first.stdout).toMatch(/signing secret of the new endpoint: whsec_\S+/);
      const second = await run();
      expect(second.stdout).toContain('nothing to change: Stripe is set up');
      expect(second.stdout).not.toContain('created');
    } finally {
      await fresh.close();
      await other.drop();
    }
  });
});

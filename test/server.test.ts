import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startStripeSandbox } from '../scripts/stripe-sandbox/server';
import { startService, type RunningService } from '../src/server';
import { StartupError } from '../src/startup';
import { createTestDatabase, type TestDatabase } from './support/database';

let testDb: TestDatabase;
let dataDir: string;
let service: RunningService | undefined;

beforeAll(async () => {
  testDb = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'gs-server-'));
});
afterAll(async () => {
  await service?.stop();
  await testDb.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the production entry, which carries no sandbox', () => {
  test('with no Stripe configured it refuses to start, saying what to set, before touching the database', async () => {
    const started = startService({ NODE_ENV: 'development', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    await expect(started).rejects.toThrow(StartupError);
    await expect(started).rejects.toThrow(/set STRIPE_SECRET_KEY/);
  });
});

describe('the service as `npm start` runs it', () => {
  test('boots on an empty database, seeds the demo organization, is ready, and mails the admin a sign-in link', async () => {
    service = await startService({ NODE_ENV: 'development', DATABASE_URL: testDb.url, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, { startStripeStandIn: () => startStripeSandbox() });
    const ready = await request(service.url).get('/readyz');
    expect(ready.status).toBe(200);

    const mailDir = path.join(dataDir, 'mail');
    const deadline = Date.now() + 15_000;
    let files: string[] = [];
    while (files.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      try {
        files = readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
      } catch {
        files = [];
      }
    }
    expect(files).toHaveLength(1);
    const eml = readFileSync(path.join(mailDir, files[0]!), 'utf8');
    expect(eml).toMatch(/^To: admin@demo\.goodstanding\.local$/m);
    expect(eml).toContain('Content-Type: text/plain');
    expect(eml).toContain('Content-Type: text/html');

    const url = service.url;
    await service.stop();
    service = undefined;
    // Stopped means stopped: the port no longer answers.
    await expect(request(url).get('/healthz')).rejects.toThrow();
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { generateLedgerRows } from '../../scripts/bench/ledger-rows';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, testApp, testContext, type OrganizationFixture } from '../support/app';

const ROWS = Number(process.env.GS_EXPORT_ROWS ?? 100_000);
const MB = 1024 * 1024;

// A full collection before each reading, so the heap measured is what is live, not garbage awaiting a collection.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

let testDb: TestDatabase;
let server: http.Server;
let org: OrganizationFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const ctx = testContext(testDb.db);
  org = await createOrganizationWithStaff(ctx, 'big-local');
  await generateLedgerRows(testDb.db, org.id, ROWS);
  server = await new Promise((resolve) => {
    const listening = testApp(ctx).listen(0, '127.0.0.1', () => resolve(listening));
  });
}, 300_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await testDb.drop();
});

/** Downloads the export without keeping it, watching the process's heap while it streams. */
function download(path: string): Promise<{ lines: number; bytes: number; chunks: number; heapGrowth: number; rssGrowth: number }> {
  const { port } = server.address() as AddressInfo;
  collectGarbage();
  // Measured from before the request: a server that gathered the rows before sending would show them here.
  const base = process.memoryUsage();
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${org.staff.treasurer.token}` } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
      let lines = 0;
      let bytes = 0;
      let chunks = 0;
      let heapGrowth = 0;
      let rssGrowth = 0;
      res.on('data', (chunk: Buffer) => {
        chunks += 1;
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
        if (chunks % 20 !== 0) return;
        collectGarbage();
        const now = process.memoryUsage();
        heapGrowth = Math.max(heapGrowth, now.heapUsed - base.heapUsed);
        rssGrowth = Math.max(rssGrowth, now.rss - base.rss);
      });
      res.on('end', () => resolve({ lines, bytes, chunks, heapGrowth, rssGrowth }));
      res.on('error', reject);
    });
    request.on('error', reject);
  });
}

test(`an export of ${ROWS.toLocaleString('en')} rows streams in constant memory`, async () => {
  const result = await download('/api/ledger/export');
  process.stdout.write(`export memory: ${(result.bytes / MB).toFixed(1)} MB in ${result.chunks} chunks; heap +${(result.heapGrowth / MB).toFixed(1)} MB, rss +${(result.rssGrowth / MB).toFixed(1)} MB\n`);
  expect(result.lines).toBe(ROWS + 1);
  // About 20 MB of CSV arrives in many chunks, as it is read: the download starts at once.
  expect(result.bytes).toBeGreaterThan(15 * MB);
  expect(result.chunks).toBeGreaterThan(100);
  // Holding the rows would keep the whole 19 MB of text and more live; a batch at a time keeps a few MB.
  expect(result.heapGrowth).toBeLessThan(12 * MB);
  expect(result.rssGrowth).toBeLessThan(96 * MB);
  const audit = await testDb.db.selectFrom('audit_log').select('details').where('action', '=', 'ledger.exported').executeTakeFirstOrThrow();
  expect(audit.details).toMatchObject({ rows: ROWS, completed: true });
}, 300_000);

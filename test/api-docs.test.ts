import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { routeTable } from '../src/app';
import type { Db } from '../db/connection';
import { apiRoutes, openApiPath } from '../src/api-docs/document';
import { declaresSuccess } from '../src/http/routes';
import { fieldsOf, typeWords } from '../src/api-docs/page';
import { testApp, testContext } from './support/app';
import { haveVnu, vnuErrors } from './support/browser';

// The document and the page need no database: they come from the route table alone.
const ctx = testContext({} as Db);
const app = testApp(ctx);
const table = routeTable(ctx);

async function fetchDocument() {
  const res = await request(app).get('/api/openapi.json');
  expect(res.status).toBe(200);
  expect(res.type).toBe('application/json');
  return res.body as {
    openapi: string;
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }; parameters: Array<{ name: string; in: string }>; responses: Record<string, { content?: Record<string, unknown> }> }>>;
  };
}

describe('the OpenAPI document at /api/openapi.json', () => {
  test('is a valid OpenAPI 3.1 document', async () => {
    const document = await fetchDocument();
    expect(document.openapi).toBe('3.1.0');
    // The validator is an ES module, which this suite's CommonJS cannot load: it runs in a node of its own.
    const dir = mkdtempSync(path.join(tmpdir(), 'gs-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      // And a copy with a parameter that says nowhere where it goes, which the validator must refuse.
      const broken = path.join(dir, 'broken.json');
      writeFileSync(broken, JSON.stringify({ ...document, paths: { ...document.paths, '/api/x': { get: { parameters: [{ name: 'x' }], responses: {} } } } }));
      const script = `import { Validator } from '@seriousme/openapi-schema-validator';
        const results = [];
        for (const file of process.argv.slice(1)) { const result = await new Validator().validate(file); results.push({ valid: result.valid, errors: result.errors ?? null }); }
        process.stdout.write(JSON.stringify(results));`;
      const output = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, file, broken], { cwd: path.join(__dirname, '..'), encoding: 'utf8' })) as Array<{ valid: boolean; errors: unknown }>;
      expect(output[0]).toEqual({ valid: true, errors: null });
      expect(output[1]!.valid).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('has every /api route of the route table, and nothing else', async () => {
    const document = await fetchDocument();
    const documented = Object.entries(document.paths).flatMap(([p, operations]) => Object.keys(operations).map((method) => `${method} ${p}`));
    const served = apiRoutes(table).map((route) => `${route.method} ${openApiPath(route.path)}`);
    expect(served.length).toBeGreaterThan(40);
    expect(documented.sort()).toEqual(served.sort());
  });

  test('every /api route declares its success answer: a JSON body by status, a 204, or a download or page', async () => {
    expect(apiRoutes(table).filter((route) => !declaresSuccess(route)).map((route) => `${route.method} ${route.path}`)).toEqual([]);
    const document = await fetchDocument();
    const successes = Object.entries(document.paths).flatMap(([p, operations]) =>
      Object.entries(operations).map(([method, operation]) => {
        const answers = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
        // Each success has its content (JSON, CSV, XLSX, HTML) but a 204's, which has none.
        return { operation: `${method} ${p}`, described: answers.length > 0 && answers.every(([status, answer]) => (status === '204') === (answer.content === undefined)) };
      }),
    );
    expect(successes.filter((success) => !success.described)).toEqual([]);
    const download = document.paths['/api/ledger/export']!.get!.responses['200']!.content!;
    expect(Object.keys(download).sort()).toEqual(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv']);
    expect(Object.keys(document.paths['/api/reports/monthly']!.get!.responses['200']!.content!).sort()).toEqual(['application/json', 'text/csv']);
    expect(document.paths['/api/affiliates/{affiliateId}/rates/{rateId}']!.delete!.responses['204']).toEqual({ description: expect.any(String) });
  });

  test('documents the request fields people had to guess from error messages', async () => {
    const document = await fetchDocument();
    const bodyFields = (p: string, method: string) => fieldsOf(document.paths[p]![method]!.requestBody!.content['application/json']!.schema).map((field) => field.name);
    expect(bodyFields('/api/plans', 'post')).toEqual(expect.arrayContaining(['amountRule', 'amountRule.kind', 'amountRule.amountCents', 'effectiveFrom']));
    expect(bodyFields('/api/plans/{planId}/versions', 'post')).toEqual(expect.arrayContaining(['authorizationNote']));
    expect(bodyFields('/api/affiliates/{affiliateId}/rates', 'post')).toEqual(expect.arrayContaining(['rateCents', 'effectiveFrom']));
    expect(bodyFields('/api/members/{memberId}/payments', 'post')).toEqual(expect.arrayContaining(['periodStart', 'periodEnd', 'amountCents']));
    expect(document.paths['/api/members']!.get!.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['query:q', 'query:standing', 'query:limit']));
  });

  test('every JSON body a handler parses is the schema its route-table entry declares (so the document cannot drift)', () => {
    const files = [...new Set(['src/members/routes.ts', 'src/plans/routes.ts', 'src/treasurer/routes.ts', 'src/retention/routes.ts', 'src/staff/routes.ts', 'src/organizations/routes.ts', 'src/signup/authorization-routes.ts', 'src/auth/routes.ts', 'webhooks/admin-routes.ts'])];
    const undeclared: string[] = [];
    for (const file of files) {
      const source = readFileSync(path.join(__dirname, '..', file), 'utf8');
      // One chunk per route entry: from its `method:` to the next one.
      for (const entry of source.split(/\n\s*method: '/).slice(1)) {
        const routePath = /path: '([^']+)'/.exec(entry)?.[1] ?? '?';
        if (!routePath.startsWith('/api/')) continue;
        for (const [, schema] of entry.matchAll(/parseInput\((\w+), req\.body/g)) {
          if (!new RegExp(`\\brequestBody: ${schema}\\b`).test(entry)) undeclared.push(`${file} ${routePath}: ${schema}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
  });
});

describe('the API reference page at /api/docs', () => {
  test('lists every operation with its parameters and body fields, from our own origin', async () => {
    const page = await request(app).get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html');
    for (const route of apiRoutes(table)) expect(page.text).toContain(`<code>${openApiPath(route.path)}</code>`);
    expect(page.text).toContain('<code>amountRule.kind</code>');
    expect(page.text).not.toMatch(/<(script|link)[^>]+https?:\/\//);
    const css = /<link rel="stylesheet" href="([^"]+)"/.exec(page.text)![1]!;
    expect((await request(app).get(css)).status).toBe(200);
  });

  (haveVnu ? test : test.skip)('is valid HTML (Nu HTML Checker)', async () => {
    const page = await request(app).get('/api/docs');
    expect(await vnuErrors(new Map([['api-docs', page.text]]))).toEqual([]);
  }, 60_000);

  test('types in words', () => {
    expect(typeWords({ type: 'string', format: 'uuid' })).toBe('string (uuid)');
    expect(typeWords({ type: 'string', enum: ['week', 'month'] })).toBe('"week" | "month"');
    expect(typeWords({ type: 'array', items: { type: 'integer' } })).toBe('array of integer');
    expect(typeWords({ type: ['string', 'null'] })).toBe('string or null');
    expect(typeWords({ anyOf: [{ type: 'string' }, { type: 'null' }] })).toBe('string or null');
  });
});

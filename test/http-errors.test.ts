import fc from 'fast-check';
import request from 'supertest';
import { routeTable } from '../src/app';
import type { Db } from '../db/connection';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createOrganizationWithStaff, testApp, testContext, type OrganizationFixture } from './support/app';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let union: OrganizationFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  union = await createOrganizationWithStaff(ctx, 'local-300');
});
afterAll(async () => {
  await testDb.drop();
});

const ERROR_SHAPE = { error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) };

describe('every failure answers in the JSON error shape', () => {
  test('an unknown route → 404', async () => {
    const res = await request(app).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(ERROR_SHAPE);
    expect(res.headers['x-request-id']).toMatch(/.{8,}/);
  });

  test('malformed JSON → 400', async () => {
    const res = await request(app).patch('/api/organization').set('Authorization', `Bearer ${union.staff.admin.token}`).set('Content-Type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });

  test('a body that is not JSON → 415', async () => {
    const res = await request(app).patch('/api/organization').set('Authorization', `Bearer ${union.staff.admin.token}`).set('Content-Type', 'text/plain').send('name=x');
    expect(res.status).toBe(415);
    expect(res.body).toEqual(ERROR_SHAPE);
  });

  test('a body over the limit → 413', async () => {
    const res = await request(app)
      .patch('/api/organization')
      .set('Authorization', `Bearer ${union.staff.admin.token}`)
      .send({ name: 'x', settings: { filler: 'y'.repeat(200_000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  test('invalid fields → 400 with every field path', async () => {
    const res = await request(app)
      .patch('/api/organization')
      .set('Authorization', `Bearer ${union.staff.admin.token}`)
      .send({ name: '', timeZone: 'Mars/Olympus', unexpected: true });
    expect(res.status).toBe(400);
    const paths = res.body.error.details.fields.map((f: { path: string }) => f.path).sort();
    expect(paths).toEqual(['body', 'body.name', 'body.timeZone']);
  });

  test('a malformed id in the path → 400, not a database error', async () => {
    const res = await request(app).get('/api/staff/not-a-uuid').set('Authorization', `Bearer ${union.staff.admin.token}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0].path).toBe('params.staffUserId');
  });

  test('an error never carries a stack trace', async () => {
    const res = await request(app).get('/api/staff/not-a-uuid').set('Authorization', `Bearer ${union.staff.admin.token}`);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  // Arbitrary JSON (and arbitrary strings in the path) thrown at every route: the answer
  // may be a success or a 4xx, never a 500, and a failure always has the error shape.
  test('random input to every route never produces a 500', async () => {
    const routes = routeTable(testContext({} as Db));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.json(),
        fc.string({ maxLength: 40 }),
        fc.constantFrom('admin', 'treasurer', 'organizer') as fc.Arbitrary<'admin' | 'treasurer' | 'organizer'>,
        async (route, body, pathValue, role) => {
          const path = route.path.replace(/:(\w+)/g, () => encodeURIComponent(pathValue) || 'x');
          const res = await request(app)[route.method](path)
            .set('Authorization', `Bearer ${union.staff[role].token}`)
            .set('Content-Type', 'application/json')
            .send(body);
          expect(res.status).toBeLessThan(500);
          // The API answers in its JSON shape; pages for people (sign-in links, signup) answer with a page.
          if (res.status >= 400 && (res.headers['content-type'] ?? '').startsWith('text/html')) expect(res.text).toMatch(/^<!doctype html>/i);
          else if (res.status >= 400) expect(res.body).toEqual(ERROR_SHAPE);
        },
      ),
      { numRuns: 150 },
    );
  });
});

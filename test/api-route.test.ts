import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { authenticate } from '../src/auth/guard';
import { answerWith, apiRoute } from '../src/http/api-route';
import { handleErrors, notFound } from '../src/http/errors';
import { checkDeclaredResponses } from '../src/http/response-contract';
import type { RouteDefinition } from '../src/http/routes';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createOrganizationWithStaff, testContext, type OrganizationFixture } from './support/app';

// apiRoute and the response contract, on routes of their own: what every staff API route
// built with the helper does before and after its rule.
let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let org: OrganizationFixture;
let app: express.Express;
/** The ids the routes' `find` knows, as a capability's table would. */
const known = new Set(['7b2f6a3c-1d4e-4f5a-8b6c-9d0e1f2a3b4c']);
const knownId = [...known][0]!;

const thingParams = z.object({ thingId: z.uuid() });
const thingQuery = z.object({ size: z.enum(['small', 'large']).optional() }).strict();
const newThing = z.object({ name: z.string().min(1) }).strict();
const thingResponse = z.object({ id: z.uuid(), name: z.string(), size: z.string().nullable(), organization: z.string() }).strict();

function routes(): RouteDefinition[] {
  return [
    apiRoute(ctx, {
      method: 'post',
      path: '/things/:thingId',
      params: thingParams,
      query: thingQuery,
      requestBody: newThing,
      responses: { 201: thingResponse },
      access: ['admin'],
      summary: 'A thing of the caller’s organization, audited',
      find: async ({ params }) => {
        if (!known.has(params.thingId)) throw notFound('thing');
        return params.thingId;
      },
      answer: async ({ found, query, body, organization, audit }) => {
        await audit('thing.made', { subjectType: 'thing', subjectId: found, details: { name: body.name } });
        return { id: found, name: body.name, size: query.size ?? null, organization: (await organization()).slug };
      },
    }),
    apiRoute(ctx, {
      method: 'delete',
      path: '/things/:thingId',
      params: thingParams,
      responses: { 204: 'no body' },
      access: ['admin'],
      summary: 'Removes nothing, and says so with no body',
      answer: async () => undefined,
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/two-answers',
      query: z.object({ later: z.enum(['true', 'false']).optional() }).strict(),
      responses: { 200: z.object({ done: z.literal(true) }).strict(), 202: z.object({ queued: z.literal(true) }).strict() },
      access: ['admin'],
      summary: 'One of two declared statuses',
      answer: async ({ query }) => (query.later === 'true' ? answerWith(202, { queued: true }) : answerWith(200, { done: true })),
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/undeclared-status',
      responses: { 200: z.object({ ok: z.literal(true) }).strict() },
      access: ['admin'],
      summary: 'Answers a success it does not declare',
      answer: async () => answerWith(202, { ok: true }),
    }),
    apiRoute(ctx, {
      method: 'get',
      path: '/wrong-body',
      responses: { 200: z.object({ ok: z.literal(true) }).strict() },
      access: ['admin'],
      summary: 'Answers a body its schema refuses',
      answer: async () => ({ ok: 'yes' }),
    }),
  ];
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  org = await createOrganizationWithStaff(ctx, 'api-route');
  app = express();
  // The request id the service's request logger would give.
  app.use((req, _res, next) => {
    req.id = 'req-of-the-test';
    next();
  });
  const router = express.Router();
  for (const route of routes()) router[route.method](route.path, authenticate(ctx), express.json(), checkDeclaredResponses(route), route.handler);
  app.use(router);
  app.use(handleErrors);
});
afterAll(async () => {
  await testDb.drop();
});

const as = (call: request.Test) => call.set('Authorization', `Bearer ${org.staff.admin.token}`);

describe('apiRoute', () => {
  test('parses the declared input, finds, audits with the request and answers with the declared status', async () => {
    const res = await as(request(app).post(`/things/${knownId}`).query({ size: 'large' })).send({ name: 'a banner' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: knownId, name: 'a banner', size: 'large', organization: org.slug });
    const entry = await ctx.db.selectFrom('audit_log').selectAll().where('organization_id', '=', org.id).where('action', '=', 'thing.made').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ actor_staff_user_id: org.staff.admin.id, subject_type: 'thing', subject_id: knownId, details: { name: 'a banner' } });
    expect(entry.request_id).toBe('req-of-the-test');
  });

  test('a malformed path parameter is a 400 that names it', async () => {
    const res = await as(request(app).post('/things/not-a-uuid')).send({ name: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0].path).toBe('params.thingId');
  });

  test('what find does not know answers the same whatever the query and the body hold', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const good = await as(request(app).post(`/things/${unknown}`)).send({ name: 'x' });
    const bad = await as(request(app).post(`/things/${unknown}`).query({ size: 'huge', extra: '1' })).send({ nonsense: true });
    expect(good.status).toBe(404);
    expect(bad.status).toBe(404);
    expect(bad.body).toEqual(good.body);
    // Once the thing is found, the same query and body are judged.
    const judged = await as(request(app).post(`/things/${knownId}`).query({ size: 'huge' })).send({ nonsense: true });
    expect(judged.status).toBe(400);
    expect(judged.body.error.details.fields[0].path).toBe('query.size');
  });

  test('a rule that returns nothing answers the 204 its route declares', async () => {
    const res = await as(request(app).delete(`/things/${knownId}`));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
  });

  test('answerWith picks one of several declared statuses', async () => {
    expect((await as(request(app).get('/two-answers'))).status).toBe(200);
    const later = await as(request(app).get('/two-answers').query({ later: 'true' }));
    expect(later.status).toBe(202);
    expect(later.body).toEqual({ queued: true });
  });
});

describe('the response contract', () => {
  test('refuses a JSON success the route does not declare', async () => {
    const res = await as(request(app).get('/undeclared-status'));
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('response_contract_broken');
    expect(res.body.error.message).toContain('a success it does not declare');
  });

  test('refuses a body its declared schema refuses, saying where', async () => {
    const res = await as(request(app).get('/wrong-body'));
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('response_contract_broken');
    expect(res.body.error.details.issues[0].path).toEqual(['ok']);
  });
});

import request from 'supertest';
import type { Express } from 'express';
import { buildApp } from '../../src/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, testContext, type OrganizationFixture } from '../support/app';
import { createPlans, HTML, openForm } from './fixtures';

let testDb: TestDatabase;
let app: Express;
let union: OrganizationFixture;
let other: OrganizationFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const ctx = testContext(testDb.db);
  app = buildApp(ctx);
  union = await createOrganizationWithStaff(ctx, 'local-77');
  other = await createOrganizationWithStaff(ctx, 'local-78');
  const organization = await testDb.db.selectFrom('organizations').selectAll().where('id', '=', union.id).executeTakeFirstOrThrow();
  await createPlans(testDb.db, organization, [{ name: 'Flat', rule: { kind: 'flat', amountCents: 2000 } }]);
});
afterAll(async () => {
  await testDb.drop();
});

const EN = 'I authorize Local 77 to deduct $20.00 monthly dues from my account until I revoke this in writing.';
const ES = 'Autorizo al Local 77 a cobrar cuotas de $20.00 al mes de mi cuenta hasta que lo revoque por escrito.';
const bearer = (token: string) => `Bearer ${token}`;

describe('dues authorization versions', () => {
  test('before any is published the built-in text is version 1; an admin publishes version 2 in both languages, audited', async () => {
    const before = await request(app).get('/api/dues-authorization').set('Authorization', bearer(union.staff.organizer.token));
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ version: 1, builtIn: true, en: expect.stringContaining('I authorize local-77 union') });

    const published = await request(app).put('/api/dues-authorization').set('Authorization', bearer(union.staff.admin.token)).send({ en: EN, es: ES });
    expect(published.status).toBe(201);
    expect(published.body).toEqual({ version: 2, en: EN, es: ES });
    const audit = await testDb.db.selectFrom('audit_log').select(['action', 'organization_id']).where('action', '=', 'dues_authorization.published').execute();
    expect(audit).toEqual([{ action: 'dues_authorization.published', organization_id: union.id }]);
    const after = await request(app).get('/api/dues-authorization').set('Authorization', bearer(union.staff.treasurer.token));
    expect(after.body).toEqual({ version: 2, builtIn: false, en: EN, es: ES });
    const elsewhere = await request(app).get('/api/dues-authorization').set('Authorization', bearer(other.staff.admin.token));
    expect(elsewhere.body).toMatchObject({ version: 1, builtIn: true });
  });

  test('only admins publish; the texts are checked field by field', async () => {
    const treasurer = await request(app).put('/api/dues-authorization').set('Authorization', bearer(union.staff.treasurer.token)).send({ en: EN, es: ES });
    expect(treasurer.status).toBe(403);
    const bad = await request(app).put('/api/dues-authorization').set('Authorization', bearer(union.staff.admin.token)).send({ en: 'short', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual(['body', 'body.en', 'body.es']);
  });

  test('the page shows the new text; a form still carrying the old version asks to accept again', async () => {
    const page = await openForm(app, '/join/local-77', 'es');
    expect(page.html).toContain(ES);
    expect(page.html).toContain('name="authorizationVersion" value="2"');
    const plan = await testDb.db.selectFrom('plans').select('id').where('organization_id', '=', union.id).executeTakeFirstOrThrow();
    const stale = await page.agent
      .post('/join/local-77')
      .type('form')
      .set('Accept', HTML)
      .send({ csrf: page.csrf, lang: 'es', authorizationVersion: '1', authorization: 'yes', name: 'Ana', email: 'ana@example.org', plan: plan.id, paymentMethod: 'card' });
    expect(stale.status).toBe(400);
    expect(stale.text).toContain('La autorización de cuotas cambió mientras llenaba el formulario.');
    expect(stale.text).not.toMatch(/id="authorization" value="yes" checked/);
  });
});

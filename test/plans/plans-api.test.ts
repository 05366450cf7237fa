import request from 'supertest';
import { startStripeSandbox, type StripeSandbox } from '../../scripts/stripe-sandbox/server';
import { createStripeClient, type StripeClient } from '../../src/stripe/client';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, testApp, testContext, type OrganizationFixture } from '../support/app';

let testDb: TestDatabase;
let sandbox: StripeSandbox;
let stripe: StripeClient;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let union: OrganizationFixture;

const VOTE = 'Adopted by membership vote, 2026-10-01';

beforeAll(async () => {
  testDb = await createTestDatabase();
  sandbox = await startStripeSandbox();
  stripe = createStripeClient({ secretKey: 'sk_test_plans', apiBase: sandbox.url });
  ctx = testContext(testDb.db, { stripe });
  app = testApp(ctx);
  union = await createOrganizationWithStaff(ctx, 'local-400');
});
afterAll(async () => {
  await sandbox.close();
  await testDb.drop();
});

const asAdmin = (req: request.Test) => req.set('Authorization', `Bearer ${union.staff.admin.token}`);

async function productsFor(planId: string) {
  const products = await stripe.products.list({ limit: 100 });
  return products.data.filter((p) => p.metadata.plan_id === planId);
}
async function pricesFor(planId: string) {
  const prices = await stripe.prices.list({ limit: 100 });
  return prices.data.filter((p) => p.metadata.plan_id === planId);
}

describe('dues plans', () => {
  test('a flat monthly plan gets one Stripe Product and one recurring Price, and a retried sync makes no more', async () => {
    const res = await asAdmin(request(app).post('/api/plans')).send({
      name: 'Regular member',
      interval: 'month',
      amountRule: { kind: 'flat', amountCents: 2500 },
      initiationFeeCents: 1000,
      effectiveFrom: '2026-01-01',
      authorizationNote: VOTE,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Regular member', currency: 'usd', interval: 'month', intervalCount: 1, status: 'active', currentVersion: 1, stripe: { synced: true } });
    const planId = res.body.id as string;

    const products = await productsFor(planId);
    expect(products).toHaveLength(1);
    expect(res.body.stripeProductId).toBe(products[0]!.id);
    const prices = await pricesFor(planId);
    expect(prices).toHaveLength(1);
    expect(prices[0]).toMatchObject({ unit_amount: 2500, currency: 'usd', recurring: { interval: 'month', interval_count: 1 }, product: products[0]!.id });
    expect(res.body.versions[0]).toMatchObject({ version: 1, effectiveFrom: '2026-01-01', initiationFeeCents: 1000, stripePriceId: prices[0]!.id, authorizationNote: VOTE });

    // The same sync again, and a sync whose stored ids were lost (as after a crash between
    // Stripe's answer and our commit): the idempotency keys return the same objects.
    await asAdmin(request(app).post(`/api/plans/${planId}/stripe-sync`)).expect(200);
    await ctx.db.updateTable('plans').set({ stripe_product_id: null }).where('id', '=', planId).execute();
    await ctx.db.updateTable('plan_versions').set({ stripe_price_id: null }).where('plan_id', '=', planId).execute();
    const resynced = await asAdmin(request(app).post(`/api/plans/${planId}/stripe-sync`));
    expect(resynced.status).toBe(200);
    expect(resynced.body.stripeProductId).toBe(products[0]!.id);
    expect(resynced.body.versions[0].stripePriceId).toBe(prices[0]!.id);
    expect(await productsFor(planId)).toHaveLength(1);
    expect(await pricesFor(planId)).toHaveLength(1);
  });

  test('a new version changes the rate from its effective date, keeps the history, and adds one Price', async () => {
    const created = await asAdmin(request(app).post('/api/plans')).send({
      name: 'Yearly associate',
      memberClass: 'associate',
      interval: 'year',
      amountRule: { kind: 'flat', amountCents: 3500 },
      effectiveFrom: '2025-01-01',
      authorizationNote: VOTE,
    });
    const planId = created.body.id as string;
    const next = await asAdmin(request(app).post(`/api/plans/${planId}/versions`)).send({
      amountRule: { kind: 'flat', amountCents: 4000 },
      effectiveFrom: '2027-01-01',
      authorizationNote: 'Convention resolution 12, 2026',
    });
    expect(next.status).toBe(201);
    expect(next.body.versions.map((v: { version: number; effectiveFrom: string }) => [v.version, v.effectiveFrom])).toEqual([
      [1, '2025-01-01'],
      [2, '2027-01-01'],
    ]);
    // Today (2026-11-24 in the test clock) the first rate is still in force.
    expect(next.body.currentVersion).toBe(1);
    ctx.clock.now = new Date('2027-01-01T12:00:00Z');
    expect((await asAdmin(request(app).get(`/api/plans/${planId}`))).body.currentVersion).toBe(2);
    ctx.clock.now = new Date('2026-11-24T15:00:00Z');

    const prices = await pricesFor(planId);
    expect(prices.map((p) => p.unit_amount).sort()).toEqual([3500, 4000]);
    expect(await productsFor(planId)).toHaveLength(1);

    const backwards = await asAdmin(request(app).post(`/api/plans/${planId}/versions`)).send({
      amountRule: { kind: 'flat', amountCents: 3000 },
      effectiveFrom: '2026-06-01',
      authorizationNote: VOTE,
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details.fields[0].path).toBe('body.effectiveFrom');
  });

  test.each([
    ['percent of wages', { name: 'Percent', interval: 'month', amountRule: { kind: 'percent_of_wages', basisPoints: 210, minimumCents: 2500, maximumCents: 7500 } }],
    ['hours of pay', { name: 'Hours', interval: 'month', amountRule: { kind: 'hours_of_pay', hoursHundredths: 250 } }],
    ['sliding scale by bracket', { name: 'Brackets', interval: 'year', amountRule: { kind: 'income_brackets', brackets: [{ label: 'under $20k', amountCents: 500 }, { label: 'over $20k', amountCents: 24000 }] } }],
    ['member-chosen amount', { name: 'Chosen', interval: 'year', amountRule: { kind: 'member_chosen', minimumCents: 500, maximumCents: 24000, suggestedCents: [1200, 6000] } }],
    ['biweekly flat', { name: 'Biweekly', interval: 'week', intervalCount: 2, amountRule: { kind: 'flat', amountCents: 1200 } }],
  ])('a %s plan is created with its Product (computed rates get no Price of their own)', async (_name, body) => {
    const res = await asAdmin(request(app).post('/api/plans')).send({ ...body, authorizationNote: VOTE });
    expect(res.status).toBe(201);
    expect(await productsFor(res.body.id)).toHaveLength(1);
    expect(await pricesFor(res.body.id)).toHaveLength(body.amountRule.kind === 'flat' ? 1 : 0);
  });

  test('archiving closes a plan to new rates; the list can be filtered by status', async () => {
    const created = await asAdmin(request(app).post('/api/plans')).send({ name: 'Retiree', memberClass: 'retiree', interval: 'year', amountRule: { kind: 'flat', amountCents: 1200 }, authorizationNote: VOTE });
    const archived = await asAdmin(request(app).post(`/api/plans/${created.body.id}/archive`));
    expect(archived.body).toMatchObject({ status: 'archived', archivedAt: expect.any(String) });
    const version = await asAdmin(request(app).post(`/api/plans/${created.body.id}/versions`)).send({ amountRule: { kind: 'flat', amountCents: 1500 }, effectiveFrom: '2030-01-01', authorizationNote: VOTE });
    expect(version.status).toBe(409);
    const active = await asAdmin(request(app).get('/api/plans?status=active'));
    expect(active.body.data.map((p: { name: string }) => p.name)).not.toContain('Retiree');
    const archivedList = await asAdmin(request(app).get('/api/plans?status=archived'));
    expect(archivedList.body.data.map((p: { name: string }) => p.name)).toEqual(['Retiree']);
  });

  test('a second plan with the same name (any case) → 409 naming the field', async () => {
    const res = await asAdmin(request(app).post('/api/plans')).send({ name: 'REGULAR MEMBER', interval: 'month', amountRule: { kind: 'flat', amountCents: 100 }, authorizationNote: VOTE });
    expect(res.status).toBe(409);
    expect(res.body.error.details.fields[0].path).toBe('body.name');
  });

  test('treasurers read plans but cannot change them; organizers cannot read them', async () => {
    const asTreasurer = (r: request.Test) => r.set('Authorization', `Bearer ${union.staff.treasurer.token}`);
    expect((await asTreasurer(request(app).get('/api/plans'))).status).toBe(200);
    expect((await asTreasurer(request(app).post('/api/plans')).send({})).status).toBe(403);
    expect((await request(app).get('/api/plans').set('Authorization', `Bearer ${union.staff.organizer.token}`)).status).toBe(403);
  });

  test('when Stripe is unreachable the plan is saved unsynced, and a later sync completes it', async () => {
    const offline = testApp({ ...ctx, stripe: createStripeClient({ secretKey: 'sk_test_x', apiBase: 'http://127.0.0.1:9', maxNetworkRetries: 0, timeoutMs: 500 }) });
    const res = await asAdmin(request(offline).post('/api/plans')).send({ name: 'Offline', interval: 'month', amountRule: { kind: 'flat', amountCents: 900 }, authorizationNote: VOTE });
    expect(res.status).toBe(201);
    expect(res.body.stripe.synced).toBe(false);
    expect(res.body.stripeProductId).toBeNull();
    const synced = await asAdmin(request(app).post(`/api/plans/${res.body.id}/stripe-sync`));
    expect(synced.body).toMatchObject({ stripe: { synced: true }, stripeProductId: expect.stringMatching(/^prod_/) });
    expect(await pricesFor(res.body.id)).toHaveLength(1);
  });
});

describe('how plans show on the signup page, through the API', () => {
  test('PATCH sets the Spanish words, the place, visibility and preselection; labels must match the brackets; preselecting moves', async () => {
    const create = async (name: string, amountRule: unknown) =>
      (await asAdmin(request(app).post('/api/plans')).send({ name, interval: 'month', amountRule, effectiveFrom: '2026-01-01', authorizationNote: VOTE })).body as { id: string; displayOrder: number };
    const sliding = await create('Sliding scale API', { kind: 'income_brackets', brackets: [{ label: 'Under $30,000', amountCents: 1000 }, { label: 'Over $30,000', amountCents: 2000 }] });
    const flat = await create('Flat API', { kind: 'flat', amountCents: 2000 });
    expect(flat.displayOrder).toBeGreaterThan(sliding.displayOrder);

    const wrong = await asAdmin(request(app).patch(`/api/plans/${sliding.id}`)).send({ translations: { es: { bracketLabels: ['Solo una'] } } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.fields).toEqual([{ path: 'body.translations.es.bracketLabels', message: 'one label per bracket of the rate in force' }]);

    const saved = await asAdmin(request(app).patch(`/api/plans/${sliding.id}`)).send({
      description: 'By income',
      translations: { es: { name: 'Escala API', bracketLabels: ['Menos de $30,000', 'Más de $30,000'] } },
      displayOrder: 0,
      preselected: true,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ description: 'By income', translations: { es: { name: 'Escala API' } }, displayOrder: 0, visibleOnSignup: true, preselected: true });
    const moved = await asAdmin(request(app).patch(`/api/plans/${flat.id}`)).send({ preselected: true, visibleOnSignup: false });
    expect(moved.body).toMatchObject({ preselected: true, visibleOnSignup: false });
    expect((await asAdmin(request(app).get(`/api/plans/${sliding.id}`))).body.preselected).toBe(false);
  });
});

import request from 'supertest';
import type { StaffRole } from '../../db/database';
import { findOrganizationById } from '../../src/organizations/queries';
import type { TestDatabase } from '../support/database';
import { createOrganizationWithStaff, testApp, type OrganizationFixture } from '../support/app';
import { createPlans, HTML } from '../signup/fixtures';
import { browserAs, consoleTestWorld } from './fixtures';

// Plans in the console: the admin writes each plan's words in English and Spanish, its
// place, visibility and preselection; the signup page follows.

let testDb: TestDatabase;
let ctx: Awaited<ReturnType<typeof consoleTestWorld>>['ctx'];
let app: ReturnType<typeof testApp>;
let cookies: Record<StaffRole, string>;
let org: OrganizationFixture;
let plans: Record<string, string>;
let otherPlan: string;

beforeAll(async () => {
  ({ testDb, ctx, app, cookies, made: org } = await consoleTestWorld((c) => createOrganizationWithStaff(c, 'local-9'), (made) => made));
  plans = await createPlans(ctx.db, (await findOrganizationById(ctx.db, org.id))!);
  const other = await createOrganizationWithStaff(ctx, 'other-local');
  otherPlan = Object.values(await createPlans(ctx.db, (await findOrganizationById(ctx.db, other.id))!))[0]!;
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);
const planRow = (id: string) => ctx.db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditCount = async () => Number((await ctx.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow()).n);

/** The edit form of a sliding scale, filled in. */
const slidingForm = (csrf: string, changes: Record<string, string> = {}) => ({
  csrf,
  name: 'Sliding scale',
  nameEs: 'Escala según ingresos',
  description: 'Dues by what you earn',
  descriptionEs: 'Cuota según lo que gana',
  bracketsEn: 'Under $20,000 a year\n$20,000 to $40,000\nOver $40,000',
  bracketsEs: 'Menos de $20,000 al año\nDe $20,000 a $40,000\nMás de $40,000',
  displayOrder: '0',
  visibleOnSignup: 'yes',
  preselected: 'yes',
  ...changes,
});

describe('the plans page', () => {
  test('admins and treasurers see the plans; organizers may not; only admins get the edit links', async () => {
    const admin = await as('admin').get('/console/plans');
    expect(admin.status).toBe(200);
    expect(admin.text).toContain(`href="/console/plans/${plans['Sliding scale']}"`);
    expect(admin.text).toContain('href="/console/plans/new"');
    const treasurer = await as('treasurer').get('/console/plans');
    expect(treasurer.status).toBe(200);
    expect(treasurer.text).toContain('Sliding scale');
    expect(treasurer.text).not.toContain(`href="/console/plans/${plans['Sliding scale']}"`);
    expect((await as('treasurer').get(`/console/plans/${plans['Sliding scale']}`)).status).toBe(403);
    expect((await as('organizer').get('/console/plans')).status).toBe(403);
  });

  test('a plan of another organization, or no plan at all, is not found', async () => {
    expect((await as('admin').get(`/console/plans/${otherPlan}`)).status).toBe(404);
    expect((await as('admin').get('/console/plans/not-a-uuid')).status).toBe(404);
    const csrf = await as('admin').csrf('/console/plans');
    expect((await as('admin').post(`/console/plans/${otherPlan}`, slidingForm(csrf))).status).toBe(404);
    expect((await as('admin').post(`/console/plans/${otherPlan}/archive`, { csrf })).status).toBe(404);
  });
});

describe('editing a plan', () => {
  test('errors come back at once with the values typed and nothing is written', async () => {
    const id = plans['Sliding scale']!;
    const before = JSON.stringify(await planRow(id));
    const audits = await auditCount();
    const csrf = await as('admin').csrf(`/console/plans/${id}`);
    const res = await as('admin').post(`/console/plans/${id}`, slidingForm(csrf, { name: ' ', bracketsEs: 'Solo una', displayOrder: 'first', descriptionEs: 'x'.repeat(501) }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toContain('href="#name"');
    expect(res.text).toContain('Write one label per line for each of the 3 brackets, in order');
    expect(res.text).toContain('Enter a whole number from 0 to 10000');
    expect(res.text).toContain('Use at most 500 characters');
    // What was typed is still there.
    expect(res.text).toContain('Solo una</textarea>');
    expect(res.text).toContain('value="first"');
    expect(JSON.stringify(await planRow(id))).toBe(before);
    expect(await auditCount()).toBe(audits);
  });

  test('a saved plan has its Spanish words, place and preselection, audited; preselecting another takes it over', async () => {
    const id = plans['Sliding scale']!;
    const csrf = await as('admin').csrf(`/console/plans/${id}`);
    const res = await as('admin').post(`/console/plans/${id}`, slidingForm(csrf));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console/plans');
    const saved = await planRow(id);
    expect(saved.translations).toEqual({ es: { name: 'Escala según ingresos', description: 'Cuota según lo que gana', bracketLabels: ['Menos de $20,000 al año', 'De $20,000 a $40,000', 'Más de $40,000'] } });
    expect(saved).toMatchObject({ description: 'Dues by what you earn', display_order: 0, visible_on_signup: true, preselected: true });
    const audit = await ctx.db.selectFrom('audit_log').selectAll().where('subject_id', '=', id).where('action', '=', 'plan.updated').executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ via: 'console', preselected: true });

    const regular = plans['Regular monthly']!;
    const csrf2 = await as('admin').csrf(`/console/plans/${regular}`);
    await as('admin').post(`/console/plans/${regular}`, { csrf: csrf2, name: 'Regular monthly', displayOrder: '1', visibleOnSignup: 'yes', preselected: 'yes' }).expect(303);
    expect((await planRow(regular)).preselected).toBe(true);
    expect((await planRow(id)).preselected).toBe(false);
  });

  test('a name another plan has is refused on its field', async () => {
    const id = plans['Hours of pay']!;
    const csrf = await as('admin').csrf(`/console/plans/${id}`);
    const res = await as('admin').post(`/console/plans/${id}`, { csrf, name: 'Regular monthly', displayOrder: '0' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Another plan already has this name');
    expect((await planRow(id)).name).toBe('Hours of pay');
  });
});

describe('creating and archiving', () => {
  test('a new plan with bad input is a 400 with the values kept, and no plan', async () => {
    const count = async () => (await ctx.db.selectFrom('plans').select('id').where('organization_id', '=', org.id).execute()).length;
    const before = await count();
    const csrf = await as('admin').csrf('/console/plans/new');
    const res = await as('admin').post('/console/plans', { csrf, name: 'Part-time flat', interval: 'month', kind: 'flat', amount: 'twelve', authorizationNote: '', displayOrder: '0', visibleOnSignup: 'yes' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter an amount such as 25.00');
    expect(res.text).toContain('Say which vote or decision set this rate');
    expect(res.text).toContain('value="Part-time flat"');
    expect(await count()).toBe(before);
  });

  test('a new plan goes after the others (not where its name sorts), and archiving takes it off the signup page', async () => {
    const csrf = await as('admin').csrf('/console/plans/new');
    const res = await as('admin').post('/console/plans', { csrf, name: 'Part-time flat', nameEs: 'Tiempo parcial', interval: 'month', kind: 'flat', amount: '12.50', authorizationNote: 'Membership vote of 2026-11-01', displayOrder: '0', visibleOnSignup: 'yes' });
    expect(res.status).toBe(303);
    const created = await ctx.db.selectFrom('plans').selectAll().where('organization_id', '=', org.id).where('name', '=', 'Part-time flat').executeTakeFirstOrThrow();
    expect(created.display_order).toBeGreaterThan(1);
    expect(created.translations).toEqual({ es: { name: 'Tiempo parcial' } });
    const version = await ctx.db.selectFrom('plan_versions').selectAll().where('plan_id', '=', created.id).executeTakeFirstOrThrow();
    expect(version.amount_rule).toEqual({ kind: 'flat', amountCents: 1250 });

    const signup = await request(testApp(ctx)).get('/join/local-9?lang=es').set('Accept', HTML);
    const names = [...signup.text.matchAll(/<strong>([^<]+)<\/strong>/g)].map((match) => match[1]);
    expect(names[names.length - 1]).toBe('Tiempo parcial');

    const csrf2 = await as('admin').csrf(`/console/plans/${created.id}`);
    await as('admin').post(`/console/plans/${created.id}/archive`, { csrf: csrf2 }).expect(303);
    expect((await planRow(created.id)).status).toBe('archived');
    const after = await request(testApp(ctx)).get('/join/local-9').set('Accept', HTML);
    expect(after.text).not.toContain('Part-time flat');
  });
});

describe('the signup page follows the plans', () => {
  test('in the visitor’s language with fallback, in order, hidden plans left out, the preselected one checked', async () => {
    const hidden = plans['Pay what you can']!;
    const csrf = await as('admin').csrf(`/console/plans/${hidden}`);
    await as('admin').post(`/console/plans/${hidden}`, { csrf, name: 'Pay what you can', displayOrder: '0' }).expect(303);
    const fresh = testApp(ctx);
    const es = await request(fresh).get('/join/local-9?lang=es').set('Accept', HTML);
    expect(es.text).toContain('Escala según ingresos');
    expect(es.text).toContain('Cuota según lo que gana');
    expect(es.text).toContain('Menos de $20,000 al año');
    // No Spanish name written: the base name shows.
    expect(es.text).toContain('Percent of wages');
    expect(es.text).not.toContain('Pay what you can');
    const en = await request(fresh).get('/join/local-9?lang=en').set('Accept', HTML);
    expect(en.text).toContain('Under $20,000 a year');
    expect(en.text).not.toContain('Escala según ingresos');
    // The preselected plan (Regular monthly, place 1) is checked; place 0 plans come first, by name.
    const names = [...en.text.matchAll(/<strong>([^<]+)<\/strong>/g)].map((match) => match[1]);
    expect(names.slice(0, 4)).toEqual(['Hours of pay', 'Percent of wages', 'Sliding scale', 'Regular monthly']);
    expect(en.text).toMatch(new RegExp(`id="plan-${plans['Regular monthly']}" value="${plans['Regular monthly']}" checked`));
  });
});

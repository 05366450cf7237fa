import request from 'supertest';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Express } from 'express';
import { buildApp } from '../../src/app';
import type { Database, Organization } from '../../db/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TEST_NOW, testContext } from '../support/app';
import { createOrganization, createPlans, HTML, inputValue, openForm } from './fixtures';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: Express;
let organization: Organization;
let plans: Record<string, string>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = buildApp(ctx);
  organization = await createOrganization(testDb.db, 'local-42');
  plans = await createPlans(testDb.db, organization);
  await testDb.db.insertInto('plans').values({ organization_id: organization.id, name: 'Old plan', currency: 'usd', billing_interval: 'month', status: 'archived', created_at: TEST_NOW, updated_at: TEST_NOW }).execute();
});
afterAll(async () => {
  await testDb.drop();
});

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');

describe('GET /join/:orgSlug', () => {
  test('English by default: the organization, every active plan with its rate, the form and its labels', async () => {
    const res = await request(app).get('/join/local-42').set('Accept', HTML);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.text).toContain('<html lang="en">');
    const page = text(res.text);
    expect(page).toContain('Join Local 42 Workers');
    expect(page).toContain('Regular monthly');
    expect(page).toContain('$30.00 a month');
    expect(page).toContain('1.5% of your gross wages, a month (at least $15.00, at most $80.00)');
    expect(page).toContain('2 hours of your pay, a month');
    expect(page).toContain('Under $20,000 a year: $5.00 a month');
    expect(page).toContain('you choose the amount, at least $3.00 a month');
    expect(page).toContain('One-time initiation fee: $10.00');
    expect(page).not.toContain('Old plan');
    for (const label of ['Full name', 'Email', 'Mobile phone', 'Employer', 'Worksite or shop', 'Bank account (recommended)', 'Debit or credit card']) expect(page).toContain(label);
    expect(page).toContain('I authorize Local 42 Workers to collect my membership dues');
    // Every visible input has a label pointing at it.
    const ids = [...res.text.matchAll(/<(?:input|select) id="([^"]+)"/g)].map((match) => match[1]!);
    for (const id of ids) expect(res.text).toContain(`for="${id}"`);
    expect(res.text).toContain('href="/join/local-42?lang=es"');
  });

  test('Spanish from Accept-Language, English from ?lang= over it', async () => {
    const es = await request(app).get('/join/local-42').set('Accept', HTML).set('Accept-Language', 'es-MX,es;q=0.9,en;q=0.5');
    expect(es.text).toContain('<html lang="es">');
    const page = text(es.text);
    expect(page).toContain('Afíliese a Local 42 Workers');
    expect(page).toContain('1.5% de su salario bruto, al mes (mínimo $15.00, máximo $80.00)');
    expect(page).toContain('Nombre completo');
    expect(page).toContain('Cuenta bancaria (recomendado)');
    expect(page).toContain('Autorizo a Local 42 Workers a cobrar mis cuotas');
    expect(page).toContain('English');
    const en = await request(app).get('/join/local-42?lang=en').set('Accept', HTML).set('Accept-Language', 'es');
    expect(en.text).toContain('<html lang="en">');
  });

  test('the cached blank form still gives each visitor a token of their own cookie', async () => {
    const first = await openForm(app, '/join/local-42');
    const second = await openForm(app, '/join/local-42');
    expect(first.csrf).not.toBe(second.csrf);
    expect(first.csrf.split('.')[0]).not.toBe(second.csrf.split('.')[0]);
    expect(first.html).not.toContain('\u0000');
  });

  test('an unknown organization: a friendly page for browsers, the JSON error for others', async () => {
    const page = await request(app).get('/join/nobody-here').set('Accept', HTML);
    expect(page.status).toBe(404);
    expect(text(page.text)).toContain('We could not find this organization');
    const api = await request(app).get('/join/nobody-here');
    expect(api.status).toBe(404);
    expect(api.body.error.code).toBe('not_found');
  });

  test('the page, its stylesheet and any script weigh under 50 KB; the stylesheet is cached by version', async () => {
    const page = await request(app).get('/join/local-42').set('Accept', HTML);
    const assets = [...page.text.matchAll(/(?:href|src)="(\/join\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets).toHaveLength(1);
    let bytes = Buffer.byteLength(page.text);
    for (const asset of assets) {
      const res = await request(app).get(asset);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      bytes += Buffer.byteLength(res.text);
      const again = await request(app).get(asset).set('If-None-Match', res.headers.etag!);
      expect(again.status).toBe(304);
    }
    expect(bytes).toBeLessThan(50 * 1024);
    expect(page.text).not.toMatch(/(?:src|href)="https?:/);
  });
});

const VALID = (csrf: string) => ({
  csrf,
  lang: 'en',
  authorizationVersion: '1',
  name: 'Rosa Parks',
  email: 'rosa@example.org',
  plan: plans['Percent of wages']!,
  [`grossWageCents_${plans['Percent of wages']}`]: '1200.00',
  [`payFrequency_${plans['Percent of wages']}`]: 'biweekly',
  paymentMethod: 'us_bank_account',
  authorization: 'yes',
});

describe('POST /join/:orgSlug without Stripe', () => {
  test('an empty form: 400 with every error by its field, in the summary and beside the field', async () => {
    const { agent, csrf } = await openForm(app, '/join/local-42');
    const res = await agent.post('/join/local-42').type('form').set('Accept', HTML).send({ csrf, lang: 'en', authorizationVersion: '1', paymentMethod: '' });
    expect(res.status).toBe(400);
    const page = text(res.text);
    for (const message of ['Enter your full name.', 'Enter an email address like name@example.com.', 'Choose a dues plan.', 'Choose how you pay.', 'Check the box to accept the dues authorization.']) {
      expect(page.split(message).length - 1).toBe(2);
    }
    expect(res.text).toContain('role="alert"');
    expect(res.text).toContain('<input id="name" name="name" type="text" value autocomplete="name" maxlength="200" required aria-describedby="name-error" aria-invalid="true"/>');
    expect(res.text).toContain('href="#name"');
  });

  test('wrong values keep every value typed and name the field: wage facts of the chosen plan, in Spanish', async () => {
    const { agent, csrf } = await openForm(app, '/join/local-42', 'es');
    const percent = plans['Percent of wages']!;
    const res = await agent
      .post('/join/local-42')
      .type('form')
      .set('Accept', HTML)
      .send({ ...VALID(csrf), lang: 'es', email: 'not an email', phone: '555 0100', employer: 'Acme <Tools>', worksite: 'Dock 4', [`grossWageCents_${percent}`]: 'a lot' });
    expect(res.status).toBe(400);
    const page = text(res.text);
    expect(page).toContain('Escriba un correo como nombre@ejemplo.com.');
    expect(page).toContain('No pudimos leer eso como un monto. Escríbalo en números, por ejemplo 850.00.');
    expect(page).not.toContain('Escriba su nombre completo.');
    expect(inputValue(res.text, 'name')).toBe('Rosa Parks');
    expect(inputValue(res.text, 'email')).toBe('not an email');
    expect(inputValue(res.text, 'phone')).toBe('555 0100');
    expect(inputValue(res.text, 'employer')).toBe('Acme &lt;Tools>');
    expect(inputValue(res.text, `grossWageCents_${percent}`)).toBe('a lot');
    expect(res.text).toContain(`<option value="biweekly" selected>`);
    expect(res.text).toContain(`id="plan-${percent}" value="${percent}" checked`);
    expect(res.text).toMatch(/id="authorization" value="yes" checked/);
  });

  test('sliding scale and chosen amounts: a bracket must be chosen, an amount not below the minimum', async () => {
    const { agent, csrf } = await openForm(app, '/join/local-42');
    const chosen = plans['Pay what you can']!;
    const low = await agent.post('/join/local-42').type('form').set('Accept', HTML).send({ ...VALID(csrf), plan: chosen, [`chosenAmountCents_${chosen}`]: '2.50' });
    expect(low.status).toBe(400);
    expect(text(low.text)).toContain('The amount must be at least $3.00.');
    const sliding = plans['Sliding scale']!;
    const none = await agent.post('/join/local-42').type('form').set('Accept', HTML).send({ ...VALID(csrf), plan: sliding });
    expect(text(none.text)).toContain('Choose your income bracket.');
  });

  test('"Show my dues" computes the dues with the server’s function and the fee difference, without errors', async () => {
    const { agent, csrf } = await openForm(app, '/join/local-42');
    const percent = plans['Percent of wages']!;
    const res = await agent.post('/join/local-42').type('form').set('Accept', HTML).send({ ...VALID(csrf), name: '', intent: 'preview', [`grossWageCents_${percent}`]: '1200.00' });
    expect(res.status).toBe(200);
    const page = text(res.text);
    // $1,200 every two weeks × 26 × 1.5% ÷ 12 = $39.00 a month.
    expect(page).toContain('Your dues: $39.00 a month.');
    expect(page).toContain('On $39.00 dues, a bank debit costs the union $0.31 (0.8%); a card costs $1.43 (3.7%).');
    expect(page).not.toContain('Enter your full name.');

    const hours = plans['Hours of pay']!;
    const hourly = await agent.post('/join/local-42').type('form').set('Accept', HTML).send({ ...VALID(csrf), plan: hours, intent: 'preview', [`hourlyWageCents_${hours}`]: '18.50' });
    expect(text(hourly.text)).toContain('Your dues: $37.00 a month.');
  });

  test('flat plans show the fee difference for their dues straight away; $3 dues show a card costs 13%', async () => {
    const { agent, csrf } = await openForm(app, '/join/local-42');
    const flat = await agent.post('/join/local-42').type('form').set('Accept', HTML).send({ csrf, lang: 'en', plan: plans['Regular monthly'], intent: 'preview' });
    expect(text(flat.text)).toContain('On $30.00 dues, a bank debit costs the union $0.24 (0.8%); a card costs $1.17 (3.9%).');
    const chosen = plans['Pay what you can']!;
    const three = await agent.post('/join/local-42').type('form').set('Accept', HTML).send({ csrf, lang: 'en', plan: chosen, intent: 'preview', [`chosenAmountCents_${chosen}`]: '3' });
    expect(text(three.text)).toContain('On $3.00 dues, a bank debit costs the union $0.02 (0.7%); a card costs $0.39 (13%).');
  });

  test('CSRF: no cookie, another browser’s token or a forged token → 403, nothing stored, values kept', async () => {
    const { csrf } = await openForm(app, '/join/local-42');
    const stranger = await request(app).post('/join/local-42').type('form').set('Accept', HTML).send(VALID(csrf));
    expect(stranger.status).toBe(403);
    expect(text(stranger.text)).toContain('This form expired or was opened in another browser.');
    expect(inputValue(stranger.text, 'name')).toBe('Rosa Parks');
    const { agent } = await openForm(app, '/join/local-42');
    const forged = await agent.post('/join/local-42').type('form').set('Accept', HTML).send(VALID(`${csrf.split('.')[0]}.1.forged`));
    expect(forged.status).toBe(403);
    const members = await testDb.db.selectFrom('members').select('id').where('organization_id', '=', organization.id).execute();
    expect(members).toHaveLength(0);
  });

  test('honeypot: a filled hidden field answers like a signup and stores nothing', async () => {
    const { agent, csrf } = await openForm(app, '/join/local-42');
    const res = await agent.post('/join/local-42').type('form').set('Accept', HTML).send({ ...VALID(csrf), website: 'http://spam.example' });
    expect(res.status).toBe(200);
    expect(text(res.text)).toContain('Check your email');
    const members = await testDb.db.selectFrom('members').select('id').where('organization_id', '=', organization.id).execute();
    expect(members).toHaveLength(0);
  });

  test('a JSON body is refused with the JSON error shape', async () => {
    const res = await request(app).post('/join/local-42').send({ name: 'x' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  test('rate limit: form posts per network, answered with the form as typed, the wait in minutes and the organization named', async () => {
    const limited = buildApp(ctx, { signupRateLimit: 2 });
    const { agent, csrf } = await openForm(limited, '/join/local-42');
    for (let i = 0; i < 2; i += 1) {
      const res = await agent.post('/join/local-42').type('form').set('Accept', HTML).send({ csrf, intent: 'preview' });
      expect(res.status).toBe(200);
    }
    const third = await agent.post('/join/local-42').type('form').set('Accept', HTML).send({ ...VALID(csrf), name: 'Rosa Díaz', intent: 'join' });
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('900');
    expect(text(third.text)).toContain('Too many forms were sent from this network (a union hall or an office may share one). We kept what you typed: please send it again in 15 minutes.');
    expect(inputValue(third.text, 'name')).toBe('Rosa Díaz');
    expect(text(third.text)).toContain('Local 42 Workers · dues by Good Standing');
    expect((await agent.get('/join/local-42').set('Accept', HTML)).status).toBe(200);
    const manage = await agent.post('/join/local-42/manage').type('form').set('Accept', HTML).send({ csrf, email: 'a@b.org' });
    expect(manage.status).toBe(429);
    expect(inputValue(manage.text, 'email')).toBe('a@b.org');
  });

  test('"Show my dues" reads amounts as people write them, says what it could not read, and lands on the plan', async () => {
    const { agent, csrf } = await openForm(app, '/join/local-42', 'es');
    const percent = plans['Percent of wages']!;
    const preview = (amount: string) =>
      agent.post('/join/local-42').type('form').set('Accept', HTML).send({ csrf, lang: 'es', intent: `preview:${percent}`, [`grossWageCents_${percent}`]: amount, [`payFrequency_${percent}`]: 'biweekly' });
    // $1,200.50 every two weeks × 26 × 1.5% ÷ 12 = $39.02 a month.
    for (const amount of ['1200,50', '1.200,50', '1,200.50']) expect(text((await preview(amount)).text)).toContain('Sus cuotas: $39.02 al mes.');
    expect(text((await preview('1 200')).text)).toContain('Sus cuotas: $39.00 al mes.');
    const tooMuch = await preview('9999999');
    expect(tooMuch.status).toBe(200);
    expect(text(tooMuch.text)).toContain('Es más de $1,000,000.00. Revise el monto.');
    // The plan is chosen, and the button brings the answer back to the plan's figures.
    expect(tooMuch.text).toContain(`id="plan-${percent}" value="${percent}" checked`);
    expect(tooMuch.text).toContain(`formaction="/join/local-42#facts-${percent}"`);
    expect(tooMuch.text).toContain(`id="facts-${percent}"`);
  });

  test('a text over its limit comes back whole with its field and limit named; inputs carry maxlength', async () => {
    const { agent, csrf } = await openForm(app, '/join/local-42');
    const long = 'x'.repeat(10_000);
    const res = await agent.post('/join/local-42').type('form').set('Accept', HTML).send({ ...VALID(csrf), name: long });
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain('Full name: at most 200 characters (this one has 10,000).');
    expect(inputValue(res.text, 'name')).toBe(long);
    expect(res.text).toContain('maxlength="200"');
  });
});

describe('when something fails on our side', () => {
  test('a member gets a page in their language with the way to a new link, never JSON', async () => {
    // A database that cannot be reached: a real failure, as after a restart gone wrong.
    const unreachable = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: 'postgres://root@127.0.0.1:1/none', connectionTimeoutMillis: 2000 }) }) });
    const broken = buildApp(testContext(unreachable));
    try {
      const res = await request(broken).post('/join/local-42/manage/open').type('form').set('Accept', HTML).send({ token: 'x'.repeat(43), lang: 'es' });
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toContain('text/html');
      expect(text(res.text)).toContain('Algo salió mal de nuestro lado, y no se cobró ni se cambió nada.');
      expect(res.text).toContain('href="/join/local-42/manage?lang=es"');
      expect(res.text).not.toContain('"error"');
      // Scripts keep the API's JSON.
      const script = await request(broken).get('/join/local-42').set('Accept', 'application/json');
      expect(script.status).toBe(500);
      expect(script.body.error.code).toBe('internal_error');
    } finally {
      await unreachable.destroy();
    }
  });
});

describe('manage page', () => {
  test('the same answer for a stranger’s email as for a member’s; bad addresses are named', async () => {
    const { agent, csrf } = await openForm(app, '/join/local-42/manage');
    const res = await agent.post('/join/local-42/manage').type('form').set('Accept', HTML).send({ csrf, email: 'nobody@example.org' });
    expect(res.status).toBe(200);
    expect(text(res.text)).toContain('We sent a message to that address.');
    const bad = await agent.post('/join/local-42/manage').type('form').set('Accept', HTML).send({ csrf, email: 'nope' });
    expect(bad.status).toBe(400);
    expect(inputValue(bad.text, 'email')).toBe('nope');
    // The stranger is emailed too (so the request costs the same as a member's), with no link but the way to join.
    const outbox = await testDb.db.selectFrom('email_outbox').selectAll().execute();
    expect(outbox.map((mail) => [mail.kind, mail.to_address, mail.subject])).toEqual([['signup.manage_link', 'nobody@example.org', 'Your dues with Local 42 Workers']]);
    expect(outbox[0]!.text_body).toContain('Join online: http://gs.test/join/local-42?lang=en');
  });

  test('a made-up link token → the "used or expired" page', async () => {
    const landing = await request(app).get('/join/local-42/manage/open?token=abc').set('Accept', HTML);
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('name="token" value="abc"');
    const res = await request(app).post('/join/local-42/manage/open').type('form').set('Accept', HTML).send({ token: 'abc' });
    expect(res.status).toBe(404);
    expect(text(res.text)).toContain('This link was already used or has expired');
  });
});

describe('an organization with no plans yet', () => {
  test('says joining opens soon, with nothing after the page', async () => {
    await createOrganization(testDb.db, 'new-local', 'New Local');
    for (const language of ['en', 'es']) {
      const res = await request(app).get(`/join/new-local?lang=${language}`).set('Accept', HTML);
      expect(res.status).toBe(200);
      expect(res.text.endsWith('</html>')).toBe(true);
      expect(res.text).not.toContain('undefined');
    }
    expect(text((await request(app).get('/join/new-local').set('Accept', HTML)).text)).toContain('Joining online opens soon');
  });
});

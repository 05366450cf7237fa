import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../src/http/logging';
import { SESSION_COOKIE } from '../src/auth/guard';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createOrganizationWithStaff, memberTimes, staffToken, testApp, testContext, type OrganizationFixture } from './support/app';
import { createPlans, HTML, openForm } from './signup/fixtures';

// No token, email or personal data in any log line, and one short line per request. A
// realistic run — sign-in, signup, a manage link, staff searches, an invitation — with every
// log line captured, then searched for every token, email, name and phone it handled.
let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let union: OrganizationFixture;
const lines: string[] = [];
let plans: Record<string, string>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
      done();
    },
  });
  ctx = testContext(testDb.db, { logger: createLogger('info', { destination }) });
  app = testApp(ctx);
  union = await createOrganizationWithStaff(ctx, 'local-55');
  const organization = await ctx.db.selectFrom('organizations').selectAll().where('id', '=', union.id).executeTakeFirstOrThrow();
  plans = await createPlans(ctx.db, organization);
});
afterAll(async () => {
  await testDb.drop();
});

const MEMBER = { name: 'Rosalind Quintero-Vasquez', email: 'rosalind.qv@example.org', phone: '(312) 555-0199', employer: 'Zephyr Freight Lines', worksite: 'Dock Nineteen' };
const CANDIDATE = { name: 'Teodora Blankenship', email: 'teodora.b@example.org', phone: '773 555 0142', employer: 'Halcyon Logistics' };
const INVITEE = { name: 'Ignatius Fairweather', email: 'ignatius.f@example.org' };

const tokensInLinks = (text: string): string[] => [...text.matchAll(/[?&](?:token|draft)=([^&\s"<>]+)/g)].map((match) => decodeURIComponent(match[1]!));

test('a realistic run logs one short line per request and not one token, email, name or phone number', async () => {
  const secrets = new Set<string>([union.staff.admin.email, union.staff.admin.token, union.staff.organizer.token, ...Object.values(MEMBER), ...Object.values(CANDIDATE), ...Object.values(INVITEE)]);
  let requests = 0;
  const sent = <T>(response: T): T => {
    requests += 1;
    return response;
  };

  // A member on the roll, for the searches and the manage link.
  await ctx.db.insertInto('members').values({ organization_id: union.id, name: MEMBER.name, email: MEMBER.email, phone: MEMBER.phone, employer: MEMBER.employer, worksite: MEMBER.worksite, standing: 'active', paid_through: '2026-12-31', stripe_customer_id: 'cus_logtest', ...memberTimes() }).execute();

  // Sign-in: the form, the emailed link (its page, then its button), the API with the cookie, sign-out.
  sent(await request(app).post('/auth/login').send({ email: union.staff.admin.email }));
  const signInMail = await ctx.db.selectFrom('email_outbox').select('text_body').where('kind', '=', 'staff_sign_in').executeTakeFirstOrThrow();
  const [signInToken] = tokensInLinks(signInMail.text_body);
  secrets.add(signInToken!);
  sent(await request(app).get(`/auth/callback?token=${encodeURIComponent(signInToken!)}`));
  const signedIn = sent(await request(app).post('/auth/callback').type('form').send({ token: signInToken }));
  const cookie = signedIn.headers['set-cookie']![0]!.split(';')[0]!;
  secrets.add(cookie.slice(`${SESSION_COOKIE}=`.length));
  expect(sent(await request(app).get('/api/me').set('Cookie', cookie)).status).toBe(200);

  // Staff searches, in the API and the console, by name, email and phone.
  for (const q of [MEMBER.name, MEMBER.email, MEMBER.phone]) {
    expect(sent(await request(app).get(`/api/members?q=${encodeURIComponent(q)}`).set('Authorization', `Bearer ${union.staff.organizer.token}`)).status).toBe(200);
    expect(sent(await request(app).get(`/console/members?q=${encodeURIComponent(q)}`).set('Cookie', cookie).set('Accept', HTML)).status).toBe(200);
  }
  expect(sent(await request(app).get(`/api/members?q=${encodeURIComponent(MEMBER.name)}&limit=not-a-number`).set('Authorization', `Bearer ${union.staff.organizer.token}`)).status).toBe(400);

  // An invitation, by email.
  expect(sent(await request(app).post('/api/staff').set('Authorization', `Bearer ${union.staff.admin.token}`).send({ ...INVITEE, role: 'organizer' })).status).toBe(202);

  // Signup: the form, then a signup posted with a stranger's details (Stripe is out of reach here:
  // whatever the service answers, nothing of the person may reach the log), and the Checkout cancel URL.
  const join = await openForm(app, `/join/${union.slug}`);
  sent(undefined);
  const plan = plans['Regular monthly']!;
  const joined = sent(await join.agent.post(`/join/${union.slug}`).type('form').set('Accept', HTML).send({ csrf: join.csrf, lang: 'en', authorizationVersion: '1', ...CANDIDATE, worksite: 'Dock 4', plan, paymentMethod: 'us_bank_account', authorization: 'yes' }));
  expect(joined.status).not.toBe(500); // 503 here: Stripe is out of reach, and the page says so
  const draft = 'eyJkcmFmdCI6InRlc3QifQ.c2lnbmF0dXJlLW9mLWEtZHJhZnQ';
  secrets.add(draft);
  sent(await request(app).get(`/join/${union.slug}/cancelled?draft=${draft}`).set('Accept', HTML));

  // The manage link: asked for by email, its landing page, its button.
  const manage = await openForm(app, `/join/${union.slug}/manage`);
  sent(undefined);
  sent(await manage.agent.post(`/join/${union.slug}/manage`).type('form').set('Accept', HTML).send({ csrf: manage.csrf, lang: 'en', email: MEMBER.email }));
  for (const message of await ctx.db.selectFrom('email_outbox').select(['to_address', 'text_body']).execute()) {
    secrets.add(message.to_address);
    for (const token of tokensInLinks(message.text_body)) secrets.add(token);
  }
  const manageMail = await ctx.db.selectFrom('email_outbox').select('text_body').where('to_address', '=', MEMBER.email).executeTakeFirst();
  const manageToken = manageMail ? tokensInLinks(manageMail.text_body)[0] : 'a-manage-token-nobody-issued-0123456789';
  secrets.add(manageToken!);
  sent(await request(app).get(`/join/${union.slug}/manage/open?token=${encodeURIComponent(manageToken!)}`).set('Accept', HTML));
  sent(await request(app).post(`/join/${union.slug}/manage/open`).type('form').set('Accept', HTML).send({ token: manageToken }));

  // A bearer token that is refused, and signing out.
  const refused = await staffToken(ctx, { staffUserId: union.staff.treasurer.id, organizationId: union.id }, 60);
  secrets.add(refused);
  sent(await request(app).post('/auth/logout').set('Authorization', `Bearer ${refused}`));
  expect(sent(await request(app).get('/api/members').set('Authorization', `Bearer ${refused}`)).status).toBe(401);
  sent(await request(app).post('/auth/logout').set('Cookie', cookie));

  // Everything the run handled, in every spelling a log could hold it.
  const needles = [...secrets].filter((secret) => secret.length >= 6).flatMap((secret) => [secret, encodeURIComponent(secret), secret.replace(/ /g, '+')]);
  const everything = lines.join('\n').toLowerCase();
  const found = needles.filter((needle) => everything.includes(needle.toLowerCase()));
  expect(found).toEqual([]);
  // No email address at all, whoever's.
  expect(everything.match(/[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/g) ?? []).toEqual([]);

  // One line per request, with its method, route pattern, status, time and request id; no headers; short.
  const requestLines = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => typeof line.route === 'string');
  expect(requestLines.length).toBe(requests);
  for (const line of requestLines) {
    expect(Object.keys(line).sort()).toEqual(expect.arrayContaining(['level', 'time', 'reqId', 'method', 'route', 'status', 'ms', 'msg']));
    expect(Object.keys(line).filter((key) => !['level', 'time', 'service', 'reqId', 'method', 'route', 'status', 'ms', 'msg', 'staffUserId', 'organizationId'].includes(key))).toEqual([]);
    expect(line.route === 'unmatched' || String(line.route).startsWith('/')).toBe(true);
    expect(JSON.stringify(line)).not.toMatch(/[?]|headers|cookie|authorization/i);
  }
  const sizes = requestLines.map((line) => Buffer.byteLength(JSON.stringify(line)));
  expect(Math.max(...sizes)).toBeLessThan(400);
  const routes = new Set(requestLines.map((line) => line.route));
  for (const route of ['/auth/callback', '/api/members', '/console/members', '/join/:orgSlug/cancelled', '/join/:orgSlug/manage/open']) expect(routes).toContain(route);
});

import jwt from 'jsonwebtoken';
import request from 'supertest';
import { openStaffSession } from '../src/auth/sessions';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../src/auth/tokens';
import { revokeRole } from '../src/staff/queries';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createOrganizationWithStaff, staffToken, TEST_NOW, testApp, testContext, type OrganizationFixture } from './support/app';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let union: OrganizationFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  union = await createOrganizationWithStaff(ctx, 'local-100');
});
afterAll(async () => {
  await testDb.drop();
});
// Each test a minute after the last, so that "the newest email" is one thing.
let testsRun = 0;
beforeEach(() => {
  testsRun += 1;
  ctx.clock.now = new Date(TEST_NOW.getTime() + testsRun * 60_000);
});

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectErrorShape(body: unknown, code: string) {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
}

describe('bearer tokens', () => {
  // Issued at the service's time: expiry is judged by its clock, not the machine's.
  // A real session, so that each case is refused for the reason it names and no other.
  let sid: string;
  beforeAll(async () => {
    sid = (await openStaffSession(ctx.db, ctx.config.jwtSecret, { staffUserId: union.staff.admin.id, organizationId: union.id, roles: ['admin'], via: 'issued_token' }, 3600, ctx.now())).sessionId;
  });
  const claims = () => ({ org: union.id, sid, roles: ['admin'], iat: Math.floor(ctx.now().getTime() / 1000) });
  const signOptions = (): jwt.SignOptions => ({ algorithm: 'HS256', subject: union.staff.admin.id, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, expiresIn: 600 });

  test('a valid token reads the caller and their organization', async () => {
    const res = await request(app).get('/api/me').set('Authorization', `Bearer ${union.staff.admin.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roles: ['admin'], organization: { slug: 'local-100' }, staffUser: { email: union.staff.admin.email } });
  });

  test.each([
    ['no token', () => undefined],
    ['a malformed header', () => 'Token abc'],
    ['an expired token', () => `Bearer ${jwt.sign(claims(), ctx.config.jwtSecret, { ...signOptions(), expiresIn: -10 })}`],
    ['a token signed with another secret', () => `Bearer ${jwt.sign(claims(), 'another-secret-another-secret-another', signOptions())}`],
    ['alg: none', () => `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims(), sub: union.staff.admin.id, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: Math.floor(ctx.now().getTime() / 1000) + 600 })}.`],
    ['HS512 instead of HS256', () => `Bearer ${jwt.sign(claims(), ctx.config.jwtSecret, { ...signOptions(), algorithm: 'HS512' })}`],
    ['the wrong audience', () => `Bearer ${jwt.sign(claims(), ctx.config.jwtSecret, { ...signOptions(), audience: 'someone-else' })}`],
    ['the wrong issuer', () => `Bearer ${jwt.sign(claims(), ctx.config.jwtSecret, { ...signOptions(), issuer: 'someone-else' })}`],
    [
      'a payload edited after signing',
      () => {
        const organizerToken = union.staff.organizer.token;
        const [header, payload, signature] = organizerToken.split('.') as [string, string, string];
        const edited = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['admin'] };
        return `Bearer ${header}.${base64url(edited)}.${signature}`;
      },
    ],
    ['a token without exp (it would never expire)', () => `Bearer ${jwt.sign(claims(), ctx.config.jwtSecret, { algorithm: 'HS256', subject: union.staff.admin.id, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE })}`],
    ['a token without a session id', () => `Bearer ${jwt.sign({ ...claims(), sid: undefined }, ctx.config.jwtSecret, signOptions())}`],
    ['a token naming a session that does not exist', () => `Bearer ${jwt.sign({ ...claims(), sid: '00000000-0000-4000-8000-000000000000' }, ctx.config.jwtSecret, signOptions())}`],
    ['a token naming someone else\'s session', () => `Bearer ${jwt.sign(claims(), ctx.config.jwtSecret, { ...signOptions(), subject: union.staff.treasurer.id })}`],
  ])('%s → 401 in the JSON error shape', async (_name, authorization) => {
    const value = authorization();
    const req = request(app).get('/api/staff');
    const res = value === undefined ? await req : await req.set('Authorization', value);
    expect(res.status).toBe(401);
    expectErrorShape(res.body, 'unauthenticated');
  });

  test('the same claims, correctly signed with its session, are accepted (the cases above fail for their own reason)', async () => {
    const res = await request(app).get('/api/staff').set('Authorization', `Bearer ${jwt.sign(claims(), ctx.config.jwtSecret, signOptions())}`);
    expect(res.status).toBe(200);
  });

  test('a role without the right → 403', async () => {
    const res = await request(app).get('/api/staff').set('Authorization', `Bearer ${union.staff.organizer.token}`);
    expect(res.status).toBe(403);
    expectErrorShape(res.body, 'forbidden');
  });

  test('roles are read from the database, so a revoked role stops working before the token expires', async () => {
    const extra = await createOrganizationWithStaff(ctx, 'local-101');
    const token = await staffToken(ctx, { staffUserId: extra.staff.treasurer.id, organizationId: extra.id, roles: ['treasurer'] }, 3600);
    expect((await request(app).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    await revokeRole(ctx.db, extra.id, extra.staff.treasurer.id, 'treasurer');
    expect((await request(app).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });

  test("expiry follows the service's clock, whatever the machine's clock says", async () => {
    const token = await staffToken(ctx, { staffUserId: union.staff.admin.id, organizationId: union.id, roles: ['admin'] }, 3600);
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 3599_000);
    expect((await request(app).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 2000);
    expect((await request(app).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });

  test('a token claiming admin where the database says organizer gets only organizer rights', async () => {
    const inflated = await staffToken(ctx, { staffUserId: union.staff.organizer.id, organizationId: union.id, roles: ['admin'] }, 600);
    expect((await request(app).get('/api/staff').set('Authorization', `Bearer ${inflated}`)).status).toBe(403);
  });
});

describe('sign-in links', () => {
  async function latestSignInLink(email: string): Promise<string> {
    const message = await ctx.db
      .selectFrom('email_outbox')
      .selectAll()
      .where('to_address', '=', email)
      .where('kind', '=', 'staff_sign_in')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const link = /http:\/\/gs\.test\/auth\/callback\?token=[A-Za-z0-9_-]+/.exec(message.text_body)?.[0];
    expect(message.html_body).toContain(link);
    return link!.replace('http://gs.test', '');
  }

  test('the answer and the work are the same whether or not the email is known: each gets one email, only a known one a link', async () => {
    const since = ctx.now();
    const known = await request(app).post('/auth/login').send({ email: union.staff.treasurer.email });
    const unknown = await request(app).post('/auth/login').send({ email: 'stranger@example.org' });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);
    const mail = await ctx.db.selectFrom('email_outbox').select(['kind', 'to_address', 'text_body']).where('created_at', '>=', since).orderBy('kind').execute();
    expect(mail.map((row) => [row.kind, row.to_address])).toEqual([
      ['staff_sign_in', union.staff.treasurer.email],
      ['staff_sign_in.no_account', 'stranger@example.org'],
    ]);
    expect(mail[1]!.text_body).not.toContain('token=');
    expect(mail[1]!.text_body).toContain('it has no staff account');
    const tokens = await ctx.db.selectFrom('login_tokens').select('staff_user_id').where('created_at', '>=', since).execute();
    expect(tokens).toEqual([{ staff_user_id: union.staff.treasurer.id }]);
  });

  test('one address gets at most 5 sign-in requests in 15 minutes, whichever addresses send them; others are not held up', async () => {
    const victim = 'probed.person@example.org';
    const limited = testApp(ctx);
    const from = (ip: string) => request(limited).post('/auth/login').set('X-Forwarded-For', ip);
    for (let i = 0; i < 5; i += 1) await from(`203.0.113.${i}`).send({ email: i % 2 ? victim.toUpperCase() : victim }).expect(202);
    const sixth = await from('203.0.113.99').send({ email: victim });
    expect(sixth.status).toBe(429);
    expectErrorShape(sixth.body, 'rate_limited');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    // No header tells a prober how often someone else asked for the address.
    expect(sixth.headers.ratelimit).toMatch(/r=\d+/);
    expect(sixth.headers.ratelimit).toBe((await from('203.0.113.100').send({ email: 'someone.else@example.org' })).headers.ratelimit);
    await from('203.0.113.101').send({ email: 'someone.else@example.org' }).expect(202);
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 15 * 60_000);
    await from('203.0.113.99').send({ email: victim }).expect(202);
  });

  const tokenOf = (link: string): string => new URL(link, 'http://gs.test').searchParams.get('token')!;

  test('opening a link (GET or HEAD, as mail scanners do) spends nothing: its page has a button that signs in', async () => {
    await request(app).post('/auth/login').send({ email: union.staff.treasurer.email }).expect(202);
    const link = await latestSignInLink(union.staff.treasurer.email);

    expect((await request(app).head(link)).status).toBe(200);
    const page = await request(app).get(link);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.text).toContain('<form method="post" action="/auth/callback">');
    expect(page.text).toContain(`name="token" value="${tokenOf(link)}"`);
    expect((await request(app).get(link)).status).toBe(200);

    const signedIn = await request(app).post('/auth/callback').type('form').send({ token: tokenOf(link) });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe('/');
    expect(signedIn.headers['set-cookie']![0]).toMatch(/^gs_session=/);
  });

  test('a spent link shows a page (never JSON) with a way to ask for a new one', async () => {
    await request(app).post('/auth/login').send({ email: union.staff.admin.email }).expect(202);
    const link = await latestSignInLink(union.staff.admin.email);
    await request(app).post('/auth/callback').type('form').send({ token: tokenOf(link) }).expect(303);
    for (const res of [await request(app).get(link), await request(app).post('/auth/callback').type('form').send({ token: tokenOf(link) })]) {
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('This sign-in link no longer works');
      expect(res.text).toMatch(/<form method="post" action="\/auth\/login"/);
    }
  });

  test('a link works once and sets an HttpOnly, SameSite=Lax session cookie that the API accepts', async () => {
    await request(app).post('/auth/login').send({ email: union.staff.treasurer.email }).expect(202);
    const link = await latestSignInLink(union.staff.treasurer.email);

    const first = await request(app).post('/auth/callback').type('form').send({ token: tokenOf(link) });
    expect(first.status).toBe(303);
    const cookie = first.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/^gs_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);

    const me = await request(app).get('/api/me').set('Cookie', cookie.split(';')[0]!);
    expect(me.status).toBe(200);
    expect(me.body.roles).toEqual(['treasurer']);

    const again = await request(app).post('/auth/callback').type('form').send({ token: tokenOf(link) });
    expect(again.status).toBe(401);
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  test('an expired link never works', async () => {
    await request(app).post('/auth/login').send({ email: union.staff.organizer.email }).expect(202);
    const link = await latestSignInLink(union.staff.organizer.email);
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 15 * 60_000 - 1000);
    expect((await request(app).get(link)).status).toBe(200);
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 2000);
    expect((await request(app).get(link)).status).toBe(401);
    expect((await request(app).post('/auth/callback').type('form').send({ token: tokenOf(link) })).status).toBe(401);
  });

  test('a made-up token is refused', async () => {
    expect((await request(app).get('/auth/callback?token=not-a-real-token')).status).toBe(401);
    expect((await request(app).get('/auth/callback')).status).toBe(401);
    expect((await request(app).post('/auth/callback').type('form').send({ token: 'not-a-real-token' })).status).toBe(401);
    expect((await request(app).post('/auth/callback').type('form').send({})).status).toBe(401);
  });

  test('a bad email is a 400 naming the field', async () => {
    const res = await request(app).post('/auth/login').send({ email: 'not-an-email' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.fields).toEqual([expect.objectContaining({ path: 'body.email' })]);
  });

  test('the sign-in form posts as a browser would and gets a page back', async () => {
    const res = await request(app).post('/auth/login').type('form').send({ email: union.staff.admin.email });
    expect(res.status).toBe(202);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('sign-in link is on its way');
  });

  test("too many sign-in requests from one address → 429 in the JSON error shape, until the window ends on the service's clock", async () => {
    const limited = testApp(ctx, { loginRateLimit: 2 });
    await request(limited).post('/auth/login').send({ email: 'a@example.org' }).expect(202);
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 5 * 60_000);
    await request(limited).post('/auth/login').send({ email: 'b@example.org' }).expect(202);
    const res = await request(limited).post('/auth/login').send({ email: 'c@example.org' });
    expect(res.status).toBe(429);
    expectErrorShape(res.body, 'rate_limited');
    expect(res.headers['retry-after']).toBe(String(10 * 60));
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 10 * 60_000);
    await request(limited).post('/auth/login').send({ email: 'c@example.org' }).expect(202);
  });

  test('over plain http, pages do not ask the browser to upgrade their forms to https (which would leave them dead)', async () => {
    const lan = await request(app).get('/login').set('Host', '192.168.1.20:3000');
    expect(lan.status).toBe(200);
    expect(lan.headers['content-security-policy']).toContain("form-action 'self'");
    expect(lan.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    const https = testApp({ ...ctx, publicUrl: 'https://dues.example.org' });
    expect((await request(https).get('/login').set('Host', 'dues.example.org')).headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });
});

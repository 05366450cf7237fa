import request from 'supertest';
import { grantRole } from '../src/staff/queries';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createOrganizationWithStaff, staffToken, TEST_NOW, testApp, testContext, type OrganizationFixture } from './support/app';

// Sign-out signs out: every staff token names a server-side session, and a request is served
// only while that session stands. Before sessions, a signed-out cookie kept working for 12 hours.
let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let union: OrganizationFixture;
let other: OrganizationFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  union = await createOrganizationWithStaff(ctx, 'local-300');
  other = await createOrganizationWithStaff(ctx, 'local-301');
});
afterAll(async () => {
  await testDb.drop();
});
let testsRun = 0;
beforeEach(() => {
  testsRun += 1;
  ctx.clock.now = new Date(TEST_NOW.getTime() + testsRun * 60_000);
});

/** Signs in as a person would: the emailed link, then its button. The session cookie. */
async function signIn(email: string, organization: string): Promise<string> {
  ctx.clock.now = new Date(ctx.clock.now.getTime() + 1000); // so that its email is the newest
  await request(app).post('/auth/login').send({ email, organization }).expect(202);
  const message = await ctx.db.selectFrom('email_outbox').select('text_body').where('to_address', '=', email).where('kind', '=', 'staff_sign_in').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const token = /\/auth\/callback\?token=([A-Za-z0-9_-]+)/.exec(message.text_body)![1]!;
  const res = await request(app).post('/auth/callback').type('form').send({ token }).expect(303);
  return res.headers['set-cookie']![0]!.split(';')[0]!;
}

const me = (credential: { cookie?: string; bearer?: string }) => {
  const call = request(app).get('/api/me');
  return credential.cookie ? call.set('Cookie', credential.cookie) : call.set('Authorization', `Bearer ${credential.bearer}`);
};

const audit = (organizationId: string, action: string) =>
  ctx.db.selectFrom('audit_log').select(['actor_staff_user_id', 'subject_id', 'details']).where('organization_id', '=', organizationId).where('action', '=', action).orderBy('id', 'desc').execute();

describe('sign-out', () => {
  test('POST /auth/logout ends the session server-side: the same cookie is refused at once, and other sessions go on', async () => {
    const cookie = await signIn(union.staff.treasurer.email, union.slug);
    const elsewhere = await signIn(union.staff.treasurer.email, union.slug);
    expect((await me({ cookie })).status).toBe(200);

    const out = await request(app).post('/auth/logout').set('Cookie', cookie);
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']![0]).toMatch(/^gs_session=;/);

    const after = await me({ cookie });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthenticated');
    // Still refused hours later, well within the token's own 12 hours.
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 6 * 3600_000);
    expect((await me({ cookie })).status).toBe(401);
    expect((await me({ cookie: elsewhere })).status).toBe(200);
    expect((await audit(union.id, 'staff.signed_out'))[0]).toMatchObject({ actor_staff_user_id: union.staff.treasurer.id });
  });

  test('a bearer token signs out the same way; signing out twice, or with nothing, is harmless', async () => {
    const bearer = await staffToken(ctx, { staffUserId: union.staff.admin.id, organizationId: union.id }, 3600);
    expect((await me({ bearer })).status).toBe(200);
    await request(app).post('/auth/logout').set('Authorization', `Bearer ${bearer}`).expect(204);
    expect((await me({ bearer })).status).toBe(401);
    await request(app).post('/auth/logout').set('Authorization', `Bearer ${bearer}`).expect(204);
    await request(app).post('/auth/logout').expect(204);
  });

  test("the console's sign-out ends the session server-side too", async () => {
    const cookie = await signIn(union.staff.organizer.email, union.slug);
    const page = await request(app).get('/console/members').set('Cookie', cookie).set('Accept', 'text/html');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const out = await request(app).post('/console/sign-out').set('Cookie', cookie).type('form').send({ csrf });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login?signed_out=1');
    expect((await me({ cookie })).status).toBe(401);
    expect((await request(app).get('/console/members').set('Cookie', cookie).set('Accept', 'text/html')).status).toBe(401);
  });

  test('DELETE /api/me/sessions signs oneself out everywhere in the organization, this session included', async () => {
    const first = await signIn(union.staff.admin.email, union.slug);
    const second = await staffToken(ctx, { staffUserId: union.staff.admin.id, organizationId: union.id });
    const res = await request(app).delete('/api/me/sessions').set('Cookie', first);
    expect(res.status).toBe(200);
    expect(res.body.sessionsEnded).toBeGreaterThanOrEqual(2);
    expect((await me({ cookie: first })).status).toBe(401);
    expect((await me({ bearer: second })).status).toBe(401);
    // The fixture's own token was one of them: give the rest of the suite a new one.
    union.staff.admin.token = await staffToken(ctx, { staffUserId: union.staff.admin.id, organizationId: union.id });
  });
});

describe('an admin ends other people\'s sessions', () => {
  test('"sign out everywhere" ends every session and issued token a staff member holds in the organization, and is audited', async () => {
    const victim = union.staff.treasurer;
    const browser = await signIn(victim.email, union.slug);
    const script = await staffToken(ctx, { staffUserId: victim.id, organizationId: union.id }, 300 * 86_400);
    const bystander = await signIn(union.staff.organizer.email, union.slug);

    const res = await request(app).delete(`/api/staff/${victim.id}/sessions`).set('Authorization', `Bearer ${union.staff.admin.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: victim.id, sessionsEnded: expect.any(Number) });
    expect(res.body.sessionsEnded).toBeGreaterThanOrEqual(2);
    expect((await me({ cookie: browser })).status).toBe(401);
    expect((await me({ bearer: script })).status).toBe(401);
    expect((await me({ cookie: bystander })).status).toBe(200);
    expect((await audit(union.id, 'staff.signed_out_everywhere'))[0]).toMatchObject({ actor_staff_user_id: union.staff.admin.id, subject_id: victim.id });
    // Signing in again works.
    expect((await me({ cookie: await signIn(victim.email, union.slug) })).status).toBe(200);
    victim.token = await staffToken(ctx, { staffUserId: victim.id, organizationId: union.id });
  });

  test("another organization's admin cannot end them (404), and only admins may", async () => {
    const browser = await signIn(union.staff.treasurer.email, union.slug);
    expect((await request(app).delete(`/api/staff/${union.staff.treasurer.id}/sessions`).set('Authorization', `Bearer ${other.staff.admin.token}`)).status).toBe(404);
    expect((await request(app).delete(`/api/staff/${union.staff.treasurer.id}/sessions`).set('Authorization', `Bearer ${union.staff.organizer.token}`)).status).toBe(403);
    expect((await me({ cookie: browser })).status).toBe(200);
  });

  test("removing a role ends the person's sessions in that organization — a role given back revives none — and leaves their sessions elsewhere", async () => {
    // One person with two roles here and one in another organization.
    const person = union.staff.organizer;
    await grantRole(ctx.db, union.id, person.id, 'treasurer', ctx.now());
    await grantRole(ctx.db, other.id, person.id, 'organizer', ctx.now());
    const here = await signIn(person.email, union.slug);
    const there = await signIn(person.email, other.slug);
    expect((await me({ cookie: here })).body.roles).toEqual(['organizer', 'treasurer']);

    const res = await request(app).delete(`/api/staff/${person.id}/roles/treasurer`).set('Authorization', `Bearer ${union.staff.admin.token}`);
    expect(res.status).toBe(200);
    expect(res.body.roles).toEqual(['organizer']);
    expect((await me({ cookie: here })).status).toBe(401);
    await grantRole(ctx.db, union.id, person.id, 'treasurer', ctx.now());
    expect((await me({ cookie: here })).status).toBe(401);
    expect((await me({ cookie: there })).status).toBe(200);
    expect((await audit(union.id, 'staff.role_revoked'))[0]!.details).toMatchObject({ role: 'treasurer', sessionsEnded: expect.any(Number) });
    person.token = await staffToken(ctx, { staffUserId: person.id, organizationId: union.id });
  });
});

describe('sessions and the one clock', () => {
  test("a session ends at its expiry on the service's clock, as its token does", async () => {
    const bearer = await staffToken(ctx, { staffUserId: union.staff.admin.id, organizationId: union.id }, 600);
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 599_000);
    expect((await me({ bearer })).status).toBe(200);
    const row = await ctx.db.selectFrom('staff_sessions').select(['created_at', 'expires_at']).orderBy('created_at', 'desc').orderBy('expires_at', 'asc').executeTakeFirstOrThrow();
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBe(600_000);
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 2000);
    expect((await me({ bearer })).status).toBe(401);
  });
});

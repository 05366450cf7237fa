import request from 'supertest';
import { rolesIn } from '../../src/staff/queries';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganizationWithStaff, TEST_NOW, testApp, testContext, type OrganizationFixture } from '../support/app';

// The staff directory does not cross tenants. Before invitations, organization A's admin
// posting B's admin's email got back B's admin's user id and stored name, and gave them a
// role in A without their say.
let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let orgA: OrganizationFixture;
let orgB: OrganizationFixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = testContext(testDb.db);
  app = testApp(ctx);
  orgA = await createOrganizationWithStaff(ctx, 'local-a');
  orgB = await createOrganizationWithStaff(ctx, 'local-b');
  await ctx.db.updateTable('staff_users').set({ name: 'Bea Secret-Name' }).where('id', '=', orgB.staff.admin.id).execute();
});
afterAll(async () => {
  await testDb.drop();
});
let testsRun = 0;
beforeEach(() => {
  testsRun += 1;
  ctx.clock.now = new Date(TEST_NOW.getTime() + testsRun * 3600_000);
});

const asAdminOfA = () => ({ Authorization: `Bearer ${orgA.staff.admin.token}` });
const invite = (body: Record<string, unknown>) => request(app).post('/api/staff').set(asAdminOfA()).send(body);

async function invitationLink(email: string): Promise<string> {
  const message = await ctx.db.selectFrom('email_outbox').select(['text_body', 'html_body']).where('to_address', '=', email).where('kind', '=', 'staff_invitation').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const link = /http:\/\/gs\.test(\/staff\/invitations\/accept\?token=[A-Za-z0-9_-]+)/.exec(message.text_body)![1]!;
  expect(message.html_body).toContain(link);
  return link;
}
const tokenOf = (link: string) => new URL(link, 'http://gs.test').searchParams.get('token')!;

describe('adding staff reveals nothing about a person elsewhere on the platform', () => {
  test("B's admin's email and a never-seen email get the same answer, which holds only what A entered", async () => {
    const existing = await invite({ email: orgB.staff.admin.email, name: 'Typed By A', role: 'organizer' });
    const stranger = await invite({ email: 'nobody-anywhere@example.org', name: 'Typed By A', role: 'organizer' });
    expect(existing.status).toBe(202);
    expect(stranger.status).toBe(202);
    const shape = (body: { invitation: Record<string, unknown> }) => ({ ...body.invitation, id: 'id', email: 'email', invitedAt: 'at', expiresAt: 'at' });
    expect(shape(existing.body)).toEqual(shape(stranger.body));
    expect(Object.keys(existing.headers).sort()).toEqual(Object.keys(stranger.headers).sort());
    expect(existing.body.invitation).toEqual({ id: expect.any(String), email: orgB.staff.admin.email, name: 'Typed By A', role: 'organizer', status: 'invited', invitedAt: expect.any(String), expiresAt: expect.any(String) });
    const text = JSON.stringify(existing.body);
    expect(text).not.toContain(orgB.staff.admin.id);
    expect(text).not.toContain('Bea Secret-Name');
    // Nothing is given until the person accepts.
    expect(await rolesIn(ctx.db, orgA.id, orgB.staff.admin.id)).toEqual([]);
    expect(await ctx.db.selectFrom('staff_users').select('id').where('email', '=', 'nobody-anywhere@example.org').executeTakeFirst()).toBeUndefined();
    // A's staff list and its invitations show what A entered.
    const staff = await request(app).get('/api/staff').set(asAdminOfA());
    expect(JSON.stringify(staff.body)).not.toContain(orgB.staff.admin.email);
    const open = await request(app).get('/api/staff/invitations').set(asAdminOfA());
    expect(open.body.data.map((i: { email: string; name: string }) => [i.email, i.name])).toEqual(expect.arrayContaining([[orgB.staff.admin.email, 'Typed By A'], ['nobody-anywhere@example.org', 'Typed By A']]));
    expect(JSON.stringify(open.body)).not.toContain('Bea Secret-Name');
  });

  test("the invited person accepts from the emailed link (a page first: scanners spend nothing), joins A with the role and keeps their own name and their place in B", async () => {
    await invite({ email: orgB.staff.admin.email.toUpperCase(), name: 'Typed By A', role: 'treasurer' }).expect(202);
    const link = await invitationLink(orgB.staff.admin.email.toUpperCase());

    const page = await request(app).get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form method="post" action="/staff/invitations/accept">');
    expect(page.text).toContain('local-a union');
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(await rolesIn(ctx.db, orgA.id, orgB.staff.admin.id)).toEqual([]);

    const accepted = await request(app).post('/staff/invitations/accept').type('form').send({ token: tokenOf(link) });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.location).toBe('/console');
    const cookie = accepted.headers['set-cookie']![0]!.split(';')[0]!;
    const me = await request(app).get('/api/me').set('Cookie', cookie);
    expect(me.body).toMatchObject({ staffUser: { id: orgB.staff.admin.id, name: 'Bea Secret-Name' }, roles: ['treasurer'], organization: { slug: 'local-a' } });
    expect(await rolesIn(ctx.db, orgB.id, orgB.staff.admin.id)).toEqual(['admin']);
    expect((await request(app).get('/api/me').set('Authorization', `Bearer ${orgB.staff.admin.token}`)).status).toBe(200);

    // Once only.
    expect((await request(app).post('/staff/invitations/accept').type('form').send({ token: tokenOf(link) })).status).toBe(404);
    expect((await request(app).get(link)).status).toBe(404);
    const actions = await ctx.db.selectFrom('audit_log').select('action').where('organization_id', '=', orgA.id).where('actor_staff_user_id', '=', orgB.staff.admin.id).execute();
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['staff.invitation_accepted', 'staff.role_granted']));
  });

  test('someone with no account gets one, named as the admin entered, when they accept', async () => {
    await invite({ email: 'new.person@example.org', name: 'New Person', role: 'organizer' }).expect(202);
    const link = await invitationLink('new.person@example.org');
    const accepted = await request(app).post('/staff/invitations/accept').type('form').send({ token: tokenOf(link) });
    expect(accepted.status).toBe(303);
    const me = await request(app).get('/api/me').set('Cookie', accepted.headers['set-cookie']![0]!.split(';')[0]!);
    expect(me.body).toMatchObject({ staffUser: { email: 'new.person@example.org', name: 'New Person' }, roles: ['organizer'] });
  });

  test("one of A's own staff is given the role at once (A knows them already); no invitation", async () => {
    const before = await ctx.db.selectFrom('email_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await invite({ email: orgA.staff.organizer.email, name: 'ignored', role: 'treasurer' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: orgA.staff.organizer.id, roles: ['organizer', 'treasurer'] });
    const after = await ctx.db.selectFrom('email_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  test('an admin withdraws an invitation (its link stops working); another organization cannot; links expire after 7 days', async () => {
    const withdrawn = await invite({ email: 'changed.mind@example.org', name: 'Changed Mind', role: 'organizer' });
    const link = await invitationLink('changed.mind@example.org');
    expect((await request(app).delete(`/api/staff/invitations/${withdrawn.body.invitation.id}`).set('Authorization', `Bearer ${orgB.staff.admin.token}`)).status).toBe(404);
    expect((await request(app).delete(`/api/staff/invitations/${withdrawn.body.invitation.id}`).set(asAdminOfA())).status).toBe(204);
    expect((await request(app).post('/staff/invitations/accept').type('form').send({ token: tokenOf(link) })).status).toBe(404);

    await invite({ email: 'slow.reader@example.org', name: 'Slow Reader', role: 'organizer' }).expect(202);
    const late = await invitationLink('slow.reader@example.org');
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 7 * 86_400_000 + 1000);
    expect((await request(app).get(late)).status).toBe(404);
    expect((await request(app).post('/staff/invitations/accept').type('form').send({ token: tokenOf(late) })).status).toBe(404);
    expect((await request(app).post('/staff/invitations/accept').type('form').send({ token: 'made-up' })).status).toBe(404);
  });
});

import type { StaffRole } from '../../db/database';
import { roleChangeRefusal } from '../../src/staff/roles';
import { inviteStaff } from '../../src/staff/invitations';
import { rolesIn } from '../../src/staff/queries';
import type { TestDatabase } from '../support/database';
import { createOrganizationWithStaff, type OrganizationFixture } from '../support/app';
import { browserAs, consoleTestWorld, sessionCookie } from './fixtures';

// Staff in the console: invite, change roles, remove; the organization never loses its last admin.

let testDb: TestDatabase;
let ctx: Awaited<ReturnType<typeof consoleTestWorld>>['ctx'];
let app: Awaited<ReturnType<typeof consoleTestWorld>>['app'];
let cookies: Record<StaffRole, string>;
let org: OrganizationFixture;
let other: OrganizationFixture;

beforeAll(async () => {
  ({ testDb, ctx, app, cookies, made: org } = await consoleTestWorld((c) => createOrganizationWithStaff(c, 'local-21'), (made) => made));
  other = await createOrganizationWithStaff(ctx, 'other-21');
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);
const audits = async (action: string) => ctx.db.selectFrom('audit_log').selectAll().where('organization_id', '=', org.id).where('action', '=', action).execute();

describe('roleChangeRefusal', () => {
  test.each([
    ['demoting the last admin', { before: ['admin'], after: ['treasurer'], self: false, otherAdmins: 0, removing: false }, 'last_admin'],
    ['removing the last admin', { before: ['admin', 'organizer'], after: [], self: false, otherAdmins: 0, removing: true }, 'last_admin'],
    ['the last admin demoting themself', { before: ['admin'], after: ['organizer'], self: true, otherAdmins: 0, removing: false }, 'last_admin'],
    ['an admin demoting themself while others remain', { before: ['admin'], after: ['organizer'], self: true, otherAdmins: 1, removing: false }, 'own_admin'],
    ['demoting one of two admins', { before: ['admin', 'treasurer'], after: ['treasurer'], self: false, otherAdmins: 1, removing: false }, undefined],
    ['taking every role without removing', { before: ['organizer'], after: [], self: false, otherAdmins: 1, removing: false }, 'no_roles'],
    ['removing an organizer', { before: ['organizer'], after: [], self: false, otherAdmins: 1, removing: true }, undefined],
    ['adding a role to the last admin', { before: ['admin'], after: ['admin', 'treasurer'], self: true, otherAdmins: 0, removing: false }, undefined],
  ] as const)('%s', (_name, change, refusal) => {
    expect(roleChangeRefusal({ ...change, before: [...change.before], after: [...change.after] })).toBe(refusal);
  });
});

describe('the staff page', () => {
  test('admins only; lists the staff with their roles and the open invitations', async () => {
    await inviteStaff(ctx.db, { organizationId: org.id, organizationName: 'local-21 union', email: 'pending@example.org', name: 'Pending Person', role: 'organizer', invitedBy: org.staff.admin.id, publicUrl: 'http://gs.test', now: ctx.now() });
    const page = await as('admin').get('/console/staff');
    expect(page.status).toBe(200);
    expect(page.text).toContain('treasurer@local-21.example.org');
    expect(page.text).toContain('Pending Person');
    expect(page.text).not.toContain('other-21');
    expect((await as('treasurer').get('/console/staff')).status).toBe(403);
  });

  test('another organization’s staff member or invitation is not found, and nothing changes there', async () => {
    const csrf = await as('admin').csrf('/console/staff');
    expect((await as('admin').post(`/console/staff/${other.staff.admin.id}/roles`, { csrf, organizer: 'yes' })).status).toBe(404);
    expect((await as('admin').post(`/console/staff/${other.staff.treasurer.id}/remove`, { csrf })).status).toBe(404);
    const theirs = await inviteStaff(ctx.db, { organizationId: other.id, organizationName: 'other', email: 'theirs@example.org', name: 'Theirs', role: 'organizer', invitedBy: other.staff.admin.id, publicUrl: 'http://gs.test', now: ctx.now() });
    expect((await as('admin').post(`/console/staff/invitations/${theirs.id}/withdraw`, { csrf })).status).toBe(404);
    expect(await rolesIn(ctx.db, other.id, other.staff.admin.id)).toEqual(['admin']);
    expect(await rolesIn(ctx.db, other.id, other.staff.treasurer.id)).toEqual(['treasurer']);
  });
});

describe('inviting', () => {
  test('a bad name or address comes back with what was typed, and no invitation is made', async () => {
    const before = (await ctx.db.selectFrom('staff_invitations').select('id').execute()).length;
    const csrf = await as('admin').csrf('/console/staff');
    const res = await as('admin').post('/console/staff', { csrf, name: '', email: 'not-an-address', role: 'treasurer' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter their name');
    expect(res.text).toContain('Enter an email address such as office@example.org');
    expect(res.text).toContain('value="not-an-address"');
    expect((await ctx.db.selectFrom('staff_invitations').select('id').execute()).length).toBe(before);
  });

  test('an invitation is emailed as a sign-in link and audited', async () => {
    const csrf = await as('admin').csrf('/console/staff');
    const res = await as('admin').post('/console/staff', { csrf, name: 'Dana Cruz', email: 'dana@example.org', role: 'treasurer' });
    expect(res.status).toBe(303);
    const mail = await ctx.db.selectFrom('email_outbox').select('text_body').where('to_address', '=', 'dana@example.org').executeTakeFirstOrThrow();
    expect(mail.text_body).toContain('/staff/invitations/accept?token=');
    expect((await audits('staff.invited')).length).toBe(1);
    const page = await as('admin').get('/console/staff');
    expect(page.text).toContain('Dana Cruz');
  });
});

describe('roles and removal', () => {
  test('the last admin can neither be demoted nor removed, with a clear message; nothing changes', async () => {
    const csrf = await as('admin').csrf('/console/staff');
    const demote = await as('admin').post(`/console/staff/${org.staff.admin.id}/roles`, { csrf, organizer: 'yes' });
    expect(demote.status).toBe(400);
    expect(demote.text).toContain('The organization must keep at least one admin');
    const remove = await as('admin').post(`/console/staff/${org.staff.admin.id}/remove`, { csrf });
    expect(remove.status).toBe(400);
    expect(remove.text).toContain('The organization must keep at least one admin');
    expect(await rolesIn(ctx.db, org.id, org.staff.admin.id)).toEqual(['admin']);
  });

  test('roles change, are audited, and end the sessions of whoever lost one; with a second admin, the first may be demoted by them but not by themself', async () => {
    const csrf = await as('admin').csrf('/console/staff');
    await as('admin').post(`/console/staff/${org.staff.treasurer.id}/roles`, { csrf, admin: 'yes', treasurer: 'yes' }).expect(303);
    expect(await rolesIn(ctx.db, org.id, org.staff.treasurer.id)).toEqual(['admin', 'treasurer']);
    expect((await audits('staff.role_granted')).map((a) => a.subject_id)).toContain(org.staff.treasurer.id);

    const self = await as('admin').post(`/console/staff/${org.staff.admin.id}/roles`, { csrf, organizer: 'yes' });
    expect(self.status).toBe(400);
    expect(self.text).toContain('You cannot take away your own admin role');

    const secondAdmin = browserAs(app, await sessionCookie(ctx, org.id, org.staff.treasurer.id));
    const theirCsrf = await secondAdmin.csrf('/console/staff');
    await secondAdmin.post(`/console/staff/${org.staff.admin.id}/roles`, { csrf: theirCsrf, organizer: 'yes' }).expect(303);
    expect(await rolesIn(ctx.db, org.id, org.staff.admin.id)).toEqual(['organizer']);
    // The demoted admin's session ended with the change.
    expect((await as('admin').get('/console/staff')).status).toBe(401);
  });

  test('removing someone takes every role here and is audited; an empty role set is refused as such', async () => {
    const admin = browserAs(app, await sessionCookie(ctx, org.id, org.staff.treasurer.id));
    const csrf = await admin.csrf('/console/staff');
    const none = await admin.post(`/console/staff/${org.staff.organizer.id}/roles`, { csrf });
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose at least one role, or remove the person from the staff');
    await admin.post(`/console/staff/${org.staff.organizer.id}/remove`, { csrf }).expect(303);
    expect(await rolesIn(ctx.db, org.id, org.staff.organizer.id)).toEqual([]);
    expect((await audits('staff.removed')).map((a) => a.subject_id)).toEqual([org.staff.organizer.id]);
  });

  test('an invitation withdrawn stops showing', async () => {
    const admin = browserAs(app, await sessionCookie(ctx, org.id, org.staff.treasurer.id));
    const invitation = await ctx.db.selectFrom('staff_invitations').select('id').where('organization_id', '=', org.id).where('name', '=', 'Dana Cruz').executeTakeFirstOrThrow();
    const csrf = await admin.csrf('/console/staff');
    await admin.post(`/console/staff/invitations/${invitation.id}/withdraw`, { csrf }).expect(303);
    expect((await admin.get('/console/staff')).text).not.toContain('Dana Cruz');
    expect((await audits('staff.invitation_withdrawn')).length).toBe(1);
  });
});

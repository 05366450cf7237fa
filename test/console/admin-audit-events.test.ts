import type { StaffRole } from '../../db/database';
import { recordAudit } from '../../src/audit/audit';
import type { TestDatabase } from '../support/database';
import { createOrganizationWithStaff, type OrganizationFixture } from '../support/app';
import { browserAs, consoleTestWorld } from './fixtures';

// The audit log and Stripe's events in the console.

let testDb: TestDatabase;
let ctx: Awaited<ReturnType<typeof consoleTestWorld>>['ctx'];
let app: Awaited<ReturnType<typeof consoleTestWorld>>['app'];
let cookies: Record<StaffRole, string>;
let org: OrganizationFixture;
let other: OrganizationFixture;

const event = (id: string, organizationId: string, status: 'failed' | 'pending' | 'processed', lastError: string | null) => ({
  id,
  type: 'invoice.paid',
  stripe_created_at: ctx.now(),
  payload: JSON.stringify({ id, type: 'invoice.paid', data: { object: { id: `in_${id}`, amount_paid: 2500 } } }),
  livemode: false,
  serial_key: `k-${id}`,
  status,
  attempts: status === 'failed' ? 8 : 1,
  organization_id: organizationId,
  last_error: lastError,
  received_at: ctx.now(),
  next_attempt_at: ctx.now(),
});

beforeAll(async () => {
  ({ testDb, ctx, app, cookies, made: org } = await consoleTestWorld((c) => createOrganizationWithStaff(c, 'local-30'), (made) => made));
  other = await createOrganizationWithStaff(ctx, 'other-30');
  // Sixty entries over two days (Chicago time), by two people, of two kinds; one of another organization.
  for (let i = 0; i < 60; i += 1) {
    const at = new Date(Date.parse('2026-11-20T18:00:00Z') + i * 3_600_000);
    const actor = i % 2 === 0 ? org.staff.admin.id : org.staff.treasurer.id;
    await recordAudit(ctx.db, { organizationId: org.id, actorStaffUserId: actor, action: i % 3 === 0 ? 'plan.updated' : 'member.updated', subjectType: 'thing', subjectId: String(i), details: { n: i }, at });
  }
  await recordAudit(ctx.db, { organizationId: other.id, actorStaffUserId: other.staff.admin.id, action: 'secret.action', details: { secret: 'of other-30' }, at: ctx.now() });
  await ctx.db
    .insertInto('stripe_events')
    .values([event('evt_failed1', org.id, 'failed', 'member not found for customer cus_1'), event('evt_failed2', org.id, 'failed', 'boom'), event('evt_waiting', org.id, 'pending', null), event('evt_done', org.id, 'processed', null), event('evt_theirs', other.id, 'failed', 'theirs')])
    .execute();
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);
const subjectsOn = (html: string) => [...html.matchAll(/<td>thing (\d+)<\/td>/g)].map((match) => Number(match[1]));

describe('the audit log', () => {
  test('admins only; newest first, in pages of 50 that go on by keyset', async () => {
    expect((await as('treasurer').get('/console/audit')).status).toBe(403);
    const first = await as('admin').get('/console/audit?action=member.updated');
    expect(first.status).toBe(200);
    const page1 = subjectsOn(first.text);
    expect(page1.length).toBe(40);
    expect(page1[0]).toBe(59);
    expect(first.text).not.toContain('secret.action');
    const all = await as('admin').get('/console/audit');
    const next = /href="(\/console\/audit\?before=\d+)"/.exec(all.text)?.[1];
    expect(next).toBeDefined();
    const page2 = await as('admin').get(next!.replace(/&amp;/g, '&'));
    const seen = [...subjectsOn(all.text), ...subjectsOn(page2.text)];
    expect(new Set(seen).size).toBe(60);
  });

  test('filters by who, what and the days in the organization’s time zone, kept in the address', async () => {
    const res = await as('admin').get(`/console/audit?actor=${org.staff.treasurer.id}&action=plan.updated&from=2026-11-21&to=2026-11-21`);
    // Chicago's Nov 21 runs 06:00Z Nov 21 to 06:00Z Nov 22: hours 12 to 35 after the first entry.
    const expected = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 2 === 1 && i % 3 === 0 && i >= 12 && i < 36).reverse();
    expect(subjectsOn(res.text)).toEqual(expected);
    expect(res.text).toContain(`href="/console/audit.csv?actor=${org.staff.treasurer.id}&amp;action=plan.updated&amp;from=2026-11-21&amp;to=2026-11-21"`);
  });

  test('a filter it does not understand is a 400, not a 500', async () => {
    for (const query of ['actor=nobody', 'from=2026-13-01', 'before=abc', 'from=2026-11-22&to=2026-11-21', 'action=%00']) {
      expect((await as('admin').get(`/console/audit?${query}`)).status).toBe(400);
    }
  });

  test('the CSV export has the filtered entries and is itself audited', async () => {
    const res = await as('admin').get('/console/audit.csv?action=plan.updated');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['cache-control']).toBe('no-store');
    const lines = res.text.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('When (UTC),Who,Staff ID,Action,Subject type,Subject ID,Details');
    expect(lines.length).toBe(1 + 20);
    expect(res.text).not.toContain('secret');
    const exported = await ctx.db.selectFrom('audit_log').selectAll().where('organization_id', '=', org.id).where('action', '=', 'audit.exported').executeTakeFirstOrThrow();
    expect(exported.details).toMatchObject({ rows: 20, filters: { action: 'plan.updated', via: 'console' } });
  });
});

describe('Stripe events', () => {
  test('failed first, then waiting, with their error and attempts; processed and other organizations’ events left out', async () => {
    expect((await as('treasurer').get('/console/events')).status).toBe(403);
    const res = await as('admin').get('/console/events');
    expect(res.status).toBe(200);
    const ids = [...res.text.matchAll(/<a href="\/console\/events\/(evt_\w+)">/g)].map((match) => match[1]);
    expect(ids).toEqual(['evt_failed1', 'evt_failed2', 'evt_waiting']);
    expect(res.text).toContain('member not found for customer cus_1');
    expect(res.text).toContain('Retry all 2 failed events');
  });

  test('one event’s page shows its payload; another organization’s event is not found', async () => {
    const res = await as('admin').get('/console/events/evt_failed1');
    expect(res.status).toBe(200);
    expect(res.text).toContain('&quot;amount_paid&quot;: 2500');
    expect((await as('admin').get('/console/events/evt_theirs')).status).toBe(404);
    expect((await as('admin').get('/console/events/not-an-event')).status).toBe(404);
    const csrf = await as('admin').csrf('/console/events');
    expect((await as('admin').post('/console/events/evt_theirs/retry', { csrf })).status).toBe(404);
  });

  test('retry one puts it back in line, audited; retry all requeues this organization’s failed events only', async () => {
    const status = async (id: string) => (await ctx.db.selectFrom('stripe_events').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
    const csrf = await as('admin').csrf('/console/events');
    await as('admin').post('/console/events/evt_failed1/retry', { csrf }).expect(303);
    expect(await status('evt_failed1')).toBe('pending');
    await as('admin').post('/console/events/retry-failed', { csrf }).expect(303);
    expect(await status('evt_failed2')).toBe('pending');
    expect(await status('evt_theirs')).toBe('failed');
    expect(await status('evt_done')).toBe('processed');
    const actions = (await ctx.db.selectFrom('audit_log').select('action').where('organization_id', '=', org.id).where('action', 'like', 'webhook_event.%').execute()).map((row) => row.action);
    expect(actions.sort()).toEqual(['webhook_event.requeued', 'webhook_event.requeued_all']);
  });
});

describe('a member’s Stripe events', () => {
  test('listed from the events naming their customer, newest first; admins only; another member’s or organization’s are not there', async () => {
    const member = await ctx.db.insertInto('members').values({ organization_id: org.id, name: 'Rosa Events', email: 'rosa.events@example.org', wage_facts: '{}', stripe_customer_id: 'cus_rosa', created_at: ctx.now(), updated_at: ctx.now(), standing_changed_at: ctx.now() }).returning('id').executeTakeFirstOrThrow();
    const about = (id: string, organizationId: string, customer: string) => ({ ...event(id, organizationId, 'processed', null), payload: JSON.stringify({ id, type: 'invoice.paid', data: { object: { id: `in_${id}`, customer } } }) });
    await ctx.db.insertInto('stripe_events').values([about('evt_rosa1', org.id, 'cus_rosa'), about('evt_someone', org.id, 'cus_someone'), about('evt_other_org', other.id, 'cus_rosa')]).execute();
    const page = await browserAs(app, cookies.admin).get(`/console/members/${member.id}/events`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Stripe events of Rosa Events');
    expect(page.text).toContain('href="/console/events/evt_rosa1"');
    expect(page.text).not.toContain('evt_someone');
    expect(page.text).not.toContain('evt_other_org');
    expect((await browserAs(app, cookies.treasurer).get(`/console/members/${member.id}/events`)).status).toBe(403);
    expect((await browserAs(app, cookies.admin).get('/console/members/00000000-0000-4000-8000-000000000000/events')).status).toBe(404);
    expect((await browserAs(app, cookies.admin).get(`/console/members/${member.id}`)).text).toContain(`href="/console/members/${member.id}/events"`);
    expect((await browserAs(app, cookies.treasurer).get(`/console/members/${member.id}`)).text).not.toContain('/events"');
  });
});

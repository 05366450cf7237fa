import type { StaffRole } from '../../db/database';
import { memberTimeline } from '../../src/console/queries';
import { seededConsoleWorld } from './fixtures';

// Preparing and confirming a dues increase in the console: the before/after table, the
// notice checked against the calendar, the increase recorded with its items, its page, and
// the member's timeline. (The job's notices and Stripe changes: test/increases.)

let versionId: string;

const world = seededConsoleWorld('local-raise');

beforeAll(async () => {
  versionId = (
    await world.ctx.db
      .insertInto('plan_versions')
      .values({ organization_id: world.made.org.id, plan_id: world.made.planId, version: 2, effective_from: '2027-01-01', amount_rule: JSON.stringify({ kind: 'flat', amountCents: 2800 }), initiation_fee_cents: null, authorization_note: 'convention vote of 2026-10-03', created_at: world.ctx.now() })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  for (const [key, amount] of [['marcus', 2500], ['lucia', 2400]] as const) {
    await world.ctx.db.insertInto('stripe_subscriptions').values({ organization_id: world.made.org.id, id: `sub_${key}`, member_id: world.made.members[key], customer_id: `cus_${key}`, status: 'active', cancel_at_period_end: false, collection_paused: false, amount_cents: amount, updated_at: world.ctx.now() }).execute();
  }
});

const as = (role: StaffRole) => world.as(role);
const bulkReads = (action: string) => world.ctx.db.selectFrom('audit_log').select(['actor_staff_user_id', 'details']).where('action', '=', action).orderBy('id').execute();

describe('dues increases in the console', () => {
  test('the new rate waits to be prepared; the table shows what each member with a subscription pays before and after', async () => {
    const list = await as('treasurer').get('/console/increases');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="/console/increases/new?version=${versionId}"`);
    const prepared = await as('treasurer').get(`/console/increases/new?version=${versionId}`);
    expect(prepared.status).toBe(200);
    expect(prepared.text).toContain('From Jan 1, 2027, 2 members with a subscription on this plan will pay the amounts below.');
    expect(prepared.text).toMatch(/Lucía Fernández<\/a><\/th><td class="num">\$24\.00<\/td><td class="num">\$28\.00<\/td><td class="num">\+\$4\.00<\/td>/);
    expect((await as('organizer').get('/console/increases')).status).toBe(403);
    expect((await as('treasurer').get('/console/increases/new?version=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    // Naming members and their dues, the table is recorded as a bulk read.
    expect(await bulkReads('dues_increase.previewed')).toEqual([{ actor_staff_user_id: world.made.org.staff.treasurer.id, details: { rows: 2, filters: { planVersionId: versionId, via: 'console' } } }]);
  });

  test('a notice that can no longer be given in full, or is not a number, is refused with nothing written', async () => {
    const csrf = await as('admin').csrf('/console/increases');
    const tooLate = await as('admin').post('/console/increases', { csrf, version: versionId, noticeDays: '60' });
    expect(tooLate.status).toBe(400);
    expect(tooLate.text).toContain('That notice can no longer be given in full');
    const typo = await as('admin').post('/console/increases', { csrf, version: versionId, noticeDays: 'thirty' });
    expect(typo.status).toBe(400);
    expect(typo.text).toContain('value="thirty"');
    expect(await world.ctx.db.selectFrom('dues_increases').select('id').execute()).toHaveLength(0);
  });

  test('confirming records the increase with each member’s amounts, audited; its page shows the progress; a version is carried once', async () => {
    const csrf = await as('admin').csrf('/console/increases');
    const confirmed = await as('admin').post('/console/increases', { csrf, version: versionId, noticeDays: '30' });
    expect(confirmed.status).toBe(303);
    const increase = await world.ctx.db.selectFrom('dues_increases').selectAll().executeTakeFirstOrThrow();
    expect(confirmed.headers.location).toBe(`/console/increases/${increase.id}`);
    expect(increase).toMatchObject({ notice_days: 30, notice_on: '2026-12-02', effective_from: '2027-01-01' });
    const items = await world.ctx.db.selectFrom('dues_increase_items').select(['member_id', 'before_cents', 'after_cents']).orderBy('before_cents').execute();
    expect(items).toEqual([
      { member_id: world.made.members.lucia, before_cents: 2400, after_cents: 2800 },
      { member_id: world.made.members.marcus, before_cents: 2500, after_cents: 2800 },
    ]);
    const audit = await world.ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'dues_increase.confirmed').executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ via: 'console', noticeDays: 30, members: 2 });
    const page = await as('treasurer').get(`/console/increases/${increase.id}`);
    expect(page.text).toContain('0 of 2 told, 0 of 2 changed');
    expect(await bulkReads('dues_increase.viewed')).toEqual([{ actor_staff_user_id: world.made.org.staff.treasurer.id, details: { rows: 2, filters: { increaseId: increase.id, via: 'console' } } }]);
    expect(page.text).toContain('Members are told on Dec 2, 2026; subscriptions change from Jan 1, 2027. Authorized by: convention vote of 2026-10-03.');
    // The version is carried now: it is no longer offered, and a second confirmation is a 404.
    expect((await as('admin').get('/console/increases')).text).not.toContain('/console/increases/new?version=');
    expect((await as('admin').post('/console/increases', { csrf, version: versionId, noticeDays: '30' })).status).toBe(404);
  });

  test('the member’s timeline tells of the notice and the change, with amounts only for treasurers and admins', async () => {
    const at = world.ctx.now();
    await world.ctx.db.updateTable('dues_increase_items').set({ notice_sent_at: at, applied_at: new Date(at.getTime() + 1000) }).where('member_id', '=', world.made.members.marcus).execute();
    const full = await memberTimeline(world.ctx.db, world.made.org.id, world.made.members.marcus, { timeZone: 'America/Chicago', withAmounts: true });
    expect(full.filter((row) => row.kind === 'dues_notice' || row.kind === 'dues_changed').map((row) => [row.kind, row.amount_cents])).toEqual([
      ['dues_changed', 2800],
      ['dues_notice', 2800],
    ]);
    const treasurerPage = await as('treasurer').get(`/console/members/${world.made.members.marcus}`);
    expect(treasurerPage.text).toContain('Told of the dues increase to $28.00 from Jan 1, 2027');
    const organizerPage = await as('organizer').get(`/console/members/${world.made.members.marcus}`);
    expect(organizerPage.text).toContain('Subscription moved to the new dues');
    expect(organizerPage.text).not.toContain('$28.00');
  });
});

import type { StaffRole } from '../../db/database';
import { loadPolicy } from '../../src/retention/queries';
import { nextScanDay, scanOrganization } from '../../src/retention/scan';
import { findOrganizationById } from '../../src/organizations/queries';
import { seededConsoleWorld } from './fixtures';

// The good-standing rules page: the preview names exactly the members the next scan then
// changes, a bad form is shown again with its values and nothing saved, and saving is audited.


const world = seededConsoleWorld('local-policy');

const as = (role: StaffRole) => world.as(role);

/** The form as the page shows it, with some fields changed: what a browser would post. */
async function formWith(changes: Record<string, string | undefined>): Promise<Record<string, string>> {
  const page = await as('admin').get('/console/policy');
  const form: Record<string, string> = {};
  for (const match of page.text.matchAll(/<input([^>]*)>/g)) {
    const attributes = match[1]!;
    const name = /name="([^"]+)"/.exec(attributes)?.[1];
    if (!name) continue;
    const checkbox = /type="checkbox"/.test(attributes);
    if (checkbox && !/checked/.test(attributes)) continue;
    // An empty value is rendered as a bare attribute.
    form[name] = checkbox ? 'on' : (/value="([^"]*)"/.exec(attributes)?.[1] ?? '');
  }
  for (const match of page.text.matchAll(/<select[^>]*name="([^"]+)"[^>]*>(.*?)<\/select>/gs)) form[match[1]!] = /<option value="([^"]*)" selected/.exec(match[2]!)?.[1] ?? '';
  form.alertEmails = /<textarea[^>]*>([^<]*)<\/textarea>/.exec(page.text)?.[1] ?? '';
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete form[key];
    else form[key] = value;
  }
  return form;
}

const previewNames = (html: string) => [...html.matchAll(/<th scope="row"><a href="\/console\/members\/([0-9a-f-]+)">/g)].map((m) => m[1]!).sort();

describe('the good-standing rules page', () => {
  test('shows the rules in force; organizers and treasurers may not open it', async () => {
    const page = await as('admin').get('/console/policy');
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="graceDays" name="graceDays" type="text" value="31"');
    expect(page.text).toContain('href="/console/policy"');
    expect((await as('treasurer').get('/console/policy')).status).toBe(403);
    expect((await as('organizer').get('/console/policy')).status).toBe(403);
  });

  test('the preview names the members the next scan changes under the typed rules, saves nothing, and then the scan changes exactly them', async () => {
    const before = await loadPolicy(world.ctx.db, world.made.org.id);
    const admin = as('admin');
    const form = await formWith({ suspendAtMonthsOwed: '2', dropAtMonthsOwed: '4', intent: 'preview' });
    const preview = await admin.post('/console/policy', form);
    expect(preview.status).toBe(200);
    // Rosa and Jo owe two months (paid through September): suspended; Ana owes four: dropped.
    expect(preview.text).toMatch(/the scan on Nov 24, 2026 would change \d+ members: .*2 suspended.*1 dropped/);
    expect(preview.text).toContain('Nothing is saved yet.');
    expect(preview.text).toContain('name="intent" value="save"');
    expect(await loadPolicy(world.ctx.db, world.made.org.id)).toEqual(before);
    const previewed = previewNames(preview.text);
    expect(previewed).toEqual(expect.arrayContaining([world.made.members.rosa, world.made.members.jo, world.made.members.ana]));
    // Naming members, the preview is recorded as a bulk read.
    const read = await world.ctx.db.selectFrom('audit_log').select(['actor_staff_user_id', 'details']).where('action', '=', 'retention.policy_previewed').executeTakeFirstOrThrow();
    expect(read).toEqual({ actor_staff_user_id: world.made.org.staff.admin.id, details: { rows: previewed.length, filters: { on: '2026-11-24', via: 'console' } } });

    const saved = await admin.post('/console/policy', { ...form, intent: 'save' });
    expect(saved.status).toBe(303);
    expect((await loadPolicy(world.ctx.db, world.made.org.id)).suspendAtMonthsOwed).toBe(2);
    const audit = await world.ctx.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'retention.policy_changed').executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ via: 'console', fields: ['suspendAtMonthsOwed', 'dropAtMonthsOwed'] });

    // The scan, run for the day the preview named, changes the same members.
    const organization = (await findOrganizationById(world.ctx.db, world.made.org.id))!;
    const today = await nextScanDay(world.ctx.db, organization, world.ctx.now());
    const standingsBefore = new Map((await world.ctx.db.selectFrom('members').select(['id', 'standing']).where('organization_id', '=', world.made.org.id).execute()).map((r) => [r.id, r.standing]));
    await world.ctx.db.transaction().execute((trx) => scanOrganization(trx, { organizationId: world.made.org.id, timeZone: organization.time_zone, policy: { ...before, suspendAtMonthsOwed: 2, dropAtMonthsOwed: 4 }, today, now: world.ctx.now() }));
    const changed = (await world.ctx.db.selectFrom('members').select(['id', 'standing']).where('organization_id', '=', world.made.org.id).execute()).filter((r) => standingsBefore.get(r.id) !== r.standing).map((r) => r.id).sort();
    expect(changed).toEqual(previewed);
  });

  test('a bad form comes back with its values and each error by its field, in the staff member’s language; nothing is saved', async () => {
    const before = await loadPolicy(world.ctx.db, world.made.org.id);
    const form = await formWith({ graceDays: 'soon', suspendAtMonthsOwed: '5', dropAtMonthsOwed: '3', reinstatement: 'fee', reinstatementFee: '', alertEmails: 'steward@example.org\nnot-an-address', intent: 'save' });
    const page = await as('admin').post('/console/policy', form);
    expect(page.status).toBe(400);
    expect(page.text).toContain('value="soon"');
    expect(page.text).toContain('<a href="#graceDays">Enter a whole number of days from 0 to 366</a>');
    expect(page.text).toContain('<a href="#alertEmails">');
    expect(page.text).toContain('not-an-address</textarea>');
    expect(await loadPolicy(world.ctx.db, world.made.org.id)).toEqual(before);

    const crossField = await as('admin').post('/console/policy', await formWith({ suspendAtMonthsOwed: '5', dropAtMonthsOwed: '3', reinstatement: 'fee', reinstatementFee: '', intent: 'save' }));
    expect(crossField.status).toBe(400);
    expect(crossField.text).toContain('give more months than for suspension');
    expect(crossField.text).toContain('Reinstatement by fee needs the fee');
    expect(await loadPolicy(world.ctx.db, world.made.org.id)).toEqual(before);
  });

  test('unticked boxes are saved as off, an empty month count as never', async () => {
    const form = await formWith({ noticeCardExpiring: undefined, dropAtMonthsOwed: '', intent: 'save' });
    expect((await as('admin').post('/console/policy', form)).status).toBe(303);
    const policy = await loadPolicy(world.ctx.db, world.made.org.id);
    expect(policy.notices.cardExpiring).toBe(false);
    expect(policy.notices.paymentFailed).toBe(true);
    expect(policy.dropAtMonthsOwed).toBeNull();
  });
});

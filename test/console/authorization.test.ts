import type { StaffRole } from '../../db/database';
import { insertConsent, publishAuthorization } from '../../src/signup/queries';
import { seededConsoleWorld } from './fixtures';

// The dues authorization in the console: the text in force, a new version published (audited,
// both languages at once, a bad text refused with nothing written), who signed which.


const world = seededConsoleWorld('local-auth');

const as = (role: StaffRole) => world.as(role);
const TEXT_EN = 'I authorize Local Auth to collect my dues each month until I cancel in writing.';
const TEXT_ES = 'Autorizo a Local Auth a cobrar mis cuotas cada mes hasta que cancele por escrito.';

describe('the dues authorization page', () => {
  test('shows the text in force and its versions with their signers; admins only', async () => {
    const page = await as('admin').get('/console/authorization');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/In force: (the built-in text|version \d)/);
    expect((await as('treasurer').get('/console/authorization')).status).toBe(403);
    expect((await as('organizer').get('/console/authorization')).status).toBe(403);
    expect((await as('admin').get('/console/authorization/versions/99')).status).toBe(404);
  });

  test('a text too short is refused in its language with the typed text kept; nothing published', async () => {
    const before = await world.ctx.db.selectFrom('dues_authorizations').select('version').execute();
    const csrf = await as('admin').csrf('/console/authorization');
    const refused = await as('admin').post('/console/authorization', { csrf, en: TEXT_EN, es: 'Autorizo.' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('<a href="#es">Write the whole authorization');
    expect(refused.text).toContain('Autorizo.</textarea>');
    expect(await world.ctx.db.selectFrom('dues_authorizations').select('version').execute()).toEqual(before);
  });

  test('publishing makes a new version in both languages, audited; each member keeps the version they signed', async () => {
    const first = await world.ctx.db.transaction().execute((trx) => publishAuthorization(trx, world.made.org.id, { en: 'An older authorization text, long enough.', es: 'Un texto de autorización anterior, bastante largo.' }, world.ctx.now()));
    await world.ctx.db.transaction().execute((trx) =>
      insertConsent(trx, { organizationId: world.made.org.id, memberId: world.made.members.rosa, authorization: { version: first, language: 'es', text: 'x', stored: true }, planId: world.made.planId, duesCents: 2500, paymentMethod: 'card', acceptedAt: world.ctx.now(), ip: null, userAgent: null }),
    );
    const csrf = await as('admin').csrf('/console/authorization');
    const published = await as('admin').post('/console/authorization', { csrf, en: TEXT_EN, es: TEXT_ES });
    expect(published.status).toBe(303);
    const rows = await world.ctx.db.selectFrom('dues_authorizations').select(['version', 'language', 'text']).where('organization_id', '=', world.made.org.id).where('version', '=', first + 1).orderBy('language').execute();
    expect(rows).toEqual([
      { version: first + 1, language: 'en', text: TEXT_EN },
      { version: first + 1, language: 'es', text: TEXT_ES },
    ]);
    const audit = await world.ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'dues_authorization.published').executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ version: first + 1, via: 'console' });

    const page = await as('admin').get('/console/authorization');
    expect(page.text).toContain(`In force: version ${first + 1}`);
    expect(page.text).toContain(`${TEXT_ES}</textarea>`);
    expect(page.text).toContain(`href="/console/authorization/versions/${first}"`);
    const signers = await as('admin').get(`/console/authorization/versions/${first}`);
    expect(signers.text).toContain(`href="/console/members/${world.made.members.rosa}">Rosa Díaz</a>`);
    expect(signers.text).toContain('Spanish');
    const newest = await as('admin').get(`/console/authorization/versions/${first + 1}`);
    expect(newest.text).toContain('No member has signed this version.');
  });
});

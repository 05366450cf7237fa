import request from 'supertest';
import type { StaffRole } from '../../db/database';
import { findOrganizationById } from '../../src/organizations/queries';
import type { TestDatabase } from '../support/database';
import { createOrganizationWithStaff, testApp, type OrganizationFixture } from '../support/app';
import { createPlans, HTML } from '../signup/fixtures';
import { browserAs, consoleTestWorld } from './fixtures';

// The organization's settings in the console, and what the signup page shows of them.

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let testDb: TestDatabase;
let ctx: Awaited<ReturnType<typeof consoleTestWorld>>['ctx'];
let app: ReturnType<typeof testApp>;
let cookies: Record<StaffRole, string>;
let org: OrganizationFixture;

beforeAll(async () => {
  ({ testDb, ctx, app, cookies, made: org } = await consoleTestWorld((c) => createOrganizationWithStaff(c, 'local-12'), (made) => made));
  const organization = (await findOrganizationById(ctx.db, org.id))!;
  await createPlans(ctx.db, organization);
  // A setting of someone else's (the accountant's mapping) that saving the form must keep.
  await ctx.db.updateTable('organizations').set({ settings: JSON.stringify({ accountMapping: { bank: 'Checking' } }) }).where('id', '=', org.id).execute();
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);
const organizationRow = async () => (await findOrganizationById(ctx.db, org.id))!;
const logoCount = async () => (await ctx.db.selectFrom('organization_logos').select('organization_id').execute()).length;

const form = (csrf: string, changes: Record<string, string> = {}) => ({
  csrf,
  name: 'Local 12 Warehouse Workers',
  timeZone: 'America/Denver',
  fiscalYearStartMonth: '7',
  contactPhone: '(303) 555-0100',
  contactEmail: 'office@local12.example.org',
  contactAddress: '100 Union St\nDenver, CO 80202',
  privacyEn: 'We use your information only to keep your membership.',
  privacyEs: '',
  ...changes,
});

/** Uploads a file as the logo form does. */
const upload = (bytes: Buffer, csrf: string | undefined, filename = 'logo.png') => {
  const call = request(app).post('/console/organization/logo').set('Cookie', cookies.admin).set('Accept', HTML);
  return (csrf === undefined ? call : call.field('csrf', csrf)).attach('logo', bytes, { filename, contentType: 'image/png' });
};

describe('the organization page', () => {
  test('admins only', async () => {
    expect((await as('admin').get('/console/organization')).status).toBe(200);
    expect((await as('treasurer').get('/console/organization')).status).toBe(403);
    expect((await as('organizer').get('/console/organization')).status).toBe(403);
  });

  test('bad values come back on the form with what was typed, and nothing is written', async () => {
    const before = JSON.stringify(await organizationRow());
    const csrf = await as('admin').csrf('/console/organization');
    const res = await as('admin').post('/console/organization', form(csrf, { name: '', timeZone: 'Mars/Olympus', fiscalYearStartMonth: '13', contactEmail: 'not an email', contactPhone: 'call me' }));
    expect(res.status).toBe(400);
    for (const text of ['Enter the organization’s name', 'Enter a time zone such as America/Chicago', 'Choose a month', 'Enter an email address such as office@example.org', 'Enter a phone number of at most 40 characters']) {
      expect(res.text).toContain(text);
    }
    expect(res.text).toContain('value="Mars/Olympus"');
    expect(res.text).toContain('value="not an email"');
    expect(JSON.stringify(await organizationRow())).toBe(before);
  });

  test('saved settings keep the others, are audited, and the signup page shows the contact and privacy notice (English where no Spanish is written)', async () => {
    const csrf = await as('admin').csrf('/console/organization');
    const res = await as('admin').post('/console/organization', form(csrf));
    expect(res.status).toBe(303);
    const saved = await organizationRow();
    expect(saved).toMatchObject({ name: 'Local 12 Warehouse Workers', time_zone: 'America/Denver', contact_phone: '(303) 555-0100', contact_email: 'office@local12.example.org', contact_address: '100 Union St\nDenver, CO 80202' });
    expect(saved.settings).toEqual({ accountMapping: { bank: 'Checking' }, fiscalYearStartMonth: 7 });
    expect(saved.privacy_notice).toEqual({ en: 'We use your information only to keep your membership.' });
    const audit = await ctx.db.selectFrom('audit_log').selectAll().where('organization_id', '=', org.id).where('action', '=', 'organization.updated').executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ via: 'console', fields: expect.arrayContaining(['name', 'timeZone', 'fiscalYearStartMonth', 'privacyEn']) });

    const es = await request(testApp(ctx)).get('/join/local-12?lang=es').set('Accept', HTML);
    expect(es.text).toContain('Cómo usa el sindicato su información');
    expect(es.text).toContain('<p lang="en">We use your information only to keep your membership.</p>');
    expect(es.text).toContain('href="tel:3035550100"');
    expect(es.text).toContain('href="mailto:office@local12.example.org"');
    expect(es.text).toContain('100 Union St\nDenver, CO 80202');

    const csrf2 = await as('admin').csrf('/console/organization');
    await as('admin').post('/console/organization', form(csrf2, { privacyEs: 'Usamos su información solo para su afiliación.' })).expect(303);
    const again = await request(testApp(ctx)).get('/join/local-12?lang=es').set('Accept', HTML);
    expect(again.text).toContain('<p lang="es">Usamos su información solo para su afiliación.</p>');
  });
});

describe('the logo', () => {
  test('something that is not a PNG or JPEG, too large, or missing is refused on the form, and nothing is stored', async () => {
    const csrf = await as('admin').csrf('/console/organization');
    const svg = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), csrf, 'logo.svg');
    expect(svg.status).toBe(400);
    expect(svg.text).toContain('The file is not a PNG or JPEG image');
    const big = await upload(Buffer.concat([PNG_1X1, Buffer.alloc(210 * 1024)]), csrf);
    expect(big.status).toBe(400);
    expect(big.text).toContain('The image is larger than 200 KB');
    const none = await upload(Buffer.alloc(0), csrf);
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose an image to upload');
    expect(await logoCount()).toBe(0);
  });

  test('without the form token nothing is stored', async () => {
    const res = await upload(PNG_1X1, undefined);
    expect(res.status).toBe(403);
    expect(await logoCount()).toBe(0);
  });

  test('a PNG is stored, served from our origin with its type and caching, and shown on the signup page; removing it takes it away', async () => {
    const csrf = await as('admin').csrf('/console/organization');
    const res = await upload(PNG_1X1, csrf);
    expect(res.status).toBe(303);
    expect(await logoCount()).toBe(1);
    const served = await request(app).get('/join/local-12/logo');
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['cache-control']).toBe('public, max-age=86400');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.from(served.body as Buffer)).toEqual(PNG_1X1);
    const cached = await request(app).get('/join/local-12/logo').set('If-None-Match', served.headers.etag!);
    expect(cached.status).toBe(304);
    const signup = await request(testApp(ctx)).get('/join/local-12').set('Accept', HTML);
    expect(signup.text).toMatch(/<img class="logo" src="\/join\/local-12\/logo\?v=[0-9a-f]{12}" alt="Local 12 Warehouse Workers logo"\/>/);
    expect((await as('admin').get('/console/organization')).text).toContain('src="/join/local-12/logo?v=');

    const csrf2 = await as('admin').csrf('/console/organization');
    await as('admin').post('/console/organization/logo/remove', { csrf: csrf2 }).expect(303);
    expect(await logoCount()).toBe(0);
    expect((await request(app).get('/join/local-12/logo')).status).toBe(404);
  });
});

describe('the same settings through the API', () => {
  test('PATCH /api/organization sets the contact and privacy notice; a bad address is refused with nothing written', async () => {
    const api = (body: unknown) => request(app).patch('/api/organization').set('Authorization', `Bearer ${org.staff.admin.token}`).send(body as object);
    const bad = await api({ contactEmail: 'nope', contactPhone: '(303) 555-0199' });
    expect(bad.status).toBe(400);
    expect((await organizationRow()).contact_phone).not.toBe('(303) 555-0199');
    const res = await api({ contactPhone: '(303) 555-0199', contactAddress: null, privacyNotice: { en: 'Only for your membership.', es: 'Solo para su afiliación.' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ contactPhone: '(303) 555-0199', contactAddress: null, privacyNotice: { en: 'Only for your membership.', es: 'Solo para su afiliación.' } });
    expect((await request(app).get('/api/organization').set('Authorization', `Bearer ${org.staff.organizer.token}`)).body.contactPhone).toBe('(303) 555-0199');
  });
});

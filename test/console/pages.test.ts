import request from 'supertest';
import { routeTable } from '../../src/app';
import type { Db } from '../../db/connection';
import type { StaffRole } from '../../db/database';
import type { TestDatabase } from '../support/database';
import { testApp, testContext } from '../support/app';
import { browserAs, consoleTestWorld, seedConsoleOrganization, type ConsoleFixture } from './fixtures';

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let app: ReturnType<typeof testApp>;
let fx: ConsoleFixture;
let cookies: Record<StaffRole, string>;

beforeAll(async () => {
  ({ testDb, ctx, app, made: fx, cookies } = await consoleTestWorld((c) => seedConsoleOrganization(c, 'local-7'), (made) => made.org));
});
afterAll(async () => {
  await testDb.drop();
});

const as = (role: StaffRole) => browserAs(app, cookies[role]);

// Money as the console would print it, in either language: "$25.00", "25.00 USD".
const MONEY = /\$\s?\d|\d[\d,.]*\s?(USD|EUR|CAD)\b/;

describe('the console frame', () => {
  test('/ and /console lead each role to its first page; without a session, the sign-in page (401, HTML)', async () => {
    expect((await request(app).get('/')).headers.location).toBe('/console');
    expect((await as('organizer').get('/console')).headers.location).toBe('/console/workspace');
    expect((await as('treasurer').get('/console')).headers.location).toBe('/console/members');
    const anonymous = await request(app).get('/console/members').set('Accept', 'text/html');
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toBe('text/html');
    expect(anonymous.text).toContain('action="/auth/login"');
    expect(anonymous.text).toContain('Sign in to continue');
    // The API keeps its JSON.
    expect((await request(app).get('/api/members')).body.error.code).toBe('unauthenticated');
  });

  test('every page says who is signed in and where, offers sign-out and a skip link, and shows only the navigation the role may use', async () => {
    const organizer = await as('organizer').get('/console/members');
    expect(organizer.status).toBe(200);
    expect(organizer.text).toContain('organizer of local-7');
    expect(organizer.text).toContain(fx.organizationName);
    expect(organizer.text).toContain('action="/console/sign-out"');
    expect(organizer.text).toContain('<a class="skip" href="#main">');
    expect(organizer.text).toMatch(/<title>Members · local-7 union · Good Standing<\/title>/);
    expect(organizer.text).toContain('href="/console/workspace"');
    expect(organizer.headers['cache-control']).toBe('no-store');
    const treasurer = await as('treasurer').get('/console/members');
    expect(treasurer.text).not.toContain('href="/console/workspace"');
    expect(treasurer.text).not.toContain('href="/console/worksites"');
  });

  test('a page the role may not use is a 403 page in the frame; an unknown one a 404 page', async () => {
    const forbidden = await as('treasurer').get('/console/workspace');
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain('You do not have access to this page');
    const missing = await as('organizer').get('/console/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('Page not found');
    expect(missing.text).toContain('href="/console/members"');
    const otherMember = await as('organizer').get('/console/members/00000000-0000-4000-8000-000000000000');
    expect(otherMember.status).toBe(404);
  });

  test('the language is chosen per staff member, kept, and every page follows it', async () => {
    const organizer = as('organizer');
    const csrf = await organizer.csrf();
    const switched = await organizer.post('/console/language', { csrf, language: 'es', back: '/console/members?standing=lapsed' });
    expect(switched.status).toBe(303);
    expect(switched.headers.location).toBe('/console/members?standing=lapsed');
    const flash = /gs_flash=[^;]+/.exec(String(switched.headers['set-cookie']))![0];
    const page = await request(app).get('/console/members?standing=lapsed').set('Cookie', `${cookies.organizer}; ${flash}`);
    expect(page.text).toContain('<html lang="es">');
    expect(page.text).toContain('La consola ahora está en español.');
    expect(page.text).toContain('Miembros');
    const row = await ctx.db.selectFrom('staff_users').select('preferred_language').where('id', '=', fx.org.staff.organizer.id).executeTakeFirstOrThrow();
    expect(row.preferred_language).toBe('es');
    await organizer.post('/console/language', { csrf, language: 'en' });
    expect((await organizer.get('/console/members')).text).toContain('<html lang="en">');
  });
});

describe('CSRF', () => {
  const forms = () => routeTable(testContext({} as Db)).filter((route) => route.method === 'post' && route.path.startsWith('/console'));

  test.each(forms().map((route) => [route.path, route.body] as const))('POST %s without the token, or with another session’s, is refused (403) and changes nothing', async (path, body) => {
    const concrete = path.replace(':memberId', fx.members.rosa).replace(':uploadId', '00000000-0000-4000-8000-000000000000');
    const before = await snapshot();
    const form = { language: 'es', outcome: 'resigned', confirm: 'yes', phone: '555 0000', name: 'Changed', email: 'changed@example.org', preferredLanguage: 'en' };
    // A form that carries a file is sent as a browser sends it: multipart, with a file.
    const post = (fields: Record<string, string>) =>
      body === 'upload' ? request(app).post(concrete).set('Cookie', cookies.admin).field(fields).attach('roll', Buffer.from('name,email\nNew,new@example.org\n'), 'roll.csv') : as('admin').post(concrete, fields);
    const missing = await post(form);
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('This form has expired');
    // From a page that reads no list of members (those are audited, which would change the snapshot).
    const otherSession = await as('organizer').csrf('/console/worksites');
    const wrong = await post({ ...form, csrf: otherSession });
    expect(wrong.status).toBe(403);
    expect(await snapshot()).toBe(before);
  });

  async function snapshot(): Promise<string> {
    const rows = await Promise.all([
      ctx.db.selectFrom('members').selectAll().where('organization_id', '=', fx.org.id).orderBy('id').execute(),
      ctx.db.selectFrom('outreach_log').selectAll().where('organization_id', '=', fx.org.id).orderBy('id').execute(),
      ctx.db.selectFrom('staff_users').select(['id', 'preferred_language']).orderBy('id').execute(),
      ctx.db.selectFrom('audit_log').select('id').where('organization_id', '=', fx.org.id).orderBy('id').execute(),
    ]);
    return JSON.stringify(rows);
  }
});

describe('members', () => {
  test('search by name, email, phone digits or member number', async () => {
    const organizer = as('organizer');
    const names = async (q: string) => [...(await organizer.get(`/console/members?q=${encodeURIComponent(q)}`)).text.matchAll(/<td class="lead"><a href="[^"]+">([^<]+)<\/a>/g)].map((match) => match[1]);
    expect(await names('díaz')).toEqual(['Rosa Díaz']);
    expect(await names('marcus@')).toEqual(['Marcus Lee']);
    expect(await names('(312) 555-0177')).toEqual(['Marcus Lee']);
    expect(await names('5550177')).toEqual(['Marcus Lee']);
    expect(await names('M-1002')).toEqual(['Ana Morales']);
    expect(await names('nobody-like-this')).toEqual([]);
  });

  test('filters stay in the address, counts per standing follow the search, and pages go on by keyset', async () => {
    const organizer = as('organizer');
    const lapsed = await organizer.get('/console/members?standing=lapsed&worksite=Dock%204');
    expect(lapsed.text).toContain('Jo Rivera');
    expect(lapsed.text).toContain('Rosa Díaz');
    expect(lapsed.text).not.toContain('Marcus Lee');
    expect(lapsed.text).toMatch(/Lapsed <strong>2<\/strong>/);
    const first = await organizer.get('/console/members');
    expect(first.text).toMatch(/All <strong>67<\/strong>/);
    const next = /href="(\/console\/members\?after=[^"]+)" rel="next"/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    const second = await organizer.get(next);
    expect(second.status).toBe(200);
    const rowsOf = (text: string) => [...text.matchAll(/<td class="lead"><a href="[^"]+">([^<]+)<\/a>/g)].map((match) => match[1]);
    expect(rowsOf(first.text)).toHaveLength(50);
    expect(rowsOf(second.text)).toHaveLength(17);
    expect(new Set([...rowsOf(first.text), ...rowsOf(second.text)]).size).toBe(67);
    expect(second.text).not.toContain('rel="next"');
  });

  test('sorted by months owed, the most owed first', async () => {
    const page = await as('organizer').get('/console/members?sort=owed');
    const order = [...page.text.matchAll(/<td class="lead"><a href="[^"]+">([^<]+)<\/a>/g)].map((match) => match[1]);
    expect(order.slice(0, 3)).toEqual(['Ana Morales', 'Jo Rivera', 'Rosa Díaz']);
  });

  test('organizers may not filter by plan (403); a cursor from nowhere is a 400 page', async () => {
    expect((await as('organizer').get(`/console/members?plan=${fx.planId}`)).status).toBe(403);
    expect((await as('treasurer').get(`/console/members?plan=${fx.planId}`)).status).toBe(200);
    const bad = await as('organizer').get('/console/members?after=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.type).toBe('text/html');
  });

  test('a member page: standing with months owed and since when, contact links, what to do next, the timeline', async () => {
    const page = await as('organizer').get(`/console/members/${fx.members.rosa}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Rosa Díaz</h1>');
    expect(page.text).toContain('since Nov 1, 2026');
    expect(page.text).toContain('href="tel:3125550142"');
    expect(page.text).toMatch(/href="sms:3125550142\?body=Hola%20Rosa/);
    expect(page.text).toContain('Their grace period is over.');
    expect(page.text).toContain('Left a message (Call, by organizer of local-7)');
    expect(page.text).toContain('Voicemail; will try after her shift');
    expect(page.text).toContain('Payment recorded: cash');
    expect(page.text).toContain('Active → Lapsed (the daily standing check)');
    expect(page.text).toContain('Lapse began');
  });

  test('a pending member’s next step follows why they are pending: a bank debit on its way, a failed first payment, an unfinished checkout', async () => {
    const cases: [string | null, string | null, string][] = [
      ['payment_processing', '2026-11-20', 'Their first bank payment is on its way (since Nov 20, 2026)'],
      ['first_payment_failed', null, 'Their first payment failed, so they have never paid.'],
      ['checkout_not_completed', null, 'They started signing up but have not finished paying.'],
      ['awaiting_first_payment', null, 'Their membership starts when their first dues payment goes through.'],
    ];
    try {
      for (const [reason, since, text] of cases) {
        await testDb.db.updateTable('members').set({ standing_reason: reason, standing_reason_since: since }).where('id', '=', fx.members.pat).execute();
        expect((await as('organizer').get(`/console/members/${fx.members.pat}`)).text).toContain(text);
      }
    } finally {
      await testDb.db.updateTable('members').set({ standing_reason: null, standing_reason_since: null }).where('id', '=', fx.members.pat).execute();
    }
  });

  test('treasurers and admins see the amounts; organizers’ pages never contain an amount of money', async () => {
    expect((await as('treasurer').get(`/console/members/${fx.members.rosa}`)).text).toContain('Payment recorded: cash, $25.00');
    for (const path of ['/console/workspace', '/console/workspace?scope=all', '/console/members', '/console/members?sort=owed', '/console/worksites', '/console/worksites/Dock%204', ...Object.values(fx.members).flatMap((id) => [`/console/members/${id}`, `/console/members/${id}/edit`])]) {
      const page = await as('organizer').get(path);
      expect([path, page.status]).toEqual([path, 200]);
      expect([path, MONEY.exec(page.text)?.[0]]).toEqual([path, undefined]);
    }
  });

  test('contact details: organizers edit phone, language, worksite and organizer; errors link to their fields; saved with a message and audited', async () => {
    const organizer = as('organizer');
    const form = await organizer.get(`/console/members/${fx.members.tom}/edit`);
    expect(form.text).toContain('id="phone"');
    expect(form.text).not.toContain('id="email"');
    const csrf = await organizer.csrf();
    const invalid = await organizer.post(`/console/members/${fx.members.tom}/edit`, { csrf, phone: '5'.repeat(41), preferredLanguage: 'es', worksite: 'Warehouse 9', organizerStaffUserId: '' });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('<a href="#phone">Enter a phone number of at most 40 characters.</a>');
    expect(invalid.text).toContain('aria-invalid="true"');
    const saved = await organizer.post(`/console/members/${fx.members.tom}/edit`, { csrf, phone: '312 555 0111', preferredLanguage: 'es', worksite: 'Warehouse 9', organizerStaffUserId: fx.org.staff.admin.id });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/console/members/${fx.members.tom}`);
    const tom = await ctx.db.selectFrom('members').selectAll().where('id', '=', fx.members.tom).executeTakeFirstOrThrow();
    expect([tom.phone, tom.preferred_language, tom.organizer_staff_user_id]).toEqual(['312 555 0111', 'es', fx.org.staff.admin.id]);
    const audit = await ctx.db.selectFrom('audit_log').select(['action', 'actor_staff_user_id']).where('subject_id', '=', fx.members.tom).execute();
    expect(audit).toContainEqual({ action: 'member.updated', actor_staff_user_id: fx.org.staff.organizer.id });
    // A field the role may not change is not read from the form at all.
    const sneaky = await organizer.post(`/console/members/${fx.members.tom}/edit`, { csrf, name: 'Renamed', phone: '312 555 0111', preferredLanguage: 'es', worksite: 'Warehouse 9', organizerStaffUserId: fx.org.staff.admin.id });
    expect(sneaky.status).toBe(303);
    expect((await ctx.db.selectFrom('members').select('name').where('id', '=', fx.members.tom).executeTakeFirstOrThrow()).name).toBe('Tom Baker');
  });

  test('an email another member has is an error on the email field', async () => {
    const admin = as('admin');
    const csrf = await admin.csrf();
    const taken = await admin.post(`/console/members/${fx.members.lucia}/edit`, { csrf, name: 'Lucía Fernández', email: 'ROSA@example.org', phone: '', preferredLanguage: 'es', worksite: 'Dock 4', organizerStaffUserId: '', employer: '' });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('<a href="#email">Another member of the organization has this email.</a>');
  });
});

describe("the organizer's workspace", () => {
  test('the call list: most urgent first, each with the reason in words, last contact and tel:/sms: links', async () => {
    const page = await as('organizer').get('/console/workspace');
    expect(page.status).toBe(200);
    const order = [...page.text.matchAll(/<h3><a href="\/console\/members\/[^"]+">([^<]+)<\/a>/g)].map((match) => match[1]);
    // Suspension coming, then the failed payment, then suspended (routed by worksite), then lapsed by months owed.
    expect(order).toEqual(['Jo Rivera', 'Marcus Lee', 'Ana Morales', 'Rosa Díaz']);
    expect(page.text).toContain('Suspension on Dec 1, 2026 unless dues are paid');
    expect(page.text).toContain('Payment failed on Nov 20, 2026; it is being retried');
    expect(page.text).toContain('Suspended: 4 months owed');
    expect(page.text).toContain('Last contact: Left a message, Nov 20, 2026');
    expect(page.text).toContain('4 members to call');
    const sms = /href="(sms:[^"]+)" aria-label="Text Rosa Díaz"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
    expect(decodeURIComponent(sms)).toBe(
      'sms:3125550142?body=Hola Rosa, le escribe organizer de local-7 union. Sus cuotas están atrasadas. Puede actualizar cómo paga aquí: http://gs.test/join/local-7/manage?lang=es',
    );
    // The whole organization adds the members routed to others.
    const all = await as('organizer').get('/console/workspace?scope=all');
    expect(all.text).toContain('Tom Baker');
    expect(all.text).toContain('5 members to call');
  });

  test('recovery at a glance: this month’s lapses, recoveries and the rate, for me and the organization', async () => {
    const page = await as('organizer').get('/console/workspace');
    expect(page.text).toContain('Recovery in November 2026');
    expect(page.text).toMatch(/<th scope="row">You<\/th><td class="num" data-label="Lapsed">3<\/td><td class="num" data-label="Recovered">1<\/td><td class="num" data-label="Recovery rate">33%<\/td>/);
  });

  test('“promised to pay” with a date shows on the list until then and on the timeline; the outcome is audited', async () => {
    const organizer = as('organizer');
    const csrf = await organizer.csrf('/console/workspace');
    const saved = await organizer.post(`/console/members/${fx.members.rosa}/outreach`, { csrf, back: '/console/workspace', channel: 'call', outcome: 'promised_to_pay', promisedOn: '2026-12-05', note: '' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/console/workspace');
    expect(String(saved.headers['set-cookie'])).toContain('gs_flash=');
    const list = await organizer.get('/console/workspace');
    expect(list.text).toContain('Promised to pay by Dec 5, 2026');
    // Promised members wait at the end of the list until the day.
    const order = [...list.text.matchAll(/<h3><a href="\/console\/members\/[^"]+">([^<]+)<\/a>/g)].map((match) => match[1]);
    expect(order[order.length - 1]).toBe('Rosa Díaz');
    expect((await organizer.get(`/console/members/${fx.members.rosa}`)).text).toContain('Promised to pay by Dec 5, 2026');
    ctx.clock.now = new Date('2026-12-06T15:00:00Z');
    try {
      expect((await organizer.get('/console/workspace')).text).not.toContain('Promised to pay by Dec 5, 2026');
    } finally {
      ctx.clock.now = new Date('2026-11-24T15:00:00Z');
    }
    const audit = await ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'member.outreach_recorded').where('subject_id', '=', fx.members.rosa).execute();
    expect(audit.map((row) => (row.details as { outcome: string }).outcome)).toContain('promised_to_pay');
  });

  test('a promise needs a day from today on; without an outcome nothing is recorded', async () => {
    const organizer = as('organizer');
    const csrf = await organizer.csrf();
    const before = await ctx.db.selectFrom('outreach_log').select('id').where('member_id', '=', fx.members.jo).execute();
    const past = await organizer.post(`/console/members/${fx.members.jo}/outreach`, { csrf, outcome: 'promised_to_pay', promisedOn: '2026-11-01' });
    expect(past.status).toBe(400);
    expect(past.text).toContain('Enter the day they promised to pay by');
    expect((await organizer.post(`/console/members/${fx.members.jo}/outreach`, { csrf, outcome: 'shrugged' })).status).toBe(400);
    const long = await organizer.post(`/console/members/${fx.members.jo}/outreach`, { csrf, outcome: 'reached', note: 'x'.repeat(2001) });
    expect(long.status).toBe(400);
    expect(long.text).toContain('Keep the note under 2,000 characters.');
    expect(await ctx.db.selectFrom('outreach_log').select('id').where('member_id', '=', fx.members.jo).execute()).toEqual(before);
  });

  test('“resigned” asks first, then does what the API’s resign does', async () => {
    const organizer = as('organizer');
    const csrf = await organizer.csrf();
    const ask = await organizer.post(`/console/members/${fx.members.jo}/outreach`, { csrf, outcome: 'resigned', channel: 'visit', back: '/console/workspace' });
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Record that Jo Rivera resigned?');
    expect((await ctx.db.selectFrom('members').select('standing').where('id', '=', fx.members.jo).executeTakeFirstOrThrow()).standing).toBe('lapsed');
    const done = await organizer.post(`/console/members/${fx.members.jo}/outreach`, { csrf, outcome: 'resigned', channel: 'visit', back: '/console/workspace', confirm: 'yes' });
    expect(done.status).toBe(303);
    expect((await ctx.db.selectFrom('members').select('standing').where('id', '=', fx.members.jo).executeTakeFirstOrThrow()).standing).toBe('resigned');
    const episode = await ctx.db.selectFrom('lapse_episodes').select(['close_reason']).where('member_id', '=', fx.members.jo).executeTakeFirstOrThrow();
    expect(episode.close_reason).toBe('resigned');
    expect((await organizer.get('/console/workspace')).text).not.toContain('Jo Rivera');
  });

  test('after an action, a redirect back only ever goes to a console page', async () => {
    const organizer = as('organizer');
    const csrf = await organizer.csrf();
    for (const back of ['https://evil.example/', '//evil.example/console', '/console\\@evil', 'javascript:alert(1)']) {
      const res = await organizer.post(`/console/members/${fx.members.marcus}/outreach`, { csrf, outcome: 'no_answer', back });
      expect(res.headers.location).toBe(`/console/members/${fx.members.marcus}`);
    }
  });

  test('worksites: members by standing with the organizer responsible; a worksite’s own call list; another worksite name is a 404', async () => {
    const list = await as('organizer').get('/console/worksites');
    expect(list.text).toContain('href="/console/worksites/Warehouse%209"');
    expect(list.text).toMatch(/Warehouse 9<\/a><\/td><td data-label="Organizer">organizer of local-7<\/td><td class="num" data-label="Members">2<\/td>/);
    const site = await as('organizer').get('/console/worksites/Warehouse%209');
    expect(site.text).toContain('Ana Morales');
    expect(site.text).toContain('Tom Baker');
    expect(site.text).not.toContain('Rosa Díaz');
    expect((await as('organizer').get('/console/worksites/Nowhere')).status).toBe(404);
  });

  test('old digest links (/members/:id) move to the console', async () => {
    const res = await request(app).get(`/members/${fx.members.rosa}`);
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`/console/members/${fx.members.rosa}`);
  });
});

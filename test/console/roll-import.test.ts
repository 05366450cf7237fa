import request from 'supertest';
import type { StaffRole } from '../../db/database';
import { ROLL_COLUMNS } from '../../src/members/import';
import { seededConsoleWorld } from './fixtures';

// The roll import in the console: upload, a row-by-row preview with each member's next
// standing, confirm; the file kept between the two and emptied once imported.


const world = seededConsoleWorld('local-roll');

const as = (role: StaffRole) => world.as(role);

async function upload(csv: string, mode: 'add' | 'update', role: StaffRole = 'treasurer') {
  const csrf = await as(role).csrf('/console/import');
  return request(world.app).post('/console/import').set('Cookie', world.cookies[role]).field({ csrf, mode }).attach('roll', Buffer.from(csv), 'roll-december.csv');
}

const confirmPath = (html: string) => /action="(\/console\/import\/[0-9a-f-]+\/confirm)"/.exec(html)?.[1];

describe('the roll import page', () => {
  test('documents every column, offers a template with them all, and is for treasurers and admins', async () => {
    const page = await as('treasurer').get('/console/import');
    expect(page.status).toBe(200);
    for (const column of ROLL_COLUMNS) expect(page.text).toContain(`<code>${column}</code>`);
    expect(page.text).toContain('enctype="multipart/form-data"');
    const template = await request(world.app).get('/console/import/template.csv').set('Cookie', world.cookies.admin);
    expect(template.status).toBe(200);
    expect(template.headers['content-disposition']).toContain('roll-template.csv');
    const [header, example] = template.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(header).toBe(ROLL_COLUMNS.join(','));
    expect(example).toContain('Rosa Díaz,rosa@example.org');
    expect((await as('organizer').get('/console/import')).status).toBe(403);
  });

  test('no file, or a file that is not CSV text, is shown again with the reason; nothing kept', async () => {
    const csrf = await as('treasurer').csrf('/console/import');
    const none = await request(world.app).post('/console/import').set('Cookie', world.cookies.treasurer).field({ csrf, mode: 'add' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose a CSV file to upload');
    const binary = await upload('name,email\u0000\n', 'add');
    expect(binary.status).toBe(400);
    const header = await upload('nombre,correo\nRosa,rosa@example.org\n', 'add');
    expect(header.status).toBe(400);
    expect(header.text).toContain('The file could not be read: unknown columns: nombre, correo');
    expect(await world.ctx.db.selectFrom('roll_uploads').select('id').execute()).toHaveLength(0);
  });

  const checks = async () => (await world.ctx.db.selectFrom('audit_log').select(['actor_staff_user_id', 'details']).where('action', '=', 'member.import_checked').orderBy('id').execute());

  test('a roll with errors lists them by spreadsheet row, first, and offers no import', async () => {
    const before = (await checks()).length;
    const page = await upload(['name,email,worksite', 'New Person,new.person@example.org,Dock 4', ',broken@example.org,', 'Rosa Díaz,rosa@example.org,Dock 5'].join('\n'), 'add');
    expect(page.status).toBe(200);
    expect(page.text).toContain('1 new member, 0 updates, 0 rows unchanged, 2 rows with errors.');
    expect(page.text).toContain('name: a name is required');
    expect(page.text).toContain('email: a member of the organization already has this email');
    expect(page.text.indexOf('broken@example.org')).toBeLessThan(page.text.indexOf('new.person@example.org'));
    expect(confirmPath(page.text)).toBeUndefined();
    expect(await world.ctx.db.selectFrom('members').select('id').where('email', '=', 'new.person@example.org').execute()).toHaveLength(0);
    // The preview told which rows name a member already on the books (Rosa): a read, audited as the API's dry run is.
    expect((await checks()).slice(before)).toEqual([{ actor_staff_user_id: expect.any(String), details: { rows: 3, named: 1, rejected: 2, mode: 'add', via: 'console' } }]);
  });

  test('update mode: the preview says what each row does and the standing it will have; confirming imports it once', async () => {
    const csv = ['name,email,phone,external_id,plan,paid_through', 'Rosa Díaz,rosa@example.org,(312) 555-0000,,,', 'Marcus Lee,marcus@example.org,,,,', 'Nia Brooks,nia@example.org,,M-2001,Regular monthly,2026-12-31'].join('\n');
    const before = (await checks()).length;
    const page = await upload(csv, 'update', 'admin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('1 new member, 1 update, 1 row unchanged, 0 rows with errors.');
    expect(page.text).toContain('Update</strong>: changes phone');
    // Rosa stays lapsed at the next scan (the roll does not pay her dues); Nia is paid up.
    expect(page.text).toMatch(/Rosa Díaz.*?class="badge s-lapsed"/s);
    expect(page.text).toMatch(/Nia Brooks.*?class="badge s-active"/s);
    const confirm = confirmPath(page.text)!;
    expect(page.text).toContain('Import 2 rows');
    expect((await checks()).slice(before).map((row) => row.details)).toEqual([{ rows: 3, named: 2, rejected: 0, mode: 'update', via: 'console' }]);
    expect((await world.ctx.db.selectFrom('members').select('phone').where('id', '=', world.made.members.rosa).executeTakeFirstOrThrow()).phone).toBe('(312) 555-0142');

    const csrf = await as('admin').csrf('/console/import');
    const done = await as('admin').post(confirm, { csrf });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/console/members');
    const flash = /gs_flash=[^;]+/.exec(String(done.headers['set-cookie']))![0];
    const members = await request(world.app).get('/console/members').set('Cookie', `${world.cookies.admin}; ${flash}`);
    expect(members.text).toContain('Roll imported: 1 new member, 1 updated.');
    expect((await world.ctx.db.selectFrom('members').select('phone').where('id', '=', world.made.members.rosa).executeTakeFirstOrThrow()).phone).toBe('(312) 555-0000');
    expect(await world.ctx.db.selectFrom('members').select('standing').where('email', '=', 'nia@example.org').executeTakeFirstOrThrow()).toEqual({ standing: 'active' });
    const kept = await world.ctx.db.selectFrom('roll_uploads').select(['file_text', 'imported_at']).where('organization_id', '=', world.made.org.id).where('imported_at', 'is not', null).executeTakeFirstOrThrow();
    expect(kept.file_text).toBe('');
    const audit = await world.ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'member.imported').executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ rows: 1, updated: 1, mode: 'update', via: 'console' });

    // A second confirmation (a double click, the back button) imports nothing.
    const again = await as('admin').post(confirm, { csrf });
    expect(again.status).toBe(404);
    expect(again.text).toContain('This check has expired or was already imported');
    expect(await world.ctx.db.selectFrom('members').select('id').where('email', '=', 'nia@example.org').execute()).toHaveLength(1);
  });

  test('a check the books have overtaken (another roll took the email meanwhile) is shown again as it now stands: 409, nothing imported, the new check audited', async () => {
    const first = await upload('name,email\nJune Park,june.park@example.org\n', 'add');
    expect(first.text).toContain('1 new member, 0 updates, 0 rows unchanged, 0 rows with errors.');
    const overtaken = confirmPath(first.text)!;
    const second = await upload('name,email\nJune Park,june.park@example.org\n', 'add', 'admin');
    const csrf = await as('treasurer').csrf('/console/import');
    expect((await as('admin').post(confirmPath(second.text)!, { csrf: await as('admin').csrf('/console/import') })).status).toBe(303);
    const before = (await checks()).length;
    const imports = async () => (await world.ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'member.imported').execute()).length;
    const importsBefore = await imports();

    const refused = await as('treasurer').post(overtaken, { csrf });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('email: a member of the organization already has this email');
    expect(confirmPath(refused.text)).toBeUndefined();
    expect(await world.ctx.db.selectFrom('members').select('id').where('email', '=', 'june.park@example.org').execute()).toHaveLength(1);
    expect(await imports()).toBe(importsBefore);
    // Refusing told the uploader that June is now on the books: a read, audited as the preview is.
    expect((await checks()).slice(before).map((row) => row.details)).toEqual([{ rows: 1, named: 1, rejected: 1, mode: 'add', via: 'console' }]);
  });
});

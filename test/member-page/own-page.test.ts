import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../../src/app';
import { startStripeFlow, START, type StripeFlow } from '../support/stripe-flow';
import { createOrganization, HTML, openForm } from '../signup/fixtures';

// A member's own page, reached from their emailed link with no password: what they see of
// themselves, what they may change, and that nothing opens it but the link.

let flow: StripeFlow;
let app: Express;
let memberId: string;
let email: string;
const db = () => flow.testDb.db;
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/[\u2009\u202f]/g, ' ').replace(/\s+/g, ' ');
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;

beforeAll(async () => {
  flow = await startStripeFlow();
  app = buildApp(flow.ctx);
  const { member } = await flow.signUp({ name: 'Rosa Own', paymentMethod: 'pm_card_visa', amountCents: 2500 });
  await flow.settle();
  memberId = member.id;
  email = member.email;
});
afterAll(async () => {
  await flow.close();
});

/** An agent that has used a fresh emailed manage link, as the member's browser. */
async function signedIn() {
  const { agent, csrf } = await openForm(app, '/join/flow-union/manage');
  const before = new Date(flow.now().getTime() - 1);
  await agent.post('/join/flow-union/manage').type('form').set('Accept', HTML).send({ csrf, email });
  const mail = await db().selectFrom('email_outbox').select('text_body').where('kind', '=', 'signup.manage_link').where('to_address', '=', email).where('created_at', '>', before).executeTakeFirstOrThrow();
  const token = /token=([\w-]+)/.exec(mail.text_body)![1]!;
  const opened = await agent.post('/join/flow-union/manage/open').type('form').set('Accept', HTML).send({ token });
  expect(opened.headers.location).toBe('/join/flow-union/me');
  return agent;
}

test('the page shows the standing, paid-through day and each payment with the period it covers', async () => {
  const agent = await signedIn();
  const page = await agent.get('/join/flow-union/me').set('Accept', HTML);
  expect(page.status).toBe(200);
  const shown = text(page.text);
  expect(shown).toContain('Signed in as Rosa Own');
  expect(shown).toContain('In good standing.');
  expect(shown).toContain('Dues paid through February 5, 2026.');
  expect(shown).toContain('January 5, 2026: Dues $25.00 Period: January 5, 2026 – February 5, 2026');
  expect(page.headers['cache-control']).toBe('no-store');
});

test('details: saved, audited by field name only; refused without the form token or over a limit, nothing changed', async () => {
  const agent = await signedIn();
  const csrf = csrfOf((await agent.get('/join/flow-union/me').set('Accept', HTML)).text);
  const saved = await agent.post('/join/flow-union/me').type('form').set('Accept', HTML).send({ csrf, phone: '312 555 0142', employer: '', worksite: 'Dock 9', language: 'es' });
  expect(saved.status).toBe(303);
  expect(text((await agent.get(saved.headers.location!).set('Accept', HTML)).text)).toContain('Sus datos quedaron guardados.');
  expect(await db().selectFrom('members').select(['phone', 'worksite', 'preferred_language']).where('id', '=', memberId).executeTakeFirstOrThrow()).toEqual({ phone: '312 555 0142', worksite: 'Dock 9', preferred_language: 'es' });
  const audit = await db().selectFrom('audit_log').select(['action', 'details', 'actor_staff_user_id']).where('subject_id', '=', memberId).where('action', '=', 'member.details_updated_by_member').executeTakeFirstOrThrow();
  expect(audit).toEqual({ action: 'member.details_updated_by_member', details: { fields: ['phone', 'worksite', 'preferred_language'] }, actor_staff_user_id: null });

  const forged = await agent.post('/join/flow-union/me').type('form').set('Accept', HTML).send({ csrf: 'forged', phone: '000' });
  expect(forged.status).toBe(403);
  const tooLong = await agent.post('/join/flow-union/me').type('form').set('Accept', HTML).send({ csrf, employer: 'x'.repeat(201) });
  expect(tooLong.status).toBe(400);
  expect(text(tooLong.text)).toContain('Empleador: 200 caracteres como máximo.');
  expect((await db().selectFrom('members').select('phone').where('id', '=', memberId).executeTakeFirstOrThrow()).phone).toBe('312 555 0142');
  await db().updateTable('members').set({ preferred_language: 'en' }).where('id', '=', memberId).execute();
});

test('a yearly statement for taxes, and the union’s message before cancelling', async () => {
  const agent = await signedIn();
  const statement = text((await agent.get('/join/flow-union/me/statement?year=2026').set('Accept', HTML)).text);
  expect(statement).toContain('Dues and fees Rosa Own paid to Flow Union in 2026.');
  expect(statement).toContain('Total paid in the year: $25.00');
  const cancel = await agent.get('/join/flow-union/me/cancel').set('Accept', HTML);
  expect(text(cancel.text)).toContain('Dues are how Flow Union pays for organizers');
  expect(cancel.text).toContain('action="/join/flow-union/me/portal"');
});

test('nothing but a used link opens it: no cookie, another union’s address, after 30 minutes, after signing out', async () => {
  const none = await request(app).get('/join/flow-union/me').set('Accept', HTML);
  expect(none.status).toBe(401);
  expect(none.text).toContain('href="/join/flow-union/manage?lang=en"');
  expect(none.text).not.toContain('Rosa');

  const agent = await signedIn();
  await createOrganization(db(), 'other-union', 'Other Union');
  expect((await agent.get('/join/other-union/me').set('Accept', HTML)).status).toBe(401);

  const csrf = csrfOf((await agent.get('/join/flow-union/me').set('Accept', HTML)).text);
  expect((await agent.post('/join/flow-union/me/sign-out').type('form').set('Accept', HTML).send({ csrf })).status).toBe(200);
  expect((await agent.get('/join/flow-union/me').set('Accept', HTML)).status).toBe(401);

  const later = await signedIn();
  flow.setClock(Math.floor(flow.now().getTime() / 1000) + 31 * 60);
  expect((await later.get('/join/flow-union/me').set('Accept', HTML)).status).toBe(401);
  flow.setClock(START);
});

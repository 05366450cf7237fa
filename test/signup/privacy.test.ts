import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../../src/app';
import { syncPlanToStripe } from '../../src/plans/stripe-sync';
import { memberTimes } from '../support/app';
import { startStripeFlow, type StripeFlow } from '../support/stripe-flow';
import { confirmEmailedSignup, createPlans, HTML, linksInLatestEmail, openForm } from './fixtures';

// The signup and manage pages must not tell anyone whether an address is a member's, and
// nothing about a person may change until they have proved they hold the address.

let flow: StripeFlow;
let app: Express;
let plans: Record<string, string>;
const db = () => flow.testDb.db;

const MEMBER = 'rosa.active@example.org';
const PENDING = 'pat.pending@example.org';
const STRANGER = 'sam.stranger@example.org';

beforeAll(async () => {
  flow = await startStripeFlow();
  app = buildApp(flow.ctx, { signupRateLimit: 1000 });
  plans = await createPlans(db(), flow.organization);
  for (const id of Object.values(plans)) await syncPlanToStripe(db(), flow.stripe, flow.organization, id);
  const customer = await flow.stripe.customers.create({ email: MEMBER, name: 'Rosa Active' });
  await db()
    .insertInto('members')
    .values([
      { organization_id: flow.organization.id, name: 'Rosa Active', email: MEMBER, standing: 'active', stripe_customer_id: customer.id, ...memberTimes(flow.now()) },
      // Imported from a roll: pending, with the details the union has on file.
      { organization_id: flow.organization.id, name: 'Pat Pending', email: PENDING, phone: '555-0001', employer: 'Acme', worksite: 'Dock 1', standing: 'pending', ...memberTimes(flow.now()) },
    ])
    .execute();
});
afterAll(async () => {
  await flow.close();
});

/** Everything a signup could create or change: the organization's people and their consents, and Stripe's customers and sessions. */
async function state() {
  const org = flow.organization.id;
  return {
    members: await db().selectFrom('members').selectAll().where('organization_id', '=', org).orderBy('email').execute(),
    consents: await db().selectFrom('signup_consents').selectAll().where('organization_id', '=', org).execute(),
    standings: await db().selectFrom('member_standing_changes').selectAll().where('organization_id', '=', org).execute(),
    customers: (await flow.stripe.customers.list({ limit: 100 })).data.map((c) => c.id).sort(),
    sessions: (await flow.stripe.checkout.sessions.list({ limit: 100 })).data.map((s) => s.id).sort(),
  };
}

// What differs between any two answers whatever the address: the time, the request id and the rate limit's count.
const VARYING = new Set(['date', 'x-request-id', 'ratelimit', 'etag', 'content-length']);

/** An answer as a prober compares it: status, headers and body, with the address the prober typed taken out. */
function seen(res: request.Response, email: string) {
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !VARYING.has(name)));
  return { status: res.status, headers, body: res.text.replaceAll(email, '<email>') };
}

function signupFields(email: string) {
  const percent = plans['Percent of wages']!;
  return {
    lang: 'en',
    authorizationVersion: '1',
    authorization: 'yes',
    name: 'Someone Probing',
    email,
    phone: '555-0999',
    employer: 'Employer Inc',
    worksite: 'Head office',
    plan: percent,
    [`grossWageCents_${percent}`]: '1000.00',
    [`payFrequency_${percent}`]: 'weekly',
    paymentMethod: 'card',
  };
}

async function postSignup(email: string) {
  const { agent, csrf } = await openForm(app, '/join/flow-union');
  const res = await agent.post('/join/flow-union').type('form').set('Accept', HTML).send({ csrf, ...signupFields(email) });
  return { res, agent };
}

test("a signup with a member's, a pending member's or a stranger's address gets the same answer, and nothing about anyone is created or changed", async () => {
  const before = await state();
  const answers = [];
  for (const email of [MEMBER, PENDING, STRANGER]) answers.push(seen((await postSignup(email)).res, email));
  expect(answers[0]!.status).toBe(200);
  expect(answers[0]!.body).toContain('We sent a message to <email>.');
  expect(answers[1]).toEqual(answers[0]);
  expect(answers[2]).toEqual(answers[0]);
  expect(await state()).toEqual(before);

  // Each address gets one email: the member a way to manage their dues, the others a link that continues the signup.
  const mail = await db().selectFrom('email_outbox').select(['to_address', 'kind']).where('organization_id', '=', flow.organization.id).orderBy('to_address').execute();
  expect(mail).toEqual([
    { to_address: PENDING, kind: 'signup.confirm' },
    { to_address: MEMBER, kind: 'signup.already_member' },
    { to_address: STRANGER, kind: 'signup.confirm' },
  ]);
  expect(await linksInLatestEmail(db(), MEMBER, 'signup.already_member')).toEqual([expect.stringMatching(/^\/join\/flow-union\/manage\/open\?lang=en&token=[\w-]{43}$/)]);
  // The stranger's details wait in the link's draft, not in a member row.
  const drafts = await db().selectFrom('signup_confirmations').select(['email', 'purpose', 'draft']).where('organization_id', '=', flow.organization.id).orderBy('email').execute();
  expect(drafts.map((row) => [row.email, row.purpose, row.draft?.values.name ?? null])).toEqual([
    [PENDING, 'join', 'Someone Probing'],
    [MEMBER, 'manage', null],
    [STRANGER, 'join', 'Someone Probing'],
  ]);
});

test("the manage form gets the same answer for a member's, a pending member's or a stranger's address, and queues one email for each", async () => {
  const before = await state();
  const since = flow.now();
  const answers = [];
  for (const email of [MEMBER, PENDING, STRANGER]) {
    const { agent, csrf } = await openForm(app, '/join/flow-union/manage');
    answers.push(seen(await agent.post('/join/flow-union/manage').type('form').set('Accept', HTML).send({ csrf, lang: 'en', email }), email));
  }
  expect(answers[0]!.status).toBe(200);
  expect(answers[1]).toEqual(answers[0]);
  expect(answers[2]).toEqual(answers[0]);
  expect(await state()).toEqual(before);
  const mail = await db().selectFrom('email_outbox').select(['to_address', 'subject']).where('created_at', '>', since).orderBy('to_address').execute();
  expect(mail).toEqual([
    { to_address: PENDING, subject: 'Your dues with Flow Union' },
    { to_address: MEMBER, subject: 'Manage your dues with Flow Union' },
    { to_address: STRANGER, subject: 'Your dues with Flow Union' },
  ]);
});

test("a pending member's record changes only once the emailed link is used, and then to what the form said", async () => {
  const original = await db().selectFrom('members').selectAll().where('email', '=', PENDING).executeTakeFirstOrThrow();
  const { res: sent, agent } = await postSignup(PENDING);
  expect(sent.status).toBe(200);
  expect(await db().selectFrom('members').selectAll().where('email', '=', PENDING).executeTakeFirstOrThrow()).toEqual(original);

  // Someone else (the prober) has the form's cookie but not the email: without the link's token nothing happens.
  const guessed = await agent.post('/join/flow-union/confirm').type('form').set('Accept', HTML).send({ token: 'A'.repeat(43), intent: 'checkout' });
  expect(guessed.status).toBe(404);
  expect(await db().selectFrom('members').selectAll().where('email', '=', PENDING).executeTakeFirstOrThrow()).toEqual(original);

  // The person opens the link (as would a mail scanner): the answers are shown, nothing changes yet.
  const reader = request.agent(app);
  const [link] = await linksInLatestEmail(db(), PENDING, 'signup.confirm');
  const landing = await reader.get(link!).set('Accept', HTML);
  expect(landing.status).toBe(200);
  expect(landing.text).toContain('Someone Probing');
  expect(await db().selectFrom('members').selectAll().where('email', '=', PENDING).executeTakeFirstOrThrow()).toEqual(original);

  // The button: proof of the address. Now the record takes the form's details, and Checkout opens.
  const { res } = await confirmEmailedSignup(reader, db(), PENDING);
  expect(res.status).toBe(303);
  expect(res.headers.location).toMatch(/\/c\/pay\/cs_/);
  const changed = await db().selectFrom('members').selectAll().where('email', '=', PENDING).executeTakeFirstOrThrow();
  expect(changed).toMatchObject({ id: original.id, name: 'Someone Probing', phone: '555-0999', employer: 'Employer Inc', worksite: 'Head office', standing: 'pending' });
  const consents = await db().selectFrom('signup_consents').select(['member_id', 'dues_cents']).where('member_id', '=', original.id).execute();
  expect(consents).toEqual([{ member_id: original.id, dues_cents: expect.any(Number) }]);
});

test("a member's link opens no signup, and an expired link starts nothing", async () => {
  // A join link for an address that became a member's meanwhile: told so, nothing started.
  const { agent } = await postSignup('late.joiner@example.org');
  await db().updateTable('signup_confirmations').set({ expires_at: new Date(flow.now().getTime() - 1) }).where('email', '=', 'late.joiner@example.org').execute();
  const before = await state();
  const { res } = await confirmEmailedSignup(agent, db(), 'late.joiner@example.org');
  expect(res.status).toBe(404);
  expect(res.text).toContain('This link has expired');
  expect(await state()).toEqual(before);

  const member = await postSignup(STRANGER);
  await db().insertInto('members').values({ organization_id: flow.organization.id, name: 'Sam Now Member', email: STRANGER, standing: 'active', ...memberTimes(flow.now()) }).execute();
  const beforeMember = await state();
  const joined = await confirmEmailedSignup(member.agent, db(), STRANGER);
  expect(joined.res.status).toBe(200);
  expect(joined.res.text).toContain('You are already a member');
  expect(await state()).toEqual(beforeMember);
});

test('one address is sent at most 5 signup or manage emails in 15 minutes, whoever asks; the answer stays the same', async () => {
  const flooded = 'flooded.inbox@example.org';
  const answers = [];
  for (let i = 0; i < 7; i += 1) {
    if (i % 2) {
      const { agent, csrf } = await openForm(app, '/join/flow-union/manage');
      answers.push(seen(await agent.post('/join/flow-union/manage').type('form').set('Accept', HTML).send({ csrf, lang: 'en', email: flooded }), flooded).status);
    } else answers.push(seen((await postSignup(flooded)).res, flooded).status);
  }
  expect(answers).toEqual([200, 200, 200, 200, 200, 200, 200]);
  const mail = await db().selectFrom('email_outbox').select('kind').where('to_address', '=', flooded).execute();
  expect(mail).toHaveLength(5);
  flow.setClock(Math.floor(flow.now().getTime() / 1000) + 16 * 60);
  await postSignup(flooded);
  expect(await db().selectFrom('email_outbox').select('kind').where('to_address', '=', flooded).execute()).toHaveLength(6);
});

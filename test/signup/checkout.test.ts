import type { Express } from 'express';
import { buildApp } from '../../src/app';
import request from 'supertest';
import { syncPlanToStripe } from '../../src/plans/stripe-sync';
import { createStripeClient } from '../../src/stripe/client';
import { DAY, startStripeFlow, type StripeFlow } from '../support/stripe-flow';
import { confirmEmailedSignup, createOrganization, createPlans, HTML, inputValue, linksInLatestEmail, openForm } from './fixtures';

let flow: StripeFlow;
let app: Express;
let plans: Record<string, string>;
const clocks = new Map<string, string>();

beforeAll(async () => {
  flow = await startStripeFlow();
  // Bank-account signups run on a test clock, so the test can move past the ACH delay.
  flow.ctx.signup = {
    testClockFor: async (member) => {
      if (!member.email.startsWith('ach')) return undefined;
      const clock = await flow.stripe.testHelpers.testClocks.create({ frozen_time: Math.floor(flow.now().getTime() / 1000) });
      clocks.set(member.email, clock.id);
      return clock.id;
    },
  };
  app = buildApp(flow.ctx);
  plans = await createPlans(flow.testDb.db, flow.organization);
  for (const id of Object.values(plans)) await syncPlanToStripe(flow.testDb.db, flow.stripe, flow.organization, id);
});
afterAll(async () => {
  await flow.close();
});

const db = () => flow.testDb.db;
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

async function submit(fields: Record<string, string>, language = 'en') {
  const { agent, csrf } = await openForm(app, '/join/flow-union', language);
  const res = await agent
    .post('/join/flow-union')
    .type('form')
    .set('Accept', HTML)
    .set('User-Agent', 'Mozilla/5.0 (Signup test phone)')
    .send({ csrf, lang: language, authorizationVersion: '1', authorization: 'yes', ...fields });
  return { res, agent };
}

/** A signup sent and confirmed from its email: the button's answer (a 303 to Checkout). */
async function join(fields: Record<string, string>, language = 'en') {
  const { res: sent, agent } = await submit(fields, language);
  expect(sent.status).toBe(200);
  const { res, landing } = await confirmEmailedSignup(agent, db(), fields.email!);
  return { res, agent, sent, landing };
}

function percentFields(name: string, email: string, paymentMethod: string) {
  const percent = plans['Percent of wages']!;
  return {
    name,
    email,
    phone: '555-0100',
    employer: 'Acme Logistics',
    worksite: 'Dock 4',
    plan: percent,
    [`grossWageCents_${percent}`]: '1200.00',
    [`payFrequency_${percent}`]: 'biweekly',
    paymentMethod,
  };
}

const sessionIdOf = (location: string) => /\/c\/pay\/(cs_[A-Za-z0-9_]+)/.exec(location)?.[1];

describe('a signup through Checkout', () => {
  let memberId: string;

  test('a valid form: an email first and nothing stored; its link shows the answers, and its button records member and consent, then a 303 to Checkout', async () => {
    const { res: sent, agent } = await submit(percentFields('María López', 'maria@example.org', 'card'), 'es');
    expect(sent.status).toBe(200);
    expect(text(sent.text)).toContain('Enviamos un mensaje a maria@example.org.');
    expect(await db().selectFrom('members').select('id').where('email', '=', 'maria@example.org').execute()).toEqual([]);
    expect((await flow.stripe.customers.list({ limit: 100 })).data.filter((c) => c.email === 'maria@example.org')).toEqual([]);
    const mail = await db().selectFrom('email_outbox').selectAll().where('to_address', '=', 'maria@example.org').executeTakeFirstOrThrow();
    expect(mail).toMatchObject({ kind: 'signup.confirm', subject: 'Confirme su correo para afiliarse a Flow Union', organization_id: flow.organization.id });
    expect(mail.text_body).toMatch(/http:\/\/gs\.test\/join\/flow-union\/confirm\?lang=es&token=[\w-]{43}/);

    const { res, landing } = await confirmEmailedSignup(agent, db(), 'maria@example.org');
    expect(landing.status).toBe(200);
    expect(text(landing.text)).toContain('Revise sus respuestas');
    expect(text(landing.text)).toContain('Percent of wages: $39.00 al mes');
    expect(text(landing.text)).toContain('Tarjeta de débito o crédito');
    expect(res.status).toBe(303);
    const sessionId = sessionIdOf(res.headers.location!);
    expect(sessionId).toBeDefined();

    const member = await db().selectFrom('members').selectAll().where('email', '=', 'maria@example.org').executeTakeFirstOrThrow();
    memberId = member.id;
    expect(member).toMatchObject({
      organization_id: flow.organization.id,
      name: 'María López',
      phone: '555-0100',
      employer: 'Acme Logistics',
      worksite: 'Dock 4',
      plan_id: plans['Percent of wages'],
      wage_facts: { grossWageCents: 120_000, payFrequency: 'biweekly' },
      preferred_language: 'es',
      standing: 'pending',
      stripe_customer_id: expect.stringMatching(/^cus_/),
    });
    const consent = await db().selectFrom('signup_consents').selectAll().where('member_id', '=', member.id).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({
      organization_id: flow.organization.id,
      authorization_version: 1,
      language: 'es',
      plan_id: plans['Percent of wages'],
      dues_cents: 3900,
      payment_method: 'card',
      ip: expect.stringMatching(/127\.0\.0\.1/),
      user_agent: 'Mozilla/5.0 (Signup test phone)',
      checkout_session_id: sessionId,
    });
    expect(Math.abs(new Date(consent.accepted_at).getTime() - flow.now().getTime())).toBeLessThan(60_000);
    const authorization = await db().selectFrom('dues_authorizations').selectAll().where('organization_id', '=', flow.organization.id).where('language', '=', 'es').executeTakeFirstOrThrow();
    expect(authorization.text).toContain('Autorizo a Flow Union');
    const history = await db().selectFrom('member_standing_changes').select(['to_standing', 'cause']).where('member_id', '=', member.id).execute();
    expect(history).toEqual([{ to_standing: 'pending', cause: 'signup' }]);
    // Organizers can tell a signup that went to Checkout and has not come back.
    expect(member).toMatchObject({ standing: 'pending', standing_reason: 'checkout_not_completed', standing_reason_since: '2026-01-05' });

    const session = await flow.stripe.checkout.sessions.retrieve(sessionId!);
    const metadata = { gs_organization_id: flow.organization.id, gs_member_id: member.id, gs_plan_id: plans['Percent of wages'] };
    expect(session).toMatchObject({
      mode: 'subscription',
      customer: member.stripe_customer_id,
      client_reference_id: member.id,
      metadata,
      allowed_payment_method_types: ['card'],
      locale: 'es',
      success_url: expect.stringMatching(/^http:\/\/gs\.test\/join\/flow-union\/welcome\?lang=es&method=card&draft=[0-9a-f-]{36}\.\d+\.[\w-]+$/),
      cancel_url: expect.stringMatching(/^http:\/\/gs\.test\/join\/flow-union\/cancelled\?lang=es&draft=[0-9a-f-]{36}\.\d+\.[\w-]+$/),
    });
    expect(session.cancel_url).not.toContain('maria');
    const lines = await flow.stripe.checkout.sessions.listLineItems(sessionId!);
    expect(lines.data).toHaveLength(1);
    expect(lines.data[0]).toMatchObject({ amount_total: 3900, price: { unit_amount: 3900, currency: 'usd', recurring: { interval: 'month', interval_count: 1 } } });
    const product = await db().selectFrom('plans').select('stripe_product_id').where('id', '=', plans['Percent of wages']!).executeTakeFirstOrThrow();
    expect(lines.data[0]!.price!.product).toBe(product.stripe_product_id);
    const customer = await flow.stripe.customers.retrieve(member.stripe_customer_id!);
    expect(customer).toMatchObject({ email: 'maria@example.org', name: 'María López', preferred_locales: ['es'], metadata });

    // Paying makes the member active only once the webhooks are processed.
    flow.sandbox.completeCheckout(sessionId!, 'pm_card_visa');
    expect((await flow.member(member.id)).standing).toBe('pending');
    await flow.settle();
    expect((await flow.member(member.id)).standing).toBe('active');
    const ledger = await db().selectFrom('ledger_transactions').select(['kind', 'gross_cents', 'fee_cents']).where('member_id', '=', member.id).orderBy('kind').execute();
    expect(ledger.map((row) => row.kind)).toEqual(['dues_payment', 'processing_fee']);

    // Back from Checkout: what was chosen and when the next payment falls, in a wording that fits everyone.
    const welcome = await request(app).get(session.success_url!.replace('http://gs.test', '')).set('Accept', HTML);
    expect(welcome.status).toBe(200);
    const page = text(welcome.text);
    expect(page).toContain('¡Le damos la bienvenida al sindicato!');
    expect(page).toContain('Lo que eligió Su plan de cuotas Percent of wages Cuotas $39.00 al mes Cómo paga Tarjeta de débito o crédito Próximo pago de cuotas alrededor del 5 de febrero de 2026');
    expect(page).not.toContain('recibo');
    // Without the signed draft (or with a forged one) the page welcomes and shows nothing of anyone's.
    const bare = text((await request(app).get('/join/flow-union/welcome?lang=es&method=card&draft=x.1.y').set('Accept', HTML)).text);
    expect(bare).toContain('Gracias por afiliarse.');
    expect(bare).not.toContain('Percent of wages');
  });

  test('a flat plan uses its own Price and adds the initiation fee once', async () => {
    const { res } = await join({ name: 'Sam Flat', email: 'sam@example.org', plan: plans['Regular monthly']!, paymentMethod: 'us_bank_account' });
    expect(res.status).toBe(303);
    const sessionId = sessionIdOf(res.headers.location!)!;
    const session = await flow.stripe.checkout.sessions.retrieve(sessionId);
    expect(session.allowed_payment_method_types).toEqual(['us_bank_account']);
    const version = await db().selectFrom('plan_versions').select('stripe_price_id').where('plan_id', '=', plans['Regular monthly']!).executeTakeFirstOrThrow();
    const lines = await flow.stripe.checkout.sessions.listLineItems(sessionId);
    expect(lines.data.map((line) => ({ amount: line.amount_total, recurring: line.price?.recurring !== null }))).toEqual([
      { amount: 3000, recurring: true },
      { amount: 1000, recurring: false },
    ]);
    expect(lines.data[0]!.price!.id).toBe(version.stripe_price_id);
    expect(lines.data[1]!.description).toBe('Initiation fee (one time)');
  });

  test('leaving Checkout returns to the form with the details kept; sending it again keeps one member record', async () => {
    const { res } = await join(percentFields('Lee Back', 'lee@example.org', 'us_bank_account'));
    const first = await flow.stripe.checkout.sessions.retrieve(sessionIdOf(res.headers.location!)!);
    const back = await openForm(app, first.cancel_url!.replace('http://gs.test', ''));
    const percent = plans['Percent of wages']!;
    expect(text(back.html)).toContain('You left the payment page before paying.');
    expect(inputValue(back.html, 'name')).toBe('Lee Back');
    expect(inputValue(back.html, 'email')).toBe('lee@example.org');
    expect(inputValue(back.html, 'worksite')).toBe('Dock 4');
    expect(inputValue(back.html, `grossWageCents_${percent}`)).toBe('1200.00');
    expect(back.html).toContain('<option value="biweekly" selected>');
    expect(back.html).toMatch(/id="paymentMethod-us_bank_account" value="us_bank_account" checked/);

    // A tampered draft shows an empty form.
    const tampered = await openForm(app, first.cancel_url!.replace('http://gs.test', '').replace(/draft=.{8}/, 'draft=00000000'));
    expect(inputValue(tampered.html, 'name')).toBe('');

    const again = await join({ ...percentFields('Lee Back', 'lee@example.org', 'card'), phone: '555-0199' });
    expect(again.res.status).toBe(303);
    const members = await db().selectFrom('members').selectAll().where('organization_id', '=', flow.organization.id).where('name', '=', 'Lee Back').execute();
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ phone: '555-0199', standing: 'pending' });
    const consents = await db().selectFrom('signup_consents').select('payment_method').where('member_id', '=', members[0]!.id).orderBy('accepted_at').execute();
    expect(consents.map((c) => c.payment_method)).toEqual(['us_bank_account', 'card']);
  });

  test('a double-clicked "continue" makes one member, and both answers lead to Checkout', async () => {
    const { agent } = await submit(percentFields('Dee Double', 'dee@example.org', 'card'));
    const [link] = await linksInLatestEmail(db(), 'dee@example.org', 'signup.confirm');
    const token = new URL(link!, 'http://gs.test').searchParams.get('token')!;
    const press = () => agent.post('/join/flow-union/confirm').type('form').set('Accept', HTML).send({ token, intent: 'checkout' });
    const [a, b] = await Promise.all([press(), press()]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const members = await db().selectFrom('members').select('id').where('organization_id', '=', flow.organization.id).where('email', '=', 'dee@example.org').execute();
    expect(members).toHaveLength(1);
  });

  test('an active member who signs up again gets an email, not a second subscription, and the page says only "check your email"', async () => {
    const before = await db().selectFrom('members').select('id').where('organization_id', '=', flow.organization.id).execute();
    const { res } = await submit(percentFields('Someone Else', 'MARIA@example.org', 'card'));
    expect(res.status).toBe(200);
    expect(text(res.text)).toContain('We sent a message to MARIA@example.org. Open the link in it to continue.');
    expect(text(res.text)).not.toMatch(/already|member of/i);
    const after = await db().selectFrom('members').select('id').where('organization_id', '=', flow.organization.id).execute();
    expect(after).toHaveLength(before.length);
    expect((await flow.member(memberId)).name).toBe('María López');
    const mail = await db().selectFrom('email_outbox').selectAll().where('kind', '=', 'signup.already_member').executeTakeFirstOrThrow();
    expect(mail).toMatchObject({ to_address: 'MARIA@example.org', subject: 'Usted ya es miembro de Flow Union', organization_id: flow.organization.id });
    expect(mail.text_body).toMatch(/http:\/\/gs\.test\/join\/flow-union\/manage\/open\?lang=es&token=[\w-]{43}/);
  });

  test('the manage page emails a single-use link that opens the member’s own page once, and from it the billing portal', async () => {
    const { agent, csrf } = await openForm(app, '/join/flow-union/manage');
    const res = await agent.post('/join/flow-union/manage').type('form').set('Accept', HTML).send({ csrf, email: 'Maria@Example.org' });
    expect(res.status).toBe(200);
    expect(text(res.text)).toContain('We sent a message to that address.');
    const mail = await db().selectFrom('email_outbox').selectAll().where('kind', '=', 'signup.manage_link').executeTakeFirstOrThrow();
    expect(mail.subject).toBe('Administre sus cuotas con Flow Union');
    const token = /manage\/open\?lang=es&token=([\w-]+)/.exec(mail.text_body)![1]!;
    const stored = await db().selectFrom('signup_confirmations').selectAll().where('organization_id', '=', flow.organization.id).execute();
    expect(stored.map((link) => link.token_hash)).not.toContain(token);

    const landing = await agent.get(`/join/flow-union/manage/open?lang=es&token=${token}`).set('Accept', HTML);
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('Abrir mis cuotas');
    const opened = await agent.post('/join/flow-union/manage/open').type('form').set('Accept', HTML).send({ token });
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/join/flow-union/me');
    const own = await agent.get('/join/flow-union/me').set('Accept', HTML);
    expect(own.status).toBe(200);
    expect(text(own.text)).toContain('Entró como María López');
    const ownCsrf = /name="csrf" value="([^"]+)"/.exec(own.text)![1]!;
    const portal = await agent.post('/join/flow-union/me/portal').type('form').set('Accept', HTML).send({ csrf: ownCsrf });
    expect(portal.status).toBe(303);
    expect(portal.headers.location).toMatch(/\/p\/session\//);
    const again = await agent.post('/join/flow-union/manage/open').type('form').set('Accept', HTML).send({ token, lang: 'es' });
    expect(again.status).toBe(404);
    expect(text(again.text)).toContain('Este enlace ya se usó o venció');

    // An expired link is refused the same way.
    const before = (await db().selectFrom('email_outbox').select('id').execute()).length;
    await agent.post('/join/flow-union/manage').type('form').set('Accept', HTML).send({ csrf, email: 'maria@example.org' });
    expect((await db().selectFrom('email_outbox').select('id').execute()).length).toBe(before + 1);
    const mails = await db().selectFrom('email_outbox').selectAll().where('kind', '=', 'signup.manage_link').orderBy('created_at', 'desc').execute();
    const fresh = /manage\/open\?lang=es&token=([\w-]+)/.exec(mails[0]!.text_body)![1]!;
    await db().updateTable('signup_confirmations').set({ expires_at: new Date(flow.now().getTime() - 1000) }).where('purpose', '=', 'manage').where('used_at', 'is', null).execute();
    const expired = await agent.post('/join/flow-union/manage/open').type('form').set('Accept', HTML).send({ token: fresh });
    expect(expired.status).toBe(404);
  });

  test('another organization’s page reads none of this one’s drafts, plans or links', async () => {
    const other = await createOrganization(db(), 'other-union', 'Other Union');
    await createPlans(db(), other, [{ name: 'Other flat', rule: { kind: 'flat', amountCents: 1000 } }]);
    const { res } = await join(percentFields('Oli Draft', 'oli@example.org', 'card'));
    const session = await flow.stripe.checkout.sessions.retrieve(sessionIdOf(res.headers.location!)!);
    const draft = new URL(session.cancel_url!).searchParams.get('draft')!;
    const elsewhere = await openForm(app, `/join/other-union/cancelled?draft=${draft}`);
    expect(inputValue(elsewhere.html, 'name')).toBe('');
    expect(elsewhere.html).not.toContain(plans['Percent of wages']);

    const { agent, csrf } = await openForm(app, '/join/other-union');
    const foreignPlan = await agent.post('/join/other-union').type('form').set('Accept', HTML).send({ csrf, authorizationVersion: '1', authorization: 'yes', ...percentFields('Oli', 'oli2@example.org', 'card') });
    expect(foreignPlan.status).toBe(400);
    expect(text(foreignPlan.text)).toContain('Choose a dues plan.');

    const manage = await openForm(app, '/join/flow-union/manage');
    await manage.agent.post('/join/flow-union/manage').type('form').send({ csrf: manage.csrf, email: 'maria@example.org' });
    const mail = await db().selectFrom('email_outbox').selectAll().where('kind', '=', 'signup.manage_link').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const token = /token=([\w-]+)/.exec(mail.text_body)![1]!;
    const wrongDoor = await manage.agent.post('/join/other-union/manage/open').type('form').set('Accept', HTML).send({ token });
    expect(wrongDoor.status).toBe(404);
    const rightDoor = await manage.agent.post('/join/flow-union/manage/open').type('form').set('Accept', HTML).send({ token });
    expect(rightDoor.status).toBe(303);
  });

  test('a bank-account signup stays pending through the ACH delay and is active after it', async () => {
    const { res } = await join(percentFields('Ana Bank', 'ach.ana@example.org', 'us_bank_account'));
    expect(res.status).toBe(303);
    const sessionId = sessionIdOf(res.headers.location!)!;
    const member = await db().selectFrom('members').selectAll().where('email', '=', 'ach.ana@example.org').executeTakeFirstOrThrow();
    flow.sandbox.completeCheckout(sessionId, 'pm_usBankAccount_success');
    await flow.settle();
    expect((await flow.member(member.id)).standing).toBe('pending');
    const clock = await flow.stripe.testHelpers.testClocks.retrieve(clocks.get('ach.ana@example.org')!);
    await flow.advanceTo(clock.id, clock.frozen_time + 5 * DAY);
    expect((await flow.member(member.id)).standing).toBe('active');
    const fee = await db().selectFrom('ledger_transactions').select(['kind', 'gross_cents']).where('member_id', '=', member.id).where('kind', '=', 'processing_fee').executeTakeFirstOrThrow();
    expect(fee).toBeDefined();
  });

  test('when Stripe cannot be reached, the way to the billing portal answers a page that leads back (503), not a 500', async () => {
    const { agent, csrf } = await openForm(app, '/join/flow-union/manage');
    const earlier = (await db().selectFrom('email_outbox').select('id').execute()).map((row) => row.id);
    await agent.post('/join/flow-union/manage').type('form').set('Accept', HTML).send({ csrf, email: 'maria@example.org' });
    const mail = await db().selectFrom('email_outbox').selectAll().where('kind', '=', 'signup.manage_link').where('id', 'not in', earlier).executeTakeFirstOrThrow();
    const token = /manage\/open\?lang=es&token=([\w-]+)/.exec(mail.text_body)![1]!;
    const offline = request.agent(buildApp({ ...flow.ctx, stripe: createStripeClient({ secretKey: 'sk_test_offline', apiBase: 'http://127.0.0.1:9', maxNetworkRetries: 0, timeoutMs: 2_000 }) }));
    expect((await offline.post('/join/flow-union/manage/open').type('form').set('Accept', HTML).send({ token })).status).toBe(303);
    const own = await offline.get('/join/flow-union/me').set('Accept', HTML);
    const res = await offline.post('/join/flow-union/me/portal').type('form').set('Accept', HTML).send({ csrf: /name="csrf" value="([^"]+)"/.exec(own.text)![1]! });
    expect(res.status).toBe(503);
    expect(res.type).toBe('text/html');
    expect(text(res.text)).toContain('No pudimos comunicarnos con el servicio de pago. No se cambió nada.');
    expect(res.text).toContain('href="/join/flow-union/me"');
  });
});

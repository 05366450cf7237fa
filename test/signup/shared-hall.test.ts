import { buildApp } from '../../src/app';
import { COSTLY_ACTIONS_PER_NETWORK } from '../../src/signup/join';
import { syncPlanToStripe } from '../../src/plans/stripe-sync';
import { startStripeFlow, type StripeFlow } from '../support/stripe-flow';
import { confirmEmailedSignup, createPlans, HTML, openForm } from './fixtures';

// A union hall shares one internet address: a meeting's worth of people must all get
// through, while a script hammering the form from one address must not.

let flow: StripeFlow;
let plans: Record<string, string>;

beforeAll(async () => {
  flow = await startStripeFlow();
  plans = await createPlans(flow.testDb.db, flow.organization);
  for (const id of Object.values(plans)) await syncPlanToStripe(flow.testDb.db, flow.stripe, flow.organization, id);
});
afterAll(async () => {
  await flow.close();
});

const slug = () => flow.organization.slug;

function person(csrf: string, i: number, percent: string, domain = 'hall.example.org') {
  return {
    csrf,
    lang: i % 2 ? 'es' : 'en',
    name: `Member ${i}`,
    email: `member.${i}@${domain}`,
    plan: percent,
    [`grossWageCents_${percent}`]: '1,200.00',
    [`payFrequency_${percent}`]: 'biweekly',
    paymentMethod: i % 3 ? 'us_bank_account' : 'card',
    authorization: 'yes',
    authorizationVersion: '1',
  };
}

test('40 people join from one address within 15 minutes and none is refused; 1,000 posts from one address are', async () => {
  const app = buildApp(flow.ctx);
  const percent = plans['Percent of wages']!;
  for (let i = 0; i < 40; i += 1) {
    const { agent, csrf } = await openForm(app, `/join/${slug()}`);
    const form = person(csrf, i, percent);
    // As people do: look at their dues twice, forget the box once, then send.
    for (const amount of ['1200', '1,200.00']) {
      const preview = await agent.post(`/join/${slug()}`).type('form').set('Accept', HTML).send({ ...form, intent: `preview:${percent}`, [`grossWageCents_${percent}`]: amount });
      expect(preview.status).toBe(200);
    }
    expect((await agent.post(`/join/${slug()}`).type('form').set('Accept', HTML).send({ ...form, authorization: '', intent: 'join' })).status).toBe(400);
    expect((await agent.post(`/join/${slug()}`).type('form').set('Accept', HTML).send({ ...form, intent: 'join' })).status).toBe(200);
    const { res } = await confirmEmailedSignup(agent, flow.testDb.db, form.email);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/\/c\/pay\/cs_/);
  }

  // The flood: every form post under /join counts, here the manage form's (its page is the smallest).
  const { agent, csrf } = await openForm(app, `/join/${slug()}/manage`);
  const statuses: number[] = [];
  for (let i = 0; i < 1000; i += 1) statuses.push((await agent.post(`/join/${slug()}/manage`).type('form').set('Accept', HTML).send({ csrf, email: 'not an address' })).status);
  const refused = statuses.filter((status) => status === 429).length;
  // 500 posts per 15 minutes: the hall's 200 and the script's first 300 went through.
  expect(statuses.slice(0, 300).every((status) => status === 400)).toBe(true);
  expect(refused).toBe(700);
  // About 1,200 requests: well over the default timeout on a busy machine.
}, 300_000);

test('emails and Checkout Sessions have their own limit per address, and the limited page keeps what was typed', async () => {
  const app = buildApp(flow.ctx, { signupRateLimit: 1e9 });
  const percent = plans['Percent of wages']!;
  const { agent, csrf } = await openForm(app, `/join/${slug()}`);
  const send = (i: number) => agent.post(`/join/${slug()}`).type('form').set('Accept', HTML).send({ ...person(csrf, i, percent, 'script.example.org'), intent: 'join' });
  for (let i = 0; i < COSTLY_ACTIONS_PER_NETWORK; i += 1) expect((await send(i)).status).toBe(200);
  const limited = await send(COSTLY_ACTIONS_PER_NETWORK);
  expect(limited.status).toBe(429);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect(limited.text).toContain(`value="member.${COSTLY_ACTIONS_PER_NETWORK}@script.example.org"`);
  const queued = await flow.testDb.db.selectFrom('email_outbox').select((eb) => eb.fn.countAll<string>().as('n')).where('to_address', 'like', '%@script.example.org').where('kind', '=', 'signup.confirm').executeTakeFirstOrThrow();
  expect(Number(queued.n)).toBe(COSTLY_ACTIONS_PER_NETWORK);
}, 300_000);

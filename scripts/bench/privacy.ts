/**
 * Privacy benchmark: can the time of an answer tell a member's address from a stranger's,
 * and what does confirming the email first cost a member?
 *
 * 1. Timing. For the signup form, the manage form and staff sign-in, the same request is
 *    sent with a member's (or staff member's) address and a stranger's, `--rounds` times
 *    each, interleaved in random order over one kept-alive connection. Printed: the medians
 *    and the accuracy of the best single time threshold at telling the two apart (50% is a
 *    coin toss; the best threshold on the samples themselves scores a little above it).
 * 2. The member's cost. `--joins` new members go from the form to Checkout: the form, the
 *    "check your email" answer, the emailed link's answers page, and the button that
 *    creates the Checkout Session (on the offline Stripe sandbox). Printed: the requests
 *    and pages, and the server time of each step. The old flow was the form and one POST
 *    that did what the button does now, so its time is estimated from the same run as
 *    form + button. The wait for the email itself is not included.
 *
 *   npm run bench:privacy -- [--rounds 300] [--joins 30]
 *
 * Uses DATABASE_URL's server when set, otherwise an embedded PostgreSQL; the benchmark
 * database is dropped at the end.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStripeSandbox } from '../stripe-sandbox/server';
import { buildApp } from '../../src/app';
import { insertOrganization } from '../../src/organizations/queries';
import { insertPlan, insertPlanVersion } from '../../src/plans/queries';
import { syncPlanToStripe } from '../../src/plans/stripe-sync';
import { grantRole, upsertStaffUser } from '../../src/staff/queries';
import { createStripeClient } from '../../src/stripe/client';
import { benchContext } from './bench-app';
import { median, prober, thresholdAccuracy, timeClasses, type Probe } from './probes';
import { benchDatabase, flag } from './support';

const ROUNDS = flag('rounds', 300);
const JOINS = flag('joins', 30);
const SLUG = 'bench-privacy';

const ms = (value: number) => `${value.toFixed(2)} ms`;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const bench = await benchDatabase();
  const sandbox = await startStripeSandbox();
  let server: Server | undefined;
  try {
    const stripe = createStripeClient({ secretKey: 'sk_test_bench', apiBase: sandbox.url, maxNetworkRetries: 0 });
    const ctx = benchContext(bench.url, { db: bench.db, stripe, signup: { emailsPerAddress: 1e9, costlyActionsPerNetwork: 1e9 } });
    const now = ctx.now();
    const organization = await insertOrganization(ctx.db, { slug: SLUG, name: 'Bench Local', timeZone: 'America/Chicago', currency: 'usd' }, now);
    const staff = await upsertStaffUser(ctx.db, { email: 'treasurer@bench.example.org', name: 'Treasurer' }, now);
    await grantRole(ctx.db, organization.id, staff.id, 'treasurer', now);
    const plan = await insertPlan(ctx.db, { organization_id: organization.id, name: 'Regular monthly', currency: 'usd', billing_interval: 'month' }, now);
    await insertPlanVersion(ctx.db, { organization_id: organization.id, plan_id: plan.id, version: 1, effective_from: '2020-01-01', amount_rule: JSON.stringify({ kind: 'flat', amountCents: 3000 }), initiation_fee_cents: null, authorization_note: 'Bylaws, article 6' }, now);
    await syncPlanToStripe(ctx.db, stripe, organization, plan.id);
    const customer = await stripe.customers.create({ email: 'member@bench.example.org', name: 'Rosa Member' });
    await ctx.db
      .insertInto('members')
      .values([
        { organization_id: organization.id, name: 'Rosa Member', email: 'member@bench.example.org', standing: 'active', stripe_customer_id: customer.id, created_at: now, updated_at: now, standing_changed_at: now },
        { organization_id: organization.id, name: 'Pat Pending', email: 'pending@bench.example.org', standing: 'pending', created_at: now, updated_at: now, standing_changed_at: now },
      ])
      .execute();

    const app = buildApp(ctx, { signupRateLimit: 1e9, loginRateLimit: 1e9, loginAddressRateLimit: 1e9 });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ctx.publicUrl = target;
    const client = prober(target);

    async function formSession(path: string): Promise<{ cookie: string; csrf: string; ms: number }> {
      const page = await client.send({ method: 'GET', path, headers: { accept: 'text/html' } });
      return { cookie: String(page.headers['set-cookie']).split(';')[0]!, csrf: /name="csrf" value="([^"]+)"/.exec(page.body)![1]!, ms: page.ms };
    }
    const form = (path: string, cookie: string, fields: Record<string, string>): Probe => ({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie },
      body: new URLSearchParams(fields).toString(),
    });
    const signupFields = (csrf: string, email: string) => ({ csrf, lang: 'en', authorizationVersion: '1', authorization: 'yes', name: 'Probe', email, plan: plan.id, paymentMethod: 'card' });

    // 1. Timing.
    const join = await formSession(`/join/${SLUG}`);
    const manage = await formSession(`/join/${SLUG}/manage`);
    const signup = (email: string) => () => form(`/join/${SLUG}`, join.cookie, signupFields(join.csrf, email));
    const manageProbe = (email: string) => () => form(`/join/${SLUG}/manage`, manage.cookie, { csrf: manage.csrf, lang: 'en', email });
    const signIn = (email: string) => (): Probe => ({ method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    const comparisons: Array<[string, Record<string, () => Probe>, number]> = [
      ['signup form', { member: signup('member@bench.example.org'), pending: signup('pending@bench.example.org'), stranger: signup('stranger@bench.example.org') }, 200],
      ['manage form', { member: manageProbe('member@bench.example.org'), stranger: manageProbe('stranger@bench.example.org') }, 200],
      ['staff sign-in', { member: signIn('treasurer@bench.example.org'), stranger: signIn('stranger@bench.example.org') }, 202],
    ];
    console.log(`Timing: ${ROUNDS} probes of each kind, interleaved; accuracy of the best time threshold (50% = cannot tell)`);
    for (const [name, classes, status] of comparisons) {
      const times = await timeClasses(target, classes, { rounds: ROUNDS, expectStatus: status });
      for (const known of Object.keys(classes).filter((kind) => kind !== 'stranger')) {
        const label = `${name}: ${known} vs stranger`;
        console.log(`  ${label.padEnd(36)} medians ${ms(median(times[known]!)).padStart(9)} / ${ms(median(times.stranger!)).padStart(9)}   accuracy ${percent(thresholdAccuracy(times[known]!, times.stranger!))}`);
      }
    }

    // 2. The member's cost, form to Checkout.
    const steps = { form: [] as number[], send: [] as number[], open: [] as number[], proceed: [] as number[] };
    for (let i = 0; i < JOINS; i += 1) {
      const email = `joiner.${i}@bench.example.org`;
      const page = await formSession(`/join/${SLUG}`);
      const sent = await client.send(form(`/join/${SLUG}`, page.cookie, signupFields(page.csrf, email)));
      if (sent.status !== 200) throw new Error(`signup answered ${sent.status}`);
      const mail = await ctx.db.selectFrom('email_outbox').select('text_body').where('to_address', '=', email).executeTakeFirstOrThrow();
      const link = new URL(/(http:\/\/\S+\/confirm\?\S+)/.exec(mail.text_body)![1]!);
      const opened = await client.send({ method: 'GET', path: link.pathname + link.search, headers: { accept: 'text/html' } });
      if (opened.status !== 200) throw new Error(`the emailed link answered ${opened.status}`);
      const token = link.searchParams.get('token')!;
      const proceed = await client.send(form(link.pathname, '', { token, intent: 'checkout' }));
      if (proceed.status !== 303 || !proceed.headers.location?.toString().includes('/c/pay/')) throw new Error(`continuing answered ${proceed.status}`);
      steps.form.push(page.ms);
      steps.send.push(sent.ms);
      steps.open.push(opened.ms);
      steps.proceed.push(proceed.ms);
    }
    client.close();
    const total = steps.form.map((_, i) => steps.form[i]! + steps.send[i]! + steps.open[i]! + steps.proceed[i]!);
    const old = steps.form.map((_, i) => steps.form[i]! + steps.proceed[i]!);
    console.log(`\nA member's way from the form to Checkout (${JOINS} signups, medians of server time over loopback; the email's own delivery not counted)`);
    console.log(`  now:  4 requests, 3 pages of ours and 1 email: form ${ms(median(steps.form))}, send → "check your email" ${ms(median(steps.send))}, emailed link → answers ${ms(median(steps.open))}, continue → Checkout ${ms(median(steps.proceed))}; total ${ms(median(total))}`);
    console.log(`  before: 2 requests, 1 page of ours: form, send → Checkout (the work "continue" does now); estimated total ${ms(median(old))}`);
    console.log(`  ratio now/before: ${(median(total) / median(old)).toFixed(2)}× the server time, 2× the requests, plus one email to open and one button to press`);
    console.log('\nBefore the change (issue 16): the signup form answered 200 for a member and 303 to Checkout for a stranger (100% told apart),');
    console.log('the manage form\'s timing told members from strangers 71% of the time, and sign-in took 4.1 ms for a known address and 2.1 ms for an unknown one.');
  } finally {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await sandbox.close();
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

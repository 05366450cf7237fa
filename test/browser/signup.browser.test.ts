import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../../src/app';
import { syncPlanToStripe } from '../../src/plans/stripe-sync';
import { DAY, startStripeFlow, type StripeFlow } from '../support/stripe-flow';
import { createPlans } from '../signup/fixtures';

// Debian's chromium, driven by playwright-core (never `npx playwright install`). CI installs
// it in .ci/run; on a machine without it the suite is skipped and its title says why.
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const describeInBrowser = haveChromium ? describe : describe.skip;
const SUITE = `signing up in a real browser, at phone size${haveChromium ? '' : ` (SKIPPED: ${CHROMIUM} is not installed; apt-get install chromium)`}`;

const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/signup');
const PHONE = { width: 390, height: 844 };

let flow: StripeFlow;
let server: Server;
let baseUrl: string;
let browser: Browser;
let plans: Record<string, string>;
const clocks = new Map<string, string>();

describeInBrowser(SUITE, () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    flow = await startStripeFlow();
    plans = await createPlans(flow.testDb.db, flow.organization);
    for (const id of Object.values(plans)) await syncPlanToStripe(flow.testDb.db, flow.stripe, flow.organization, id);
    // Bank-account signups run on a test clock so the test can pass the ACH delay (see SignupOptions).
    flow.ctx.signup = {
      testClockFor: async (member) => {
        const clock = await flow.stripe.testHelpers.testClocks.create({ frozen_time: Math.floor(Date.now() / 1000) });
        clocks.set(member.email, clock.id);
        return clock.id;
      },
    };
    server = await new Promise((resolve) => {
      const listening = buildApp(flow.ctx).listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Checkout's success and cancel URLs must lead back to this server.
    flow.ctx.publicUrl = baseUrl;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await flow?.close();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  // Evaluated in the page (a string, since this file is compiled without the DOM's types).
  const fitsWidth = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

  async function fillPercentPlan(page: Page, person: { name: string; email: string }) {
    const percent = plans['Percent of wages']!;
    await page.fill('#name', person.name);
    await page.fill('#email', person.email);
    await page.fill('#phone', '555-0142');
    await page.fill('#employer', 'Acme Logistics');
    await page.fill('#worksite', 'Dock 4');
    await page.check(`#plan-${percent}`);
    await page.fill(`#grossWageCents_${percent}`, '1200.00');
    await page.selectOption(`#payFrequency_${percent}`, 'biweekly');
  }

  /** The link in the latest signup email to an address, as the reader's browser would open it. */
  async function emailedLink(email: string): Promise<string> {
    const mail = await flow.testDb.db.selectFrom('email_outbox').select('text_body').where('to_address', '=', email).where('kind', '=', 'signup.confirm').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    return /(http:\/\/127\.0\.0\.1:\d+\/join\/\S+)/.exec(mail.text_body)![1]!;
  }

  async function memberByEmail(email: string) {
    return flow.testDb.db.selectFrom('members').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  }

  async function ledgerKinds(memberId: string) {
    const rows = await flow.testDb.db.selectFrom('ledger_transactions').select(['kind', 'gross_cents']).where('member_id', '=', memberId).orderBy('kind').execute();
    return rows.map((row) => row.kind);
  }

  test('in Spanish with a card: form, dues preview, the emailed link and its answers, Checkout, welcome, then active with the payment and its fee in the ledger', async () => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'es-US' });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/join/flow-union`);
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    expect(await page.textContent('h1')).toBe('Afíliese a Flow Union');
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, '01-form-es');

    await page.setViewportSize({ width: 320, height: 700 });
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, '01b-form-es-320px');
    await page.setViewportSize(PHONE);

    await fillPercentPlan(page, { name: 'María López', email: 'maria@example.org' });
    await page.click(`.plan:has(#plan-${plans['Percent of wages']}) button[value^=preview]`);
    await page.waitForSelector('text=Sus cuotas: $39.00 al mes.');
    expect(await page.inputValue('#name')).toBe('María López');
    await shot(page, '02-dues-preview-es');

    await page.check('#paymentMethod-card');
    await page.check('#authorization');
    await page.click('button[value=join]');
    await page.waitForSelector('text=Revise su correo');
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, '02b-check-email-es');

    // The emailed link: the answers to check, then Checkout.
    await page.goto(await emailedLink('maria@example.org'));
    expect(await page.textContent('h1')).toBe('Revise sus respuestas');
    expect(await page.textContent('main')).toContain('Percent of wages: $39.00 al mes');
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, '02c-confirm-es');
    await Promise.all([page.waitForURL(/\/c\/pay\//), page.click('button[value=checkout]')]);
    expect(await page.textContent('body')).toContain('39.00 USD');
    await shot(page, '03-checkout-card');

    await page.check('input[value=pm_card_visa]');
    await Promise.all([page.waitForURL(/\/join\/flow-union\/welcome/), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('¡Le damos la bienvenida al sindicato!');
    await shot(page, '04-welcome-es');
    await context.close();

    const member = await memberByEmail('maria@example.org');
    expect(member.standing).toBe('pending');
    await flow.settle();
    expect((await flow.member(member.id)).standing).toBe('active');
    expect(await ledgerKinds(member.id)).toEqual(['dues_payment', 'processing_fee']);
  });

  test('in English with a bank account: errors first, then the emailed link, Checkout, and active only after the ACH delay', async () => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/join/flow-union`);
    await page.click('button[value=join]');
    await page.waitForSelector('.summary[role=alert]');
    expect(await page.getAttribute('#name', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#name', 'aria-describedby')).toBe('name-error');
    expect(await page.textContent('#name-error')).toBe('Enter your full name.');
    await shot(page, '05-errors-en');

    await fillPercentPlan(page, { name: 'Ana Bank', email: 'ana.bank@example.org' });
    await page.check('#paymentMethod-us_bank_account');
    await page.check('#authorization');
    await page.click('button[value=join]');
    await page.waitForSelector('text=Check your email');
    await page.goto(await emailedLink('ana.bank@example.org'));
    await Promise.all([page.waitForURL(/\/c\/pay\//), page.click('button[value=checkout]')]);
    await shot(page, '06-checkout-bank');
    await page.check('input[value=pm_usBankAccount_success]');
    await Promise.all([page.waitForURL(/\/join\/flow-union\/welcome/), page.click('button[type=submit]')]);
    expect(await page.textContent('main')).toContain('The first bank debit takes a few business days');
    await shot(page, '07-welcome-bank-en');
    await context.close();

    const member = await memberByEmail('ana.bank@example.org');
    await flow.settle();
    expect((await flow.member(member.id)).standing).toBe('pending');
    expect(await ledgerKinds(member.id)).toEqual([]);
    const clock = await flow.stripe.testHelpers.testClocks.retrieve(clocks.get('ana.bank@example.org')!);
    await flow.advanceTo(clock.id, clock.frozen_time + 5 * DAY);
    expect((await flow.member(member.id)).standing).toBe('active');
    expect(await ledgerKinds(member.id)).toEqual(['dues_payment', 'processing_fee']);
  });
});

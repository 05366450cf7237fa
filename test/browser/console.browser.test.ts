import { seedPayroll, seedPostedRemittance } from '../payroll/fixtures';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import type { Language, StaffRole } from '../../db/database';
import { buildApp } from '../../src/app';
import { requestSignIn } from '../../src/auth/sign-in';
import { CONSOLE_CSS } from '../../src/console/styles';
import { findOrganizationById, saveLogo } from '../../src/organizations/queries';
import { memberSessionCookie } from '../../src/member-page/routes';
import { requestSignup } from '../../src/signup/join';
import { SIGNUP_CSS } from '../../src/signup/styles';
import { draftToken } from '../../src/signup/tokens';
import { storeDefaultAuthorization } from '../../src/signup/queries';
import { createOrganization, createPlans, PLAN_SPECS } from '../signup/fixtures';
import { setStaffLanguage } from '../../src/console/session';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testContext } from '../support/app';
import { artifactsDir, DESKTOP, fitsWidth, haveChromium, haveVnu, launchChromium, PHONE, seriousAxeViolations, vnuErrors, CHROMIUM, VNU_JAR } from '../support/browser';
import { seedConsoleOrganization, sessionCookie, type ConsoleFixture } from '../console/fixtures';
import { seedConsoleBooks } from '../console/books-fixtures';
import { DESK_STATEMENT, seedTreasurerDesk } from '../bank/desk-fixtures';

// Every console page and the signup pages, in English and Spanish, at phone and desktop size, in Debian's
// chromium: a screenshot of each under test-artifacts/console/, no serious or critical
// axe-core violation, no Nu HTML Checker error, no sideways scrolling at 390 px, and under
// 60 KB with the stylesheet. Then an organizer's morning, end to end, from the emailed link.

const describeInBrowser = haveChromium ? describe : describe.skip;
const SUITE = `the staff console in a real browser${haveChromium ? '' : ` (SKIPPED: ${CHROMIUM} is not installed; apt-get install chromium)`}`;
const ARTIFACTS = artifactsDir('console');
const PAGE_BUDGET_BYTES = 60 * 1024;

let testDb: TestDatabase;
let ctx: ReturnType<typeof testContext>;
let fx: ConsoleFixture;
let desk: Awaited<ReturnType<typeof seedTreasurerDesk>>;
let payroll: { employerId: string; remittanceId: string };
let postedRemittanceId = '';
let server: Server;
let baseUrl: string;
/** The same service with no form posts left for this network: the rate-limited page. */
let limitedServer: Server;
let limitedUrl: string;
let browser: Browser;
/** Each page's HTML as the server sent it, for the Nu HTML Checker at the end. */
const documents = new Map<string, string>();

interface Visit {
  name: string;
  /** Who looks at it; undefined: nobody is signed in. */
  role?: StaffRole;
  /** Where to go, or what to do to get there (forms whose answer is the page). */
  open: (page: Page) => Promise<Response | null>;
  status?: number;
  /** The stylesheet the page links (the signup pages have their own). */
  css?: string;
}

async function freshSignInLink(): Promise<string> {
  await requestSignIn(ctx.db, { email: fx.org.staff.admin.email, publicUrl: baseUrl, now: ctx.now() });
  const mail = await ctx.db.selectFrom('email_outbox').select('text_body').where('kind', '=', 'staff_sign_in').orderBy('created_at', 'desc').orderBy('id').executeTakeFirstOrThrow();
  return /(http\S+\/auth\/callback\?token=\S+)/.exec(mail.text_body)![1]!;
}

/** The link of a signup email, as its reader opens it: the answers to check before Checkout. */
async function freshSignupLink(language: Language): Promise<string> {
  const organization = (await findOrganizationById(ctx.db, fx.org.id))!;
  const plan = await ctx.db.selectFrom('plans').select('id').where('organization_id', '=', fx.org.id).where('name', '=', 'Regular monthly').executeTakeFirstOrThrow();
  const email = `ana.confirm.${language}@example.org`;
  const values = { name: 'Ana Confirm', email, phone: '555-0100', employer: '', worksite: 'Dock 4', plan: plan.id, paymentMethod: 'us_bank_account', authorization: 'yes', authorizationVersion: '1' };
  await requestSignup(ctx, organization, { values, language, ip: null, userAgent: null });
  // The test's clock stands still: the address, not the time, tells this email from the other language's.
  const mail = await ctx.db.selectFrom('email_outbox').select('text_body').where('kind', '=', 'signup.confirm').where('to_address', '=', email).executeTakeFirstOrThrow();
  return /(http\S+\/confirm\?\S+)/.exec(mail.text_body)![1]!;
}

/** The id of one of the organization's plans, by its name. */
const planNamed = async (name: string) => (await ctx.db.selectFrom('plans').select('id').where('organization_id', '=', fx.org.id).where('name', '=', name).executeTakeFirstOrThrow()).id;

const go = (target: () => string) => (page: Page) => page.goto(`${baseUrl}${target()}`);

/** Submits a form and returns the answer of the navigation it causes. */
async function submit(page: Page, action: () => Promise<void>): Promise<Response | null> {
  const [response] = await Promise.all([page.waitForNavigation(), action()]);
  return response;
}

const VISITS: Visit[] = [
  { name: 'sign-in', open: go(() => '/login') },
  { name: 'sign-in-needed', open: go(() => '/console/members'), status: 401 },
  { name: 'signed-out', open: go(() => '/login?signed_out=1') },
  { name: 'sign-in-sent', open: async (page) => (await page.goto(`${baseUrl}/login`), submit(page, () => page.fill('#email', 'nobody@example.org').then(() => page.click('main button[type=submit]')))), status: 202 },
  { name: 'sign-in-link', open: async (page) => page.goto(await freshSignInLink()) },
  { name: 'sign-in-link-spent', open: go(() => '/auth/callback?token=spent-or-never-issued'), status: 401 },
  { name: 'workspace', role: 'organizer', open: go(() => '/console/workspace') },
  { name: 'workspace-all', role: 'organizer', open: go(() => '/console/workspace?scope=all') },
  { name: 'members', role: 'organizer', open: go(() => '/console/members') },
  { name: 'members-search', role: 'organizer', open: go(() => '/console/members?q=r&standing=lapsed&sort=owed') },
  { name: 'member', role: 'organizer', open: go(() => `/console/members/${fx.members.rosa}`) },
  { name: 'member-edit', role: 'organizer', open: go(() => `/console/members/${fx.members.tom}/edit`) },
  {
    name: 'member-edit-errors',
    role: 'admin',
    status: 400,
    open: async (page) => {
      await page.goto(`${baseUrl}/console/members/${fx.members.lucia}/edit`);
      await page.fill('#email', 'not an email');
      await page.fill('#phone', '5'.repeat(41));
      return submit(page, () => page.click('main button[type=submit]'));
    },
  },
  {
    name: 'resign-confirm',
    role: 'organizer',
    open: async (page) => {
      await page.goto(`${baseUrl}/console/members/${fx.members.marcus}`);
      await page.click('details.outcome summary');
      return submit(page, () => page.click('button[value=resigned]'));
    },
  },
  { name: 'worksites', role: 'organizer', open: go(() => '/console/worksites') },
  { name: 'worksite', role: 'organizer', open: go(() => `/console/worksites/${encodeURIComponent('Dock 4')}`) },
  { name: 'treasurer-members', role: 'treasurer', open: go(() => '/console/members?sort=owed') },
  { name: 'treasurer-member', role: 'treasurer', open: go(() => `/console/members/${fx.members.rosa}`) },
  { name: 'dashboard', role: 'treasurer', open: go(() => '/console/dashboard') },
  { name: 'ledger', role: 'treasurer', open: go(() => '/console/ledger') },
  { name: 'ledger-filtered', role: 'admin', open: go(() => '/console/ledger?from=2026-10-01&to=2026-10-31&kind=dues_payment') },
  { name: 'reports', role: 'treasurer', open: go(() => '/console/reports') },
  { name: 'reports-annual', role: 'admin', open: go(() => '/console/reports/annual?year=2026') },
  { name: 'reports-per-capita', role: 'treasurer', open: go(() => '/console/reports/per-capita?month=2026-10') },
  { name: 'reports-bad-month', role: 'treasurer', status: 400, open: go(() => '/console/reports?month=2026-13') },
  {
    // A per-capita payment recorded from the page: the flash, owed, paid and outstanding, the month's payments.
    name: 'reports-per-capita-paid',
    role: 'treasurer',
    open: async (page) => {
      await page.goto(`${baseUrl}/console/reports/per-capita?month=2026-10`);
      await page.fill('#amount', '50.00');
      await page.fill('#reference', 'Check 1041');
      return submit(page, () => page.click('form[action$="/per-capita/payments"] button[type=submit]'));
    },
  },
  {
    // Before a per-capita payment is reversed: the payment and what reversing does.
    name: 'reports-per-capita-reverse',
    role: 'treasurer',
    open: async (page) => {
      await page.goto(`${baseUrl}/console/reports/per-capita?month=2026-10`);
      return submit(page, () => page.click('a[href$="/reverse"]'));
    },
  },
  {
    name: 'reports-per-capita-errors',
    role: 'treasurer',
    status: 400,
    open: async (page) => {
      await page.goto(`${baseUrl}/console/reports/per-capita?month=2026-10`);
      await page.fill('#amount', 'ten');
      await page.fill('#reference', 'Check 1042');
      return submit(page, () => page.click('form[action$="/per-capita/payments"] button[type=submit]'));
    },
  },
  { name: 'member-statement', role: 'treasurer', open: go(() => `/console/members/${fx.members.rosa}/statement`) },
  { name: 'member-statement-days', role: 'admin', open: go(() => `/console/members/${fx.members.rosa}/statement?from=2026-09-01&to=2026-11-24`) },
  { name: 'months', role: 'treasurer', open: go(() => '/console/months') },
  { name: 'months-admin', role: 'admin', open: go(() => '/console/months') },
  { name: 'policy', role: 'admin', open: go(() => '/console/policy') },
  {
    name: 'policy-preview',
    role: 'admin',
    open: async (page) => {
      await page.goto(`${baseUrl}/console/policy`);
      await page.fill('#suspendAtMonthsOwed', '2');
      return submit(page, () => page.click('button[value=preview]'));
    },
  },
  {
    name: 'policy-errors',
    role: 'admin',
    status: 400,
    open: async (page) => {
      await page.goto(`${baseUrl}/console/policy`);
      await page.fill('#graceDays', 'soon');
      await page.fill('#alertEmails', 'not-an-address');
      return submit(page, () => page.click('button[value=preview]'));
    },
  },
  { name: 'import', role: 'treasurer', open: go(() => '/console/import') },
  {
    name: 'import-preview',
    role: 'admin',
    open: async (page) => {
      await page.goto(`${baseUrl}/console/import`);
      const roll = ['name,email,phone,plan,paid_through', 'Rosa Díaz,rosa@example.org,(312) 555-0000,,', 'Nia Brooks,nia@example.org,,Regular monthly,2026-12-31', ',broken@example.org,,,'].join('\n');
      await page.setInputFiles('#roll', { name: 'roll.csv', mimeType: 'text/csv', buffer: Buffer.from(roll) });
      await page.check('#mode-update');
      return submit(page, () => page.click('main button[type=submit]'));
    },
  },
  { name: 'increases', role: 'treasurer', open: go(() => '/console/increases') },
  {
    name: 'increase-new',
    role: 'admin',
    open: async (page) => {
      await page.goto(`${baseUrl}/console/increases`);
      return submit(page, () => page.click('main a[href^="/console/increases/new"]'));
    },
  },
  {
    name: 'increase-confirmed',
    role: 'admin',
    open: async (page) => {
      await page.goto(`${baseUrl}/console/increases`);
      const link = page.locator('main a[href^="/console/increases/new"]');
      if ((await link.count()) > 0) {
        await submit(page, () => link.first().click());
        return submit(page, () => page.click('main button[type=submit]'));
      }
      return page.goto(`${baseUrl}${await page.locator('main table a').first().getAttribute('href')}`);
    },
  },
  { name: 'payouts', role: 'treasurer', open: go(() => '/console/payouts') },
  { name: 'bank', role: 'treasurer', open: go(() => '/console/payouts/bank') },
  {
    // An OFX download that cannot be read: the bank page again, the reason above the import form.
    name: 'bank-import-refused',
    role: 'treasurer',
    status: 400,
    open: async (page) => {
      await page.goto(`${baseUrl}/console/payouts/bank`);
      await page.setInputFiles('#statement', { name: 'checking.ofx', mimeType: 'application/x-ofx', buffer: Buffer.from('OFXHEADER:100\n\n<OFX><BANKMSGSRSV1></OFX>') });
      return submit(page, () => page.click('form[enctype] button[type=submit]'));
    },
  },
  {
    name: 'bank-mapping',
    role: 'admin',
    open: async (page) => {
      await page.goto(`${baseUrl}/console/payouts/bank`);
      await page.setInputFiles('#statement', { name: 'november.csv', mimeType: 'text/csv', buffer: Buffer.from(DESK_STATEMENT) });
      await page.check('#remap');
      return submit(page, () => page.click('form[enctype] button[type=submit]'));
    },
  },
  { name: 'deposits', role: 'treasurer', open: go(() => '/console/deposits') },
  { name: 'deposit-batch', role: 'treasurer', open: go(() => `/console/deposits/${desk.openBatchId}`) },
  { name: 'deposit-batch-posted', role: 'admin', open: go(() => `/console/deposits/${desk.postedBatchId}`) },
  { name: 'deposit-slip', role: 'treasurer', open: go(() => `/console/deposits/${desk.openBatchId}/slip`) },
  {
    name: 'deposit-item-errors',
    role: 'treasurer',
    status: 400,
    open: async (page) => {
      await page.goto(`${baseUrl}/console/deposits/${desk.openBatchId}`);
      await page.fill('#member', 'M-0000');
      await page.fill('#amount', 'ten');
      return submit(page, () => page.click('form[action$="/items"] button[type=submit]'));
    },
  },
  // The admin's settings.
  { name: 'plans', role: 'treasurer', open: go(() => '/console/plans') },
  { name: 'plans-admin', role: 'admin', open: go(() => '/console/plans') },
  { name: 'plan-new', role: 'admin', open: go(() => '/console/plans/new') },
  { name: 'plan-edit', role: 'admin', open: async (page) => page.goto(`${baseUrl}/console/plans/${await planNamed('Sliding scale')}`) },
  {
    name: 'plan-edit-errors',
    role: 'admin',
    status: 400,
    open: async (page) => {
      await page.goto(`${baseUrl}/console/plans/${await planNamed('Sliding scale')}`);
      await page.fill('#name', '');
      await page.fill('#bracketsEs', 'Solo una');
      return submit(page, () => page.click('form[novalidate] button[type=submit]'));
    },
  },
  { name: 'organization', role: 'admin', open: go(() => '/console/organization') },
  {
    name: 'organization-errors',
    role: 'admin',
    status: 400,
    open: async (page) => {
      await page.goto(`${baseUrl}/console/organization`);
      await page.fill('#timeZone', 'Mars/Olympus');
      await page.fill('#contactEmail', 'not an email');
      return submit(page, () => page.click('form[novalidate] button[type=submit]'));
    },
  },
  { name: 'staff', role: 'admin', open: go(() => '/console/staff') },
  {
    // The only admin taking away their own admin role: refused, with the reason.
    name: 'staff-last-admin',
    role: 'admin',
    status: 400,
    open: async (page) => {
      await page.goto(`${baseUrl}/console/staff`);
      const me = fx.org.staff.admin.id;
      await page.uncheck(`#role-${me}-admin`);
      await page.check(`#role-${me}-organizer`);
      return submit(page, () => page.click(`#staff-${me} form[action$="/roles"] button`));
    },
  },
  { name: 'audit', role: 'admin', open: go(() => '/console/audit') },
  { name: 'audit-filtered', role: 'admin', open: go(() => `/console/audit?actor=${fx.org.staff.admin.id}&from=2026-01-01&to=2026-12-31`) },
  { name: 'events', role: 'admin', open: go(() => '/console/events') },
  { name: 'event', role: 'admin', open: go(() => '/console/events/evt_browserFailed1') },
  { name: 'employers', role: 'treasurer', open: go(() => '/console/employers') },
  { name: 'employer', role: 'admin', open: go(() => `/console/employers/${payroll.employerId}`) },
  { name: 'remittance', role: 'treasurer', open: go(() => `/console/remittances/${payroll.remittanceId}`) },
  { name: 'remittance-suspense', role: 'treasurer', open: go(() => `/console/remittances/${postedRemittanceId}`) },
  {
    name: 'employer-add-errors',
    role: 'treasurer',
    status: 400,
    open: async (page) => {
      await page.goto(`${baseUrl}/console/employers`);
      await page.fill('#name', 'Acme Hospital');
      return submit(page, () => page.click('main form[action="/console/employers"] button[type=submit]'));
    },
  },
  { name: 'authorization', role: 'admin', open: go(() => '/console/authorization') },
  { name: 'authorization-signers', role: 'admin', open: go(() => '/console/authorization/versions/1') },
  { name: 'member-events', role: 'admin', open: go(() => `/console/members/${fx.members.rosa}/events`) },
  { name: 'forbidden', role: 'treasurer', open: go(() => '/console/workspace'), status: 403 },
  { name: 'not-found', role: 'organizer', open: go(() => '/console/members/00000000-0000-4000-8000-000000000000'), status: 404 },
  // The hosted signup pages, on the same component layer.
  { name: 'signup-form', css: SIGNUP_CSS, open: go(() => '/join/local-7') },
  { name: 'signup-errors', css: SIGNUP_CSS, status: 400, open: async (page) => (await page.goto(`${baseUrl}/join/local-7`), submit(page, () => page.click('button[value=join]'))) },
  {
    name: 'signup-check-email',
    css: SIGNUP_CSS,
    open: async (page) => {
      await page.goto(`${baseUrl}/join/local-7`);
      await page.fill('#name', 'Ana Form');
      await page.fill('#email', 'ana.form@example.org');
      await page.click('label:has-text("Regular monthly")');
      await page.check('#authorization');
      return submit(page, () => page.click('button[value=join]'));
    },
  },
  // The page speaks the language the form was filled in, which the email's link carries.
  { name: 'signup-confirm', css: SIGNUP_CSS, open: async (page) => page.goto(await freshSignupLink((await page.evaluate<string>('navigator.language')).startsWith('es') ? 'es' : 'en')) },
  { name: 'signup-confirm-expired', css: SIGNUP_CSS, status: 404, open: go(() => '/join/local-7/confirm?token=spent-or-never-issued') },
  { name: 'signup-manage', css: SIGNUP_CSS, open: go(() => '/join/local-7/manage') },
  { name: 'signup-manage-sent', css: SIGNUP_CSS, open: async (page) => (await page.goto(`${baseUrl}/join/local-7/manage`), submit(page, () => page.fill('#email', 'someone@example.org').then(() => page.click('main button[type=submit]')))) },
  { name: 'signup-open-link', css: SIGNUP_CSS, open: go(() => '/join/local-7/manage/open?token=abc') },
  { name: 'signup-welcome', css: SIGNUP_CSS, open: go(() => '/join/local-7/welcome?method=us_bank_account') },
  {
    name: 'signup-welcome-chosen',
    css: SIGNUP_CSS,
    open: async (page) => {
      // What Checkout's return address carries: a signed reference to the signup just paid for.
      const plan = await ctx.db.selectFrom('plans').select('id').where('organization_id', '=', fx.org.id).where('name', '=', 'Regular monthly').executeTakeFirstOrThrow();
      await storeDefaultAuthorization(ctx.db, (await findOrganizationById(ctx.db, fx.org.id))!, ctx.now());
      const consent = await ctx.db
        .insertInto('signup_consents')
        .values({ organization_id: fx.org.id, member_id: fx.members.rosa, authorization_version: 1, language: 'en', plan_id: plan.id, dues_cents: 3000, payment_method: 'card', accepted_at: ctx.now(), ip: null, user_agent: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      return page.goto(`${baseUrl}/join/local-7/welcome?method=card&draft=${draftToken(ctx.config.jwtSecret, consent.id, ctx.now())}`);
    },
  },
  { name: 'signup-not-found', css: SIGNUP_CSS, status: 404, open: go(() => '/join/nowhere-at-all') },
  { name: 'signup-no-plans', css: SIGNUP_CSS, open: go(() => '/join/opening-soon') },
  {
    name: 'signup-preview-error',
    css: SIGNUP_CSS,
    open: async (page) => {
      await page.goto(`${baseUrl}/join/local-7`);
      const percent = await page.getAttribute('.plan:has-text("Percent of wages") input[type=radio]', 'value');
      await page.fill(`#grossWageCents_${percent}`, '9999999');
      return submit(page, () => page.click(`button[value="preview:${percent}"]`));
    },
  },
  ...(['me', 'me/statement', 'me/cancel'] as const).map((page) => ({
    name: `member-${page.replace('/', '-')}`,
    css: SIGNUP_CSS,
    open: async (tab: Page) => {
      // The member's own page speaks the member's language: theirs is set to the browser's for each visit.
      const language = (await tab.evaluate<string>('navigator.language')).startsWith('es') ? 'es' : 'en';
      await ctx.db.updateTable('members').set({ preferred_language: language }).where('id', '=', fx.members.rosa).execute();
      const { name, value } = memberSessionCookie(ctx, fx.org.id, fx.members.rosa);
      await tab.context().addCookies([{ name, value, url: `${baseUrl}/join/local-7` }]);
      return tab.goto(`${baseUrl}/join/local-7/${page}`);
    },
  })),
  {
    name: 'signup-rate-limited',
    css: SIGNUP_CSS,
    status: 429,
    open: async (page) => {
      await page.goto(`${limitedUrl}/join/local-7`);
      await page.fill('#name', 'Rosa Díaz');
      return submit(page, () => page.click('button[value=join]'));
    },
  },
];

describeInBrowser(SUITE, () => {
  beforeAll(async () => {
    testDb = await createTestDatabase();
    ctx = testContext(testDb.db);
    fx = await seedConsoleOrganization(ctx, 'local-7');
    await seedConsoleBooks(ctx, fx);
    // A new rate waiting to reach two members' subscriptions: the dues increase pages.
    await ctx.db.insertInto('plan_versions').values({ organization_id: fx.org.id, plan_id: fx.planId, version: 2, effective_from: '2027-01-01', amount_rule: JSON.stringify({ kind: 'flat', amountCents: 2800 }), initiation_fee_cents: null, authorization_note: 'convention vote of 2026-10-03', created_at: ctx.now() }).execute();
    for (const key of ['marcus', 'lucia'] as const) {
      await ctx.db.insertInto('stripe_subscriptions').values({ organization_id: fx.org.id, id: `sub_increase_${key}`, member_id: fx.members[key], customer_id: `cus_increase_${key}`, status: 'active', cancel_at_period_end: false, collection_paused: false, amount_cents: 2500, updated_at: ctx.now() }).execute();
    }
    desk = await seedTreasurerDesk(ctx, fx);
    // An affiliate owed per-capita tax: the reports' per-capita table.
    const affiliate = await ctx.db.insertInto('affiliates').values({ organization_id: fx.org.id, name: 'International Brotherhood', kind: 'international_union', created_at: ctx.now() }).returning('id').executeTakeFirstOrThrow();
    await ctx.db.insertInto('per_capita_rates').values({ organization_id: fx.org.id, affiliate_id: affiliate.id, rate_cents: 150, effective_from: '2026-09-01', created_by_staff_user_id: fx.org.staff.admin.id, created_at: ctx.now() }).execute();
    payroll = await seedPayroll(ctx, fx.org.id, [{ id: fx.members.marcus, number: 'A1001' }, { id: fx.members.lucia, number: 'A1002' }, { id: fx.members.tom, number: null }]);
    // October's remittance posted with a difference to explain: its page's form, and a reason on the months page.
    postedRemittanceId = await seedPostedRemittance(ctx, fx.org.id, payroll.employerId, fx.org.staff.treasurer.id);
    // The fixture's "Regular monthly" plus one of each other kind the signup page shows.
    await createPlans(ctx.db, (await findOrganizationById(ctx.db, fx.org.id))!, PLAN_SPECS.filter((spec) => spec.name !== 'Regular monthly'));
    // What the admin says on the signup page: the contact, the privacy notice and a logo.
    await ctx.db
      .updateTable('organizations')
      .set({ contact_phone: '(312) 555-0100', contact_email: 'office@local7.example.org', contact_address: '1 Union Hall Way\nChicago, IL 60601', privacy_notice: JSON.stringify({ en: 'We use your details only for your membership.', es: 'Usamos sus datos solo para su afiliación.' }) })
      .where('id', '=', fx.org.id)
      .execute();
    await saveLogo(ctx.db, fx.org.id, { type: 'image/png', bytes: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64') }, ctx.now());
    // A Stripe event that failed, for the events pages.
    await ctx.db
      .insertInto('stripe_events')
      .values({ id: 'evt_browserFailed1', type: 'invoice.paid', stripe_created_at: ctx.now(), payload: JSON.stringify({ id: 'evt_browserFailed1', type: 'invoice.paid', data: { object: { id: 'in_browser', amount_paid: 2500, customer: 'cus_browser' } } }), livemode: false, serial_key: 'k-browser', status: 'failed', attempts: 8, organization_id: fx.org.id, last_error: 'no member for customer cus_browser after 8 attempts', received_at: ctx.now(), next_attempt_at: ctx.now() })
      .execute();
    server = await new Promise((resolve) => {
      const listening = buildApp(ctx).listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ctx.publicUrl = baseUrl;
    await createOrganization(ctx.db, 'opening-soon', 'Opening Soon Workers');
    limitedServer = await new Promise((resolve) => {
      const listening = buildApp(ctx, { signupRateLimit: 0 }).listen(0, '127.0.0.1', () => resolve(listening));
    });
    limitedUrl = `http://127.0.0.1:${(limitedServer.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const listening of [server, limitedServer]) {
      listening?.closeAllConnections();
      await new Promise<void>((resolve) => (listening ? listening.close(() => resolve()) : resolve()));
    }
    await testDb?.drop();
  });

  /** Signs the context in as the role's staff member, in the language given; nobody for no role. */
  async function signIn(context: BrowserContext, role: StaffRole | undefined, language: Language): Promise<void> {
    await context.clearCookies();
    if (role) {
      await setStaffLanguage(ctx.db, fx.org.staff[role].id, language);
      const [name, value] = (await sessionCookie(ctx, fx.org.id, fx.org.staff[role].id)).split('=') as [string, string];
      await context.addCookies([{ name, value, url: baseUrl }]);
    }
  }

  async function contextFor(role: StaffRole | undefined, language: Language): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: PHONE, locale: language === 'es' ? 'es-US' : 'en-US' });
    await signIn(context, role, language);
    return context;
  }

  // One tab per role and language, going from page to page: a new tab for each page cost
  // about half a second here (a renderer to start, axe compiled again), a third of a page's
  // checks. Its cookies are set afresh for each page, so no page sees what another left.
  const tabs = new Map<string, Page>();
  async function tabFor(role: StaffRole | undefined, language: Language): Promise<Page> {
    const key = `${role ?? 'nobody'} ${language}`;
    let tab = tabs.get(key);
    if (tab) await signIn(tab.context(), role, language);
    else {
      tab = await (await contextFor(role, language)).newPage();
      tabs.set(key, tab);
    }
    await tab.setViewportSize(PHONE);
    return tab;
  }

  const cases = VISITS.flatMap((visit) => (['en', 'es'] as const).map((language) => [`${visit.name} (${language})`, visit, language] as const));

  test.each(cases)('%s: at 390 and 1280 px, no serious axe violation, fits the phone, under 60 KB with its CSS', async (name, visit, language) => {
    const page = await tabFor(visit.role, language);
    const response = await visit.open(page);
    expect(response?.status()).toBe(visit.status ?? 200);
    const html = (await response!.text()) ?? '';
    documents.set(name, html);
    expect(await page.getAttribute('html', 'lang')).toBe(language);
    expect(Buffer.byteLength(html) + Buffer.byteLength(visit.css ?? CONSOLE_CSS)).toBeLessThan(PAGE_BUDGET_BYTES);
    for (const viewport of [PHONE, DESKTOP]) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: path.join(ARTIFACTS, `${visit.name}-${language}-${viewport.width}.png`), fullPage: true });
      expect(await seriousAxeViolations(page)).toEqual([]);
      if (viewport === PHONE) {
        expect(await fitsWidth(page)).toBe(true);
        // The navigation is one row on a phone, however many pages the role may use (it scrolls sideways).
        expect(await page.evaluate<number>("document.querySelector('nav.main')?.getBoundingClientRect().height ?? 0")).toBeLessThan(60);
      }
    }
  });

  (haveVnu ? test : test.skip)(`the Nu HTML Checker finds no error in any of those pages${haveVnu ? '' : ` (SKIPPED: java or ${VNU_JAR} missing; apt-get install default-jre-headless)`}`, async () => {
    expect(documents.size).toBe(cases.length);
    expect(await vnuErrors(documents)).toEqual([]);
  }, 120_000);

  test('with the keyboard alone: the skip link comes first and lands on the page, and an outcome can be recorded', async () => {
    const context = await contextFor('organizer', 'en');
    try {
      const page = await context.newPage();
      await page.goto(`${baseUrl}/console/workspace`);
      await page.keyboard.press('Tab');
      expect(await page.evaluate<string>('document.activeElement.className')).toBe('skip');
      await page.keyboard.press('Enter');
      expect(await page.evaluate<string>('document.activeElement.id')).toBe('main');
      // Tab on to the first "Record an outcome" and open it with the keyboard.
      for (let i = 0; i < 40 && (await page.evaluate<string>('document.activeElement.tagName')) !== 'SUMMARY'; i += 1) await page.keyboard.press('Tab');
      expect(await page.evaluate<string>('document.activeElement.tagName')).toBe('SUMMARY');
      await page.keyboard.press('Enter');
      expect(await page.evaluate<boolean>('document.activeElement.parentElement.open')).toBe(true);
      const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
      expect(outline).toBe('solid');
      await page.screenshot({ path: path.join(ARTIFACTS, 'keyboard-outcome-open-en-390.png') });
    } finally {
      await context.close();
    }
  });

  test("with the keyboard on a phone, an admin's navigation shows every link it reaches whole", async () => {
    const context = await contextFor('admin', 'es');
    try {
      const page = await context.newPage();
      await page.goto(`${baseUrl}/console/members`);
      const links = await page.locator('nav.main a').count();
      expect(links).toBeGreaterThan(10);
      await page.keyboard.press('Tab');
      const reached: string[] = [];
      for (let i = 0; i < 40 && reached.length < links; i += 1) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate<{ inNav: boolean; label: string; left: number; right: number; bottom: number }>(
          "(() => { const a = document.activeElement; const r = a.getBoundingClientRect(); return { inNav: !!a.closest('nav.main'), label: a.textContent, left: r.left, right: r.right, bottom: r.bottom }; })()",
        );
        if (!focused.inNav) continue;
        reached.push(focused.label);
        expect([focused.label, focused.left >= 0 && focused.right <= PHONE.width && focused.bottom <= PHONE.height]).toEqual([focused.label, true]);
      }
      expect(reached).toHaveLength(links);
      await page.screenshot({ path: path.join(ARTIFACTS, 'keyboard-navigation-es-390.png') });
    } finally {
      await context.close();
    }
  });

  test("an organizer's flow: sign in from the email link, the call list, the sms: link, “promised to pay”, then on the list and the timeline", async () => {
    await setStaffLanguage(ctx.db, fx.org.staff.organizer.id, 'en');
    const context = await browser.newContext({ viewport: PHONE, locale: 'en-US' });
    try {
      const page = await context.newPage();
      await page.goto(`${baseUrl}/login`);
      await page.fill('#email', fx.org.staff.organizer.email);
      await submit(page, () => page.click('main button[type=submit]'));
      expect(await page.textContent('main')).toContain('a sign-in link is on its way');
      const mail = await ctx.db.selectFrom('email_outbox').select('text_body').where('kind', '=', 'staff_sign_in').where('to_address', '=', fx.org.staff.organizer.email).executeTakeFirstOrThrow();
      const link = /(http\S+\/auth\/callback\?token=\S+)/.exec(mail.text_body)![1]!;
      await page.goto(link);
      // A link page with a button (mail scanners must not spend the link) is pressed like a person would.
      if (new URL(page.url()).pathname === '/auth/callback') await submit(page, () => page.click('main button[type=submit]'));
      expect(new URL(page.url()).pathname).toBe('/console/workspace');
      await page.screenshot({ path: path.join(ARTIFACTS, 'flow-1-call-list-en-390.png'), fullPage: true });

      const rosa = page.locator('li.call', { hasText: 'Rosa Díaz' });
      const sms = await rosa.locator('a[href^="sms:"]').getAttribute('href');
      expect(sms).toBe(
        `sms:3125550142?body=${encodeURIComponent(`Hola Rosa, le escribe organizer de local-7 union. Sus cuotas están atrasadas. Puede actualizar cómo paga aquí: ${baseUrl}/join/local-7/manage?lang=es`)}`,
      );
      expect(await rosa.locator('a[href^="tel:"]').getAttribute('href')).toBe('tel:3125550142');

      await rosa.locator('summary').click();
      await rosa.locator('input[type=date]').fill('2026-12-04');
      await submit(page, () => rosa.locator('button[value=promised_to_pay]').click());
      expect(new URL(page.url()).pathname).toBe('/console/workspace');
      expect(await page.textContent('.flash')).toBe('Outcome saved for Rosa Díaz');
      expect(await page.locator('li.call', { hasText: 'Rosa Díaz' }).textContent()).toContain('Promised to pay by Dec 4, 2026');
      await page.screenshot({ path: path.join(ARTIFACTS, 'flow-2-promised-en-390.png'), fullPage: true });

      await page.locator('li.call', { hasText: 'Rosa Díaz' }).locator('h3 a').click();
      expect(await page.textContent('.timeline')).toContain('Promised to pay (Call, by organizer of local-7) · Promised to pay by Dec 4, 2026');
      await page.screenshot({ path: path.join(ARTIFACTS, 'flow-3-timeline-en-390.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});

import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page, Response } from 'playwright-core';
import { journalNumber } from '../../src/treasurer/accounting/formats';
import { checkLedger } from '../../src/ledger/check';
import { grantRole, upsertStaffUser } from '../../src/staff/queries';
import { FLAT_25_MONTHLY, insertPlan } from '../members/fixtures';
import { memberTimes, testApp } from '../support/app';
import { artifactsDir, CHROMIUM, DESKTOP, haveChromium, launchChromium } from '../support/browser';
import { DAY, START, startStripeFlow, type StripeFlow } from '../support/stripe-flow';

// A treasurer's month end to end in Debian's chromium, on January 2026's books made by the
// offline Stripe sandbox: two members pay by card and by bank debit, Stripe pays out
// automatically, then on February 10 the treasurer signs in from the emailed link, sees
// the payouts, imports the bank's CSV (naming its columns the first time), undoes and
// redoes a match by hand, records a deposit slip of two checks and cash, prints it and
// posts it (the bank line of its total matches on posting), closes January, and downloads
// the accountant's QuickBooks Online journal from the ledger page. The database is
// checked after each step.

const describeInBrowser = haveChromium ? describe : describe.skip;
const SUITE = `a treasurer's month in a real browser${haveChromium ? '' : ` (SKIPPED: ${CHROMIUM} is not installed; apt-get install chromium)`}`;
const ARTIFACTS = artifactsDir('treasurer-month');

/** February 10, 2026, 09:00 in Chicago: January is over. */
const FEBRUARY_TENTH = Math.floor(Date.parse('2026-02-10T15:00:00Z') / 1000);
const JANUARY = { from: '2026-01-01', to: '2026-01-31' } as const;

let flow: StripeFlow;
let server: Server;
let baseUrl: string;
let browser: Browser;
let orgId: string;
const treasurer = { id: '', email: 'treasurer@month.example.org' };
/** The January payouts Stripe made, as we recorded them. */
let payouts: { id: string; amount_cents: number; arrival_date: string }[];

const db = () => flow.testDb.db;
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Submits a form and returns the answer of the navigation it causes. */
async function submit(page: Page, action: () => Promise<void>): Promise<Response | null> {
  const [response] = await Promise.all([page.waitForNavigation(), action()]);
  return response;
}

/** Dollars as the bank writes them: 123.45 */
const dollars = (cents: number) => (cents / 100).toFixed(2);
/** MM/DD/YYYY a number of days after a day. */
const bankDay = (day: string, after: number) => {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + after);
  const iso = date.toISOString().slice(0, 10);
  return `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
};

/** A day as the English console writes it (Jan 9, 2026), a number of days after a day. */
const shortDay = (day: string, after: number) => {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + after);
  return date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
};

describeInBrowser(SUITE, () => {
  beforeAll(async () => {
    flow = await startStripeFlow();
    orgId = flow.organization.id;
    const user = await upsertStaffUser(db(), { email: treasurer.email, name: 'Treasurer of the month' }, flow.ctx.now());
    await grantRole(db(), orgId, user.id, 'treasurer', flow.ctx.now());
    treasurer.id = user.id;
    const planId = await insertPlan(db(), orgId, { name: 'Monthly dues', rule: FLAT_25_MONTHLY });
    // January's Stripe money: a card and a bank debit, paid out automatically ten days on.
    const card = await flow.signUp({ name: 'María Núñez', paymentMethod: 'pm_card_visa', amountCents: 2500 });
    const debit = await flow.signUp({ name: 'Zoë Ibáñez', paymentMethod: 'pm_usBankAccount_success', amountCents: 2500 });
    await flow.settle();
    for (const signedUp of [card, debit]) await flow.advanceTo(signedUp.clock.id, START + 10 * DAY);
    // Members who pay at the union hall, by the numbers on their cards.
    for (const [name, number] of [
      ['Ana Cheque', 'L-101'],
      ['Beto Cheque', 'L-102'],
      ['Carla Efectivo', 'L-103'],
    ] as const) {
      await db()
        .insertInto('members')
        .values({ organization_id: orgId, name, email: `${number.toLowerCase()}@example.org`, external_id: number, plan_id: planId, wage_facts: '{}', standing: 'pending', ...memberTimes(new Date('2026-01-02T15:00:00Z')) })
        .execute();
    }
    payouts = await db().selectFrom('stripe_payouts').select(['id', 'amount_cents', 'arrival_date']).where('organization_id', '=', orgId).where('status', '=', 'paid').orderBy('arrival_date').execute() as typeof payouts;
    flow.setClock(FEBRUARY_TENTH);
    server = await new Promise((resolve) => {
      const listening = testApp(flow.ctx).listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    flow.ctx.publicUrl = baseUrl;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await flow?.close();
  });

  test('payouts arrive, the bank CSV is imported and matched, a deposit slip is posted, January is closed, the journal downloaded', async () => {
    // The sandbox paid January's money out: at least the card's and the bank debit's payouts, all arriving in January.
    expect(payouts.length).toBeGreaterThanOrEqual(2);
    for (const payout of payouts) expect(payout.arrival_date >= JANUARY.from && payout.arrival_date <= JANUARY.to).toBe(true);
    expect(await checkLedger(db(), orgId)).toEqual([]);

    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', acceptDownloads: true });
    try {
      const page = await context.newPage();

      // Signing in from the emailed link.
      await page.goto(`${baseUrl}/login`);
      await page.fill('#email', treasurer.email);
      await submit(page, () => page.click('main button[type=submit]'));
      const mail = await db().selectFrom('email_outbox').select('text_body').where('kind', '=', 'staff_sign_in').where('to_address', '=', treasurer.email).executeTakeFirstOrThrow();
      await page.goto(/(http\S+\/auth\/callback\?token=\S+)/.exec(mail.text_body)![1]!);
      if (new URL(page.url()).pathname === '/auth/callback') await submit(page, () => page.click('main button[type=submit]'));
      expect(new URL(page.url()).pathname).toMatch(/^\/console\//);

      // 1. The payouts that arrived in January, each with what it carries; no statement yet.
      expect((await page.goto(`${baseUrl}/console/payouts`))?.status()).toBe(200);
      await shot(page, '1-payouts');
      for (const payout of payouts) {
        const row = page.locator('tr', { has: page.locator(`code:text-is("${payout.id}")`) });
        const text = (await row.textContent()) ?? '';
        expect(text).toContain(`$${dollars(payout.amount_cents)}`);
        expect(text).toContain('Paid');
        expect(text).not.toContain('could not be asked');
        expect(text).toMatch(/\d+ payments?, \d+ fees?/);
        expect(text).toContain('No statement imported');
      }

      // 2. The bank's CSV: each payout booked the day after it arrives, the slip's total the day after the deposit, and a bank fee.
      const statement = [
        'Posted,Details,Withdrawal,Deposit',
        ...payouts.map((payout) => `${bankDay(payout.arrival_date, 1)},STRIPE TRANSFER ${payout.id},,${dollars(payout.amount_cents)}`),
        `${bankDay('2026-01-20', 1)},COUNTER DEPOSIT,,100.00`,
        `${bankDay('2026-01-30', 0)},MONTHLY SERVICE FEE,12.00,`,
        '',
      ].join('\r\n');
      await page.click('a[href="/console/payouts/bank"]');
      // Saved from a spreadsheet: a byte-order mark first.
      await page.setInputFiles('#statement', { name: 'january.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${statement}`) });
      await submit(page, () => page.click('form[enctype] button[type=submit]'));
      // The first import: the column-mapping step, showing the file's rows.
      expect(await page.locator('#dateColumn').count()).toBe(1);
      expect(await page.textContent('main')).toContain('COUNTER DEPOSIT');
      await shot(page, '2-mapping');
      await page.selectOption('#dateColumn', 'Posted');
      await page.selectOption('#dateFormat', 'MM/DD/YYYY');
      await page.selectOption('#amountColumn', '');
      await page.selectOption('#creditColumn', 'Deposit');
      await page.selectOption('#debitColumn', 'Withdrawal');
      await page.selectOption('#descriptionColumn', 'Details');
      expect((await submit(page, () => page.click('main form button[type=submit]')))?.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/console/payouts/bank');
      expect(await page.textContent('.flash')).toBe(`Statement imported: ${payouts.length + 1} new deposits, 0 already known; ${payouts.length} matched.`);
      await shot(page, '2-imported');
      const mapping = await db().selectFrom('bank_statement_mappings').selectAll().where('organization_id', '=', orgId).executeTakeFirstOrThrow();
      expect(mapping).toBeDefined();
      let lines = await db().selectFrom('bank_lines').selectAll().where('organization_id', '=', orgId).orderBy('booked_on').execute();
      expect(lines).toHaveLength(payouts.length + 1);
      expect(new Set(lines.map((line) => line.matched_payout_id))).toEqual(new Set([...payouts.map((payout) => payout.id), null]));
      // The slip is not in the books yet: its line waits, matched to nothing.
      const slipLine = lines.find((line) => line.amount_cents === 10_000 && line.matched_payout_id === null)!;
      expect(slipLine.booked_on).toBe('2026-01-21');
      expect(slipLine.matched_batch_id).toBeNull();

      // January is not ready yet: the slip's line on the statement is explained by nothing in the books.
      await page.goto(`${baseUrl}/console/months`);
      const januaryBefore = page.locator('tr', { has: page.locator('th', { hasText: 'January 2026' }) });
      expect(await januaryBefore.textContent()).toContain('Not ready:1 bank deposit, payout, deposit batch or payroll remittance of the month not matched');
      expect(await januaryBefore.locator('button').count()).toBe(0);
      await page.goto(`${baseUrl}/console/payouts/bank`);

      // A match undone by hand, then made again by hand from the line's candidates.
      const first = payouts[0]!;
      const undo = page.locator('tr', { has: page.locator(`code:text-is("${first.id}")`) }).locator('button');
      await submit(page, () => undo.click());
      expect(await page.textContent('.flash')).toMatch(/undone|unmatched/i);
      const firstLine = page.locator('section[aria-labelledby="open-lines-title"] tr', { hasText: `STRIPE TRANSFER ${first.id}` }).first();
      expect(await firstLine.locator('select[name=deposit]').inputValue()).toBe(`payout:${first.id}`);
      await submit(page, () => firstLine.locator('button[type=submit]').click());
      lines = await db().selectFrom('bank_lines').selectAll().where('organization_id', '=', orgId).execute();
      const rematched = lines.find((line) => line.matched_payout_id === first.id)!;
      expect(rematched.matched_by_staff_user_id).toBe(treasurer.id);
      await shot(page, '2-matched-by-hand');
      // The same statement again: the kept columns, no mapping step, nothing added twice.
      await page.setInputFiles('#statement', { name: 'january-again.csv', mimeType: 'text/csv', buffer: Buffer.from(statement) });
      await submit(page, () => page.click('form[enctype] button[type=submit]'));
      expect(await page.textContent('.flash')).toBe(`Statement imported: 0 new deposits, ${payouts.length + 1} already known; 0 matched.`);
      expect(await db().selectFrom('bank_lines').select('id').where('organization_id', '=', orgId).execute()).toHaveLength(payouts.length + 1);
      // The payouts page now shows where the bank shows each payout.
      await page.goto(`${baseUrl}/console/payouts`);
      for (const payout of payouts) expect(await page.locator('tr', { has: page.locator(`code:text-is("${payout.id}")`) }).textContent()).toContain(`Matched, booked ${shortDay(payout.arrival_date, 1)}`);

      // 3. A deposit slip of two checks and cash, deposited on January 20.
      await page.goto(`${baseUrl}/console/deposits`);
      await page.fill('#depositedOn', '2026-01-20');
      await page.fill('#reference', 'Slip 1');
      await submit(page, () => page.click('main form[action="/console/deposits"] button[type=submit]'));
      const batchPath = new URL(page.url()).pathname;
      expect(batchPath).toMatch(/^\/console\/deposits\/[0-9a-f-]{36}$/);
      const batchId = batchPath.split('/').pop()!;
      const items = [
        { member: 'L-101', payer: 'Ana Cheque', method: 'check', amount: '25.00', checkNumber: '1001', periodStart: '2026-01-01', periodEnd: '2026-01-31' },
        { member: 'L-102', payer: 'Acme Logistics payroll office', method: 'check', amount: '25.00', checkNumber: '88431', periodStart: '2026-01-01', periodEnd: '2026-01-31' },
        { member: 'L-103', payer: '', method: 'cash', amount: '50.00', checkNumber: '', periodStart: '2026-01-01', periodEnd: '2026-02-28' },
      ];
      for (const item of items) {
        await page.fill('#member', item.member);
        await page.fill('#payer', item.payer);
        await page.selectOption('#method', item.method);
        await page.fill('#amount', item.amount);
        await page.fill('#checkNumber', item.checkNumber);
        await page.fill('#periodStart', item.periodStart);
        await page.fill('#periodEnd', item.periodEnd);
        expect((await submit(page, () => page.click('form[action$="/items"] button[type=submit]')))?.status()).toBe(200);
        expect(await page.textContent('.flash')).toBe('Added to the slip.');
      }
      expect(await db().selectFrom('deposit_batch_items').select('id').where('batch_id', '=', batchId).execute()).toHaveLength(3);
      expect(await db().selectFrom('manual_payments').select('id').where('organization_id', '=', orgId).execute()).toEqual([]);
      await shot(page, '3-batch');
      // The slip to print: every payment and the total.
      await submit(page, () => page.click(`a[href="/console/deposits/${batchId}/slip"]`));
      const slip = (await page.textContent('main')) ?? '';
      for (const payer of ['Ana Cheque', 'Acme Logistics payroll office', 'Carla Efectivo', '1001', '88431']) expect(slip).toContain(payer);
      expect(slip).toContain('$100.00');
      expect(await page.locator('main button').count()).toBe(0);
      // Printed, the slip is the slip alone: the console's frame is dropped.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('nav.main').isVisible()).toBe(false);
      expect(await page.locator('main table').isVisible()).toBe(true);
      await shot(page, '3-slip-print');
      await page.emulateMedia({ media: 'screen' });
      await submit(page, () => page.click(`a[href="/console/deposits/${batchId}"]`));
      await submit(page, () => page.click('form[action$="/post"] button[type=submit]'));
      expect(await page.textContent('.flash')).toBe('The batch is posted: 3 payments in the books.');
      await shot(page, '3-posted');
      const batch = await db().selectFrom('deposit_batches').selectAll().where('id', '=', batchId).executeTakeFirstOrThrow();
      expect(batch.posted_by_staff_user_id).toBe(treasurer.id);
      expect(await db().selectFrom('manual_payments').select('id').where('organization_id', '=', orgId).execute()).toHaveLength(3);
      // Posting ran the matcher: the slip's line on the statement is matched to the batch.
      const slipLineNow = await db().selectFrom('bank_lines').selectAll().where('id', '=', slipLine.id).executeTakeFirstOrThrow();
      expect(slipLineNow.matched_batch_id).toBe(batchId);
      expect(await checkLedger(db(), orgId)).toEqual([]);

      // 4. January is ready (every payout and deposit matched, the ledger clean): closed.
      await page.goto(`${baseUrl}/console/months`);
      const january = page.locator('tr', { has: page.locator('th', { hasText: 'January 2026' }) });
      expect(await january.textContent()).toContain('Ready to close');
      await shot(page, '4-months');
      await submit(page, () => january.locator('button[type=submit]').click());
      expect(await page.textContent('.flash')).toBe('January 2026 is closed.');
      expect(await page.locator('tr', { has: page.locator('th', { hasText: 'January 2026' }) }).textContent()).toContain('Closed on');
      await shot(page, '4-closed');
      const closed = await db().selectFrom('closed_months').selectAll().where('organization_id', '=', orgId).where('month', '=', '2026-01').where('reopened_at', 'is', null).executeTakeFirstOrThrow();
      expect(closed.closed_by_staff_user_id).toBe(treasurer.id);
      expect(await checkLedger(db(), orgId)).toEqual([]);

      // 5. The accountant's file for January, from the ledger page's link.
      await page.goto(`${baseUrl}/console/ledger?from=${JANUARY.from}&to=${JANUARY.to}`);
      await shot(page, '5-ledger');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href^="/api/accounting/journal"][href*="format=qbo"]')]);
      expect(download.suggestedFilename()).toBe(`journal-flow-union-${JANUARY.from}-to-${JANUARY.to}-qbo.csv`);
      const file = readFileSync((await download.path())!, 'utf8');
      const rows = parse(file, { columns: true, bom: true }) as Record<string, string>[];
      const cents = (text: string) => (text === '' ? 0 : Math.round(Number(text) * 100));
      const debits = rows.reduce((sum, row) => sum + cents(row.Debits!), 0);
      const credits = rows.reduce((sum, row) => sum + cents(row.Credits!), 0);
      expect(debits).toBeGreaterThan(0);
      expect(debits).toBe(credits);
      // Each journal entry balances on its own.
      const byEntry = new Map<string, number>();
      for (const row of rows) byEntry.set(row.JournalNo!, (byEntry.get(row.JournalNo!) ?? 0) + cents(row.Debits!) - cents(row.Credits!));
      expect([...byEntry.values()].filter((net) => net !== 0)).toEqual([]);
      // The payouts and the deposit slip are there, as the ledger posted them.
      const posted = await db()
        .selectFrom('ledger_transactions')
        .select(['id', 'kind', 'stripe_payout_id', 'source_key'])
        .where('organization_id', '=', orgId)
        .where((eb) => eb.or([eb('kind', '=', 'payout'), eb('source_key', '=', `deposit_batch:${batchId}`)]))
        .execute();
      expect(posted.filter((t) => t.kind === 'payout').map((t) => t.stripe_payout_id).sort()).toEqual(payouts.map((payout) => payout.id).sort());
      expect(posted.filter((t) => t.source_key === `deposit_batch:${batchId}`)).toHaveLength(1);
      for (const transaction of posted) expect(byEntry.has(journalNumber(transaction.id))).toBe(true);
      const slipRows = rows.filter((row) => row.Description!.startsWith('Deposit slip of 2026-01-20 taken to the bank (Slip 1)'));
      expect(slipRows.map((row) => cents(row.Debits!) + cents(row.Credits!))).toEqual([10_000, 10_000]);
      for (const payout of payouts) {
        const payoutRows = rows.filter((row) => row.JournalNo === journalNumber(posted.find((t) => t.stripe_payout_id === payout.id)!.id));
        expect(payoutRows.reduce((sum, row) => sum + cents(row.Debits!), 0)).toBe(payout.amount_cents);
      }
      // QuickBooks Desktop's IIF file of the same days: signed amounts, summing to zero, the same entries.
      const [iif] = await Promise.all([page.waitForEvent('download'), page.click('a[href^="/api/accounting/journal"][href*="format=iif"]')]);
      const iifLines = readFileSync((await iif.path())!, 'utf8')
        .split('\r\n')
        .map((line) => line.split('\t'))
        .filter((fields) => fields[0] === 'TRNS' || fields[0] === 'SPL');
      expect(iifLines.reduce((sum, fields) => sum + cents(fields[6]!), 0)).toBe(0);
      expect(new Set(iifLines.map((fields) => fields[7]))).toEqual(new Set(byEntry.keys()));
      const exported = await db().selectFrom('audit_log').select(['action', 'actor_staff_user_id']).where('action', '=', 'accounting.exported').execute();
      expect(exported).toEqual([
        { action: 'accounting.exported', actor_staff_user_id: treasurer.id },
        { action: 'accounting.exported', actor_staff_user_id: treasurer.id },
      ]);
    } finally {
      await context.close();
    }
  }, 90_000);
});

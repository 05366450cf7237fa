/**
 * Bank matching benchmark: a 10,000-line bank statement (semicolons, decimal commas, days
 * first, as a European bank writes it) read, stored and matched against a year of Stripe
 * payouts and deposit batches; then the same statement imported again (every line known).
 *
 *   npx tsx scripts/bench/bank-match.ts -- [--lines 10000] [--payouts 3000] [--batches 500]
 *
 * Uses DATABASE_URL's server when set, otherwise an embedded PostgreSQL; the benchmark
 * database is dropped at the end. Aim: the first import under 5 s.
 */
import { importStatement } from '../../src/bank/queries';
import { readStatement, sniffStatement } from '../../src/bank/statement';
import { insertOrganization } from '../../src/organizations/queries';
import { upsertStaffUser } from '../../src/staff/queries';
import { benchDatabase, flag } from './support';

const LINES = flag('lines', 10_000);
const PAYOUTS = flag('payouts', 3_000);
const BATCHES = flag('batches', 500);
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const NOW = new Date('2026-12-15T15:00:00Z');

const dayOf = (n: number) => new Date(Date.UTC(2026, 0, 1) + (n % 360) * 86_400_000).toISOString().slice(0, 10);
const written = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
const comma = (cents: number) => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100).toLocaleString('de-DE')},${String(Math.abs(cents) % 100).padStart(2, '0')}`;

async function main(): Promise<void> {
  const bench = await benchDatabase();
  try {
    const db = bench.db;
    const organization = await insertOrganization(db, { slug: 'bench-bank', name: 'Bench Bank Local', timeZone: 'America/Chicago', currency: 'usd' }, NOW);
    const staff = await upsertStaffUser(db, { email: 'treasurer@bench-bank.example', name: 'Bench Treasurer' }, NOW);

    // Payouts with amounts of their own (the matcher's case), one line each on the statement a day or two later.
    const rows: string[] = ['Fecha;Concepto;Importe;Saldo'];
    const payouts = [];
    for (let i = 0; i < PAYOUTS; i += 1) {
      const arrival = dayOf(i);
      const amount = 10_000 + i * 7;
      payouts.push({ organization_id: organization.id, id: `po_Bench${i}`, status: 'paid', amount_cents: amount, currency: 'usd', arrival_date: arrival, failure_message: null, updated_at: NOW });
      rows.push(`${written(dayOf(i + 1 + (i % 2)))};STRIPE PAYOUT ${i};${comma(amount)};0,00`);
    }
    for (let start = 0; start < payouts.length; start += 1000) await db.insertInto('stripe_payouts').values(payouts.slice(start, start + 1000)).execute();
    // Posted deposit batches of one item each, shown on the statement the next day.
    const member = await db.insertInto('members').values({ organization_id: organization.id, name: 'Bench Member', email: 'member@bench-bank.example', wage_facts: '{}', created_at: NOW, updated_at: NOW, standing_changed_at: NOW }).returning('id').executeTakeFirstOrThrow();
    for (let i = 0; i < BATCHES; i += 1) {
      const day = dayOf(i * 3);
      const batch = await db.insertInto('deposit_batches').values({ organization_id: organization.id, deposited_on: day, reference: `Slip ${i}`, created_at: NOW, created_by_staff_user_id: staff.id, posted_at: NOW, posted_by_staff_user_id: staff.id }).returning('id').executeTakeFirstOrThrow();
      const amount = 900_000 + i * 11;
      await db.insertInto('deposit_batch_items').values({ organization_id: organization.id, batch_id: batch.id, member_id: member.id, payer: 'Bench', method: 'check', amount_cents: amount, check_number: String(i), period_start: '2026-01-01', period_end: '2026-01-31', manual_payment_id: null, created_at: NOW }).execute();
      rows.push(`${written(dayOf(i * 3 + 1))};DEPOSITO ${i};${comma(amount)};0,00`);
    }
    // The rest: other deposits (interest, grants, transfers) and withdrawals; some amounts repeat.
    for (let i = rows.length - 1; i < LINES; i += 1) rows.push(`${written(dayOf(i))};Movimiento ${i % 97};${comma((i % 3 === 0 ? -1 : 1) * (100 + (i % 500) * 13))};0,00`);
    const csv = rows.join('\n');
    console.log(`statement: ${LINES.toLocaleString('en-US')} lines, ${(csv.length / 1024).toFixed(0)} KB; ${PAYOUTS} payouts and ${BATCHES} posted batches waiting`);

    const read = (label: string) => {
      const started = process.hrtime.bigint();
      const sniff = sniffStatement(csv)!;
      const statement = readStatement(csv, sniff.guess);
      const parse = seconds(started);
      if (statement.errors.length > 0) throw new Error(`${label}: ${statement.errors.length} rows unread`);
      return { statement, parse };
    };
    for (const label of ['first import', 'same statement again']) {
      const started = process.hrtime.bigint();
      const { statement, parse } = read(label);
      const storedAt = process.hrtime.bigint();
      const outcome = await db.transaction().execute((trx) => importStatement(trx, { organizationId: organization.id, fileName: 'bench.csv', rowsRead: statement.rowsRead, deposits: statement.deposits, staffUserId: staff.id, at: NOW }));
      const store = seconds(storedAt);
      const total = seconds(started);
      console.log(
        `${label.padEnd(22)} parse ${parse.toFixed(3)} s · store + match ${store.toFixed(3)} s · total ${total.toFixed(3)} s ${total < 5 ? '(under 5 s)' : '(OVER 5 s)'} — ${statement.deposits.length} deposits read, ${statement.withdrawals} withdrawals skipped, ${outcome.depositsNew} new, ${outcome.depositsKnown} known, ${outcome.matched} matched`,
      );
    }
    const matched = await db.selectFrom('bank_lines').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', organization.id).where('matched_at', 'is not', null).executeTakeFirstOrThrow();
    console.log(`matched lines stored: ${matched.n} of ${PAYOUTS + BATCHES} payouts and batches`);
  } finally {
    await bench.drop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

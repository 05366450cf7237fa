import { sql } from 'kysely';
import type { Db } from '../../db/connection';
import { postingsForChargeSucceeded, postingsForManualPayment } from '../../src/ledger/postings';
import { postLedgerTransactions } from '../../src/ledger/queries';
import { ledgerDaySums, type LedgerDaySum } from '../../src/treasurer/ledger-days';
import { forEachInPostingOrder, ledgerExportQuery, ledgerPage, type LedgerCursor, type LedgerExportFilters } from '../../src/treasurer/queries';
import { chargeSucceeded, createMember, createOrganization } from '../ledger/support';
import { createTestDatabase, type TestDatabase } from '../support/database';

// The ledger's day sums (remembered in the process, topped up from the database) and the
// ledger's pages (chosen from a window of days) against the ledger's own rows.

const TIME_ZONE = 'America/Chicago';
let testDb: TestDatabase;
let db: Db;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
});
afterAll(async () => {
  await testDb.drop();
});

let charges = 0;
/** Card payments on the given UTC moments, posted in one database transaction recorded at `at`. */
async function postCharges(trx: Db, organizationId: string, occurred: string[], at: Date): Promise<void> {
  const drafts = occurred.flatMap((moment) => postingsForChargeSucceeded(chargeSucceeded(`ch_days_${(charges += 1)}`, { occurredAt: new Date(moment), grossCents: 2000 + charges })));
  await postLedgerTransactions(trx, organizationId, drafts, at);
}

/** The same sums straight from the entries. */
async function sumsFromEntries(organizationId: string): Promise<LedgerDaySum[]> {
  const { rows } = await sql<LedgerDaySum>`
    SELECT to_char(t.occurred_at AT TIME ZONE ${TIME_ZONE}, 'YYYY-MM-DD') AS day, a.code AS account, t.kind, t.payment_method AS method, sum(e.amount_cents)::bigint AS cents
    FROM ledger_transactions t JOIN ledger_entries e ON e.organization_id = t.organization_id AND e.transaction_id = t.id
    JOIN ledger_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
    WHERE t.organization_id = ${organizationId} GROUP BY 1, 2, 3, 4`.execute(db);
  return sorted(rows);
}

const sorted = (sums: readonly LedgerDaySum[]) => [...sums].map((sum) => ({ ...sum })).sort((a, b) => `${a.day}${a.account}${a.kind}${a.method}`.localeCompare(`${b.day}${b.account}${b.kind}${b.method}`));

describe('the ledger day sums', () => {
  test('equal the entries’ sums after each posting, including one still being written during a read, and under concurrent reads and postings', async () => {
    const organizationId = await createOrganization(db, 'days-sums');
    const read = async () => sorted(await ledgerDaySums(db, organizationId, TIME_ZONE, 'usd'));
    expect(await read()).toEqual([]);
    await db.transaction().execute((trx) => postCharges(trx, organizationId, ['2026-10-01T04:00:00Z', '2026-10-01T06:00:00Z', '2026-10-02T15:00:00Z'], new Date('2026-10-02T16:00:00Z')));
    expect(await read()).toEqual(await sumsFromEntries(organizationId));

    // A posting whose database transaction is open while the sums are read: not seen then,
    // and seen (once) by every read after it commits, though older ones settle meanwhile.
    await db.transaction().execute(async (trx) => {
      await postCharges(trx, organizationId, ['2026-10-02T18:00:00Z'], new Date('2026-10-02T18:00:00Z'));
      await db.transaction().execute((other) => postCharges(other, organizationId, ['2026-10-03T18:00:00Z'], new Date('2026-10-03T18:00:00Z')));
      const during = await read();
      expect(during.find((sum) => sum.day === '2026-10-03' && sum.account === 'dues_income')).toBeDefined();
      expect(during.filter((sum) => sum.day === '2026-10-02' && sum.account === 'dues_income').map((sum) => sum.cents)).toEqual([-(2000 + 3)]);
    });
    expect(await read()).toEqual(await sumsFromEntries(organizationId));
    expect(await read()).toEqual(await sumsFromEntries(organizationId));

    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0 ? db.transaction().execute((trx) => postCharges(trx, organizationId, [`2026-10-${String(4 + i).padStart(2, '0')}T12:00:00Z`], new Date(`2026-10-${String(4 + i).padStart(2, '0')}T13:00:00Z`))) : read(),
      ),
    );
    expect(await read()).toEqual(await sumsFromEntries(organizationId));
  });
});

describe('the ledger pages', () => {
  test('walked a few rows at a time, with any filter, list every transaction once in the export’s order, across postings of one moment', async () => {
    const organizationId = await createOrganization(db, 'days-pages');
    const memberId = await createMember(db, organizationId, 'pages@example.org');
    // Six days; one posting of seven charges (ties on day, time and database transaction);
    // manual payments at noon UTC recorded later; charges around midnight in Chicago.
    await db.transaction().execute((trx) => postCharges(trx, organizationId, ['2026-09-01T15:00:00Z', '2026-09-01T16:00:00Z', '2026-09-01T17:00:00Z', '2026-09-02T03:00:00Z', '2026-09-02T06:00:00Z', '2026-09-02T07:00:00Z', '2026-09-03T04:59:00Z'], new Date('2026-09-03T12:00:00Z')));
    for (const [i, day] of ['2026-09-01', '2026-09-02', '2026-09-02', '2026-09-04', '2026-09-06'].entries()) {
      await db.transaction().execute((trx) =>
        postLedgerTransactions(trx, organizationId, postingsForManualPayment({ manualPaymentId: `days-${i}`, method: 'check', currency: 'usd', amountCents: 2500, receivedOn: day, memberId, planId: null, periodStart: '2026-09-01', periodEnd: '2026-09-30' }), new Date(`${day}T20:00:00Z`)),
      );
    }
    for (const day of ['2026-09-04', '2026-09-05', '2026-09-06']) {
      await db.transaction().execute((trx) => postCharges(trx, organizationId, [`${day}T14:00:00Z`, `${day}T15:00:00Z`], new Date(`${day}T16:00:00Z`)));
    }

    const filtersTried: LedgerExportFilters[] = [{}, { kind: 'processing_fee' }, { kind: 'manual_payment' }, { from: '2026-09-02', to: '2026-09-05' }, { memberId }, { from: '2026-09-07' }];
    for (const filters of filtersTried) {
      const expected: string[] = [];
      await forEachInPostingOrder(db, ledgerExportQuery(organizationId, TIME_ZONE, filters), async (rows) => void expected.push(...rows.map((row) => row.id)));
      for (const limit of [1, 2, 3, 5, 50]) {
        const walked: string[] = [];
        let after: LedgerCursor | undefined;
        for (let pages = 0; pages < 100; pages += 1) {
          const rows = await ledgerPage(db, organizationId, TIME_ZONE, filters, { after, limit: limit + 1 });
          walked.push(...rows.slice(0, limit).map((row) => row.id));
          const last = rows[limit - 1];
          if (rows.length <= limit || !last) break;
          after = { day: last.day, createdAt: last.created_text, xact: last.xact, entry: String(last.first_entry) };
        }
        expect({ filters, limit, walked }).toEqual({ filters, limit, walked: expected });
      }
    }
  });

  test('where midnight happens twice (the Azores set their clocks back at 1:00 on Oct 25), a day’s first hour is not skipped', async () => {
    const organizationId = await createOrganization(db, 'days-azores');
    // Recorded in this order: the noon charge first, then one in the first of the two midnight hours.
    for (const [occurred, recorded] of [
      ['2026-10-24T23:30:00Z', '2026-10-25T13:00:00Z'],
      ['2026-10-25T12:00:00Z', '2026-10-25T14:00:00Z'],
      ['2026-10-25T00:30:00Z', '2026-10-25T15:00:00Z'],
      ['2026-10-25T01:30:00Z', '2026-10-25T16:00:00Z'],
      ['2026-10-26T12:00:00Z', '2026-10-26T13:00:00Z'],
    ]) {
      await db.transaction().execute((trx) => postCharges(trx, organizationId, [occurred!], new Date(recorded!)));
    }
    const expected: string[] = [];
    await forEachInPostingOrder(db, ledgerExportQuery(organizationId, 'Atlantic/Azores', {}), async (rows) => void expected.push(...rows.map((row) => row.id)));
    const walked: string[] = [];
    let after: LedgerCursor | undefined;
    for (let pages = 0; pages < 30; pages += 1) {
      const rows = await ledgerPage(db, organizationId, 'Atlantic/Azores', {}, { after, limit: 2 });
      walked.push(rows[0]!.id);
      if (rows.length < 2) break;
      after = { day: rows[0]!.day, createdAt: rows[0]!.created_text, xact: rows[0]!.xact, entry: String(rows[0]!.first_entry) };
    }
    expect(walked).toHaveLength(10);
    expect(walked).toEqual(expected);
  });
});

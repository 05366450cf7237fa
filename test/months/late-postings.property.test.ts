import fc from 'fast-check';
import { sql } from 'kysely';
import { checkLedger } from '../../src/ledger/check';
import {
  postingsForChargeSucceeded,
  postingsForDisputeFundsReinstated,
  postingsForDisputeFundsWithdrawn,
  postingsForManualPayment,
  postingsForPaymentReversal,
  postingsForPayoutFailed,
  postingsForPayoutPaid,
  postingsForRefund,
  type LedgerTransactionDraft,
} from '../../src/ledger/postings';
import { accountBalances } from '../../src/ledger/queries';
import { firstOpenMonthAfter, monthIn } from '../../src/months/calendar';
import { closeMonth, monthlyReport } from '../../src/months/queries';
import { upsertStaffUser } from '../../src/staff/queries';
import { TEST_NOW } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { chargeSucceeded, createMember, createOrganization, post } from '../ledger/support';

let testDb: TestDatabase;
let treasurerId: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
  treasurerId = (await upsertStaffUser(testDb.db, { email: 'treasurer@close.example.org', name: 'Treasurer' }, TEST_NOW)).id;
});
afterAll(async () => {
  await testDb.drop();
});

const TIME_ZONE = 'America/Chicago';
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];

/** The monthly report exactly as the report route builds it, as text. */
async function monthlyReportText(organizationId: string, month: string): Promise<string> {
  return JSON.stringify(await monthlyReport(testDb.db, { id: organizationId, time_zone: TIME_ZONE, currency: 'usd' }, month));
}

/** A moment in the month: its day (1–28) and hour, so some fall on a month's first or last hours in Chicago. */
const moment = (month: string, day: number, hour: number) => new Date(Date.parse(`${month}-${String(day).padStart(2, '0')}T00:00:00Z`) + hour * 3_600_000 + 6 * 3_600_000);

const KINDS = ['payment', 'reversal', 'refund', 'dispute', 'reinstatement', 'payout', 'payout_failed', 'manual', 'replay'] as const;
const lateEvent = fc.record({ kind: fc.constantFrom(...KINDS), month: fc.constantFrom(...MONTHS), day: fc.integer({ min: 1, max: 28 }), hour: fc.integer({ min: -6, max: 23 }), cents: fc.integer({ min: 100, max: 50_000 }) });

let runs = 0;

test('late events of every kind dated in closed months leave each closed month’s report unchanged and the ledger balanced', async () => {
  await fc.assert(
    fc.asyncProperty(fc.subarray(MONTHS, { minLength: 1 }), fc.array(lateEvent, { minLength: 1, maxLength: 12 }), async (closed, events) => {
      runs += 1;
      const org = await createOrganization(testDb.db, `close-property-${runs}`);
      const member = await createMember(testDb.db, org, `member-${runs}@example.org`);
      // Each month's books before the closing: a card payment and a cash payment.
      const posted: LedgerTransactionDraft[][] = [];
      for (const [i, month] of MONTHS.entries()) {
        const drafts = [
          ...postingsForChargeSucceeded(chargeSucceeded(`ch_base_${i}`, { occurredAt: moment(month, 10, 12), memberId: member })),
          ...postingsForManualPayment({ manualPaymentId: `base-${i}`, method: 'cash', currency: 'usd', amountCents: 2500, receivedOn: `${month}-15`, memberId: member, planId: null, periodStart: `${month}-01`, periodEnd: `${month}-28` }),
        ];
        await post(testDb.db, org, drafts);
        posted.push(drafts);
      }
      for (const month of closed) await testDb.db.transaction().execute((trx) => closeMonth(trx, { id: org, time_zone: TIME_ZONE }, month, treasurerId, TEST_NOW));
      const before = new Map<string, string>();
      for (const month of closed) before.set(month, await monthlyReportText(org, month));

      const closedSet = new Set(closed);
      for (const [i, event] of events.entries()) {
        const at = moment(event.month, event.day, event.hour);
        const charge = { chargeId: `ch_base_${MONTHS.indexOf(event.month)}`, currency: 'usd', occurredAt: at, memberId: member };
        let drafts: LedgerTransactionDraft[];
        switch (event.kind) {
          case 'payment':
            drafts = postingsForChargeSucceeded(chargeSucceeded(`ch_late_${i}`, { occurredAt: at, memberId: member, grossCents: event.cents, feeCents: 30 }));
            break;
          case 'reversal':
            drafts = postingsForPaymentReversal({ ...chargeSucceeded(`ch_rev_${i}`, { occurredAt: at, memberId: member, paymentMethod: 'us_bank_account', grossCents: event.cents, feeCents: 0 }) });
            break;
          case 'refund':
            drafts = postingsForRefund({ ...charge, refundId: `re_${i}`, amountCents: event.cents });
            break;
          case 'dispute':
            drafts = postingsForDisputeFundsWithdrawn({ ...charge, disputeId: `dp_${i}`, balanceTransactionId: `txn_w_${i}`, amountCents: event.cents, disputeFeeCents: 1500 });
            break;
          case 'reinstatement':
            drafts = postingsForDisputeFundsReinstated({ ...charge, disputeId: `dp_${i}`, balanceTransactionId: `txn_r_${i}`, amountCents: event.cents, disputeFeeReturnedCents: 0 });
            break;
          case 'payout':
          case 'payout_failed': {
            const payout = { payoutId: `po_${i}`, currency: 'usd', amountCents: event.cents, arrivalDate: `${event.month}-${String(event.day).padStart(2, '0')}`, occurredAt: at };
            // A failed payout's postings carry the payout's own, as a late pair would arrive.
            drafts = event.kind === 'payout' ? postingsForPayoutPaid(payout) : postingsForPayoutFailed(payout);
            break;
          }
          case 'manual':
            drafts = postingsForManualPayment({ manualPaymentId: `late-${i}`, method: 'check', currency: 'usd', amountCents: event.cents, receivedOn: `${event.month}-${String(event.day).padStart(2, '0')}`, memberId: member, planId: null, periodStart: `${event.month}-01`, periodEnd: `${event.month}-28` });
            break;
          case 'replay': {
            // A replayed event, its original posting long since in a (perhaps now closed) month: nothing posts twice.
            const earlier = posted[(event.day + event.cents) % posted.length]!;
            expect(await post(testDb.db, org, earlier)).toEqual({ posted: 0, skipped: earlier.length });
            continue;
          }
        }
        expect(await post(testDb.db, org, drafts)).toEqual({ posted: drafts.length, skipped: 0 });
        expect(await post(testDb.db, org, drafts)).toEqual({ posted: 0, skipped: drafts.length });
        posted.push(drafts);
        // Where each landed: its own date, or the first open month's first moment with its own date kept.
        for (const draft of drafts) {
          const row = await testDb.db.selectFrom('ledger_transactions').select(['occurred_at', 'original_occurred_at']).where('organization_id', '=', org).where('source_key', '=', draft.sourceKey).executeTakeFirstOrThrow();
          const ownMonth = monthIn(TIME_ZONE, draft.occurredAt);
          if (!closedSet.has(ownMonth)) {
            expect(row).toEqual({ occurred_at: draft.occurredAt, original_occurred_at: null });
          } else {
            expect(row.original_occurred_at).toEqual(draft.occurredAt);
            const open = firstOpenMonthAfter(ownMonth, closedSet);
            const { rows } = await sql<{ start: Date }>`SELECT (${`${open}-01`}::date::timestamp AT TIME ZONE ${TIME_ZONE}) AS start`.execute(testDb.db);
            expect(row.occurred_at).toEqual(rows[0]!.start);
          }
        }
      }

      for (const month of closed) expect(await monthlyReportText(org, month)).toBe(before.get(month));
      expect(await checkLedger(testDb.db, org)).toEqual([]);
      expect((await accountBalances(testDb.db, org)).reduce((sum, b) => sum + b.balanceCents, 0)).toBe(0);
    }),
    { numRuns: 25 },
  );
}, 240_000);

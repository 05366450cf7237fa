import fc from 'fast-check';
import { checkLedger } from '../../src/ledger/check';
import { postingsForChargeSucceeded, postingsForPayoutFailed, postingsForPayoutPaid, postingsForRefund, type LedgerTransactionDraft } from '../../src/ledger/postings';
import { accountBalances } from '../../src/ledger/queries';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createOrganization, post } from './support';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

// Stripe's US pricing in integer cents, rounding half up: card 2.9% + 30¢, ACH 0.8% capped at $5.
const cardFee = (gross: number) => Math.floor((2 * gross * 29 + 1000) / 2000) + 30;
const achFee = (gross: number) => Math.min(Math.floor((2 * gross * 8 + 1000) / 2000), 500);

/** Operations carry proportions (per mille), turned into amounts against the running state, so refunds and payouts stay within what is there. */
const operation = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('payment' as const), gross: fc.integer({ min: 100, max: 200_000 }), ach: fc.boolean(), initiationPermille: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 })) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('refund' as const), pick: fc.nat(), permille: fc.integer({ min: 1, max: 1000 }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('payout' as const), permille: fc.integer({ min: 1, max: 1000 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('payout_failed' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('replay' as const), pick: fc.nat() }) },
);

let organizations = 0;

test('any sequence of payments, refunds, payouts and replays leaves balanced books whose Stripe balance is gross - fees - refunds - payouts', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 14 }), async (operations) => {
      organizations += 1;
      const org = await createOrganization(testDb.db, `property-${organizations}`);
      const at = new Date('2026-11-02T15:00:00Z');
      const model = { gross: 0, fees: 0, refunds: 0, payouts: 0 };
      const payments: Array<{ chargeId: string; refundable: number }> = [];
      const payouts: Array<{ payoutId: string; amount: number; failed: boolean }> = [];
      const posted: LedgerTransactionDraft[][] = [];
      const balance = () => model.gross - model.fees - model.refunds - model.payouts;

      for (const [i, op] of operations.entries()) {
        let drafts: LedgerTransactionDraft[] = [];
        if (op.type === 'payment') {
          const fee = op.ach ? achFee(op.gross) : cardFee(op.gross);
          const chargeId = `ch_${i}`;
          drafts = postingsForChargeSucceeded({
            chargeId,
            invoiceId: `in_${i}`,
            currency: 'usd',
            grossCents: op.gross,
            feeCents: fee,
            initiationFeeCents: Math.floor((op.gross * op.initiationPermille) / 1000),
            occurredAt: at,
            paymentMethod: op.ach ? 'us_bank_account' : 'card',
            memberId: null,
            planId: null,
            periodStart: null,
            periodEnd: null,
          });
          payments.push({ chargeId, refundable: op.gross });
          model.gross += op.gross;
          model.fees += fee;
        } else if (op.type === 'refund') {
          const refundable = payments.filter((p) => p.refundable > 0);
          const payment = refundable[op.pick % Math.max(1, refundable.length)];
          if (!payment) continue;
          const amount = Math.max(1, Math.floor((payment.refundable * op.permille) / 1000));
          drafts = postingsForRefund({ refundId: `re_${i}`, chargeId: payment.chargeId, currency: 'usd', amountCents: amount, occurredAt: at, memberId: null });
          payment.refundable -= amount;
          model.refunds += amount;
        } else if (op.type === 'payout') {
          const amount = Math.floor((balance() * op.permille) / 1000);
          if (amount <= 0) continue;
          drafts = postingsForPayoutPaid({ payoutId: `po_${i}`, currency: 'usd', amountCents: amount, arrivalDate: '2026-11-06', occurredAt: at });
          payouts.push({ payoutId: `po_${i}`, amount, failed: false });
          model.payouts += amount;
        } else if (op.type === 'payout_failed') {
          const standing = payouts.filter((p) => !p.failed);
          const payout = standing[op.pick % Math.max(1, standing.length)];
          if (!payout) continue;
          drafts = postingsForPayoutFailed({ payoutId: payout.payoutId, currency: 'usd', amountCents: payout.amount, arrivalDate: '2026-11-06', occurredAt: at });
          payout.failed = true;
          model.payouts -= payout.amount;
          // The payout's own posting rides along and is skipped: it was posted when paid.
          expect(await post(testDb.db, org, drafts)).toEqual({ posted: 1, skipped: 1 });
          posted.push(drafts);
          continue;
        } else {
          const earlier = posted[op.pick % Math.max(1, posted.length)];
          if (!earlier) continue;
          expect(await post(testDb.db, org, earlier)).toEqual({ posted: 0, skipped: earlier.length });
          continue;
        }
        expect(await post(testDb.db, org, drafts)).toEqual({ posted: drafts.length, skipped: 0 });
        posted.push(drafts);
      }

      expect(await checkLedger(testDb.db, org)).toEqual([]);
      const balances = await accountBalances(testDb.db, org);
      expect(balances.find((b) => b.account === 'stripe_balance')?.balanceCents ?? 0).toBe(balance());
      expect(balances.reduce((sum, b) => sum + b.balanceCents, 0)).toBe(0);
    }),
    { numRuns: 40 },
  );
});

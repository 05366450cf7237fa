import { postingsForChargeSucceeded } from '../../src/ledger/postings';
import { postLedgerTransactions } from '../../src/ledger/queries';
import { recordManualPayment } from '../../src/members/payments';
import type { AppContext } from '../../src/context';
import type { ConsoleFixture } from './fixtures';

// The books of the console organization, for the treasurer's dashboard: Stripe charges by
// card and bank debit posted as the webhook pipeline posts them, a payroll deduction
// recorded as a treasurer records it (on top of the fixture's September cash), and Lucía's
// lapse and recovery in November. On the suite's clock (2026-11-24, America/Chicago), by hand:
//   dues  Aug: employer 25.00 · Sep: cash 25.00 · Oct: card 25.00 + 40.00, bank 25.00 · Nov: card 25.00, bank 25.00
//   fees  card 1.03 + 1.46 + 1.03 = 3.52 of 90.00 (3.9%) · bank 0.20 + 0.20 = 0.40 of 50.00 (0.8%)
//   bank debit would have saved 3.52 − 90.00 × 0.40 / 50.00 = 2.80
export const BOOKS = {
  duesCents: { '2026-08': { employer: 2500 }, '2026-09': { cash_check: 2500 }, '2026-10': { card: 6500, bank_debit: 2500 }, '2026-11': { card: 2500, bank_debit: 2500 } },
  cardShareBasisPoints: 391,
  bankShareBasisPoints: 80,
  savingCents: 280,
} as const;

export async function seedConsoleBooks(ctx: AppContext, fx: ConsoleFixture): Promise<void> {
  const db = ctx.db;
  const orgId = fx.org.id;
  const charge = (chargeId: string, memberId: string, method: 'card' | 'us_bank_account', occurredAt: string, grossCents: number, feeCents: number) =>
    postingsForChargeSucceeded({ chargeId, invoiceId: `in_${chargeId.slice(3)}`, currency: 'usd', occurredAt: new Date(occurredAt), memberId, planId: fx.planId, periodStart: null, periodEnd: null, paymentMethod: method, grossCents, feeCents, initiationFeeCents: 0 });
  await db.transaction().execute(async (trx) => {
    await postLedgerTransactions(
      trx,
      orgId,
      [
        ...charge('ch_MarcusOct', fx.members.marcus, 'card', '2026-10-05T15:00:00Z', 2500, 103),
        ...charge('ch_MarcusNov', fx.members.marcus, 'card', '2026-11-05T15:00:00Z', 2500, 103),
        ...charge('py_LuciaOct', fx.members.lucia, 'us_bank_account', '2026-10-03T15:00:00Z', 2500, 20),
        ...charge('py_LuciaNov', fx.members.lucia, 'us_bank_account', '2026-11-03T15:00:00Z', 2500, 20),
        // 22:00 on October 31 in Chicago, already November in UTC: an October payment.
        ...charge('ch_TomHalloween', fx.members.tom, 'card', '2026-11-01T03:00:00Z', 4000, 146),
      ],
      ctx.now(),
    );
  });
  const zed = await db.selectFrom('members').select('id').where('organization_id', '=', orgId).where('name', '=', 'Zed Member 001').executeTakeFirstOrThrow();
  await db.transaction().execute((trx) =>
    recordManualPayment(trx, {
      organizationId: orgId,
      memberId: zed.id,
      currency: 'usd',
      receivedOn: '2026-08-14',
      staffUserId: fx.org.staff.treasurer.id,
      at: new Date('2026-08-14T15:00:00Z'),
      payment: { method: 'payroll_deduction', amountCents: 2500, periodStart: '2026-08-01', periodEnd: '2026-08-31', reference: 'Acme payroll August' },
    }),
  );
  await db
    .insertInto('member_standing_changes')
    .values([
      { organization_id: orgId, member_id: fx.members.lucia, from_standing: 'active', to_standing: 'lapsed', cause: 'lapse_scan', cause_reference: 'grace_ended', staff_user_id: null, created_at: new Date('2026-11-02T15:00:00Z') },
      { organization_id: orgId, member_id: fx.members.lucia, from_standing: 'lapsed', to_standing: 'active', cause: 'stripe_event', cause_reference: null, staff_user_id: null, created_at: new Date('2026-11-10T15:00:00Z') },
    ])
    .execute();
}

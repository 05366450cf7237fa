import type { AppContext } from '../../src/context';
import { importStatement, saveStatementMapping } from '../../src/bank/queries';
import { readStatement, sniffStatement } from '../../src/bank/statement';
import type { ConsoleFixture } from '../console/fixtures';

// The treasurer's bank for the console organization (browser visits): three payouts, a
// statement whose first line the matcher explains and whose second has two candidates, an
// open deposit slip of two checks, and a posted one the statement shows.
export const DESK_STATEMENT = ['Date,Description,Amount', '11/04/2026,STRIPE PAYOUT,123.45', '11/11/2026,STRIPE PAYOUT,50.00', '11/13/2026,Mobile deposit,75.00', '11/20/2026,Interest,0.12', ''].join('\n');

export async function seedTreasurerDesk(ctx: AppContext, fx: ConsoleFixture): Promise<{ openBatchId: string; postedBatchId: string }> {
  const db = ctx.db;
  const orgId = fx.org.id;
  const now = ctx.now();
  const payout = (id: string, amount: number, arrival: string) => ({ organization_id: orgId, id, status: 'paid', amount_cents: amount, currency: 'usd', arrival_date: arrival, failure_message: null, updated_at: now });
  await db.insertInto('stripe_payouts').values([payout('po_DeskExact', 12_345, '2026-11-03'), payout('po_DeskTwinA', 5_000, '2026-11-09'), payout('po_DeskTwinB', 5_000, '2026-11-10')]).execute();
  const batch = (depositedOn: string, reference: string, posted: boolean) =>
    db
      .insertInto('deposit_batches')
      .values({ organization_id: orgId, deposited_on: depositedOn, reference, created_at: now, created_by_staff_user_id: fx.org.staff.treasurer.id, posted_at: posted ? now : null, posted_by_staff_user_id: posted ? fx.org.staff.treasurer.id : null })
      .returning('id')
      .executeTakeFirstOrThrow();
  const postedBatchId = (await batch('2026-11-12', 'Slip 11', true)).id;
  const openBatchId = (await batch('2026-11-23', 'Slip 12', false)).id;
  const item = (batchId: string, memberId: string, payer: string, method: 'cash' | 'check', amount: number, check: string | null) => ({
    organization_id: orgId,
    batch_id: batchId,
    member_id: memberId,
    payer,
    method,
    amount_cents: amount,
    check_number: check,
    period_start: '2026-11-01',
    period_end: '2026-11-30',
    manual_payment_id: null,
    created_at: now,
  });
  await db
    .insertInto('deposit_batch_items')
    .values([
      item(postedBatchId, fx.members.ana, 'Ana Morales', 'cash', 5_000, null),
      item(postedBatchId, fx.members.jo, 'Jo Rivera', 'check', 2_500, '2201'),
      item(openBatchId, fx.members.marcus, 'Marcus Lee', 'check', 2_500, '1042'),
      item(openBatchId, fx.members.tom, 'Acme Logistics payroll office', 'check', 2_500, '88431'),
    ])
    .execute();
  const mapping = sniffStatement(DESK_STATEMENT)!.guess;
  const read = readStatement(DESK_STATEMENT, mapping);
  await db.transaction().execute(async (trx) => {
    await saveStatementMapping(trx, orgId, mapping, fx.org.staff.treasurer.id, now);
    await importStatement(trx, { organizationId: orgId, fileName: 'november.csv', rowsRead: read.rowsRead, deposits: read.deposits, staffUserId: fx.org.staff.treasurer.id, at: now });
  });
  return { openBatchId, postedBatchId };
}

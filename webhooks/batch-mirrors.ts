import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database, StripeDisputesTable, StripeInvoicesTable, StripePayoutsTable } from '../db/database';

/** How far a payout has gone; it only moves forward (a paid payout can still fail, a failed one stays failed). */
export const PAYOUT_PROGRESS = ['pending', 'in_transit', 'paid', 'canceled', 'failed'];

const progressOf = (status: string) => PAYOUT_PROGRESS.indexOf(status);

type Row = { organization_id: string; id: string };

function keep<T extends Row>(rows: Map<string, T>, row: T, replaces: (kept: T) => boolean = () => true): void {
  const key = `${row.organization_id}:${row.id}`;
  const kept = rows.get(key);
  if (!kept || replaces(kept)) rows.set(key, row);
}

/** Rows in key order, so that batches touching the same rows lock them in the same order. */
const inKeyOrder = <T extends Row>(rows: Map<string, T>): T[] => [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);

/** `SET column = excluded.column` for every column but the key. */
function fromExcluded<T extends Row>(row: T): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(row)
      .filter((column) => column !== 'organization_id' && column !== 'id')
      .map((column) => [column, sql.ref(`excluded.${column}`)]),
  );
}

/**
 * The mirror rows (invoices, disputes, payouts) one processor batch keeps, written with one
 * statement per table once every handler has run, in the batch's transaction. A row kept
 * twice in a batch is written once, as the rules for writing it twice would leave it: an
 * invoice or a dispute as last read from Stripe, a payout at its furthest status.
 */
export class BatchMirrors {
  private readonly invoices = new Map<string, Insertable<StripeInvoicesTable>>();
  private readonly disputes = new Map<string, Insertable<StripeDisputesTable>>();
  private readonly payouts = new Map<string, Insertable<StripePayoutsTable>>();

  invoice(row: Insertable<StripeInvoicesTable>): void {
    keep(this.invoices, row);
  }

  dispute(row: Insertable<StripeDisputesTable>): void {
    keep(this.disputes, row);
  }

  payout(row: Insertable<StripePayoutsTable>): void {
    keep(this.payouts, row, (kept) => progressOf(row.status) >= progressOf(kept.status));
  }

  async write(trx: Kysely<Database>): Promise<void> {
    if (this.invoices.size > 0) {
      const rows = inKeyOrder(this.invoices);
      await trx
        .insertInto('stripe_invoices')
        .values(rows)
        .onConflict((oc) => oc.columns(['organization_id', 'id']).doUpdateSet(fromExcluded(rows[0]!)))
        .execute();
    }
    if (this.disputes.size > 0) {
      const rows = inKeyOrder(this.disputes);
      await trx
        .insertInto('stripe_disputes')
        .values(rows)
        .onConflict((oc) => oc.columns(['organization_id', 'id']).doUpdateSet(fromExcluded(rows[0]!)))
        .execute();
    }
    if (this.payouts.size > 0) {
      const rows = inKeyOrder(this.payouts);
      await trx
        .insertInto('stripe_payouts')
        .values(rows)
        .onConflict((oc) =>
          oc
            .columns(['organization_id', 'id'])
            .doUpdateSet(fromExcluded(rows[0]!))
            .where(sql<boolean>`coalesce(array_position(${PAYOUT_PROGRESS}::text[], excluded.status), 0) >= coalesce(array_position(${PAYOUT_PROGRESS}::text[], stripe_payouts.status), 0)`),
        )
        .execute();
    }
  }
}

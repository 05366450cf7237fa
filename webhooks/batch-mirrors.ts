import { sql, type Insertable, type Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { Database, StripeCheckoutSessionsTable, StripeDisputesTable, StripeInvoicesTable, StripePayoutsTable, StripeSubscriptionsTable } from '../db/database';

/** How far a payout has gone; it only moves forward (a paid payout can still fail, a failed one stays failed). */
const PAYOUT_PROGRESS: readonly string[] = ['pending', 'in_transit', 'paid', 'canceled', 'failed'];

/**
 * How far a dispute (or an inquiry) has gone: Stripe moves an inquiry on to a dispute, and
 * a dispute from needs_response through under_review to won or lost (final), never back.
 */
const DISPUTE_PROGRESS: readonly string[] = ['warning_needs_response', 'warning_under_review', 'warning_closed', 'needs_response', 'under_review', 'prevented', 'won', 'lost'];

const movesForward = (progress: readonly string[]) => (kept: { status: string }, row: { status: string }) => progress.indexOf(row.status) >= progress.indexOf(kept.status);

type MirrorTable = 'stripe_subscriptions' | 'stripe_invoices' | 'stripe_disputes' | 'stripe_payouts' | 'stripe_checkout_sessions';

/** The same rule in SQL, for the row already stored: an unknown status counts as the least. */
const movesForwardInSql = (progress: readonly string[], table: MirrorTable) =>
  sql<boolean>`coalesce(array_position(${progress}::text[], excluded.status), 0) >= coalesce(array_position(${progress}::text[], ${sql.ref(`${table}.status`)}), 0)`;

type Row = { organization_id: string; id: string };

function keep<T extends Row>(rows: Map<string, T>, row: T, replaces: (kept: T, row: T) => boolean = () => true): void {
  const key = `${row.organization_id}\u0000${row.id}`;
  const kept = rows.get(key);
  if (!kept || replaces(kept, row)) rows.set(key, row);
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

/** One upsert for a table's kept rows; with a progress list, a stored row's status only moves forward. */
async function upsertMirrorRows<T extends Row>(trx: Kysely<Database>, table: MirrorTable, kept: Map<string, T>, progress?: readonly string[]): Promise<void> {
  if (kept.size === 0) return;
  const rows = inKeyOrder(kept);
  await trx
    .insertInto(table)
    .values(rows as never)
    .onConflict((oc) => {
      const update = oc.columns(['organization_id', 'id']).doUpdateSet(fromExcluded(rows[0]!));
      return progress ? update.where(movesForwardInSql(progress, table)) : update;
    })
    .execute();
}

type CheckoutSessionRow = Insertable<StripeCheckoutSessionsTable>;

/**
 * A checkout session's facts only accumulate: paid once paid, the bank debit's outcome once
 * reported, completed when its earliest event says (the events' copies may come in any
 * order). Two copies merged keep both.
 */
function mergeCheckoutSessions(kept: CheckoutSessionRow, row: CheckoutSessionRow): CheckoutSessionRow {
  return {
    ...row,
    payment_status: kept.payment_status === 'paid' ? 'paid' : row.payment_status,
    async_result: row.async_result ?? kept.async_result ?? null,
    subscription_id: row.subscription_id ?? kept.subscription_id ?? null,
    completed_at: new Date(row.completed_at) < new Date(kept.completed_at) ? row.completed_at : kept.completed_at,
  };
}

async function upsertCheckoutSessions(trx: Kysely<Database>, kept: Map<string, CheckoutSessionRow>): Promise<void> {
  if (kept.size === 0) return;
  await trx
    .insertInto('stripe_checkout_sessions')
    .values(inKeyOrder(kept))
    .onConflict((oc) =>
      oc.columns(['organization_id', 'id']).doUpdateSet({
        member_id: sql.ref('excluded.member_id'),
        subscription_id: sql`coalesce(excluded.subscription_id, stripe_checkout_sessions.subscription_id)`,
        payment_status: sql`CASE WHEN stripe_checkout_sessions.payment_status = 'paid' THEN 'paid' ELSE excluded.payment_status END`,
        async_result: sql`coalesce(excluded.async_result, stripe_checkout_sessions.async_result)`,
        completed_at: sql`least(excluded.completed_at, stripe_checkout_sessions.completed_at)`,
        updated_at: sql.ref('excluded.updated_at'),
      }),
    )
    .execute();
}

/** The subscriptions a batch's events carry or name (a checkout session names the one it created). */
export function subscriptionsNamedBy(events: Stripe.Event[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    const object = event.data.object as { object?: string; id?: string; subscription?: unknown };
    if (object.object === 'subscription' && object.id) ids.add(object.id);
    else if (typeof object.subscription === 'string') ids.add(object.subscription);
  }
  return [...ids];
}

/** What a subscription's stored row says it is as of; undefined when there is none. */
type SubscriptionVersion = { stateAsOf: Date | null } | undefined;

/**
 * The mirror rows (subscriptions, invoices, disputes, payouts, checkout sessions) one processor batch keeps,
 * written with one statement per table once every handler has run, in the batch's
 * transaction. A row kept twice in a batch is written once, as the rules for writing it
 * twice would leave it: a subscription or an invoice as last decided or read from Stripe,
 * a dispute or a payout at its furthest status (their events' own copies are mirrored,
 * and an old event may come late).
 *
 * Subscriptions are decided here, not in SQL: which copy is newer depends on the version
 * stored, which the batch reads (with its members, or one by one) and then keeps as it
 * decides. That is safe because every event that mirrors a subscription is serialised by
 * its customer, whose lock the batch holds until it commits.
 */
export class BatchMirrors {
  private readonly subscriptions = new Map<string, Insertable<StripeSubscriptionsTable>>();
  private readonly subscriptionVersions = new Map<string, SubscriptionVersion>();
  private readonly invoices = new Map<string, Insertable<StripeInvoicesTable>>();
  private readonly disputes = new Map<string, Insertable<StripeDisputesTable>>();
  private readonly payouts = new Map<string, Insertable<StripePayoutsTable>>();
  private readonly checkoutSessions = new Map<string, CheckoutSessionRow>();

  /** Reads, in one statement, the versions of the subscriptions a batch may mirror. */
  async readSubscriptionVersions(trx: Kysely<Database>, organizationIds: string[], subscriptionIds: string[]): Promise<void> {
    if (organizationIds.length === 0 || subscriptionIds.length === 0) return;
    const rows = await trx
      .selectFrom('stripe_subscriptions')
      .select(['organization_id', 'id', 'state_as_of'])
      .where('organization_id', '=', sql<string>`any(${organizationIds}::uuid[])`)
      .where('id', '=', sql<string>`any(${subscriptionIds}::text[])`)
      .execute();
    for (const organizationId of organizationIds) for (const id of subscriptionIds) this.subscriptionVersions.set(`${organizationId}\u0000${id}`, undefined);
    for (const row of rows) this.subscriptionVersions.set(`${row.organization_id}\u0000${row.id}`, { stateAsOf: row.state_as_of });
  }

  /** The version of a subscription as this batch leaves it so far. */
  async subscriptionVersion(trx: Kysely<Database>, organizationId: string, id: string): Promise<SubscriptionVersion> {
    const key = `${organizationId}\u0000${id}`;
    if (!this.subscriptionVersions.has(key)) {
      const row = await trx.selectFrom('stripe_subscriptions').select('state_as_of').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
      this.subscriptionVersions.set(key, row ? { stateAsOf: row.state_as_of } : undefined);
    }
    return this.subscriptionVersions.get(key);
  }

  subscription(row: Insertable<StripeSubscriptionsTable> & { state_as_of: Date | null }): void {
    keep(this.subscriptions, row);
    this.subscriptionVersions.set(`${row.organization_id}\u0000${row.id}`, { stateAsOf: row.state_as_of });
  }

  invoice(row: Insertable<StripeInvoicesTable>): void {
    keep(this.invoices, row);
  }

  dispute(row: Insertable<StripeDisputesTable>): void {
    keep(this.disputes, row, movesForward(DISPUTE_PROGRESS));
  }

  payout(row: Insertable<StripePayoutsTable>): void {
    keep(this.payouts, row, movesForward(PAYOUT_PROGRESS));
  }

  checkoutSession(row: CheckoutSessionRow): void {
    const key = `${row.organization_id}\u0000${row.id}`;
    const kept = this.checkoutSessions.get(key);
    this.checkoutSessions.set(key, kept ? mergeCheckoutSessions(kept, row) : row);
  }

  async write(trx: Kysely<Database>): Promise<void> {
    await upsertMirrorRows(trx, 'stripe_subscriptions', this.subscriptions);
    await upsertMirrorRows(trx, 'stripe_invoices', this.invoices);
    await upsertMirrorRows(trx, 'stripe_disputes', this.disputes, DISPUTE_PROGRESS);
    await upsertMirrorRows(trx, 'stripe_payouts', this.payouts, PAYOUT_PROGRESS);
    await upsertCheckoutSessions(trx, this.checkoutSessions);
  }
}

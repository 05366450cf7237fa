import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Every event Stripe delivers, stored before it is acknowledged and processed after.
  // Keyed by Stripe's event id, so a redelivery stores nothing new.
  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('account', 'text')
    .addColumn('api_version', 'text')
    .addColumn('stripe_created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('livemode', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    // Events sharing a key (the Stripe customer, else the object) are processed one at a time.
    .addColumn('serial_key', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status IN ('pending', 'processed', 'ignored', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_error', 'text')
    .addColumn('outcome', 'text')
    .addColumn('organization_id', 'uuid', (c) => c.references('organizations.id'))
    .addColumn('processed_at', 'timestamptz')
    .execute();
  // Few indexes: each one is work on the receiver's hot path. The processor reads due
  // events; admins read an organization's events by time.
  await sql`CREATE INDEX stripe_events_due_idx ON stripe_events (next_attempt_at, stripe_created_at) WHERE status = 'pending'`.execute(db);
  await db.schema.createIndex('stripe_events_org_idx').on('stripe_events').columns(['organization_id', 'received_at']).execute();

  // Mirrors of Stripe objects, as last read from Stripe.
  await db.schema
    .createTable('stripe_subscriptions')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'uuid')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('current_period_start', 'timestamptz')
    .addColumn('current_period_end', 'timestamptz')
    .addColumn('cancel_at_period_end', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('collection_paused', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('canceled_at', 'timestamptz')
    .addColumn('amount_cents', 'bigint')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('stripe_subscriptions_pkey', ['organization_id', 'id'])
    .addForeignKeyConstraint('stripe_subscriptions_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'])
    .execute();
  await db.schema.createIndex('stripe_subscriptions_member_idx').on('stripe_subscriptions').columns(['organization_id', 'member_id']).execute();

  await db.schema
    .createTable('stripe_invoices')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'uuid')
    .addColumn('subscription_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_due', 'bigint', (c) => c.notNull())
    .addColumn('amount_paid', 'bigint', (c) => c.notNull())
    .addColumn('period_start', 'date')
    .addColumn('period_end', 'date')
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('paid_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('stripe_invoices_pkey', ['organization_id', 'id'])
    .addForeignKeyConstraint('stripe_invoices_member_fkey', ['organization_id', 'member_id'], 'members', ['organization_id', 'id'])
    .execute();
  await db.schema.createIndex('stripe_invoices_member_idx').on('stripe_invoices').columns(['organization_id', 'member_id']).execute();

  await db.schema
    .createTable('stripe_disputes')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('charge_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'uuid')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('stripe_disputes_pkey', ['organization_id', 'id'])
    .execute();

  await db.schema
    .createTable('stripe_payouts')
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('arrival_date', 'date')
    .addColumn('failure_message', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('stripe_payouts_pkey', ['organization_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['stripe_payouts', 'stripe_disputes', 'stripe_invoices', 'stripe_subscriptions', 'stripe_events']) {
    await db.schema.dropTable(table).execute();
  }
}

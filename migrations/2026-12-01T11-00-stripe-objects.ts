import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // The newest state of each Stripe object applied (an invoice, a dispute): events older than it
  // change nothing, so out-of-order delivery never moves an invoice backwards.
  await db.schema
    .createTable('stripe_objects')
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('event_at', 'timestamptz', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('invoice_number', 'text')
    .addPrimaryKeyConstraint('stripe_objects_pkey', ['team_id', 'object_id'])
    .execute();
  // Which Stripe invoice a payment (payment intent or charge) paid, so a dispute finds its invoice.
  await db.schema
    .createTable('stripe_payments')
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'text', (c) => c.notNull())
    .addColumn('stripe_invoice_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('stripe_payments_pkey', ['team_id', 'payment_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stripe_payments').execute();
  await db.schema.dropTable('stripe_objects').execute();
}

import type { Queryable, Trx } from './schema.ts';

/**
 * Applies a Stripe object's state when it is newer than the one applied before: a later event, or
 * the same second and further along (rank). Returns false, changing nothing, for an older state.
 * Locks the row for the rest of the transaction, so concurrent deliveries apply one at a time.
 */
export async function advanceStripeObject(
  trx: Trx,
  teamId: string,
  o: { objectId: string; eventAt: Date; rank: number; invoiceNumber?: string | null },
): Promise<boolean> {
  await trx
    .insertInto('stripe_objects')
    .values({ team_id: teamId, object_id: o.objectId, event_at: new Date(0), rank: -1, invoice_number: null })
    .onConflict((oc) => oc.columns(['team_id', 'object_id']).doNothing())
    .execute();
  const current = await trx
    .selectFrom('stripe_objects')
    .select(['event_at', 'rank'])
    .where('team_id', '=', teamId)
    .where('object_id', '=', o.objectId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const at = current.event_at.getTime();
  const newer = o.eventAt.getTime() > at || (o.eventAt.getTime() === at && o.rank >= current.rank);
  if (!newer) return false;
  await trx
    .updateTable('stripe_objects')
    .set({
      event_at: o.eventAt,
      rank: o.rank,
      ...(o.invoiceNumber !== undefined ? { invoice_number: o.invoiceNumber } : {}),
    })
    .where('team_id', '=', teamId)
    .where('object_id', '=', o.objectId)
    .execute();
  return true;
}

/** Remembers which Stripe invoice these payments (payment intents, charges) paid. */
export async function linkStripePayments(
  db: Queryable,
  teamId: string,
  stripeInvoiceId: string,
  paymentIds: readonly string[],
): Promise<void> {
  if (paymentIds.length === 0) return;
  await db
    .insertInto('stripe_payments')
    .values(paymentIds.map((id) => ({ team_id: teamId, payment_id: id, stripe_invoice_id: stripeInvoiceId })))
    .onConflict((oc) =>
      oc.columns(['team_id', 'payment_id']).doUpdateSet({ stripe_invoice_id: stripeInvoiceId }),
    )
    .execute();
}

/** Our invoice number for the first of these payments that paid a Stripe invoice we recorded. */
export async function invoiceNumberForPayments(
  db: Queryable,
  teamId: string,
  paymentIds: readonly string[],
): Promise<string | null> {
  if (paymentIds.length === 0) return null;
  const row = await db
    .selectFrom('stripe_payments')
    .innerJoin('stripe_objects', (j) =>
      j
        .onRef('stripe_objects.team_id', '=', 'stripe_payments.team_id')
        .onRef('stripe_objects.object_id', '=', 'stripe_payments.stripe_invoice_id'),
    )
    .select('stripe_objects.invoice_number')
    .where('stripe_payments.team_id', '=', teamId)
    .where('stripe_payments.payment_id', 'in', [...paymentIds])
    .where('stripe_objects.invoice_number', 'is not', null)
    .executeTakeFirst();
  return row?.invoice_number ?? null;
}

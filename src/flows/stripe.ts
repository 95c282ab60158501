import type { StripeApi } from '../connectors/stripe/api.ts';
import {
  type CustomerFacts,
  disputeRank,
  disputeReason,
  INVOICE_EVENTS,
  mapStripeInvoice,
  parseWith,
  type StripeDispute,
  type StripeEvent,
  stripeDispute,
  stripeInvoice,
  stripeInvoicePayment,
  stripeToMinor,
} from '../connectors/stripe/map.ts';
import { lockAccount } from '../db/accounts.ts';
import { findInvoicesByNumber, lockInvoice, setInvoiceBalance } from '../db/invoices.ts';
import type { Trx } from '../db/schema.ts';
import { firstSighting } from '../db/seen-requests.ts';
import { advanceStripeObject, invoiceNumberForPayments, linkStripePayments } from '../db/stripe.ts';
import type { Deps } from '../deps.ts';
import type { InvoiceInput } from '../domain/invoice-input.ts';
import { enqueue } from '../outbox/outbox.ts';
import { collectionInvoice, disputeLostPost } from '../views/collections-messages.ts';
import { accountThreadTarget } from './account-thread.ts';
import { applyCollectionUpdate } from './ar-updates.ts';
import { recomputeCreditHold } from './credit-hold.ts';
import { upsertInvoices } from './invoices.ts';
import { settingsFor } from './settings.ts';

export interface StripeDeps extends Pick<Deps, 'config' | 'db' | 'clock'> {
  teamId: string;
  /** Set when STRIPE_API_KEY is: reads a customer's name and metadata. */
  stripeApi: StripeApi | null;
}

export type StripeOutcome =
  | { status: 'applied' | 'duplicate' | 'stale' | 'ignored'; detail: string; invoicesChanged: boolean }
  | { status: 'invalid'; problems: string[] };

type Plan =
  | { kind: 'invoice'; stripeId: string; row: InvoiceInput; rank: number; paymentIds: string[] }
  | { kind: 'payment'; stripeInvoiceId: string; paymentIds: string[] }
  | { kind: 'dispute'; dispute: StripeDispute; closed: boolean }
  | { kind: 'ignored'; reason: string };

const SOURCE = 'Stripe';

/**
 * One verified Stripe event: invoices go through the invoice upsert (pings, payments, credit hold),
 * invoice payments are remembered, disputes open and close on the invoice they paid. Each event
 * applies once (by event id), and an object's older state never overwrites a newer one.
 */
export async function handleStripeEvent(deps: StripeDeps, event: StripeEvent): Promise<StripeOutcome> {
  const planned = await plan(deps, event);
  if ('problems' in planned) return { status: 'invalid', problems: planned.problems };
  if (planned.kind === 'ignored')
    return { status: 'ignored', detail: planned.reason, invoicesChanged: false };
  const now = deps.clock.now();
  const eventAt = new Date(event.created * 1000);
  return deps.db.transaction().execute(async (trx): Promise<StripeOutcome> => {
    if (!(await firstSighting(trx, deps.teamId, `stripe:${event.id}`)))
      return { status: 'duplicate', detail: `event ${event.id} was handled before`, invoicesChanged: false };
    switch (planned.kind) {
      case 'invoice': {
        await linkStripePayments(trx, deps.teamId, planned.stripeId, planned.paymentIds);
        const newer = await advanceStripeObject(trx, deps.teamId, {
          objectId: planned.stripeId,
          eventAt,
          rank: planned.rank,
          invoiceNumber: planned.row.number,
        });
        if (!newer)
          return {
            status: 'stale',
            detail: `a newer state of ${planned.stripeId} was applied`,
            invoicesChanged: false,
          };
        const result = await upsertInvoices(deps, trx, deps.teamId, [planned.row], now);
        return {
          status: 'applied',
          detail: `invoice ${planned.row.number}`,
          invoicesChanged: result.created + result.updated > 0,
        };
      }
      case 'payment':
        await linkStripePayments(trx, deps.teamId, planned.stripeInvoiceId, planned.paymentIds);
        return { status: 'applied', detail: `payment of ${planned.stripeInvoiceId}`, invoicesChanged: false };
      case 'dispute':
        return applyDispute(deps, trx, planned.dispute, planned.closed, eventAt, now);
    }
  });
}

async function plan(deps: StripeDeps, event: StripeEvent): Promise<Plan | { problems: string[] }> {
  const object = event.data.object;
  if ((INVOICE_EVENTS as readonly string[]).includes(event.type)) {
    const parsed = parseWith(stripeInvoice, object, 'data.object');
    if (!parsed.ok) return { problems: parsed.problems };
    const invoice = parsed.value;
    let customer: CustomerFacts | null = null;
    if (deps.stripeApi && invoice.customer && !invoice.metadata?.crm_account_id)
      customer = await deps.stripeApi.customer(invoice.customer);
    const mapped = mapStripeInvoice(
      invoice,
      customer,
      (await settingsFor(deps, deps.teamId)).BUSINESS_TIMEZONE,
    );
    if (mapped.kind === 'invalid') return { problems: mapped.problems };
    if (mapped.kind === 'ignored') return { kind: 'ignored', reason: mapped.reason };
    return {
      kind: 'invoice',
      stripeId: invoice.id,
      row: mapped.row,
      rank: mapped.rank,
      paymentIds: mapped.paymentIds,
    };
  }
  if (event.type === 'invoice_payment.paid') {
    const parsed = parseWith(stripeInvoicePayment, object, 'data.object');
    if (!parsed.ok) return { problems: parsed.problems };
    return { kind: 'payment', stripeInvoiceId: parsed.value.invoice, paymentIds: parsed.value.payment };
  }
  if (event.type === 'charge.dispute.created' || event.type === 'charge.dispute.closed') {
    const parsed = parseWith(stripeDispute, object, 'data.object');
    if (!parsed.ok) return { problems: parsed.problems };
    return { kind: 'dispute', dispute: parsed.value, closed: event.type === 'charge.dispute.closed' };
  }
  return { kind: 'ignored', reason: `${event.type} is not an event AR Bridge uses` };
}

/**
 * A chargeback on a payment of one of our invoices: opened, it pings the rep as an AR dispute does;
 * won, it is resolved; lost, it is resolved and the disputed amount is open again.
 */
async function applyDispute(
  deps: StripeDeps,
  trx: Trx,
  dispute: StripeDispute,
  closed: boolean,
  eventAt: Date,
  now: Date,
): Promise<StripeOutcome> {
  const paymentIds = [dispute.payment_intent, dispute.charge].filter(
    (v): v is string => typeof v === 'string',
  );
  const number = await invoiceNumberForPayments(trx, deps.teamId, paymentIds);
  const invoice = number === null ? undefined : (await findInvoicesByNumber(trx, deps.teamId, [number]))[0];
  if (!invoice)
    return {
      status: 'ignored',
      detail: `dispute ${dispute.id}: no invoice of ours was paid by ${paymentIds.join(' or ') || 'its payment'}`,
      invoicesChanged: false,
    };
  const newer = await advanceStripeObject(trx, deps.teamId, {
    objectId: dispute.id,
    eventAt,
    rank: closed ? disputeRank(dispute.status) : 1,
  });
  if (!newer)
    return { status: 'stale', detail: `dispute ${dispute.id} is already closed`, invoicesChanged: false };
  const currency = dispute.currency.toUpperCase();
  const disputed = stripeToMinor(dispute.amount, currency) ?? 0;
  await applyCollectionUpdate(
    deps,
    trx,
    {
      teamId: deps.teamId,
      authorUserId: null,
      via: SOURCE,
      sourceKey: `stripe:${dispute.id}:${closed ? 'closed' : 'opened'}`,
      kind: closed ? 'dispute_resolved' : 'dispute_opened',
      accountId: invoice.account_id,
      invoiceId: invoice.id,
      note: closed
        ? `Stripe dispute ${dispute.id} closed: ${dispute.status}.`
        : `Stripe dispute ${dispute.id} (chargeback) for ${dispute.amount} in ${currency} minor units: ${dispute.reason}.`,
      promiseDate: null,
      disputeReason: closed ? null : disputeReason(dispute.reason),
      amountCents: null,
    },
    now,
  );
  if (closed && dispute.status === 'lost') await reopenLost(deps, trx, invoice.id, disputed, dispute.id, now);
  return { status: 'applied', detail: `dispute ${dispute.id} on ${invoice.number}`, invoicesChanged: closed };
}

/** The customer got the disputed amount back: that much of the invoice is owed again. */
async function reopenLost(
  deps: StripeDeps,
  trx: Trx,
  invoiceId: number,
  disputedCents: number,
  disputeId: string,
  now: Date,
): Promise<void> {
  const inv = await lockInvoice(trx, deps.teamId, invoiceId);
  const account = await lockAccount(trx, deps.teamId, inv.account_id);
  const balance = Math.min(inv.amount_cents, inv.balance_cents + disputedCents);
  await setInvoiceBalance(trx, inv.id, { balance_cents: balance, status: 'open', paid_at: null });
  await enqueue(trx, {
    teamId: deps.teamId,
    dedupeKey: `stripe:${disputeId}:lost`,
    target: await accountThreadTarget(trx, account),
    message: disputeLostPost({
      accountName: account.name,
      repUserId: account.owner_user_id,
      invoice: collectionInvoice({ ...inv, balance_cents: balance }),
      reversedCents: balance - inv.balance_cents,
      via: SOURCE,
    }),
  });
  await recomputeCreditHold(deps, trx, [account.id], now);
}

import { insertCollectionUpdate } from '../db/collection-updates.ts';
import { type LinkedInvoice, linkedInvoices } from '../db/first-invoices.ts';
import { getInvoiceWithAccount } from '../db/invoices.ts';
import type { Trx } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { type FirstInvoiceFacts, firstInvoicePlan } from '../domain/first-invoice.ts';
import { currentFields } from '../domain/handoff.ts';
import { enqueue, enqueueMany, type NewNotification } from '../outbox/outbox.ts';
import { firstInvoiceDm, firstInvoiceSentPost } from '../views/first-invoice.ts';
import { section } from '../views/text.ts';
import { accountThreadTarget } from './account-thread.ts';
import { isArStaffIn } from './settings.ts';

/** The dedupe key of the DM about a deal's first invoice: one per deal, whatever the source. */
export const firstInvoiceKey = (dealId: number) => `first-invoice:${dealId}`;

function factsOf(inv: LinkedInvoice): FirstInvoiceFacts {
  return {
    number: inv.number,
    amountCents: inv.amountCents,
    currency: inv.currency,
    dueOn: inv.dueOn,
    url: inv.url,
    accountName: inv.accountName,
    accountDomain: inv.accountDomain,
    fields: currentFields(
      { currency: inv.dealCurrency, prefill: inv.dealPrefill },
      inv.handoffFields === null ? undefined : { fields: inv.handoffFields },
    ),
  };
}

/**
 * After invoices arrive (API, CSV, a connector): each deal whose first invoice is among them and
 * carries a link gets one DM to its rep, asking them to send it from their own mailbox. Queued in
 * the caller's transaction; the per-deal dedupe key keeps it to one whatever comes later.
 */
export async function queueFirstInvoiceDms(
  trx: Trx,
  teamId: string,
  numbers: readonly string[],
): Promise<void> {
  const firsts = (await linkedInvoices(trx, teamId, { numbers })).filter((inv) => inv.isFirst);
  const dms = firsts.map((inv): NewNotification => {
    const facts = factsOf(inv);
    const number = facts.number.replace(/[<>&]/g, '');
    return {
      teamId,
      dedupeKey: firstInvoiceKey(inv.dealId),
      target: {
        kind: 'deal_owner',
        dealId: inv.dealId,
        fallback: {
          channel: null,
          message: {
            text: `📨 The first invoice ${number} is out, but no rep could be found to send it.`,
            blocks: [
              section(`📨 The first invoice *${number}* is out, but no rep could be found to forward it.`),
            ],
          },
        },
      },
      message: firstInvoiceDm({ invoiceId: inv.invoiceId, facts, plan: firstInvoicePlan(facts), sent: null }),
    };
  });
  await enqueueMany(trx, dms);
}

export type FirstInvoiceSentResult =
  | { status: 'not_found' }
  | { status: 'not_yours'; ownerUserId: string }
  | { status: 'done' };

/**
 * "Sent it" on the first-invoice DM: logged once as a `contacted` update, posted in the account's
 * thread, and the DM is updated to say so (its button goes).
 */
export async function markFirstInvoiceSent(
  deps: Pick<Deps, 'db' | 'config' | 'clock' | 'notify'>,
  r: { teamId: string; userId: string; invoiceId: number },
): Promise<FirstInvoiceSentResult> {
  const [inv] = await linkedInvoices(deps.db, r.teamId, { id: r.invoiceId });
  const found = await getInvoiceWithAccount(deps.db, r.teamId, r.invoiceId);
  if (!inv || !found) return { status: 'not_found' };
  const owner = inv.ownerUserId;
  if (owner !== null && owner !== r.userId && !(await isArStaffIn(deps, r.teamId, r.userId)))
    return { status: 'not_yours', ownerUserId: owner };
  const facts = factsOf(inv);
  const plan = firstInvoicePlan(facts);
  const now = deps.clock.now();
  const logged = await deps.db.transaction().execute(async (trx) => {
    const id = await insertCollectionUpdate(trx, {
      team_id: r.teamId,
      account_id: inv.accountId,
      invoice_id: inv.invoiceId,
      author_user_id: r.userId,
      kind: 'contacted',
      note: `Sent the first invoice from their own mailbox${plan.apEmail ? ` to ${plan.apEmail}` : ''}.`,
      source_key: `first-invoice-sent:${inv.invoiceId}`,
      created_at: now,
    });
    if (id === undefined) return false;
    await enqueue(trx, {
      teamId: r.teamId,
      dedupeKey: `update:${id}`,
      target: await accountThreadTarget(trx, found.account),
      message: firstInvoiceSentPost({ repUserId: r.userId, number: inv.number, apEmail: plan.apEmail }),
    });
    await enqueue(trx, {
      teamId: r.teamId,
      dedupeKey: `${firstInvoiceKey(inv.dealId)}:sent`,
      target: { kind: 'update', of: firstInvoiceKey(inv.dealId) },
      message: firstInvoiceDm({
        invoiceId: inv.invoiceId,
        facts,
        plan,
        sent: { byUserId: r.userId, at: now },
      }),
    });
    return true;
  });
  if (logged) deps.notify();
  return { status: 'done' };
}

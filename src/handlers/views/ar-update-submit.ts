import type { Deps } from '../../deps.ts';
import { KIND_NEEDS_INVOICE } from '../../domain/collections.ts';
import { dayIn } from '../../domain/dates.ts';
import { decimalToMinor } from '../../domain/decimal.ts';
import { formatMoney } from '../../domain/money.ts';
import { isArStaff } from '../../domain/permissions.ts';
import { applyCollectionUpdate } from '../../flows/ar-updates.ts';
import { readArUpdateState } from '../../views/ar-update-modal.ts';
import { noticeModal } from '../../views/common.ts';
import type { ViewArgs } from '../args.ts';

/**
 * Logs an AR collection update. Only the fields that apply to the kind are required; problems are
 * shown inline and nothing is logged until they are fixed.
 */
export function arUpdateSubmit(deps: Deps) {
  return async function arUpdateSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const teamId = context.teamId;
    if (!isArStaff(deps.config, body.user.id)) {
      await ack({
        response_action: 'update',
        view: noticeModal('AR only', 'Collection updates are for the AR team.'),
      });
      return;
    }
    const s = readArUpdateState(view.state.values as Record<string, Record<string, unknown>>);
    const now = deps.clock.now();
    const today = dayIn(deps.config.BUSINESS_TIMEZONE, now);
    const errors: Record<string, string> = {};
    if (!s.target) errors.target = 'Pick the invoice or account this update is about.';
    if (!s.kind) errors.kind = 'What kind of update is this?';
    const needsInvoice = s.kind !== null && KIND_NEEDS_INVOICE[s.kind];
    if (needsInvoice && s.target?.type === 'account')
      errors.target = 'This kind of update is about one invoice: pick the invoice.';

    const invoice =
      s.target?.type === 'invoice'
        ? await deps.db
            .selectFrom('invoices')
            .selectAll()
            .where('team_id', '=', teamId)
            .where('id', '=', s.target.id)
            .executeTakeFirst()
        : undefined;
    const accountId =
      s.target?.type === 'account'
        ? (
            await deps.db
              .selectFrom('accounts')
              .select('id')
              .where('team_id', '=', teamId)
              .where('id', '=', s.target.id)
              .executeTakeFirst()
          )?.id
        : invoice?.account_id;
    if (s.target && accountId === undefined) errors.target = 'That invoice or account no longer exists.';

    if (s.kind === 'promise_to_pay') {
      if (!s.promiseDate) errors.promise_date = 'When did the customer promise to pay?';
      else if (s.promiseDate < today) errors.promise_date = 'A promise to pay is for today or later.';
    }
    if (s.kind === 'dispute_opened' && !s.disputeReason)
      errors.dispute_reason = 'Why is the customer disputing it?';
    if (s.kind === 'dispute_opened' && invoice?.dispute_state === 'open')
      errors.kind = 'This invoice already has an open dispute.';
    if (s.kind === 'dispute_resolved' && invoice && invoice.dispute_state !== 'open')
      errors.kind = 'This invoice has no open dispute.';
    let amountCents: number | null = null;
    if (s.kind === 'payment_received') {
      amountCents = invoice ? decimalToMinor(s.amountText ?? '', invoice.currency) : null;
      if (!s.amountText) errors.amount = 'How much was paid?';
      else if (invoice && (amountCents === null || amountCents <= 0))
        errors.amount = `Enter an amount in ${invoice.currency}, for example 1250.00.`;
      else if (invoice && amountCents !== null && amountCents > invoice.balance_cents) {
        errors.amount = `That is more than the open balance of ${formatMoney(invoice.balance_cents, invoice.currency)}.`;
      }
    }
    if (invoice && invoice.status !== 'open' && needsInvoice)
      errors.target = `${invoice.number} is ${invoice.status}, not open.`;
    if (Object.keys(errors).length > 0 || !s.kind || accountId === undefined) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const kind = s.kind;
    await deps.db.transaction().execute((trx) =>
      applyCollectionUpdate(
        deps,
        trx,
        {
          teamId,
          authorUserId: body.user.id,
          accountId,
          invoiceId: invoice?.id ?? null,
          kind,
          note: s.note,
          promiseDate: kind === 'promise_to_pay' ? s.promiseDate : null,
          disputeReason: kind === 'dispute_opened' ? s.disputeReason : null,
          amountCents,
          sourceKey: `view:${view.id}`,
        },
        now,
      ),
    );
    await ack();
    deps.notify();
  };
}

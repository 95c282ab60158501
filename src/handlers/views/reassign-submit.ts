import { getDealContext, lockDeal } from '../../db/deals.ts';
import type { Deps } from '../../deps.ts';
import { currentFields, missingFields } from '../../domain/handoff.ts';
import { mayEditHandoff } from '../../domain/permissions.ts';
import { enqueue } from '../../outbox/outbox.ts';
import { noticeModal } from '../../views/common.ts';
import { dealReassignedDm } from '../../views/handoff-messages.ts';
import type { ViewArgs } from '../args.ts';
import { dealIdFromMetadata } from './intake-submit.ts';

/**
 * Moves the deal to the chosen rep: reminders start over for them, the old owner's pending
 * reminders become moot, and the new owner gets a DM with the handoff button.
 */
export function reassignSubmit(deps: Deps) {
  return async function reassignSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const dealId = dealIdFromMetadata(view.private_metadata);
    const values = view.state.values as Record<string, Record<string, { selected_user?: string | null }>>;
    const newOwner = values.new_owner?.value?.selected_user ?? null;
    if (dealId === null) {
      await ack({
        response_action: 'update',
        view: noticeModal('Something is off', 'Please open this again from the message.'),
      });
      return;
    }
    if (!newOwner) {
      await ack({ response_action: 'errors', errors: { new_owner: 'Choose the rep who owns this deal.' } });
      return;
    }
    if (newOwner === body.user.id || newOwner === deps.botUserId) {
      await ack({
        response_action: 'errors',
        errors: { new_owner: 'Choose someone else: the rep who owns this deal.' },
      });
      return;
    }
    const teamId = context.teamId;
    const outcome = await deps.db.transaction().execute(async (trx) => {
      const locked = await lockDeal(trx, teamId, dealId);
      const ctx = locked && (await getDealContext(trx, teamId, dealId));
      if (!ctx) return 'not_found' as const;
      if (ctx.deal.owner_user_id === newOwner) return 'done' as const;
      if (!mayEditHandoff(deps.config, body.user.id, ctx.deal)) return 'forbidden' as const;
      const dmKey = `deal:${dealId}:reassigned:${view.id}`;
      await trx
        .updateTable('deals')
        .set({
          owner_user_id: newOwner,
          owner_email: null,
          nags_sent: 0,
          last_nag_at: null,
          snoozed_until: null,
          nag_escalated_at: null,
          nag_cycle: ctx.deal.nag_cycle + 1,
          dm_key: dmKey,
        })
        .where('id', '=', dealId)
        .execute();
      await trx
        .updateTable('accounts')
        .set({ owner_user_id: newOwner })
        .where('id', '=', ctx.account.id)
        .where((eb) =>
          eb.or([eb('owner_user_id', 'is', null), eb('owner_user_id', '=', ctx.deal.owner_user_id)]),
        )
        .execute();
      await enqueue(trx, {
        teamId,
        dedupeKey: dmKey,
        target: { kind: 'user', userId: newOwner },
        message: dealReassignedDm({
          dealId,
          dealName: ctx.deal.name,
          accountName: ctx.account.name,
          amountCents: ctx.deal.amount_cents,
          currency: ctx.deal.currency,
          fromUserId: body.user.id,
          missing: missingFields(currentFields(ctx.deal, ctx.handoff)),
        }),
      });
      deps.logger.info(
        { dealId, from: ctx.deal.owner_user_id, to: newOwner, by: body.user.id },
        'deal reassigned',
      );
      return 'moved' as const;
    });
    if (outcome === 'forbidden') {
      await ack({
        response_action: 'update',
        view: noticeModal('Not your deal', 'This deal belongs to someone else.'),
      });
      return;
    }
    if (outcome === 'not_found') {
      await ack({
        response_action: 'update',
        view: noticeModal('Deal not found', 'That deal no longer exists.'),
      });
      return;
    }
    await ack({
      response_action: 'update',
      view: noticeModal(
        'Passed on',
        `Done: <@${newOwner}> now owns this deal and has been asked for the billing handoff.`,
      ),
    });
    deps.notify();
  };
}

import { upsertAccount } from '../../db/accounts.ts';
import { getDealContext, insertDeal } from '../../db/deals.ts';
import type { Deps } from '../../deps.ts';
import { decimalToMinor } from '../../domain/decimal.ts';
import { intakeViewFor } from '../../flows/handoff.ts';
import type { ViewArgs } from '../args.ts';

type Values = Record<
  string,
  Record<
    string,
    { value?: string | null; selected_option?: { value: string } | null; selected_date?: string | null }
  >
>;

/** A deal entered by the rep in Slack: created, owned by them, and the intake follows in the same modal. */
export function newDealSubmit(deps: Deps) {
  return async function newDealSubmitListener({ ack, body, view, context }: ViewArgs): Promise<void> {
    const values = view.state.values as Values;
    const name = values.deal_name?.value?.value?.trim() ?? '';
    const accountName = values.account_name?.value?.value?.trim() ?? '';
    const currency = values.currency?.value?.selected_option?.value ?? 'USD';
    const amountText = values.amount?.value?.value ?? '';
    const closedOn = values.closed_on?.value?.selected_date ?? null;
    const amount = decimalToMinor(amountText, currency);
    const errors: Record<string, string> = {};
    if (!name) errors.deal_name = 'Give the deal a name.';
    if (!accountName) errors.account_name = 'Which customer is this deal with?';
    if (amount === null || amount < 0)
      errors.amount = `Enter the amount in ${currency}, for example 48000.00.`;
    if (!closedOn || !/^\d{4}-\d{2}-\d{2}$/.test(closedOn))
      errors.closed_on = 'Pick the day the deal closed.';
    else if (new Date(`${closedOn}T00:00:00Z`).getTime() > deps.clock.now().getTime() + 86_400_000)
      errors.closed_on = 'A closed deal cannot close in the future.';
    if (Object.keys(errors).length > 0 || amount === null) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const teamId = context.teamId;
    const userId = body.user.id;
    const dealId = await deps.db.transaction().execute(async (trx) => {
      const account = await upsertAccount(trx, teamId, {
        crmId: null,
        name: accountName,
        ownerUserId: userId,
      });
      const { deal } = await insertDeal(trx, {
        team_id: teamId,
        crm_id: `slack:${view.id}`,
        account_id: account.id,
        name,
        amount_cents: amount,
        currency,
        closed_at: new Date(`${closedOn}T12:00:00Z`),
        owner_user_id: userId,
        owner_email: null,
        prefill: '{}',
        source: 'slack',
      });
      return deal.id;
    });
    const ctx = await getDealContext(deps.db, teamId, dealId);
    if (!ctx) throw new Error(`deal ${dealId} vanished right after it was created`);
    await ack({ response_action: 'update', view: intakeViewFor(deps, ctx) });
  };
}

import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { creditHoldReasons } from '../domain/collections.ts';
import { dayIn } from '../domain/dates.ts';
import { enqueueMany, type NewNotification } from '../outbox/outbox.ts';
import { creditHoldPost } from '../views/collections-messages.ts';

/**
 * Recomputes credit hold for these accounts and queues one thread post per transition (on or off).
 * Runs inside the transaction that changed their invoices, so a hold never lags the data.
 */
export async function recomputeCreditHold(
  deps: Pick<Deps, 'config'>,
  trx: Transaction<Database>,
  accountIds: readonly number[],
  now: Date,
): Promise<number> {
  if (accountIds.length === 0) return 0;
  const today = dayIn(deps.config.BUSINESS_TIMEZONE, now);
  let transitions = 0;
  for (let i = 0; i < accountIds.length; i += 1_000) {
    const ids = accountIds.slice(i, i + 1_000);
    const accounts = await trx
      .selectFrom('accounts')
      .select([
        'id',
        'team_id',
        'name',
        'owner_user_id',
        'credit_hold',
        'credit_hold_changes',
        'credit_limit_cents',
        'credit_limit_currency',
      ])
      .where('id', 'in', ids)
      .forUpdate()
      .execute();
    const invoices = await trx
      .selectFrom('invoices')
      .select(['account_id', 'number', 'balance_cents', 'currency', 'due_on'])
      .where('account_id', 'in', ids)
      .where('status', '=', 'open')
      .execute();
    const byAccount = Map.groupBy(invoices, (inv) => inv.account_id);
    const changes: Array<{ id: number; on: boolean; change: number }> = [];
    const posts: NewNotification[] = [];
    for (const account of accounts) {
      const reasons = creditHoldReasons(
        {
          openInvoices: (byAccount.get(account.id) ?? []).map((inv) => ({
            number: inv.number,
            balanceCents: inv.balance_cents,
            currency: inv.currency,
            dueOn: inv.due_on,
          })),
          creditLimitCents: account.credit_limit_cents,
          creditLimitCurrency: account.credit_limit_currency,
        },
        today,
        { creditHoldDays: deps.config.CREDIT_HOLD_DAYS },
      );
      const on = reasons.length > 0;
      if (on === account.credit_hold) continue;
      const change = account.credit_hold_changes + 1;
      changes.push({ id: account.id, on, change });
      posts.push({
        teamId: account.team_id,
        dedupeKey: `credithold:${account.id}:${change}:${on ? 'on' : 'off'}`,
        target: { kind: 'account_thread', accountId: account.id, channel: deps.config.FINANCE_CHANNEL_ID },
        message: creditHoldPost({ accountName: account.name, repUserId: account.owner_user_id, on, reasons }),
      });
    }
    for (const on of [true, false]) {
      const ids = changes.filter((c) => c.on === on).map((c) => c.id);
      if (ids.length === 0) continue;
      await trx
        .updateTable('accounts')
        .set((eb) => ({
          credit_hold: on,
          credit_hold_since: on ? now : null,
          credit_hold_changes: eb('credit_hold_changes', '+', 1),
          updated_at: new Date(),
        }))
        .where('id', 'in', ids)
        .execute();
    }
    await enqueueMany(trx, posts);
    transitions += changes.length;
  }
  return transitions;
}

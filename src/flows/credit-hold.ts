import { lockCreditHoldStates, setCreditHold } from '../db/accounts.ts';
import { lateOwingInvoicesOf, type OwingInvoice, owingCentsOf } from '../db/invoices.ts';
import type { Trx } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { type CreditHoldPolicy, creditHoldReasons, holdLine } from '../domain/collections.ts';
import { dayIn } from '../domain/dates.ts';
import { enqueueMany, type NewNotification } from '../outbox/outbox.ts';
import { CREDIT_HOLD_REASONS_SHOWN, creditHoldPost } from '../views/collections-messages.ts';
import { accountThread } from './account-thread.ts';
import { settingsFor } from './settings.ts';

/** Accounts per round (what is read of them is held in memory meanwhile): an API batch's in one. */
const CHUNK = 2_000;

/** A workspace's rules for credit hold at `now`: its day, its policy, and the hold line (due on or before it is late enough). */
export async function holdRules(
  deps: Pick<Deps, 'config' | 'db'>,
  trx: Trx,
  teamId: string,
  now: Date,
): Promise<{ today: string; policy: CreditHoldPolicy; line: string }> {
  const settings = await settingsFor(deps, teamId, trx);
  const today = dayIn(settings.BUSINESS_TIMEZONE, now);
  const policy = { creditHoldDays: settings.CREDIT_HOLD_DAYS };
  return { today, policy, line: holdLine(today, policy) };
}

/**
 * Recomputes credit hold for these accounts and queues one thread post per transition (on or off).
 * Runs inside the transaction that changed their invoices, so a hold never lags the data.
 */
export async function recomputeCreditHold(
  deps: Pick<Deps, 'config' | 'db'>,
  trx: Trx,
  accountIds: readonly number[],
  now: Date,
): Promise<number> {
  let transitions = 0;
  // The workspace's day and hold line, worked out once per workspace (the same `now` for all).
  const rulesOf = new Map<string, { today: string; policy: CreditHoldPolicy; line: string }>();
  for (let i = 0; i < accountIds.length; i += CHUNK) {
    const ids = accountIds.slice(i, i + CHUNK);
    const accounts = await lockCreditHoldStates(trx, ids);
    const weighed = [];
    for (const account of accounts) {
      let rules = rulesOf.get(account.team_id);
      if (!rules) {
        rules = await holdRules(deps, trx, account.team_id, now);
        rulesOf.set(account.team_id, rules);
      }
      weighed.push({ account, ...rules });
    }
    // Only what can decide: the invoices late enough, and the balance in the credit limit's currency.
    // A post lists the oldest reasons and counts the rest: only those are read, and the count.
    const late = new Map<number, OwingInvoice[]>();
    const lateCounts = new Map<number, number>();
    for (const [line, same] of Map.groupBy(weighed, (w) => w.line)) {
      const { invoices, counts } = await lateOwingInvoicesOf(
        trx,
        same.map((w) => w.account.id),
        line,
        CREDIT_HOLD_REASONS_SHOWN,
      );
      for (const inv of invoices) {
        const listed = late.get(inv.account_id);
        if (listed) listed.push(inv);
        else late.set(inv.account_id, [inv]);
      }
      for (const [id, n] of counts) lateCounts.set(id, n);
    }
    const owing = await owingCentsOf(
      trx,
      accounts.flatMap((a) =>
        a.credit_limit_cents !== null && a.credit_limit_currency !== null
          ? [{ accountId: a.id, currency: a.credit_limit_currency }]
          : [],
      ),
    );
    const changes: Array<{
      account: (typeof accounts)[number];
      on: boolean;
      reasons: ReturnType<typeof creditHoldReasons>;
      listed: number;
    }> = [];
    for (const { account, today, policy } of weighed) {
      const listed = late.get(account.id) ?? [];
      const reasons = creditHoldReasons(
        {
          openInvoices: listed.map((inv) => ({
            number: inv.number,
            balanceCents: inv.balance_cents,
            currency: inv.currency,
            dueOn: inv.due_on,
          })),
          creditLimitCents: account.credit_limit_cents,
          creditLimitCurrency: account.credit_limit_currency,
          owingInLimitCurrency: owing.get(account.id) ?? 0,
        },
        today,
        policy,
      );
      const on = reasons.length > 0;
      if (on !== account.credit_hold) changes.push({ account, on, reasons, listed: listed.length });
    }
    // The database sets the holds while the posts are written (and is awaited even if writing fails).
    const setting = Promise.all(
      [true, false].map((on) =>
        setCreditHold(
          trx,
          changes.filter((c) => c.on === on).map((c) => c.account.id),
          on,
          now,
        ),
      ),
    );
    let posts: NewNotification[];
    try {
      posts = changes.map(
        ({ account, on, reasons, listed }): NewNotification => ({
          teamId: account.team_id,
          dedupeKey: `credithold:${account.id}:${account.credit_hold_changes + 1}:${on ? 'on' : 'off'}`,
          target: accountThread(account),
          message: creditHoldPost({
            accountName: account.name,
            repUserId: account.owner_user_id,
            on,
            reasons,
            moreReasons: (lateCounts.get(account.id) ?? 0) - listed,
          }),
        }),
      );
    } finally {
      await setting;
    }
    await enqueueMany(trx, posts);
    transitions += changes.length;
  }
  return transitions;
}

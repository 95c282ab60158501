import type { WebClient } from '@slack/web-api';
import { getAccount, setAccountThread } from '../db/accounts.ts';
import { releaseUnreachableDeal } from '../db/deals.ts';
import type { Deps } from '../deps.ts';
import { enqueue } from '../outbox/outbox.ts';
import type { DeliverySteps } from '../outbox/steps.ts';
import { createOutboxWorker, type OutboxWorker, type WorkerOptions } from '../outbox/worker.ts';
import { threadRootNotification } from './account-thread.ts';
import { reportNoFinanceChannel, reportUndeliverable } from './delivery-notices.ts';
import { renderHome } from './home.ts';
import { resolveDealOwner } from './ownership.ts';
import { settingsFor } from './settings.ts';

type DeliveryDeps = Pick<Deps, 'db' | 'config' | 'clock' | 'logger'>;

/** The flow steps delivery runs: the owner looked up by email, thread roots, App Home renders. */
export function deliverySteps(deps: DeliveryDeps, client: WebClient): DeliverySteps {
  return {
    dealOwner: (teamId, dealId) => resolveDealOwner({ db: deps.db, slack: client }, teamId, dealId),
    ownerUnreachable: (dealId, dmKey) => releaseUnreachableDeal(deps.db, dealId, dmKey),
    threadStarted: async (trx, accountId, channel, ts) => {
      await setAccountThread(trx, accountId, channel, ts);
    },
    threadRootNeeded: async (teamId, accountId) => {
      const account = await getAccount(deps.db, teamId, accountId);
      if (!account) return false;
      return Boolean(account.thread_ts) || enqueue(deps.db, threadRootNotification(account));
    },
    financeChannel: async (teamId) => {
      const channel = (await settingsFor(deps, teamId)).FINANCE_CHANNEL_ID ?? null;
      if (channel === null) await reportNoFinanceChannel(deps, teamId);
      return channel;
    },
    renderHome: (teamId, userId) => renderHome({ ...deps, slack: client }, teamId, userId),
    undeliverable: async (row, failure) => {
      await reportUndeliverable(deps, { teamId: row.team_id, dedupeKey: row.dedupe_key }, failure);
    },
  };
}

/**
 * The outbox worker as the app and `npm run sweep` run it. `client` is a delivery client
 * (src/slack/client.ts): it rejects rate-limited calls so that the worker schedules the retry.
 */
export function createDeliveryWorker(
  deps: DeliveryDeps,
  client: WebClient,
  options?: WorkerOptions,
): OutboxWorker {
  return createOutboxWorker(
    { db: deps.db, client, logger: deps.logger, steps: deliverySteps(deps, client) },
    options,
  );
}

import type { WebClient } from '@slack/web-api';
import { getAccount, setAccountThread } from '../db/accounts.ts';
import { releaseUnreachableDeal } from '../db/deals.ts';
import type { Deps } from '../deps.ts';
import { enqueue } from '../outbox/outbox.ts';
import type { DeliverySteps } from '../outbox/steps.ts';
import {
  createOutboxWorker,
  type DeliveryClients,
  type OutboxWorker,
  oneClient,
  type WorkerOptions,
} from '../outbox/worker.ts';
import { WorkspaceNotInstalled, type Workspaces } from '../slack/workspaces.ts';
import { threadRootNotification } from './account-thread.ts';
import { reportNoFinanceChannel, reportUndeliverable } from './delivery-notices.ts';
import { renderHome } from './home.ts';
import { resolveDealOwner } from './ownership.ts';
import { settingsFor } from './settings.ts';

type DeliveryDeps = Pick<Deps, 'db' | 'config' | 'clock' | 'logger'>;

/** The flow steps delivery runs: the owner looked up by email, thread roots, App Home renders. */
export function deliverySteps(
  deps: DeliveryDeps,
  clients: DeliveryClients,
  workspaces?: Workspaces,
): DeliverySteps {
  return {
    dealOwner: async (teamId, dealId) => {
      const slack = await clients.clientFor(teamId);
      if (!slack) throw new WorkspaceNotInstalled(teamId);
      return resolveDealOwner({ db: deps.db, slack }, teamId, dealId);
    },
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
      if (channel === null) await reportNoFinanceChannel(workspaces ? { ...deps, workspaces } : deps, teamId);
      return channel;
    },
    renderHome: (teamId, userId) => renderHome(workspaces ? { ...deps, workspaces } : deps, teamId, userId),
    undeliverable: async (row, failure) => {
      await reportUndeliverable(
        workspaces ? { ...deps, workspaces } : deps,
        { teamId: row.team_id, dedupeKey: row.dedupe_key },
        failure,
      );
    },
  };
}

/** Each row's workspace's delivery client; in multi-workspace mode, rows of installed workspaces only. */
export function workspaceClients(workspaces: Workspaces): DeliveryClients {
  return {
    perWorkspace: workspaces.multi,
    teams: async () => (workspaces.multi ? workspaces.teamIds() : undefined),
    async clientFor(teamId) {
      try {
        return await workspaces.slackFor(teamId, 'delivery');
      } catch (error) {
        if (error instanceof WorkspaceNotInstalled) return null;
        throw error;
      }
    },
  };
}

/**
 * The outbox worker as the app and `npm run sweep` run it: with the workspaces' delivery clients
 * (src/slack/client.ts; they reject rate-limited calls so that the worker schedules the retry), or
 * with one such client for every row.
 */
export function createDeliveryWorker(
  deps: DeliveryDeps,
  slack: WebClient | Workspaces,
  options?: WorkerOptions,
): OutboxWorker {
  const workspaces = 'slackFor' in slack ? slack : undefined;
  const clients = workspaces ? workspaceClients(workspaces) : oneClient(slack as WebClient);
  return createOutboxWorker(
    { db: deps.db, clients, logger: deps.logger, steps: deliverySteps(deps, clients, workspaces) },
    options,
  );
}

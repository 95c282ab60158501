import { type AnyMiddlewareArgs, App, type AppOptions, type CodedError } from '@slack/bolt';
import type { Deps } from './deps.ts';
import type { ArBridgeApp } from './handlers/args.ts';
import { registerHandlers } from './handlers/index.ts';
import { acknowledgeUnhandled } from './handlers/middleware/answer.ts';
import { dedupeEvents } from './handlers/middleware/dedupe-events.ts';
import { type WorkspaceContext, workspace } from './handlers/middleware/workspace.ts';
import { installerOptions } from './http/install-pages.ts';
import { customRoutes } from './http/routes.ts';
import { GuardedHTTPReceiver } from './http/slack-receiver.ts';
import { workspaceOfRequest } from './http/workspace-of.ts';
import { boltLogger } from './log.ts';
import { slackClientOptions } from './slack/client.ts';
import { BOT_SCOPES } from './slack/scopes.ts';
import { installationStore } from './slack/workspaces.ts';

/**
 * The Bolt app: HTTP receiver on /slack/events (or Socket Mode when SLACK_APP_TOKEN is set), with
 * the webhooks and health checks as custom routes on the same server. In multi-workspace mode the
 * receiver also serves /slack/install and /slack/oauth_redirect (Bolt's installer, over our
 * InstallationStore), and Bolt's `authorize` gives each request its own workspace's token.
 */
export function createApp(deps: Deps, identity: { botId: string; botUserId: string } | null): ArBridgeApp {
  const { config } = deps;
  const routes = customRoutes({
    config,
    clock: deps.clock,
    db: deps.db,
    databaseKind: deps.databaseKind,
    workspaceOf: workspaceOfRequest(deps.workspaces),
    isServed: (teamId) => deps.workspaces.isInstalled(teamId),
    webhookSecret: config.WEBHOOK_SECRET,
    apiToken: config.API_TOKEN,
    logger: deps.logger,
    onQueued: deps.notify,
    onInvoicesChanged: deps.sweepSoon,
    metrics: deps.metrics,
    slackProblem: deps.slackProblem,
  });
  const logger = boltLogger(deps.logger, 'bolt');
  const common: AppOptions = {
    logger,
    // Bolt builds its clients from these and gives them its own logger.
    clientOptions: slackClientOptions(config, 'interactive'),
    extendedErrorHandler: true,
  };
  const receiverOptions = {
    signingSecret: config.SLACK_SIGNING_SECRET as string,
    port: config.PORT,
    customRoutes: routes,
    logger,
  };
  let app: ArBridgeApp;
  if (deps.workspaces.multi) {
    // With a receiver of its own, Bolt takes the installer settings from the receiver, and its
    // `authorize` from the receiver's installer.
    app = new App<WorkspaceContext>({
      ...common,
      receiver: new GuardedHTTPReceiver({
        ...receiverOptions,
        clientId: config.SLACK_CLIENT_ID,
        clientSecret: config.SLACK_CLIENT_SECRET,
        stateSecret: config.SLACK_STATE_SECRET,
        scopes: [...BOT_SCOPES],
        installationStore: installationStore(config, deps.db, deps.logger, () => deps.notify()),
        installerOptions: installerOptions(config, deps.logger),
      }),
    });
  } else {
    const single = {
      ...common,
      token: config.SLACK_BOT_TOKEN,
      botId: identity?.botId,
      botUserId: identity?.botUserId,
    };
    app = config.SLACK_APP_TOKEN
      ? new App<WorkspaceContext>({
          ...single,
          customRoutes: routes,
          appToken: config.SLACK_APP_TOKEN,
          socketMode: true,
          // The socket client has its own Web API client (apps.connections.open): same base URL.
          installerOptions: {
            // Bolt hands this to server.listen(), which takes { port, host } as well as a port.
            port: (config.HOST ? { port: config.PORT, host: config.HOST } : config.PORT) as number,
            clientOptions: slackClientOptions(config, 'interactive'),
          },
        })
      : new App<WorkspaceContext>({ ...single, receiver: new GuardedHTTPReceiver(receiverOptions) });
  }

  // Bad input and refusals are answered where they happen (inline modal errors, ephemeral replies);
  // whatever reaches here is unexpected, and logged once.
  app.error(async ({ error, body }: { error: CodedError; body: AnyMiddlewareArgs['body'] }) => {
    const original = (error as { original?: unknown }).original ?? error;
    const type = (body as { type?: string } | undefined)?.type;
    deps.logger.error({ err: original, type }, 'Slack listener failed');
  });

  app.use(acknowledgeUnhandled());
  app.use(workspace(deps.workspaces.defaultTeamId));
  app.use(dedupeEvents(deps));
  registerHandlers(app, deps);
  return app;
}

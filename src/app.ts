import { type AnyMiddlewareArgs, App, type AppOptions, type CodedError } from '@slack/bolt';
import type { Deps } from './deps.ts';
import type { ArBridgeApp } from './handlers/args.ts';
import { registerHandlers } from './handlers/index.ts';
import { acknowledgeUnhandled } from './handlers/middleware/answer.ts';
import { dedupeEvents } from './handlers/middleware/dedupe-events.ts';
import { type WorkspaceContext, workspace } from './handlers/middleware/workspace.ts';
import { customRoutes } from './http/routes.ts';
import { GuardedHTTPReceiver } from './http/slack-receiver.ts';
import { boltLogger } from './log.ts';
import { slackClientOptions } from './slack/client.ts';

/**
 * The Bolt app: HTTP receiver on /slack/events (or Socket Mode when SLACK_APP_TOKEN is set), with
 * the webhooks and health checks as custom routes on the same server.
 */
export function createApp(deps: Deps): ArBridgeApp {
  const { config } = deps;
  const routes = customRoutes({
    config,
    clock: deps.clock,
    db: deps.db,
    databaseKind: deps.databaseKind,
    teamId: deps.teamId,
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
    token: config.SLACK_BOT_TOKEN,
    botId: deps.botId,
    botUserId: deps.botUserId,
    logger,
    // Bolt builds its client from these and gives it its own logger.
    clientOptions: slackClientOptions(config, 'interactive'),
    extendedErrorHandler: true,
  };
  const app = config.SLACK_APP_TOKEN
    ? new App<WorkspaceContext>({
        ...common,
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
    : new App<WorkspaceContext>({
        ...common,
        receiver: new GuardedHTTPReceiver({
          signingSecret: config.SLACK_SIGNING_SECRET as string,
          port: config.PORT,
          customRoutes: routes,
          logger,
        }),
      });

  // Bad input and refusals are answered where they happen (inline modal errors, ephemeral replies);
  // whatever reaches here is unexpected, and logged once.
  app.error(async ({ error, body }: { error: CodedError; body: AnyMiddlewareArgs['body'] }) => {
    const original = (error as { original?: unknown }).original ?? error;
    const type = (body as { type?: string } | undefined)?.type;
    deps.logger.error({ err: original, type }, 'Slack listener failed');
  });

  app.use(acknowledgeUnhandled());
  app.use(workspace(deps.teamId));
  app.use(dedupeEvents(deps));
  registerHandlers(app, deps);
  return app;
}

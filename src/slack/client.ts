import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.ts';
import { boltLogger, type Logger } from '../log.ts';

/**
 * What a Web API client is for:
 * - `interactive`: calls made while someone waits (listeners, start-up, the sweeps' look-ups, the
 *   command-line tools): fail fast rather than retry for minutes;
 * - `delivery`: the outbox worker's: no hidden waiting, it schedules its own retries (and honours
 *   Retry-After itself).
 */
export type ClientUse = 'interactive' | 'delivery';

/** The Web API settings for one use: base URL (SLACK_API_URL), retries, timeout and logger. */
export function slackClientOptions(
  config: Pick<Config, 'SLACK_API_URL'>,
  use: ClientUse,
  logger?: Logger,
): WebClientOptions {
  const base: WebClientOptions = {
    slackApiUrl: config.SLACK_API_URL,
    ...(logger ? { logger: boltLogger(logger, 'slack-web-api') } : {}),
  };
  return use === 'interactive'
    ? {
        ...base,
        timeout: 5_000,
        retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 1_000, randomize: true },
      }
    : { ...base, timeout: 10_000, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true };
}

/** The one place a Web API client is built: the app's, the worker's, the sweeps' and the CLIs'. */
export function createSlackClient(
  config: Pick<Config, 'SLACK_BOT_TOKEN' | 'SLACK_API_URL'>,
  use: ClientUse,
  logger: Logger,
): WebClient {
  return new WebClient(config.SLACK_BOT_TOKEN, slackClientOptions(config, use, logger));
}

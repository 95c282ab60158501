import { WebClient, WebClientEvent, type WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.ts';
import { boltLogger, type Logger } from '../log.ts';
import type { DeliveryResult, Metrics } from '../metrics.ts';

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

export type ClientMetrics = Pick<Metrics, 'delivery' | 'rateLimited'>;

/** How a call ended, for a metric label. */
function resultOf(error: unknown): DeliveryResult {
  const code = (error as { code?: string }).code;
  if (code === 'slack_webapi_rate_limited_error') return 'rate_limited';
  if (code === 'slack_webapi_platform_error' || code === 'slack_webapi_http_error') return 'slack_error';
  return 'no_answer';
}

/** A client that counts its calls by method and result, when given metrics (every method goes through apiCall). */
class CountingWebClient extends WebClient {
  readonly #metrics: ClientMetrics | undefined;
  constructor(token: string | undefined, options: WebClientOptions, metrics: ClientMetrics | undefined) {
    super(token, options);
    this.#metrics = metrics;
    if (!metrics) return;
    this.on(WebClientEvent.RATE_LIMITED, (seconds: number, { url }: { url: string }) =>
      metrics.rateLimited(url.slice(url.lastIndexOf('/') + 1), seconds),
    );
  }
  override async apiCall(...args: Parameters<WebClient['apiCall']>): ReturnType<WebClient['apiCall']> {
    try {
      const result = await super.apiCall(...args);
      this.#metrics?.delivery(args[0], 'ok');
      return result;
    } catch (error) {
      this.#metrics?.delivery(args[0], resultOf(error));
      throw error;
    }
  }
}

/**
 * The one place a Web API client is built: the app's, the worker's, the sweeps' and the CLIs'.
 * With `metrics`, its calls are counted (the outbox worker's, for GET /metrics). The token is
 * SLACK_BOT_TOKEN's in single-workspace mode, a workspace's own (from its installation) otherwise.
 */
export function createSlackClient(
  config: Pick<Config, 'SLACK_API_URL'> & { readonly SLACK_BOT_TOKEN?: string | undefined },
  use: ClientUse,
  logger: Logger,
  metrics?: ClientMetrics,
): WebClient {
  return new CountingWebClient(config.SLACK_BOT_TOKEN, slackClientOptions(config, use, logger), metrics);
}

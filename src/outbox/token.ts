import type { WebClient } from '@slack/web-api';
import { classifySlackFailure, TOKEN_ERRORS } from '../domain/slack-failures.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { platformError } from '../slack/errors.ts';

/**
 * Whether Slack still accepts the bot token. A delivery refused with `invalid_auth`,
 * `token_revoked` or the like is confirmed with auth.test; when the token is dead, deliveries
 * pause (rows are given back, not failed), one line is logged, /readyz says why and
 * `arbridge_slack_token_ok` is 0, until auth.test succeeds again.
 */
export interface TokenGate {
  /** Why deliveries are paused, or null while the token works. */
  problem(): string | null;
  /** After a failed call: true when it failed because the token is dead (deliveries are now paused). */
  rejected(error: unknown): Promise<boolean>;
  /** While paused, asks auth.test (at most every `checkMs`); true when the token works (again). */
  works(): Promise<boolean>;
}

/** auth.test's verdict: null when the token works, else Slack's error (or why Slack could not be asked). */
async function authProblem(clientOf: () => Promise<WebClient | null>): Promise<string | null> {
  try {
    const client = await clientOf();
    if (!client) return 'not installed';
    await client.auth.test();
    return null;
  } catch (error) {
    return platformError(error) ?? `auth.test failed: ${(error as Error).message}`;
  }
}

/**
 * A gate for one token: SLACK_BOT_TOKEN's, or (`teamId` given, multi-workspace mode) a workspace's,
 * read anew at each check, so that a reinstall's new token is the one asked about.
 */
export function createTokenGate(
  client: WebClient | (() => Promise<WebClient | null>),
  log: Logger,
  metrics: Pick<Metrics, 'slackToken'> | undefined,
  checkMs: number,
  teamId?: string,
): TokenGate {
  const clientOf = typeof client === 'function' ? client : async () => client;
  const fix =
    teamId === undefined
      ? "set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (reinstall the app if it was revoked) and restart"
      : `reinstall AR Bridge in workspace ${teamId} (/slack/install)`;
  let paused: { code: string; checkedAt: number } | null = null;
  return {
    problem: () =>
      paused &&
      `Slack rejects the bot token${teamId === undefined ? '' : ` of workspace ${teamId}`} (${paused.code}): deliveries are paused until it works again; ${fix}`,
    async rejected(error) {
      const code = platformError(error);
      if (!code || !TOKEN_ERRORS.has(code)) return false;
      const verdict = await authProblem(clientOf);
      if (classifySlackFailure('', code, verdict === null)?.kind !== 'token') return false;
      if (!paused) {
        log.error(
          { code, authTest: verdict, ...(teamId === undefined ? {} : { team: teamId }) },
          teamId === undefined
            ? `Slack rejects the bot token (${code}): deliveries are paused, nothing is lost; they resume once auth.test accepts the token. Set SLACK_BOT_TOKEN to the Bot User OAuth Token (reinstall the app if it was revoked).`
            : `Slack rejects the bot token of workspace ${teamId} (${code}): its deliveries are paused, nothing is lost; they resume once auth.test accepts its token (${fix}).`,
        );
        metrics?.slackToken(false);
      }
      paused = { code, checkedAt: Date.now() };
      return true;
    },
    async works() {
      if (!paused) return true;
      if (Date.now() - paused.checkedAt < checkMs) return false;
      paused.checkedAt = Date.now();
      if ((await authProblem(clientOf)) !== null) return false;
      log.info({ code: paused.code }, 'Slack accepts the bot token again: deliveries resume');
      metrics?.slackToken(true);
      paused = null;
      return true;
    },
  };
}

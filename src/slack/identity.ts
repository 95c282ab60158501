import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createSlackClient } from './client.ts';

export interface SlackIdentity {
  teamId: string;
  botUserId: string;
  botId: string;
  /** The workspace's URL (https://acme.slack.com/), for links to messages without an API call. */
  teamUrl: string | null;
}

export class SlackAuthError extends Error {}

/** Asks Slack who this token belongs to; a rejected token stops start-up with a clear reason. */
export async function fetchIdentity(config: Config, logger: Logger): Promise<SlackIdentity> {
  const client = createSlackClient(config, 'interactive', logger);
  try {
    const auth = await client.auth.test();
    if (!auth.team_id || !auth.user_id)
      throw new SlackAuthError('auth.test did not name the workspace or bot user');
    return {
      teamId: auth.team_id,
      botUserId: auth.user_id,
      botId: auth.bot_id ?? '',
      teamUrl: auth.url ?? null,
    };
  } catch (error) {
    if (error instanceof SlackAuthError) throw error;
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code) {
      throw new SlackAuthError(
        `Slack rejected SLACK_BOT_TOKEN (${code}). Copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page, and reinstall the app if you changed its scopes.`,
      );
    }
    throw new SlackAuthError(
      `Could not reach the Slack Web API at ${config.SLACK_API_URL ?? 'https://slack.com/api/'}: ${(error as Error).message}`,
    );
  }
}

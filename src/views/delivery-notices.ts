import type { KnownBlock } from '@slack/types';
import { context, section } from './text.ts';

export interface NoticeMessage {
  text: string;
  blocks: KnownBlock[];
}

/** What to do about failed messages once the cause is fixed. */
const RETRY_HINT =
  'Messages that failed meanwhile stay in the outbox: `npm run outbox -- list --failed`, then ' +
  '`npm run outbox -- retry ID…` once this is fixed.';

/** Why the bot cannot post in a channel, and the fix, by Slack error code. */
function channelFix(channel: string, code: string): string {
  const where = `<#${channel}>`;
  switch (code) {
    case 'not_in_channel':
      return `AR Bridge is not a member of ${where}. Invite it there: \`/invite @AR Bridge\`.`;
    case 'is_archived':
      return `${where} is archived. Unarchive it, or choose the channel finance uses now in AR Bridge's App Home → *Settings*.`;
    default:
      return `Slack cannot find the channel ${channel} (it was deleted, or is private and the bot was never invited). Choose the finance channel in AR Bridge's App Home → *Settings* (for a private channel, invite the bot there first: \`/invite @AR Bridge\`).`;
  }
}

/** To an admin: the finance channel (or an account's thread in it) cannot be posted to. */
export function channelBrokenNotice(channel: string, code: string): NoticeMessage {
  const fix = channelFix(channel, code);
  return {
    text: `AR Bridge cannot post in the finance channel (${code}). ${fix}`,
    blocks: [
      section(`⚠️ *AR Bridge cannot post in the finance channel* (\`${code}\`)\n${fix}`),
      context(RETRY_HINT),
    ],
  };
}

/** To the installer or an admin: the workspace has no finance channel yet, so its posts wait. */
export function financeChannelMissingNotice(): NoticeMessage {
  const fix =
    'Choose one in AR Bridge’s App Home → *Settings* → *Finance channel*. Handoff summaries, pings and ' +
    'updates meant for it are kept and posted there once it is set.';
  return {
    text: `AR Bridge has no finance channel yet. ${fix}`,
    blocks: [section(`⚠️ *AR Bridge has no finance channel yet*\n${fix}`)],
  };
}

/** Why a person cannot get a DM, and the fix, by Slack error code. */
function dmFix(user: string, code: string): string {
  const who = /^[UW]/.test(user) ? `<@${user}>` : `the conversation ${user}`;
  switch (code) {
    case 'cannot_dm_bot':
      return `${who} is a bot, so AR Bridge cannot DM them. Make a person the owner (the CRM's deal owner, or *Assign a rep*).`;
    case 'user_not_found':
    case 'user_disabled':
    case 'account_inactive':
      return `${who} has left the workspace or was deactivated. Give their deals and accounts to someone else (*Not my deal*, *Assign a rep*, or the owner in the CRM).`;
    case 'messages_tab_disabled':
      return `${who} cannot receive messages from AR Bridge: its Messages tab is turned off. Turn it on under the app's *App Home* settings and reinstall.`;
    default:
      return `Slack refused to deliver a DM to ${who}. Check that they are still in the workspace and can receive messages from apps.`;
  }
}

/** In the finance channel: a DM could not be delivered, once per person and reason. */
export function dmUndeliverableNotice(user: string, code: string): NoticeMessage {
  const fix = dmFix(user, code);
  return {
    text: `AR Bridge could not deliver a DM (${code}). ${fix}`,
    blocks: [section(`⚠️ *A DM could not be delivered* (\`${code}\`)\n${fix}`), context(RETRY_HINT)],
  };
}

/**
 * What a permanent Slack error on a delivery means, so that it is reported once, to someone who
 * can fix it: the bot token itself, a channel the bot cannot post in, or a person it cannot DM.
 */
export type SlackFailure =
  /** Nothing can be posted: deliveries pause until the token works again. */
  | { kind: 'token'; code: string }
  /** A channel (the finance channel, an account's thread in it): the admins are told. */
  | { kind: 'channel'; channel: string; code: string }
  /** A DM to a person: finance is told. */
  | { kind: 'dm'; user: string; code: string };

/** Slack's answers that mean the bot token no longer works. */
export const TOKEN_ERRORS: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
]);

/** A channel the bot cannot post in. */
const CHANNEL_ERRORS: ReadonlySet<string> = new Set(['channel_not_found', 'not_in_channel', 'is_archived']);

/** A person the bot cannot write to (`account_inactive` here: auth.test says the token is fine). */
const DM_ERRORS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'is_archived',
  'account_inactive',
  'messages_tab_disabled',
  'not_in_channel',
]);

/** A conversation id of a public or private channel (not a DM, not a user). */
const isChannel = (id: string) => /^[CG][A-Z0-9]+$/.test(id);
/** A user id (a DM is addressed to it) or a DM's own conversation id. */
const isPerson = (id: string) => /^[UWD][A-Z0-9]+$/.test(id);

/**
 * Classifies a final Slack error for a delivery to `where`. `tokenWorks` says whether auth.test
 * still accepts the token (it tells a dead token from `account_inactive` about a recipient).
 * Null: an error nobody needs telling about beyond the log (a malformed message, for one).
 */
export function classifySlackFailure(where: string, code: string, tokenWorks: boolean): SlackFailure | null {
  if (TOKEN_ERRORS.has(code) && !tokenWorks) return { kind: 'token', code };
  if (isChannel(where) && CHANNEL_ERRORS.has(code)) return { kind: 'channel', channel: where, code };
  if (isPerson(where) && DM_ERRORS.has(code)) return { kind: 'dm', user: where, code };
  return null;
}

/**
 * The bot scopes AR Bridge asks for, as manifest.yml lists them (a test keeps the two equal):
 * what /slack/install requests in multi-workspace mode.
 */
export const BOT_SCOPES = [
  'chat:write',
  'commands',
  'users:read',
  'users:read.email',
  'channels:history',
  'groups:history',
  'im:write',
  'im:history',
  // Settings: join the finance channel chosen, read channels and the AR user group's members.
  'channels:join',
  'channels:read',
  'groups:read',
  'usergroups:read',
  'files:write',
] as const;

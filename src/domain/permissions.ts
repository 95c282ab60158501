import type { Config } from '../config.ts';

/** The settings that say who may do what. */
export type PermissionSettings = Pick<Config, 'AR_USER_IDS'>;

/** AR staff are the people AR_USER_IDS names: they post collection updates and may edit any handoff. */
export function isArStaff(settings: PermissionSettings, userId: string): boolean {
  return settings.AR_USER_IDS.includes(userId);
}

/** The deal's owner fills its handoff; AR staff may too. A deal nobody owns is claimed first. */
export function mayEditHandoff(
  settings: PermissionSettings,
  userId: string,
  deal: { owner_user_id: string | null },
): boolean {
  return deal.owner_user_id === userId || isArStaff(settings, userId);
}

/** Who may change a workspace's Settings: its admins and owners, its installer, and the people named. */
export function maySetSettings(
  who: { userId: string; isWorkspaceAdmin: boolean; installerUserId: string | null },
  settings: Pick<Config, 'ADMIN_USER_IDS'>,
): boolean {
  return (
    who.isWorkspaceAdmin || who.installerUserId === who.userId || settings.ADMIN_USER_IDS.includes(who.userId)
  );
}

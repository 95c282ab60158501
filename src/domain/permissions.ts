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

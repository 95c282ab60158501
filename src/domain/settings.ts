import type { SettingKey, SettingValues } from '../config.ts';

/**
 * A workspace's effective settings: the environment's values are the defaults, and what the
 * workspace set in App Home → Settings overrides them, key by key. AR staff are the people named
 * plus the members of the AR user group, when one is chosen.
 */
export type WorkspaceSettings = SettingValues & {
  /** The Slack user group whose members count as AR staff, or null. */
  readonly AR_USERGROUP_ID: string | null;
};

/** What a workspace set: any subset of the settings, already parsed. */
export type SettingOverrides = { readonly [K in SettingKey]?: SettingValues[K] };

export interface UserGroup {
  id: string;
  /** Its members when last read from Slack. */
  members: readonly string[];
}

/** Defaults, then overrides; AR staff are the union of the listed people and the group's members. */
export function resolveSettings(
  defaults: SettingValues,
  overrides: SettingOverrides,
  arGroup: UserGroup | null,
): WorkspaceSettings {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  const settings = merged as SettingValues;
  const arStaff = [...new Set([...settings.AR_USER_IDS, ...(arGroup?.members ?? [])])];
  return Object.freeze({ ...settings, AR_USER_IDS: arStaff, AR_USERGROUP_ID: arGroup?.id ?? null });
}

/** The settings' values as Settings shows them and the change log records them ("" for none). */
export function settingText<K extends SettingKey>(key: K, value: SettingValues[K]): string {
  if (value === undefined || value === null) return '';
  if (key === 'WORK_HOURS') {
    const { startMinute, endMinute } = value as SettingValues['WORK_HOURS'];
    return `${clock(startMinute)}-${clock(endMinute)}`;
  }
  if (key === 'WORK_DAYS') return (value as readonly number[]).map((d) => DAY_NAMES[d]).join(',');
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

function clock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

export interface SettingChange {
  key: string;
  from: string;
  to: string;
}

/** What a save changes, as text, in a stable order; keys whose text did not change are left out. */
export function settingChanges(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): SettingChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .map((key) => ({ key, from: before[key] ?? '', to: after[key] ?? '' }))
    .filter((c) => c.from !== c.to);
}

import { type Config, parseSetting, SETTING_KEYS, type SettingKey, type SettingValues } from '../config.ts';
import type { Db, Queryable, TeamScope } from '../db/schema.ts';
import { configuredWorkspaces, type StoredSettings, storedSettings } from '../db/settings.ts';
import { isArStaff } from '../domain/permissions.ts';
import { resolveSettings, type SettingOverrides, type WorkspaceSettings } from '../domain/settings.ts';
import type { Workspaces } from '../slack/workspaces.ts';

/**
 * A workspace's effective settings (environment defaults, then its Settings), cached per workspace:
 * a change made here drops the entry at once; one made by another replica is seen within
 * CACHE_MS.
 */
const CACHE_MS = 30_000;

interface Entry {
  settings: WorkspaceSettings;
  at: number;
}

const caches = new WeakMap<Config, WeakMap<Db, Map<string, Entry>>>();

function cacheOf(deps: SettingsDeps): Map<string, Entry> {
  let byDb = caches.get(deps.config);
  if (!byDb) {
    byDb = new WeakMap();
    caches.set(deps.config, byDb);
  }
  let cache = byDb.get(deps.db);
  if (!cache) {
    cache = new Map();
    byDb.set(deps.db, cache);
  }
  return cache;
}

export interface SettingsDeps {
  readonly config: Config;
  readonly db: Db;
}

/** The environment's values of every setting: the defaults. */
export function settingDefaults(config: Config): SettingValues {
  return Object.fromEntries(SETTING_KEYS.map((key) => [key, config[key]])) as unknown as SettingValues;
}

/** The stored overrides, parsed (each was checked when saved; one that no longer parses is ignored). */
export function parsedOverrides(stored: StoredSettings): SettingOverrides {
  const overrides: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(stored.overrides)) {
    if (!(SETTING_KEYS as string[]).includes(key)) continue;
    const parsed = parseSetting(key as SettingKey, raw);
    if (parsed.ok) overrides[key] = parsed.value;
  }
  return overrides as SettingOverrides;
}

/** The effective settings from what is stored, without the cache. */
export function effectiveSettings(config: Config, stored: StoredSettings): WorkspaceSettings {
  const group = stored.arUsergroupId
    ? { id: stored.arUsergroupId, members: stored.arUsergroupMembers }
    : null;
  return resolveSettings(settingDefaults(config), parsedOverrides(stored), group);
}

/**
 * The workspace's effective settings. Inside a transaction pass it as `via`: the embedded database
 * has one connection, which the transaction holds.
 */
export async function settingsFor(
  deps: SettingsDeps,
  teamId: string,
  via: Queryable = deps.db,
): Promise<WorkspaceSettings> {
  const cache = cacheOf(deps);
  const hit = cache.get(teamId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.settings;
  const settings = effectiveSettings(deps.config, await storedSettings(via, teamId));
  cache.set(teamId, { settings, at: Date.now() });
  return settings;
}

/** Drops the cached settings of a workspace after they changed. */
export function forgetSettings(deps: SettingsDeps, teamId: string): void {
  cacheOf(deps).delete(teamId);
}

/**
 * Who hears about what only an admin can fix (no finance channel, a broken one): ADMIN_USER_IDS as
 * the workspace's Settings have it, and the installer (multi-workspace mode).
 */
export async function settingsAdminsToTell(
  deps: SettingsDeps & { workspaces?: Pick<Workspaces, 'installerOf'> },
  teamId: string,
): Promise<readonly string[]> {
  const admins = (await settingsFor(deps, teamId)).ADMIN_USER_IDS;
  const installer = (await deps.workspaces?.installerOf(teamId)) ?? null;
  return installer === null || admins.includes(installer) ? admins : [installer, ...admins];
}

/** Is this person AR staff in this workspace (listed, or in its AR user group)? */
export async function isArStaffIn(deps: SettingsDeps, teamId: string, userId: string): Promise<boolean> {
  return isArStaff(await settingsFor(deps, teamId), userId);
}

/**
 * How a sweep covers every workspace: each one with Settings of its own by itself, then all the
 * others together with the environment's values (one pass in single-workspace mode).
 */
export async function sweepScopes(
  deps: SettingsDeps,
): Promise<{ scope: TeamScope; settings: WorkspaceSettings }[]> {
  const configured = await configuredWorkspaces(deps.db);
  const own = [];
  for (const teamId of configured)
    own.push({ scope: { only: teamId } as TeamScope, settings: await settingsFor(deps, teamId) });
  const rest = effectiveSettings(deps.config, {
    overrides: {},
    arUsergroupId: null,
    arUsergroupMembers: [],
    connectors: {},
    version: 0,
  });
  return [...own, { scope: { except: configured }, settings: rest }];
}

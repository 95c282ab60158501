import type { ModalView } from '@slack/types';
import { type ConnectorKey, parseConnectorSetting, parseSetting, type SettingKey } from '../config.ts';
import { wakeFinanceChannelRows } from '../db/notifications.ts';
import { peopleWithRole, upsertPerson } from '../db/people.ts';
import {
  credentialsOf,
  lockSettings,
  logSettingChanges,
  putCredential,
  recentSettingChanges,
  type StoredSettings,
  setUsergroupMembers,
  storedSettings,
  usergroupWorkspaces,
  writeSettings,
} from '../db/settings.ts';
import type { Deps } from '../deps.ts';
import { maySetSettings } from '../domain/permissions.ts';
import {
  type SettingChange,
  settingChanges,
  settingText,
  type WorkspaceSettings,
} from '../domain/settings.ts';
import { enqueue } from '../outbox/outbox.ts';
import { generateToken, hashToken } from '../secrets.ts';
import { platformError } from '../slack/errors.ts';
import type { Workspaces } from '../slack/workspaces.ts';
import { noticeModal } from '../views/common.ts';
import {
  type ConnectorId,
  connectorModal,
  credentialShownModal,
  POLICY_FIELDS,
  type PolicyKey,
  SETTING_LABELS,
  type SettingsDraft,
  type SettingsForm,
  settingsChangedPost,
  settingsModal,
} from '../views/settings.ts';
import { keyringOf, SEALED_KINDS, type SealedKind } from './credentials.ts';
import {
  effectiveSettings,
  forgetSettings,
  parsedOverrides,
  settingDefaults,
  settingsFor,
} from './settings.ts';

type AdminDeps = Pick<Deps, 'db' | 'config' | 'logger' | 'notify' | 'workspaces'>;

/** Where the admin check finds the workspace's installer and its Web API client (absent: neither). */
type AdminLookup = { workspaces?: Pick<Workspaces, 'slackFor' | 'installerOf'> };

const ADMIN_CACHE_MS = 5 * 60_000;
const workspaceAdmins = new Map<string, { admin: boolean; at: number }>();

/** users.info's is_admin / is_owner, cached for a few minutes (App Home renders often). */
async function isWorkspaceAdmin(
  deps: Pick<Deps, 'logger'> & AdminLookup,
  teamId: string,
  userId: string,
): Promise<boolean> {
  const key = `${teamId}:${userId}`;
  const hit = workspaceAdmins.get(key);
  if (hit && Date.now() - hit.at < ADMIN_CACHE_MS) return hit.admin;
  if (!deps.workspaces) return false;
  try {
    const slack = await deps.workspaces.slackFor(teamId);
    const { user } = await slack.users.info({ user: userId });
    const admin = Boolean(user?.is_admin || user?.is_owner);
    workspaceAdmins.set(key, { admin, at: Date.now() });
    return admin;
  } catch (error) {
    deps.logger.warn(
      { err: error, userId },
      'could not read from Slack whether a person is a workspace admin',
    );
    return false;
  }
}

/** May this person see and change the workspace's Settings? */
export async function mayAdminister(
  deps: Pick<Deps, 'db' | 'config' | 'logger'> & AdminLookup,
  teamId: string,
  userId: string,
): Promise<boolean> {
  const settings = await settingsFor(deps, teamId);
  const installerUserId = (await deps.workspaces?.installerOf(teamId)) ?? null;
  if (maySetSettings({ userId, isWorkspaceAdmin: false, installerUserId }, settings)) return true;
  return isWorkspaceAdmin(deps, teamId, userId);
}

/** The listed AR staff (without the user group's members), as Settings or the environment name them. */
function listedArStaff(deps: Pick<Deps, 'config'>, stored: StoredSettings): readonly string[] {
  return parsedOverrides(stored).AR_USER_IDS ?? deps.config.AR_USER_IDS;
}

const CONNECTORS: readonly { id: ConnectorId; name: string; kinds: readonly SealedKind[] }[] = [
  { id: 'hubspot', name: 'HubSpot', kinds: ['hubspot_client_secret', 'hubspot_access_token'] },
  { id: 'salesforce', name: 'Salesforce', kinds: ['salesforce_org_ids', 'salesforce_webhook_token'] },
  { id: 'stripe', name: 'Stripe', kinds: ['stripe_webhook_secret'] },
];

/** What a setting reads as in the change log: ids as Slack shows them, values as the environment writes them. */
function textsOf(
  deps: Pick<Deps, 'config'>,
  stored: StoredSettings,
  settings: WorkspaceSettings,
  managers: readonly string[],
): Record<string, string> {
  const texts: Record<string, string> = {
    FINANCE_CHANNEL_ID: settings.FINANCE_CHANNEL_ID ?? '',
    AR_USER_IDS: [...listedArStaff(deps, stored)].sort().join(','),
    AR_USERGROUP_ID: stored.arUsergroupId ?? '',
    ADMIN_USER_IDS: [...settings.ADMIN_USER_IDS].sort().join(','),
    MANAGERS: [...managers].sort().join(','),
    COMMISSION_ON_COLLECTION: settingText('COMMISSION_ON_COLLECTION', settings.COMMISSION_ON_COLLECTION),
  };
  for (const f of POLICY_FIELDS) texts[f.key] = settingText(f.key, settings[f.key]);
  for (const c of CONNECTORS) texts[`connector:${c.id}`] = stored.connectors[c.id] === false ? 'off' : 'on';
  return texts;
}

/** The Settings form as it stands. */
async function settingsForm(deps: AdminDeps, teamId: string): Promise<SettingsForm> {
  const stored = await storedSettings(deps.db, teamId);
  const settings = effectiveSettings(deps.config, stored);
  const defaults = settingDefaults(deps.config);
  const creds = await credentialsOf(deps.db, teamId);
  const changes = await recentSettingChanges(deps.db, teamId, 5);
  return {
    financeChannel: settings.FINANCE_CHANNEL_ID ?? null,
    arUsers: listedArStaff(deps, stored),
    arUsergroup: stored.arUsergroupId,
    managers: await peopleWithRole(deps.db, teamId, 'manager'),
    admins: settings.ADMIN_USER_IDS,
    policy: Object.fromEntries(
      POLICY_FIELDS.map((f) => [f.key, settingText(f.key, settings[f.key])]),
    ) as Record<PolicyKey, string>,
    defaults: Object.fromEntries(
      POLICY_FIELDS.map((f) => [f.key, settingText(f.key, defaults[f.key])]),
    ) as Record<PolicyKey, string>,
    commissionOnCollection: settings.COMMISSION_ON_COLLECTION,
    connectors: CONNECTORS.map((c) => ({
      id: c.id,
      name: c.name,
      on: stored.connectors[c.id] !== false,
      configured: c.kinds.every((k) => creds.has(k)),
    })),
    credentials: {
      apiToken: creds.has('api_token'),
      webhookSecret: creds.has('webhook_secret'),
      sealing: keyringOf(deps.config) !== null,
    },
    recentChanges: changes.map((c) => ({
      label: SETTING_LABELS[c.setting] ?? c.setting,
      from: c.oldValue,
      to: c.newValue,
      by: c.changedBy,
      at: c.changedAt,
    })),
  };
}

export type OpenSettings = { status: 'forbidden' } | { status: 'ok'; view: ModalView };

/** The Settings button: the form, for those who may change it. */
export async function openSettings(deps: AdminDeps, teamId: string, userId: string): Promise<OpenSettings> {
  if (!(await mayAdminister(deps, teamId, userId))) return { status: 'forbidden' };
  return { status: 'ok', view: settingsModal(await settingsForm(deps, teamId)) };
}

const PRIVATE_CHANNEL_HINT =
  'AR Bridge cannot join a private channel by itself: in that channel, type /invite @AR Bridge, then save again.';

/** Makes sure the bot is in the finance channel: joins a public one; a problem to show, or null. */
async function joinFinanceChannel(deps: AdminDeps, teamId: string, channel: string): Promise<string | null> {
  const slack = await deps.workspaces.slackFor(teamId);
  try {
    const info = await slack.conversations.info({ channel });
    if (info.channel?.is_member) return null;
    if (info.channel?.is_archived) return 'That channel is archived: choose another one.';
    if (info.channel?.is_private) return PRIVATE_CHANNEL_HINT;
    await slack.conversations.join({ channel });
    return null;
  } catch (error) {
    const code = platformError(error);
    if (code === 'method_not_supported_for_channel_type' || code === 'channel_not_found')
      return PRIVATE_CHANNEL_HINT;
    if (code === 'is_archived') return 'That channel is archived: choose another one.';
    if (code === 'missing_scope')
      return 'AR Bridge lacks a permission to join channels (channels:join): reinstall it from manifest.yml.';
    throw error;
  }
}

/** The members of a user group, or the problem to show. */
async function usergroupMembers(
  deps: AdminDeps,
  teamId: string,
  group: string,
): Promise<{ ok: true; members: string[] } | { ok: false; problem: string }> {
  if (!/^S[A-Z0-9]{2,}$/.test(group))
    return {
      ok: false,
      problem: 'Use the group’s ID, such as S0123ABCD (its page in Slack → ⋯ → Copy group ID).',
    };
  try {
    const slack = await deps.workspaces.slackFor(teamId);
    const answer = await slack.usergroups.users.list({ usergroup: group });
    return { ok: true, members: answer.users ?? [] };
  } catch (error) {
    const code = platformError(error);
    if (code === 'no_such_subteam' || code === 'subteam_not_found')
      return { ok: false, problem: 'Slack knows no user group with this ID in this workspace.' };
    if (code === 'missing_scope')
      return {
        ok: false,
        problem: 'AR Bridge lacks the usergroups:read permission: reinstall it from manifest.yml.',
      };
    throw error;
  }
}

/** The overrides a draft asks for: values equal to the environment's are not stored (they follow it). */
function overridesOf(
  deps: Pick<Deps, 'config'>,
  stored: StoredSettings,
  draft: SettingsDraft,
): { overrides: Record<string, string>; errors: Record<string, string> } {
  const defaults = settingDefaults(deps.config);
  const overrides: Record<string, string> = { ...stored.overrides };
  const errors: Record<string, string> = {};
  const put = (key: SettingKey, text: string | null) => {
    if (text === null) {
      delete overrides[key];
      return;
    }
    const parsed = parseSetting(key, text);
    if (!parsed.ok) {
      errors[key] = `This ${parsed.problem}.`;
      return;
    }
    const normal = settingText(key, parsed.value);
    if (normal === settingText(key, defaults[key])) delete overrides[key];
    else overrides[key] = normal;
  };
  for (const f of POLICY_FIELDS) put(f.key, draft.policy[f.key] === '' ? null : draft.policy[f.key]);
  put('COMMISSION_ON_COLLECTION', String(draft.commissionOnCollection));
  put('AR_USER_IDS', [...draft.arUsers].sort().join(','));
  put('ADMIN_USER_IDS', [...draft.admins].sort().join(','));
  put('FINANCE_CHANNEL_ID', draft.financeChannel);
  if (errors.FINANCE_CHANNEL_ID) errors.finance_channel = errors.FINANCE_CHANNEL_ID;
  delete errors.FINANCE_CHANNEL_ID;
  return { overrides, errors };
}

export type SaveSettingsResult =
  | { status: 'forbidden' }
  | { status: 'invalid'; errors: Record<string, string> }
  | { status: 'saved'; changes: SettingChange[] };

/**
 * An admin saved Settings: every value checked (problems shown under their inputs, nothing saved),
 * the bot joined to a new finance channel, the user group's members read, then saved with the
 * change log, and the changes posted to the finance channel (the new one, when it changed).
 */
export async function saveSettings(
  deps: AdminDeps,
  s: { teamId: string; userId: string; draft: SettingsDraft },
): Promise<SaveSettingsResult> {
  const { teamId, userId, draft } = s;
  if (!(await mayAdminister(deps, teamId, userId))) return { status: 'forbidden' };
  const current = await storedSettings(deps.db, teamId);
  const { errors } = overridesOf(deps, current, draft);
  const channel = draft.financeChannel;
  if (
    channel &&
    !errors.finance_channel &&
    channel !== effectiveSettings(deps.config, current).FINANCE_CHANNEL_ID
  ) {
    const problem = await joinFinanceChannel(deps, teamId, channel);
    if (problem) errors.finance_channel = problem;
  }
  let members: string[] = [];
  if (draft.arUsergroup) {
    const group = await usergroupMembers(deps, teamId, draft.arUsergroup);
    if (group.ok) members = group.members;
    else errors.ar_usergroup = group.problem;
  }
  if (Object.keys(errors).length > 0) return { status: 'invalid', errors };

  const changes = await deps.db.transaction().execute(async (trx) => {
    const stored = await lockSettings(trx, teamId);
    const managersBefore = await peopleWithRole(trx, teamId, 'manager');
    const before = textsOf(deps, stored, effectiveSettings(deps.config, stored), managersBefore);
    const { overrides } = overridesOf(deps, stored, draft);
    const connectors = Object.fromEntries(CONNECTORS.map((c) => [c.id, draft.connectorsOn.includes(c.id)]));
    const next = { overrides, arUsergroupId: draft.arUsergroup, arUsergroupMembers: members, connectors };
    const version = await writeSettings(trx, teamId, next, userId);
    for (const m of draft.managers.filter((u) => !managersBefore.includes(u)))
      await upsertPerson(trx, teamId, { userId: m, role: 'manager' });
    for (const m of managersBefore.filter((u) => !draft.managers.includes(u)))
      await upsertPerson(trx, teamId, { userId: m, role: 'rep' });
    const after = { ...next, version };
    const afterSettings = effectiveSettings(deps.config, after);
    const changed = settingChanges(before, textsOf(deps, after, afterSettings, draft.managers));
    await logSettingChanges(trx, teamId, userId, changed);
    if (changed.length > 0)
      await enqueue(trx, {
        teamId,
        dedupeKey: `settings:${teamId}:v${version}`,
        target: { kind: 'channel', channel: afterSettings.FINANCE_CHANNEL_ID ?? null },
        message: settingsChangedPost(userId, changed),
      });
    return changed;
  });
  forgetSettings(deps, teamId);
  // Posts that waited for a finance channel go out now, not at their next deferred try.
  if (changes.some((c) => c.key === 'FINANCE_CHANNEL_ID' && c.to !== ''))
    await wakeFinanceChannelRows(deps.db, teamId, new Date());
  if (changes.length > 0) deps.notify();
  deps.logger.info({ teamId, userId, changed: changes.map((c) => c.key) }, 'settings saved');
  return { status: 'saved', changes };
}

/** A credential was made or replaced: logged and posted (never its value). */
async function recordCredentialChange(
  deps: AdminDeps,
  teamId: string,
  userId: string,
  label: string,
  wasSet: boolean,
): Promise<void> {
  const change = { key: label, from: wasSet ? 'set' : '', to: wasSet ? 'rotated' : 'set' };
  await deps.db.transaction().execute(async (trx) => {
    await logSettingChanges(trx, teamId, userId, [change]);
    await enqueue(trx, {
      teamId,
      dedupeKey: `settings:${teamId}:credential:${label}:${Date.now()}`,
      target: { kind: 'channel', channel: null },
      message: settingsChangedPost(userId, [change]),
    });
  });
  deps.notify();
}

const CONNECTOR_FIELDS: Record<ConnectorId, readonly { kind: SealedKind; label: string; hint: string }[]> = {
  hubspot: [
    {
      kind: 'hubspot_client_secret',
      label: 'Client secret',
      hint: 'The HubSpot app’s client secret (Auth tab).',
    },
    {
      kind: 'hubspot_access_token',
      label: 'Access token',
      hint: 'A private-app token, pat-… (deals, companies and owners: read).',
    },
  ],
  salesforce: [
    {
      kind: 'salesforce_org_ids',
      label: 'Organisation ids',
      hint: 'Comma-separated, 00D…, 15 or 18 characters.',
    },
    {
      kind: 'salesforce_webhook_token',
      label: 'Webhook token',
      hint: '16+ characters, put in the endpoint URL as &token=… (generate one with openssl rand -hex 32).',
    },
  ],
  stripe: [
    {
      kind: 'stripe_webhook_secret',
      label: 'Webhook signing secret',
      hint: 'whsec_…, from the endpoint in Stripe.',
    },
    { kind: 'stripe_api_key', label: 'API key (optional)', hint: 'sk_… or rk_… with Customers: read.' },
  ],
};

/**
 * A credentials button in Settings: a new API token or webhook secret (stored hashed or sealed,
 * shown once), or the form for a connector's credentials.
 */
export async function credentialAction(
  deps: AdminDeps,
  s: { teamId: string; userId: string; which: string },
): Promise<ModalView> {
  const { teamId, userId, which } = s;
  if (!(await mayAdminister(deps, teamId, userId)))
    return noticeModal('Admins only', 'Only workspace admins and Settings admins may change credentials.');
  const creds = await credentialsOf(deps.db, teamId);
  const keyring = keyringOf(deps.config);
  if (which === 'api_token') {
    const token = generateToken('arb_');
    await putCredential(deps.db, teamId, 'api_token', { tokenHash: hashToken(token) }, userId);
    await recordCredentialChange(deps, teamId, userId, 'API token', creds.has('api_token'));
    return credentialShownModal(
      'Invoices API token',
      token,
      'Send it as `Authorization: Bearer <token>` on POST /api/invoices: invoices it sends land in this workspace.',
    );
  }
  if (!keyring)
    return noticeModal(
      'ENCRYPTION_KEY needed',
      'Secrets are stored encrypted: AR Bridge needs ENCRYPTION_KEY set first.',
    );
  if (which === 'webhook_secret') {
    const secret = generateToken('whs_');
    await putCredential(deps.db, teamId, 'webhook_secret', { sealed: keyring.seal(secret) }, userId);
    await recordCredentialChange(deps, teamId, userId, 'Webhook secret', creds.has('webhook_secret'));
    return credentialShownModal(
      'Webhook secret',
      secret,
      `Sign POST /webhooks/deal-closed?team=${teamId} with it (X-ARBridge-Signature, README.md → Connect a CRM).`,
    );
  }
  const fields = CONNECTOR_FIELDS[which as ConnectorId];
  if (!fields) return noticeModal('Not found', 'That setting no longer exists.');
  return connectorModal(
    which as ConnectorId,
    fields.map((f) => ({ key: f.kind, label: f.label, hint: f.hint, set: creds.has(f.kind) })),
  );
}

export type ConnectorSaveResult =
  | { status: 'forbidden' }
  | { status: 'invalid'; errors: Record<string, string> }
  | { status: 'saved'; changed: number };

/** A connector's credentials form: each value checked as the environment's is, then sealed. */
export async function saveConnectorCredentials(
  deps: AdminDeps,
  s: { teamId: string; userId: string; connector: ConnectorId; fields: Record<string, string> },
): Promise<ConnectorSaveResult> {
  if (!(await mayAdminister(deps, s.teamId, s.userId))) return { status: 'forbidden' };
  const keyring = keyringOf(deps.config);
  const fields = CONNECTOR_FIELDS[s.connector];
  const errors: Record<string, string> = {};
  if (!keyring) {
    const first = fields[0]?.kind ?? 'value';
    return { status: 'invalid', errors: { [first]: 'AR Bridge needs ENCRYPTION_KEY set to store secrets.' } };
  }
  const values: [SealedKind, string][] = [];
  for (const f of fields) {
    const raw = s.fields[f.kind];
    if (!raw) continue;
    const parsed = parseConnectorSetting(SEALED_KINDS[f.kind] as ConnectorKey, raw);
    if (parsed.ok) values.push([f.kind, Array.isArray(parsed.value) ? parsed.value.join(',') : parsed.value]);
    else errors[f.kind] = `This ${parsed.problem}.`;
  }
  if (Object.keys(errors).length > 0) return { status: 'invalid', errors };
  const creds = await credentialsOf(deps.db, s.teamId);
  for (const [kind, value] of values) {
    await putCredential(deps.db, s.teamId, kind, { sealed: keyring.seal(value) }, s.userId);
    const label = `${CONNECTORS.find((c) => c.id === s.connector)?.name ?? s.connector} ${fields.find((f) => f.kind === kind)?.label.toLowerCase()}`;
    await recordCredentialChange(deps, s.teamId, s.userId, label, creds.has(kind));
  }
  return { status: 'saved', changed: values.length };
}

/**
 * Re-reads the members of every workspace's AR user group (the sweeps call it), so that people
 * added to or removed from the group in Slack count, or stop counting, as AR staff.
 */
export async function refreshUsergroups(deps: AdminDeps): Promise<number> {
  let refreshed = 0;
  for (const { teamId, groupId } of await usergroupWorkspaces(deps.db)) {
    if (!(await deps.workspaces.isInstalled(teamId))) continue;
    try {
      const slack = await deps.workspaces.slackFor(teamId);
      const answer = await slack.usergroups.users.list({ usergroup: groupId });
      const members = answer.users ?? [];
      const before = (await storedSettings(deps.db, teamId)).arUsergroupMembers;
      if ([...before].sort().join(',') === [...members].sort().join(',')) continue;
      if (await setUsergroupMembers(deps.db, teamId, groupId, members)) {
        forgetSettings(deps, teamId);
        refreshed += 1;
      }
    } catch (error) {
      deps.logger.warn({ err: error, teamId, groupId }, 'could not read the AR user group’s members');
    }
  }
  return refreshed;
}

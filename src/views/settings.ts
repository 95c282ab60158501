import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import type { SettingChange } from '../domain/settings.ts';
import { context, escapeMrkdwn, mention, plainText, section, truncate } from './text.ts';

export const SETTINGS_OPEN_ACTION_ID = 'settings_open';
export const SETTINGS_CALLBACK_ID = 'settings_submit';
export const CREDENTIAL_ACTION_PREFIX = 'settings_credential_';
export const CONNECTOR_CALLBACK_ID = 'settings_connector_submit';

/** The policy settings the form edits as text, with their labels and hints (the environment's syntax). */
export const POLICY_FIELDS = [
  {
    key: 'PAST_DUE_DAYS',
    label: 'Past-due pings (days late)',
    hint: 'Comma-separated days, e.g. 1,15,30,45,60',
  },
  { key: 'ESCALATE_AFTER_DAYS', label: 'Escalation near from (days late)', hint: 'Whole days, e.g. 45' },
  { key: 'CREDIT_HOLD_DAYS', label: 'Credit hold from (days late)', hint: 'Whole days, e.g. 60' },
  { key: 'STANDARD_TERMS_DAYS', label: 'Standard payment terms (days)', hint: 'Longer terms need approval' },
  {
    key: 'WORK_HOURS',
    label: 'Working hours',
    hint: 'HH:MM-HH:MM in each rep’s time zone, e.g. 09:00-18:00',
  },
  { key: 'WORK_DAYS', label: 'Working days', hint: 'Mon-Fri, or a list such as Mon,Tue,Thu' },
  {
    key: 'NAG_FIRST_AFTER_HOURS',
    label: 'First handoff reminder after (hours)',
    hint: 'Hours after the deal closed',
  },
  {
    key: 'NAG_EVERY_HOURS',
    label: 'Then a reminder every (hours)',
    hint: 'More than zero; fractions allowed',
  },
  { key: 'NAG_MAX', label: 'Reminders before escalating', hint: 'A whole number, 0 or more' },
  { key: 'BUSINESS_TIMEZONE', label: 'Business time zone', hint: 'IANA name, e.g. UTC or America/New_York' },
] as const;

export type PolicyKey = (typeof POLICY_FIELDS)[number]['key'];

/** Human names of every setting, for the change log and the finance-channel post. */
export const SETTING_LABELS: Record<string, string> = {
  FINANCE_CHANNEL_ID: 'Finance channel',
  AR_USER_IDS: 'AR staff',
  AR_USERGROUP_ID: 'AR user group',
  ADMIN_USER_IDS: 'Settings admins',
  MANAGERS: 'Managers',
  COMMISSION_ON_COLLECTION: 'Commission on collection',
  'connector:hubspot': 'HubSpot route',
  'connector:salesforce': 'Salesforce route',
  'connector:stripe': 'Stripe route',
  ...Object.fromEntries(POLICY_FIELDS.map((f) => [f.key, f.label])),
};

export interface SettingsForm {
  financeChannel: string | null;
  arUsers: readonly string[];
  arUsergroup: string | null;
  managers: readonly string[];
  admins: readonly string[];
  /** Each policy setting as text (the effective value). */
  policy: Readonly<Record<PolicyKey, string>>;
  /** The environment's value of each policy setting, as text (shown as the default). */
  defaults: Readonly<Record<PolicyKey, string>>;
  commissionOnCollection: boolean;
  connectors: readonly { id: ConnectorId; name: string; on: boolean; configured: boolean }[];
  credentials: { apiToken: boolean; webhookSecret: boolean; sealing: boolean };
  recentChanges: readonly { label: string; from: string; to: string; by: string; at: Date }[];
}

export type ConnectorId = 'hubspot' | 'salesforce' | 'stripe';

/** The button admins see on their App Home. */
export function settingsButtonBlocks(): KnownBlock[] {
  return [
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: SETTINGS_OPEN_ACTION_ID,
          text: plainText('⚙️ Settings'),
          value: 'open',
        },
      ],
    },
  ];
}

function textInput(blockId: string, label: string, value: string, hint: string, optional = true): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional,
    label: plainText(label, 2000),
    hint: plainText(hint, 2000),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      ...(value ? { initial_value: truncate(value, 3000) } : {}),
    },
  };
}

function usersInput(blockId: string, label: string, users: readonly string[], hint: string): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional: true,
    label: plainText(label, 2000),
    hint: plainText(hint, 2000),
    element: {
      type: 'multi_users_select',
      action_id: 'value',
      ...(users.length > 0 ? { initial_users: users.slice(0, 100) as string[] } : {}),
    },
  };
}

function credentialButton(
  id: string,
  text: string,
): { type: 'button'; action_id: string; text: ReturnType<typeof plainText>; value: string } {
  return {
    type: 'button',
    action_id: `${CREDENTIAL_ACTION_PREFIX}${id}`,
    text: plainText(text, 75),
    value: id,
  };
}

function credentialBlocks(f: SettingsForm): KnownBlock[] {
  const c = f.credentials;
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText('Credentials', 150) },
    section(
      `*Invoices API token* (\`POST /api/invoices\`, \`Authorization: Bearer …\`): ${c.apiToken ? 'set' : 'not set'}\n` +
        `*Webhook secret* (\`?team=\` on \`/webhooks/deal-closed\`): ${c.webhookSecret ? 'set' : 'not set'}\n` +
        'A new value is shown once; the old one stops working at once.',
    ),
  ];
  const buttons = [credentialButton('api_token', c.apiToken ? 'Rotate API token' : 'Create API token')];
  if (c.sealing) {
    buttons.push(
      credentialButton('webhook_secret', c.webhookSecret ? 'Rotate webhook secret' : 'Create webhook secret'),
    );
    for (const conn of f.connectors) buttons.push(credentialButton(conn.id, `${conn.name} credentials`));
  }
  blocks.push({ type: 'actions', block_id: 'credentials', elements: buttons });
  if (!c.sealing)
    blocks.push(
      context(
        'Webhook and connector secrets need `ENCRYPTION_KEY` (they are stored encrypted): ask whoever runs AR Bridge to set it.',
      ),
    );
  return blocks;
}

/** The Settings modal: finance channel, people, policy, connectors, credentials, the latest changes. */
export function settingsModal(f: SettingsForm): ModalView {
  const policy = POLICY_FIELDS.map((field) =>
    textInput(
      field.key,
      field.label,
      f.policy[field.key],
      `${field.hint}. Default: ${f.defaults[field.key] || 'none'}.`,
    ),
  );
  const connectorOptions = f.connectors.map((c) => ({
    text: plainText(`${c.name}${c.configured ? '' : ' (no credentials yet)'}`, 75),
    value: c.id,
  }));
  const onConnectors = connectorOptions.filter((_, i) => f.connectors[i]?.on);
  const changes = f.recentChanges.map(
    (c) =>
      `${c.label}: ${c.from || '—'} → ${c.to || '—'} (${mention(c.by)}, ${c.at.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
  );
  const blocks: KnownBlock[] = [
    section(
      'Values left empty use the defaults AR Bridge was started with. Every change is posted in the finance channel.',
    ),
    {
      type: 'input',
      block_id: 'finance_channel',
      optional: true,
      label: plainText('Finance channel'),
      hint: plainText(
        'AR Bridge joins a public channel. For a private one, first type /invite @AR Bridge there.',
      ),
      element: {
        type: 'conversations_select',
        action_id: 'value',
        filter: {
          include: ['public', 'private'],
          exclude_bot_users: true,
          exclude_external_shared_channels: true,
        },
        ...(f.financeChannel ? { initial_conversation: f.financeChannel } : {}),
      },
    },
    usersInput('ar_users', 'AR staff', f.arUsers, 'They post collection updates and may edit any handoff.'),
    textInput(
      'ar_usergroup',
      'AR user group',
      f.arUsergroup ?? '',
      'Its members count as AR staff too: the group’s ID (S…), from its page in Slack → ⋯ → Copy group ID.',
    ),
    usersInput(
      'managers',
      'Managers',
      f.managers,
      'Escalations mention a rep’s manager (npm run import:people sets who manages whom).',
    ),
    usersInput(
      'admins',
      'Settings admins',
      f.admins,
      'Besides workspace admins and owners: who may change these settings.',
    ),
    { type: 'header', text: plainText('Policy', 150) },
    ...policy,
    {
      type: 'input',
      block_id: 'COMMISSION_ON_COLLECTION',
      optional: true,
      label: plainText('Commission on collection'),
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [{ text: plainText('Reps are paid commission when the customer pays'), value: 'true' }],
        ...(f.commissionOnCollection
          ? {
              initial_options: [
                { text: plainText('Reps are paid commission when the customer pays'), value: 'true' },
              ],
            }
          : {}),
      },
    },
    {
      type: 'input',
      block_id: 'connectors',
      optional: true,
      label: plainText('Connector routes on'),
      hint: plainText('A route that is off answers 404 for this workspace (?team=).'),
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: connectorOptions,
        ...(onConnectors.length > 0 ? { initial_options: onConnectors } : {}),
      },
    },
    ...credentialBlocks(f),
    { type: 'header', text: plainText('Latest changes', 150) },
    context(changes.length > 0 ? changes.join('\n') : 'Nothing changed yet.'),
  ];
  return {
    type: 'modal',
    callback_id: SETTINGS_CALLBACK_ID,
    title: plainText('Settings', 24),
    submit: plainText('Save', 24),
    close: plainText('Cancel', 24),
    blocks,
  };
}

const plainValue = z.object({ value: z.object({ value: z.string().nullish() }) });
const usersValue = z.object({ value: z.object({ selected_users: z.array(z.string()).nullish() }) });
const channelValue = z.object({ value: z.object({ selected_conversation: z.string().nullish() }) });
const checkedValue = z.object({
  value: z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }),
});

export interface SettingsDraft {
  financeChannel: string | null;
  arUsers: string[];
  arUsergroup: string | null;
  managers: string[];
  admins: string[];
  policy: Record<PolicyKey, string>;
  commissionOnCollection: boolean;
  connectorsOn: string[];
}

/** What the admin submitted (missing or odd blocks read as empty). */
export function readSettingsState(values: unknown): SettingsDraft {
  const v = (values ?? {}) as Record<string, unknown>;
  const text = (id: string) => plainValue.safeParse(v[id]).data?.value.value?.trim() ?? '';
  const users = (id: string) => usersValue.safeParse(v[id]).data?.value.selected_users ?? [];
  const checked = (id: string) =>
    (checkedValue.safeParse(v[id]).data?.value.selected_options ?? []).map((o) => o.value);
  return {
    financeChannel: channelValue.safeParse(v.finance_channel).data?.value.selected_conversation ?? null,
    arUsers: users('ar_users'),
    arUsergroup: text('ar_usergroup') || null,
    managers: users('managers'),
    admins: users('admins'),
    policy: Object.fromEntries(POLICY_FIELDS.map((f) => [f.key, text(f.key)])) as Record<PolicyKey, string>,
    commissionOnCollection: checked('COMMISSION_ON_COLLECTION').includes('true'),
    connectorsOn: checked('connectors'),
  };
}

const PEOPLE_SETTINGS = new Set(['AR_USER_IDS', 'ADMIN_USER_IDS', 'MANAGERS']);

/** A setting's value as Slack should show it: channels, people and user groups as links. */
function shown(key: string, text: string): string {
  if (text === '') return key.startsWith('connector:') ? 'on' : '_default_';
  if (key === 'FINANCE_CHANNEL_ID') return `<#${text}>`;
  if (key === 'AR_USERGROUP_ID') return `<!subteam^${text}>`;
  if (PEOPLE_SETTINGS.has(key))
    return text
      .split(',')
      .map((u) => `<@${u}>`)
      .join(', ');
  return `\`${escapeMrkdwn(text)}\``;
}

/** In the finance channel: who changed which settings, old → new. */
export function settingsChangedPost(
  byUserId: string,
  changes: readonly SettingChange[],
): { text: string; blocks: KnownBlock[] } {
  const lines = changes.map(
    (c) => `• *${SETTING_LABELS[c.key] ?? c.key}*: ${shown(c.key, c.from)} → ${shown(c.key, c.to)}`,
  );
  return {
    text: `${mention(byUserId)} changed AR Bridge's settings: ${changes.map((c) => SETTING_LABELS[c.key] ?? c.key).join(', ')}`,
    blocks: [section(`⚙️ ${mention(byUserId)} changed AR Bridge's settings\n${lines.join('\n')}`)],
  };
}

/** A credential just made: shown once, in a modal pushed over Settings. */
export function credentialShownModal(title: string, value: string, usage: string): ModalView {
  return {
    type: 'modal',
    title: plainText(truncate(title, 24), 24),
    close: plainText('Done', 24),
    blocks: [section(`*Copy it now: it is shown only this once.*\n\`\`\`${value}\`\`\``), context(usage)],
  };
}

/** The form for one connector's credentials (blank fields keep what is stored). */
export function connectorModal(
  id: ConnectorId,
  fields: readonly { key: string; label: string; hint: string; set: boolean }[],
): ModalView {
  return {
    type: 'modal',
    callback_id: CONNECTOR_CALLBACK_ID,
    private_metadata: JSON.stringify({ connector: id }),
    title: plainText(
      `${{ hubspot: 'HubSpot', salesforce: 'Salesforce', stripe: 'Stripe' }[id]} credentials`,
      24,
    ),
    submit: plainText('Save', 24),
    close: plainText('Back', 24),
    blocks: fields.map((f) =>
      textInput(f.key, f.label, '', `${f.hint}${f.set ? ' Set now: leave empty to keep it.' : ''}`),
    ),
  };
}

/** The connector a connector form is for, and its fields as typed. */
export function readConnectorState(
  privateMetadata: string | undefined,
  values: unknown,
): { connector: ConnectorId | null; fields: Record<string, string> } {
  let connector: ConnectorId | null = null;
  try {
    const parsed = z
      .object({ connector: z.enum(['hubspot', 'salesforce', 'stripe']) })
      .safeParse(JSON.parse(privateMetadata ?? ''));
    connector = parsed.success ? parsed.data.connector : null;
  } catch {
    connector = null;
  }
  const v = (values ?? {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const [key, block] of Object.entries(v)) {
    const text = plainValue.safeParse(block).data?.value.value?.trim();
    if (text) fields[key] = text;
  }
  return { connector, fields };
}

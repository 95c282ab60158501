import cron from 'node-cron';
import { z } from 'zod';
import { parseCron } from './domain/cron.ts';
import { parseKey } from './secrets.ts';

/** Parses "09:00-18:00" into minutes after midnight. */
const workHours = z
  .string()
  .trim()
  .regex(/^\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}$/, 'use HH:MM-HH:MM, for example 09:00-18:00')
  .transform((value, ctx) => {
    const [start, end] = value.split('-').map((part) => {
      const [h, m] = part.trim().split(':').map(Number);
      return (h ?? 0) * 60 + (m ?? 0);
    }) as [number, number];
    if (start >= end || end > 24 * 60) {
      ctx.addIssue({ code: 'custom', message: 'the start must be before the end, both within one day' });
      return z.NEVER;
    }
    return { startMinute: start, endMinute: end };
  });

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** Parses "Mon-Fri" or "Mon,Wed,Fri" into ISO weekday numbers (0 = Sunday). */
const workDays = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const index = (name: string) => DAY_NAMES.findIndex((d) => d.toLowerCase() === name.trim().toLowerCase());
    const days = new Set<number>();
    for (const part of value.split(',')) {
      const [from, to] = part.split('-');
      const a = index(from ?? '');
      const b = to === undefined ? a : index(to);
      if (a < 0 || b < 0) {
        ctx.addIssue({ code: 'custom', message: 'use day names like Mon-Fri or Mon,Tue,Thu' });
        return z.NEVER;
      }
      for (let d = a; ; d = (d + 1) % 7) {
        days.add(d);
        if (d === b) break;
      }
    }
    return [...days].sort();
  });

const hours = z.coerce.number().nonnegative('must be zero or more hours');
const positiveInt = z.coerce.number().int('must be a whole number').positive('must be 1 or more');
const dayList = z
  .string()
  .trim()
  .regex(/^\d+(\s*,\s*\d+)*$/, 'use comma-separated whole days, for example 1,15,30,45,60')
  .transform((v) => [...new Set(v.split(',').map((d) => Number(d.trim())))].sort((a, b) => a - b));

const timeZone = z
  .string()
  .trim()
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as UTC or America/New_York');

const optionalSecret = z
  .string()
  .trim()
  .min(16, 'must be at least 16 characters (generate one with: openssl rand -hex 32)')
  .optional();

/** A comma-separated list of Slack user ids. */
const userIds = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must list Slack user IDs such as U0123ABC')));
/** Comma-separated stage names or ids, as a CRM writes them. */
const stageList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((stage) => stage.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string()).min(1, 'must name at least one stage'));

/**
 * The values a workspace's Settings may override (the environment gives the defaults). One schema
 * each, shared by start-up and the Settings form, so a value is parsed the same way in both.
 */
export const settingSchemas = {
  FINANCE_CHANNEL_ID: z
    .string()
    .trim()
    .regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel ID such as C0123456789 (not the #name)')
    .optional(),
  AR_USER_IDS: userIds,
  ADMIN_USER_IDS: userIds,
  BUSINESS_TIMEZONE: timeZone.default('UTC'),
  NAG_FIRST_AFTER_HOURS: hours.default(24),
  NAG_EVERY_HOURS: hours.positive('must be more than zero hours').default(24),
  NAG_MAX: z.coerce.number().int('must be a whole number').min(0).default(3),
  WORK_HOURS: workHours.default({ startMinute: 9 * 60, endMinute: 18 * 60 }),
  WORK_DAYS: workDays.default([1, 2, 3, 4, 5]),
  STANDARD_TERMS_DAYS: positiveInt.max(365).default(30),
  PAST_DUE_DAYS: dayList.default([1, 15, 30, 45, 60]),
  ESCALATE_AFTER_DAYS: positiveInt.default(45),
  CREDIT_HOLD_DAYS: positiveInt.default(60),
  COMMISSION_ON_COLLECTION: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((v) => ['true', '1', 'yes'].includes(v))
    .default(false),
};

export type SettingKey = keyof typeof settingSchemas;
export const SETTING_KEYS = Object.keys(settingSchemas) as SettingKey[];
export type SettingValues = { readonly [K in SettingKey]: z.output<(typeof settingSchemas)[K]> };

/** Parses one setting as the environment writes it; a problem is worded as for the environment. */
export function parseSetting<K extends SettingKey>(
  key: K,
  raw: string,
): { ok: true; value: SettingValues[K] } | { ok: false; problem: string } {
  const result = settingSchemas[key].safeParse(raw);
  if (result.success) return { ok: true, value: result.data as SettingValues[K] };
  return { ok: false, problem: result.error.issues.map((i) => i.message).join('; ') };
}

/** A connector's credentials: from the environment, or per workspace in Settings (stored sealed). */
export const connectorSchemas = {
  HUBSPOT_CLIENT_SECRET: z.string().trim().min(1).optional(),
  HUBSPOT_ACCESS_TOKEN: z.string().trim().min(1).optional(),
  SALESFORCE_ORG_IDS: z
    .string()
    .trim()
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/,
            'must list organisation ids (00D…, 15 or 18 characters)',
          ),
      ),
    )
    .optional(),
  SALESFORCE_WEBHOOK_TOKEN: optionalSecret,
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .trim()
    .regex(/^whsec_\w+$/, 'must be the endpoint signing secret, whsec_… (Stripe → Developers → Webhooks)')
    .optional(),
  STRIPE_API_KEY: z
    .string()
    .trim()
    .regex(/^(sk|rk)_\w+$/, 'must be a secret or restricted key, sk_… or rk_…')
    .optional(),
};

export type ConnectorKey = keyof typeof connectorSchemas;

/** Parses one connector credential as the environment writes it. */
export function parseConnectorSetting(
  key: ConnectorKey,
  raw: string,
): { ok: true; value: string | string[] } | { ok: false; problem: string } {
  const result = connectorSchemas[key].safeParse(raw);
  if (result.success && result.data !== undefined) return { ok: true, value: result.data };
  return {
    ok: false,
    problem: result.success ? 'is required' : result.error.issues.map((i) => i.message).join('; '),
  };
}

const envSchema = z.object({
  // Required in single-workspace mode; multi-workspace mode (the three SLACK_CLIENT_… settings)
  // keeps each workspace's token in its installation instead (checked in loadConfig).
  SLACK_BOT_TOKEN: z
    .string()
    .trim()
    .regex(/^xox[a-z]-/, 'must be a Slack token starting with xoxb-')
    .optional(),
  SLACK_CLIENT_ID: z
    .string()
    .trim()
    .regex(/^\d+\.\d+$/, 'must be the Client ID from Basic Information → App Credentials (digits.digits)')
    .optional(),
  SLACK_CLIENT_SECRET: z.string().trim().min(1).optional(),
  SLACK_STATE_SECRET: optionalSecret,
  ENCRYPTION_KEY: z
    .string()
    .transform((value, ctx) => {
      const parts = value.split(',').map((k) => k.trim());
      const keys = parts.map(parseKey);
      if (parts.length === 0 || keys.some((k) => k === null)) {
        ctx.addIssue({
          code: 'custom',
          message:
            'must list 32-byte keys, newest first, comma-separated, each as 64 hex digits or base64 (generate one with: openssl rand -base64 32)',
        });
        return z.NEVER;
      }
      return Object.freeze(keys as Buffer[]);
    })
    .optional(),
  SLACK_SIGNING_SECRET: z.string().trim().min(1).optional(),
  SLACK_APP_TOKEN: z
    .string()
    .trim()
    .regex(/^xapp-/, 'must be an app-level token starting with xapp- (Basic Information → App-Level Tokens)')
    .optional(),
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://slack.com/api/' })
    .transform((u) => (u.endsWith('/') ? u : `${u}/`))
    .optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(
      /^postgres(ql)?:\/\//,
      'must be a postgres:// connection URL (or unset it to use the embedded database)',
    )
    .optional(),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535, 'must be a TCP port (0–65535)').default(3000),
  ...settingSchemas,
  WEBHOOK_SECRET: optionalSecret,
  API_TOKEN: optionalSecret,
  SWEEP_CRON: z
    .string()
    .trim()
    .refine(
      (expression) => cron.validate(expression),
      'must be a cron expression such as */5 * * * * (seconds field allowed)',
    )
    .default('*/5 * * * *'),
  DIGEST_CRON: z
    .string()
    .trim()
    .refine((expression) => {
      if (expression === 'off') return true;
      try {
        parseCron(expression);
        return cron.validate(expression);
      } catch {
        return false;
      }
    }, 'must be a cron expression such as 0 8 * * 1 (Monday 08:00, in each reader’s own time zone), or off')
    .default('0 8 * * 1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z.:%_-]+$/, 'must be an address to listen on, such as 0.0.0.0, 127.0.0.1 or ::')
    .optional(),
  OUTBOX_RETENTION_DAYS: positiveInt.default(30),
  // Stripe retries a webhook for up to three days, Slack an event for minutes: a week covers both.
  SEEN_EVENTS_RETENTION_DAYS: positiveInt
    .min(4, 'must be 4 days or more (webhooks are retried for up to 3 days)')
    .default(7),
  // Connectors: each is on when its settings are set.
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be the https:// address the app is reached at' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  ...connectorSchemas,
  HUBSPOT_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.hubapi.com' })
    .transform((u) => u.replace(/\/+$/, ''))
    .default('https://api.hubapi.com'),
  HUBSPOT_CLOSED_WON_STAGES: stageList.default(['closedwon']),
  SALESFORCE_CLOSED_WON_STAGES: stageList.default(['Closed Won']),
  STRIPE_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
});

export type Config = Readonly<z.output<typeof envSchema>>;

/** The settings that switch on multi-workspace mode (OAuth distribution), all three or none. */
const OAUTH_SETTINGS = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;

/** True when the app is distributed: installed through /slack/install into any number of workspaces. */
export function isMultiWorkspace(config: Pick<Config, 'SLACK_CLIENT_ID'>): boolean {
  return config.SLACK_CLIENT_ID !== undefined;
}

/** What single- or multi-workspace mode needs besides the schema: every problem, by name. */
function modeProblems(cleaned: Record<string, string | undefined>): string[] {
  const set = OAUTH_SETTINGS.filter((name) => cleaned[name] !== undefined);
  if (set.length === 0) {
    return cleaned.SLACK_BOT_TOKEN === undefined
      ? [
          'SLACK_BOT_TOKEN is required: the Bot User OAuth Token (xoxb-…) from OAuth & Permissions (or set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for multi-workspace mode)',
        ]
      : [];
  }
  const problems = OAUTH_SETTINGS.filter((name) => cleaned[name] === undefined).map(
    (name) =>
      `${name} is required in multi-workspace mode (${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set): ${
        name === 'SLACK_STATE_SECRET'
          ? 'a random secret of 16+ characters that signs the install state (openssl rand -hex 32)'
          : 'from Basic Information → App Credentials'
      }`,
  );
  if (cleaned.ENCRYPTION_KEY === undefined)
    problems.push(
      'ENCRYPTION_KEY is required in multi-workspace mode: it seals the bot tokens at rest (generate one with: openssl rand -base64 32)',
    );
  if (cleaned.SLACK_BOT_TOKEN !== undefined)
    problems.push(
      'SLACK_BOT_TOKEN must be unset in multi-workspace mode: each workspace’s token comes from its installation',
    );
  if (cleaned.SLACK_APP_TOKEN !== undefined)
    problems.push(
      'SLACK_APP_TOKEN must be unset in multi-workspace mode: installs and events need the HTTP receiver (/slack/install, /slack/oauth_redirect, /slack/events)',
    );
  return problems;
}

const MANIFEST_HINT =
  'Create the Slack app from manifest.yml (https://api.slack.com/apps → Create New App → From a manifest), ' +
  'install it to your workspace, then set the variables above in the environment or in a .env file ' +
  '(copy .env.example; README.md → Configuration lists every setting).';

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(
      `AR Bridge cannot start: ${problems.length} configuration problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        `\n\n${MANIFEST_HINT}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment once; throws ConfigError listing every problem. Empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const result = envSchema.safeParse(cleaned);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const secret = /TOKEN|SECRET|KEY|DATABASE_URL/.test(name);
        const shown = cleaned[name] === undefined || secret ? '' : ` (got "${cleaned[name]}")`;
        return `${name} ${issue.message}${shown}`;
      });
  problems.push(...modeProblems(cleaned));
  // Socket Mode authenticates with the app token; the HTTP receiver verifies requests with the signing secret.
  if (!cleaned.SLACK_APP_TOKEN && !cleaned.SLACK_SIGNING_SECRET) {
    problems.push(
      'SLACK_SIGNING_SECRET is required (Basic Information → App Credentials → Signing Secret), unless SLACK_APP_TOKEN selects Socket Mode',
    );
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(result.data);
}

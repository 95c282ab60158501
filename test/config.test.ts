import { describe, expect, it } from 'vitest';
import { ConfigError, isMultiWorkspace, loadConfig } from '../src/config.ts';

const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', FINANCE_CHANNEL_ID: 'C0FIN' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('config', () => {
  it('applies PRODUCT.md defaults and freezes the result', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      PORT: 3000,
      DATA_DIR: './data',
      BUSINESS_TIMEZONE: 'UTC',
      SWEEP_CRON: '*/5 * * * *',
      DIGEST_CRON: '0 8 * * 1',
      NAG_FIRST_AFTER_HOURS: 24,
      NAG_EVERY_HOURS: 24,
      NAG_MAX: 3,
      WORK_HOURS: { startMinute: 540, endMinute: 1080 },
      WORK_DAYS: [1, 2, 3, 4, 5],
      STANDARD_TERMS_DAYS: 30,
      PAST_DUE_DAYS: [1, 15, 30, 45, 60],
      ESCALATE_AFTER_DAYS: 45,
      CREDIT_HOLD_DAYS: 60,
      AR_USER_IDS: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes DIGEST_CRON as a cron expression or off, and names a bad one', () => {
    expect(loadConfig({ ...base, DIGEST_CRON: '30 7 * * mon-fri' }).DIGEST_CRON).toBe('30 7 * * mon-fri');
    expect(loadConfig({ ...base, DIGEST_CRON: 'off' }).DIGEST_CRON).toBe('off');
    for (const bad of ['every monday', '0 8 * *', '0 25 * * 1'])
      expect(problems({ ...base, DIGEST_CRON: bad }).join('\n')).toMatch(
        /^DIGEST_CRON must be a cron expression/m,
      );
  });

  it('parses policy values, fractional hours included', () => {
    const config = loadConfig({
      ...base,
      NAG_FIRST_AFTER_HOURS: '0.5',
      WORK_HOURS: '08:30-17:15',
      WORK_DAYS: 'Sun-Thu',
      PAST_DUE_DAYS: '30, 1,15',
      AR_USER_IDS: 'U01, U02 ,',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
    });
    expect(config.NAG_FIRST_AFTER_HOURS).toBe(0.5);
    expect(config.WORK_HOURS).toEqual({ startMinute: 510, endMinute: 1035 });
    expect(config.WORK_DAYS).toEqual([0, 1, 2, 3, 4]);
    expect(config.PAST_DUE_DAYS).toEqual([1, 15, 30]);
    expect(config.AR_USER_IDS).toEqual(['U01', 'U02']);
    expect(config.SLACK_API_URL).toBe('http://127.0.0.1:9999/api/');
  });

  it('lists every problem at once, never echoing secrets', () => {
    const found = problems({
      SLACK_BOT_TOKEN: 'secret-value',
      FINANCE_CHANNEL_ID: 'finance',
      NAG_EVERY_HOURS: '0',
      WORK_DAYS: 'Funday',
      PAST_DUE_DAYS: 'soon',
      DATABASE_URL: 'mysql://x',
    });
    const text = found.join('\n');
    for (const name of [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'FINANCE_CHANNEL_ID',
      'NAG_EVERY_HOURS',
      'WORK_DAYS',
      'PAST_DUE_DAYS',
      'DATABASE_URL',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('secret-value');
    expect(text).not.toContain('mysql://x');
  });

  it('needs no signing secret in Socket Mode, and treats empty values as unset', () => {
    expect(
      problems({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_APP_TOKEN: 'xapp-1',
        FINANCE_CHANNEL_ID: 'C0FIN',
        DATABASE_URL: '',
      }),
    ).toEqual([]);
  });

  it('reads the operations settings: listen address, admins, retention', () => {
    expect(loadConfig(base).HOST).toBeUndefined();
    expect(loadConfig(base)).toMatchObject({
      ADMIN_USER_IDS: [],
      OUTBOX_RETENTION_DAYS: 30,
      SEEN_EVENTS_RETENTION_DAYS: 7,
    });
    expect(
      loadConfig({
        ...base,
        HOST: '127.0.0.1',
        ADMIN_USER_IDS: 'U0ADMIN1, U0ADMIN2',
        OUTBOX_RETENTION_DAYS: '90',
        SEEN_EVENTS_RETENTION_DAYS: '14',
      }),
    ).toMatchObject({
      HOST: '127.0.0.1',
      ADMIN_USER_IDS: ['U0ADMIN1', 'U0ADMIN2'],
      OUTBOX_RETENTION_DAYS: 90,
      SEEN_EVENTS_RETENTION_DAYS: 14,
    });
    const found = problems({
      ...base,
      HOST: 'http://x/',
      ADMIN_USER_IDS: '#finance-admins',
      OUTBOX_RETENTION_DAYS: '0',
      SEEN_EVENTS_RETENTION_DAYS: '2',
    });
    for (const name of ['HOST', 'ADMIN_USER_IDS', 'OUTBOX_RETENTION_DAYS', 'SEEN_EVENTS_RETENTION_DAYS'])
      expect(found.some((p) => p.startsWith(name))).toBe(true);
  });

  it('starts without a finance channel (Settings sets it) and reads ENCRYPTION_KEY as keys, newest first', () => {
    const { FINANCE_CHANNEL_ID: _unused, ...noChannel } = base;
    const newest = 'a'.repeat(64);
    const older = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({ ...noChannel, ENCRYPTION_KEY: `${newest}, ${older}` });
    expect(config.FINANCE_CHANNEL_ID).toBeUndefined();
    expect(config.ENCRYPTION_KEY?.map((k) => k.toString('hex'))).toEqual([newest, '07'.repeat(32)]);
    const found = problems({ ...base, ENCRYPTION_KEY: 'too-short-to-be-a-key' });
    expect(found.some((p) => p.startsWith('ENCRYPTION_KEY'))).toBe(true);
    expect(found.join('\n')).not.toContain('too-short-to-be-a-key');
  });

  describe('multi-workspace mode', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const oauth = {
      SLACK_CLIENT_ID: '1234.5678',
      SLACK_CLIENT_SECRET: 'client-secret',
      SLACK_STATE_SECRET: 'state-secret-0123456789',
      SLACK_SIGNING_SECRET: 's',
      FINANCE_CHANNEL_ID: 'C0FIN',
    };

    it('is switched on by the three OAuth settings, needs ENCRYPTION_KEY and no bot token', () => {
      const config = loadConfig({ ...oauth, ENCRYPTION_KEY: `${key}, ${'ab'.repeat(32)}` });
      expect(isMultiWorkspace(config)).toBe(true);
      expect(config.SLACK_BOT_TOKEN).toBeUndefined();
      expect(config.ENCRYPTION_KEY?.map((k) => k.length)).toEqual([32, 32]);
      expect(isMultiWorkspace(loadConfig(base))).toBe(false);
    });

    it('names every problem: a missing OAuth setting, the key, a bot token or app token set beside them', () => {
      const found = problems({
        SLACK_CLIENT_ID: '1234.5678',
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_APP_TOKEN: 'xapp-1',
        FINANCE_CHANNEL_ID: 'C0FIN',
      }).join('\n');
      for (const name of [
        'SLACK_CLIENT_SECRET',
        'SLACK_STATE_SECRET',
        'ENCRYPTION_KEY',
        'SLACK_BOT_TOKEN must be unset',
        'SLACK_APP_TOKEN must be unset',
      ])
        expect(found).toContain(name);
      const badKey = problems({ ...oauth, ENCRYPTION_KEY: `${key},not-a-key` }).join('\n');
      expect(badKey).toContain('ENCRYPTION_KEY must list 32-byte keys');
      expect(badKey).not.toContain('not-a-key');
    });
  });
});

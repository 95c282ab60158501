import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseSetting, SETTING_KEYS, type SettingValues } from '../../src/config.ts';
import {
  resolveSettings,
  type SettingOverrides,
  settingChanges,
  settingText,
} from '../../src/domain/settings.ts';

const ENV = {
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: 'secret',
  FINANCE_CHANNEL_ID: 'C0FINANCE',
  AR_USER_IDS: 'U0AR0001,U0AR0002',
};
const config = loadConfig(ENV);
const defaults = Object.fromEntries(SETTING_KEYS.map((k) => [k, config[k]])) as unknown as SettingValues;

const userId = fc.stringMatching(/^U[A-Z0-9]{4,8}$/);
const workHours = fc
  .tuple(fc.integer({ min: 0, max: 1438 }), fc.integer({ min: 1, max: 1440 }))
  .filter(([a, b]) => a < b)
  .map(([startMinute, endMinute]) => ({ startMinute, endMinute }));
const workDays = fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1 }).map((d) => d.sort());
const pastDue = fc
  .uniqueArray(fc.integer({ min: 1, max: 365 }), { minLength: 1, maxLength: 8 })
  .map((d) => d.sort((a, b) => a - b));

const overridesArb: fc.Arbitrary<SettingOverrides> = fc.record(
  {
    FINANCE_CHANNEL_ID: fc.stringMatching(/^C[A-Z0-9]{8}$/),
    AR_USER_IDS: fc.array(userId, { maxLength: 5 }),
    ADMIN_USER_IDS: fc.array(userId, { maxLength: 3 }),
    BUSINESS_TIMEZONE: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'),
    STANDARD_TERMS_DAYS: fc.integer({ min: 1, max: 365 }),
    NAG_FIRST_AFTER_HOURS: fc.integer({ min: 0, max: 200 }),
    NAG_EVERY_HOURS: fc.integer({ min: 1, max: 200 }),
    NAG_MAX: fc.integer({ min: 0, max: 10 }),
    WORK_HOURS: workHours,
    WORK_DAYS: workDays,
    PAST_DUE_DAYS: pastDue,
    ESCALATE_AFTER_DAYS: fc.integer({ min: 1, max: 365 }),
    CREDIT_HOLD_DAYS: fc.integer({ min: 1, max: 365 }),
    COMMISSION_ON_COLLECTION: fc.boolean(),
  },
  { requiredKeys: [] },
);
const groupArb = fc.option(
  fc.record({ id: fc.stringMatching(/^S[A-Z0-9]{6}$/), members: fc.array(userId, { maxLength: 6 }) }),
  { nil: null },
);

describe('resolveSettings', () => {
  it('takes each override that is set and the default for every other setting', () => {
    fc.assert(
      fc.property(overridesArb, groupArb, (overrides, group) => {
        const settings = resolveSettings(defaults, overrides, group);
        for (const key of SETTING_KEYS) {
          if (key === 'AR_USER_IDS') continue;
          const wanted = key in overrides ? overrides[key] : defaults[key];
          expect(settings[key]).toEqual(wanted);
        }
      }),
    );
  });

  it('counts exactly the listed people and the user group’s members as AR staff', () => {
    fc.assert(
      fc.property(overridesArb, groupArb, (overrides, group) => {
        const settings = resolveSettings(defaults, overrides, group);
        const listed = overrides.AR_USER_IDS ?? defaults.AR_USER_IDS;
        const wanted = new Set([...listed, ...(group?.members ?? [])]);
        expect(new Set(settings.AR_USER_IDS)).toEqual(wanted);
        expect(settings.AR_USER_IDS).toHaveLength(wanted.size);
        expect(settings.AR_USERGROUP_ID).toBe(group?.id ?? null);
      }),
    );
  });

  it('with no overrides and no group is the environment’s values', () => {
    const settings = resolveSettings(defaults, {}, null);
    expect(settings.FINANCE_CHANNEL_ID).toBe('C0FINANCE');
    expect(settings.AR_USER_IDS).toEqual(['U0AR0001', 'U0AR0002']);
    expect(settings.PAST_DUE_DAYS).toEqual([1, 15, 30, 45, 60]);
    expect(Object.isFrozen(settings)).toBe(true);
  });
});

describe('settingText', () => {
  it('writes every value so that parsing it back gives the same value', () => {
    fc.assert(
      fc.property(overridesArb, (overrides) => {
        for (const [key, value] of Object.entries(overrides) as [keyof SettingValues, never][]) {
          const text = settingText(key, value);
          const parsed = parseSetting(key, text);
          expect(parsed, `${key}: ${text}`).toEqual({ ok: true, value });
        }
      }),
    );
  });

  it('writes the defaults as the README documents them', () => {
    expect(settingText('WORK_HOURS', defaults.WORK_HOURS)).toBe('09:00-18:00');
    expect(settingText('WORK_DAYS', defaults.WORK_DAYS)).toBe('Mon,Tue,Wed,Thu,Fri');
    expect(settingText('PAST_DUE_DAYS', defaults.PAST_DUE_DAYS)).toBe('1,15,30,45,60');
    expect(settingText('COMMISSION_ON_COLLECTION', defaults.COMMISSION_ON_COLLECTION)).toBe('false');
  });
});

describe('settingChanges', () => {
  const textMap = fc.dictionary(fc.constantFrom(...SETTING_KEYS), fc.string({ maxLength: 6 }));

  it('lists each key whose text differs, once, old → new, and no other', () => {
    fc.assert(
      fc.property(textMap, textMap, (before, after) => {
        const changes = settingChanges(before, after);
        const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
        for (const key of keys) {
          const change = changes.find((c) => c.key === key);
          const from = before[key] ?? '';
          const to = after[key] ?? '';
          if (from === to) expect(change).toBeUndefined();
          else expect(change).toEqual({ key, from, to });
        }
        expect(changes.map((c) => c.key)).toEqual([...changes.map((c) => c.key)].sort());
        expect(settingChanges(after, after)).toEqual([]);
      }),
    );
  });
});

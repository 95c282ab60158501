import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  POLICY_FIELDS,
  type PolicyKey,
  readSettingsState,
  type SettingsForm,
  settingsChangedPost,
  settingsModal,
} from '../../src/views/settings.ts';
import { slackLimitProblems } from '../../src/views/text.ts';
import { fillModal } from '../support/modal-state.ts';

const userId = fc.stringMatching(/^U[A-Z0-9]{8}$/);
const policyText = fc.string({ maxLength: 3000 });

const formArb: fc.Arbitrary<SettingsForm> = fc.record({
  financeChannel: fc.option(fc.stringMatching(/^C[A-Z0-9]{8}$/), { nil: null }),
  arUsers: fc.array(userId, { maxLength: 150 }),
  arUsergroup: fc.option(fc.stringMatching(/^S[A-Z0-9]{8}$/), { nil: null }),
  managers: fc.array(userId, { maxLength: 150 }),
  admins: fc.array(userId, { maxLength: 20 }),
  policy: fc.record(
    Object.fromEntries(POLICY_FIELDS.map((f) => [f.key, policyText])) as Record<PolicyKey, typeof policyText>,
  ),
  defaults: fc.record(
    Object.fromEntries(POLICY_FIELDS.map((f) => [f.key, policyText])) as Record<PolicyKey, typeof policyText>,
  ),
  commissionOnCollection: fc.boolean(),
  connectors: fc.constant([
    { id: 'hubspot' as const, name: 'HubSpot', on: true, configured: false },
    { id: 'salesforce' as const, name: 'Salesforce', on: false, configured: true },
    { id: 'stripe' as const, name: 'Stripe', on: true, configured: true },
  ]),
  credentials: fc.record({ apiToken: fc.boolean(), webhookSecret: fc.boolean(), sealing: fc.boolean() }),
  recentChanges: fc.array(
    fc.record({
      label: fc.string({ maxLength: 40 }),
      from: fc.string({ maxLength: 400 }),
      to: fc.string({ maxLength: 400 }),
      by: userId,
      at: fc.date({ min: new Date('2026-01-01'), max: new Date('2027-01-01'), noInvalidDate: true }),
    }),
    { maxLength: 5 },
  ),
});

describe('views/settings', () => {
  it('draws the Settings modal within Slack’s limits, whatever it holds', () => {
    fc.assert(
      fc.property(formArb, (form) => {
        expect(slackLimitProblems(settingsModal(form), 100)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('reads back what the modal was drawn with, when nothing is changed', () => {
    fc.assert(
      fc.property(formArb, (form) => {
        const view = settingsModal(form);
        const draft = readSettingsState(fillModal(view, {}, { keepInitial: true }));
        expect(draft.financeChannel).toBe(form.financeChannel);
        expect(draft.arUsers).toEqual(form.arUsers.slice(0, 100));
        expect(draft.arUsergroup).toBe(form.arUsergroup);
        expect(draft.commissionOnCollection).toBe(form.commissionOnCollection);
        expect(draft.connectorsOn).toEqual(form.connectors.filter((c) => c.on).map((c) => c.id));
        for (const f of POLICY_FIELDS)
          expect(draft.policy[f.key]).toBe(form.policy[f.key].slice(0, 3000).trim());
      }),
      { numRuns: 100 },
    );
  });

  it('offers the connector secrets only when they can be sealed', () => {
    const base = fc.sample(formArb, 1)[0] as SettingsForm;
    const sealed = JSON.stringify(
      settingsModal({ ...base, credentials: { apiToken: true, webhookSecret: false, sealing: true } }),
    );
    expect(sealed).toContain('settings_credential_webhook_secret');
    expect(sealed).toContain('settings_credential_stripe');
    const unsealed = JSON.stringify(
      settingsModal({ ...base, credentials: { apiToken: true, webhookSecret: false, sealing: false } }),
    );
    expect(unsealed).toContain('settings_credential_api_token');
    expect(unsealed).not.toContain('settings_credential_webhook_secret');
    expect(unsealed).toContain('ENCRYPTION_KEY');
  });

  it('posts a change with channels, people and groups as Slack links and values escaped', () => {
    const post = settingsChangedPost('U0ADMIN', [
      { key: 'FINANCE_CHANNEL_ID', from: 'C0OLD', to: 'C0NEW' },
      { key: 'AR_USER_IDS', from: '', to: 'U01,U02' },
      { key: 'AR_USERGROUP_ID', from: '', to: 'S0GROUP' },
      { key: 'PAST_DUE_DAYS', from: '1,15', to: '<!channel>' },
    ]);
    const text = JSON.stringify(post.blocks);
    expect(text).toContain('<#C0OLD> → <#C0NEW>');
    expect(text).toContain('_default_ → <@U01>, <@U02>');
    expect(text).toContain('<!subteam^S0GROUP>');
    expect(text).not.toContain('<!channel>');
    expect(post.text).toContain('Finance channel');
  });
});

import type { ModalView } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.ts';
import { fillModal } from '../support/modal-state.ts';
import {
  type SlackResponse,
  sendBlockActions,
  sendEvent,
  sendSlashCommand,
  sendViewSubmission,
  signWebhook,
} from '../support/slack-request.ts';

const KEY = 'b'.repeat(64);
const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN01';
const OWNER = 'U0OWNER01';
const PLAIN = 'U0PLAIN01';
const GROUP_MEMBER = 'U0GROUP01';
const NEW_FINANCE = 'C0NEWFIN';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ ENCRYPTION_KEY: KEY });
  h.fake.addUser({ id: ADMIN, isAdmin: true });
  h.fake.addUser({ id: OWNER, isOwner: true });
  h.fake.addUser({ id: PLAIN });
  h.fake.addUser({ id: GROUP_MEMBER });
  h.fake.addUsergroup('S0ARTEAM', [GROUP_MEMBER]);
});

afterAll(async () => h?.close());

async function openHome(userId: string): Promise<string> {
  h.fake.reset();
  await sendEvent(h.slack, {
    eventId: `Ev-home-${userId}-${Date.now()}`,
    event: {
      type: 'app_home_opened',
      user: userId,
      channel: 'D0HOME',
      tab: 'home',
      event_ts: `${Date.now() / 1000}`,
    },
  });
  const [publish] = await h.fake.waitFor('views.publish', (c) => c.args.user_id === userId);
  return JSON.stringify(publish?.args.view);
}

/** Presses Settings on App Home; the modal Slack was asked to open. */
async function pressSettings(userId: string): Promise<ModalView> {
  h.fake.reset();
  await sendBlockActions(h.slack, {
    userId,
    container: { type: 'view', view_id: 'V0HOME' },
    actions: [{ action_id: 'settings_open', type: 'button', value: 'open' }],
  });
  const [opened] = await h.fake.waitFor('views.open');
  return opened?.args.view as ModalView;
}

async function submitSettings(
  userId: string,
  view: ModalView,
  answers: Record<string, string | string[] | null>,
): Promise<SlackResponse> {
  return sendViewSubmission(h.slack, {
    userId,
    view: {
      callback_id: 'settings_submit',
      blocks: view.blocks,
      state: { values: fillModal(view, answers, { keepInitial: true }) },
    },
  });
}

async function pressCredential(userId: string, which: string): Promise<string> {
  h.fake.reset();
  await sendBlockActions(h.slack, {
    userId,
    view: { id: 'V0SETTINGS', type: 'modal', callback_id: 'settings_submit' },
    actions: [{ action_id: `settings_credential_${which}`, type: 'button', value: which }],
  });
  const [pushed] = await h.fake.waitFor('views.push');
  return JSON.stringify(pushed?.args.view);
}

async function postInvoices(
  token: string,
  number: string,
  query = '',
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${h.baseUrl}/api/invoices${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      invoices: [
        {
          number,
          account: { id: `acct-${number}`, name: `Customer ${number}` },
          amount_cents: 10_000,
          balance_cents: 10_000,
          currency: 'USD',
          issued_on: '2026-10-01',
          due_on: '2026-11-24',
        },
      ],
    }),
  });
  return { status: res.status, json: await res.json() };
}

async function invoiceTeam(number: string): Promise<string | undefined> {
  const row = await h.database.db
    .selectFrom('invoices')
    .select('team_id')
    .where('number', '=', number)
    .executeTakeFirst();
  return row?.team_id;
}

describe('Settings in App Home', () => {
  it('an admin sets the finance channel, AR staff by user group and the policy; a bad value is shown inline', async () => {
    expect(await openHome(ADMIN)).toContain('settings_open');
    const view = await pressSettings(ADMIN);
    expect(view.callback_id).toBe('settings_submit');
    expect(JSON.stringify(view.blocks)).toContain('1,15,30,45,60');

    const bad = await submitSettings(ADMIN, view, {
      finance_channel: NEW_FINANCE,
      ar_usergroup: 'S0ARTEAM',
      PAST_DUE_DAYS: 'soon',
      NAG_MAX: 'three',
    });
    expect(bad.json).toMatchObject({
      response_action: 'errors',
      errors: {
        PAST_DUE_DAYS: expect.stringMatching(/comma-separated whole days/),
        NAG_MAX: expect.any(String),
      },
    });
    const unchanged = await h.database.db.selectFrom('setting_changes').selectAll().execute();
    expect(unchanged).toEqual([]);

    const good = await submitSettings(ADMIN, view, {
      finance_channel: NEW_FINANCE,
      ar_usergroup: 'S0ARTEAM',
      PAST_DUE_DAYS: '5, 20',
    });
    expect(good.status).toBe(200);
    expect(good.json).toBeUndefined();
    expect(h.fake.botIn(NEW_FINANCE)).toBe(true);
    await h.drain();
    const post = h.fake
      .callsTo('chat.postMessage')
      .find((c) => c.args.channel === NEW_FINANCE && String(c.args.text).includes('changed'));
    expect(post).toBeDefined();
    const posted = JSON.stringify(post?.args.blocks);
    expect(posted).toContain(`<#${NEW_FINANCE}>`);
    expect(posted).toContain('`5,20`');
    expect(posted).toContain('<!subteam^S0ARTEAM>');
    const log = await h.database.db
      .selectFrom('setting_changes')
      .select(['setting', 'old_value', 'new_value', 'changed_by'])
      .orderBy('setting')
      .execute();
    expect(log).toEqual([
      { setting: 'AR_USERGROUP_ID', old_value: '', new_value: 'S0ARTEAM', changed_by: ADMIN },
      { setting: 'FINANCE_CHANNEL_ID', old_value: 'C0FINANCE', new_value: NEW_FINANCE, changed_by: ADMIN },
      { setting: 'PAST_DUE_DAYS', old_value: '1,15,30,45,60', new_value: '5,20', changed_by: ADMIN },
    ]);
  });

  it('the new settings apply: the group’s member is AR staff, pings follow the new thresholds in the new channel', async () => {
    h.fake.reset();
    const command = await sendSlashCommand(h.slack, {
      command: '/ar-update',
      text: '',
      userId: GROUP_MEMBER,
    });
    expect(command.json).toBeUndefined();
    await h.fake.waitFor('views.open');

    const created = await postInvoices('test-api-token-0123456789abcdef', 'SET-INV-1');
    expect(created.status).toBe(200);
    await h.sweep(new Date('2026-11-30T15:00:00Z'));
    await h.drain();
    const keys = await h.database.db
      .selectFrom('notifications')
      .select(['dedupe_key', 'channel'])
      .where('dedupe_key', 'like', 'pastdue:SET-INV-1:%')
      .execute();
    expect(keys).toEqual([{ dedupe_key: 'pastdue:SET-INV-1:5', channel: NEW_FINANCE }]);
  });

  it('a workspace owner sees Settings too; anyone else neither sees nor saves them', async () => {
    expect(await openHome(OWNER)).toContain('settings_open');
    expect(await openHome(PLAIN)).not.toContain('settings_open');
    const refused = await pressSettings(PLAIN);
    expect(JSON.stringify(refused)).toContain('Admins only');
    const adminView = await pressSettings(ADMIN);
    const before = await h.database.db.selectFrom('setting_changes').select('id').execute();
    const forged = await submitSettings(PLAIN, adminView, { PAST_DUE_DAYS: '1' });
    expect(forged.json).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(forged.json)).toContain('Admins only');
    const after = await h.database.db.selectFrom('setting_changes').select('id').execute();
    expect(after).toHaveLength(before.length);
  });
});

describe('Credentials per workspace', () => {
  it('a rotated API token works and names its workspace; the old one gets 401', async () => {
    const shown = await pressCredential(ADMIN, 'api_token');
    const first = /arb_[A-Za-z0-9_-]{43}/.exec(shown)?.[0] as string;
    expect(first).toBeDefined();
    expect((await postInvoices(first, 'TOK-INV-1')).status).toBe(200);
    expect(await invoiceTeam('TOK-INV-1')).toBe(TEAM);

    const second = /arb_[A-Za-z0-9_-]{43}/.exec(await pressCredential(ADMIN, 'api_token'))?.[0] as string;
    expect(second).not.toBe(first);
    const old = await postInvoices(first, 'TOK-INV-2');
    expect(old.status).toBe(401);
    expect(await invoiceTeam('TOK-INV-2')).toBeUndefined();
    expect((await postInvoices(second, 'TOK-INV-3')).status).toBe(200);
    // The environment's token keeps working for the start-up workspace.
    expect((await postInvoices('test-api-token-0123456789abcdef', 'TOK-INV-4')).status).toBe(200);
    const stored = await h.database.db
      .selectFrom('workspace_credentials')
      .select(['token_hash', 'sealed_value'])
      .where('kind', '=', 'api_token')
      .execute();
    expect(stored).toEqual([{ token_hash: expect.stringMatching(/^[0-9a-f]{64}$/), sealed_value: null }]);
    await h.drain();
    const rotated = h.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === NEW_FINANCE && JSON.stringify(c.args.blocks).includes('API token'));
    expect(rotated.length).toBeGreaterThanOrEqual(1);
  });

  it('a webhook with ?team= is checked with that workspace’s secret and lands in that workspace', async () => {
    const secret = /whs_[A-Za-z0-9_-]{43}/.exec(
      await pressCredential(ADMIN, 'webhook_secret'),
    )?.[0] as string;
    expect(secret).toBeDefined();
    const deal = (id: string) => ({
      deal_id: id,
      deal_name: `Deal ${id}`,
      amount_cents: 500_000,
      currency: 'USD',
      closed_at: '2026-11-30T10:00:00Z',
      owner: { slack_user_id: PLAIN },
      account: { id: `acct-${id}`, name: `Account ${id}` },
    });
    const own = await h.postSigned(`/webhooks/deal-closed?team=${TEAM}`, deal('TEAM-D1'), { secret });
    expect(own.status).toBe(202);
    const envSecret = await h.postSigned(`/webhooks/deal-closed?team=${TEAM}`, deal('TEAM-D2'));
    expect(envSecret.status).toBe(401);

    const deals = await h.database.db
      .selectFrom('deals')
      .select(['crm_id', 'team_id'])
      .where('crm_id', 'in', ['TEAM-D1', 'TEAM-D2'])
      .execute();
    expect(deals).toEqual([{ crm_id: 'TEAM-D1', team_id: TEAM }]);

    const unknown = await h.postSigned('/webhooks/deal-closed?team=T0NOBODY', deal('NOBODY-D1'), { secret });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: 'unknown workspace: nothing was stored' });
    const stripe = await fetch(`${h.baseUrl}/webhooks/stripe?team=T0NOBODY`, { method: 'POST', body: '{}' });
    expect(stripe.status).toBe(404);
    // Without team, the environment's secret and the start-up workspace, as before.
    const raw = JSON.stringify(deal('ENV-D1'));
    const res = await fetch(`${h.baseUrl}/webhooks/deal-closed`, {
      method: 'POST',
      headers: signWebhook('test-webhook-secret-0123456789', raw),
      body: raw,
    });
    expect(res.status).toBe(202);
  });
});

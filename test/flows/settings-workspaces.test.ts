import { randomBytes } from 'node:crypto';
import type { ModalView } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, WEBHOOK_SECRET } from '../support/harness.ts';
import { installThroughSlack } from '../support/install.ts';
import { fillModal } from '../support/modal-state.ts';
import { sendBlockActions, sendViewSubmission } from '../support/slack-request.ts';

/**
 * Settings in multi-workspace mode: two installed workspaces, each configured in its own App Home
 * Settings; a webhook naming one with `?team=` is checked with that workspace's own secret and
 * lands there, and one workspace's change is posted in its own finance channel only.
 */
const ALPHA = 'T0SETALPHA';
const BRAVO = 'T0SETBRAVO';
const ADMIN = 'U0SETADMIN';
const REP = 'U0SETREP';
const BRAVO_FINANCE = 'C0BRAVOFIN';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    SLACK_CLIENT_ID: '1111.2222',
    SLACK_CLIENT_SECRET: 'test-client-secret',
    SLACK_STATE_SECRET: 'test-state-secret-0123456789',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  for (const teamId of [ALPHA, BRAVO]) {
    const ws = h.fake.addWorkspace({
      teamId,
      teamName: `Team ${teamId}`,
      botUserId: `U0BOT${teamId.slice(5)}`,
    });
    ws.addUser({ id: ADMIN, realName: 'Ada Admin', tz: 'UTC', isAdmin: true });
    ws.addUser({ id: REP, realName: 'Rae Rep', tz: 'UTC' });
    const installed = await installThroughSlack(h, teamId);
    expect(installed.status).toBe(200);
  }
});
afterAll(async () => h?.close());

async function pressInSettings(
  teamId: string,
  actionId: string,
  value: string,
): Promise<Record<string, unknown>> {
  const trigger = `trigger-${teamId}-${actionId}-${Date.now()}`;
  await sendBlockActions(h.slack, {
    teamId,
    userId: ADMIN,
    triggerId: trigger,
    ...(actionId === 'settings_open'
      ? { container: { type: 'view', view_id: 'V0HOME' } }
      : { view: { id: `V-${teamId}`, type: 'modal', callback_id: 'settings_submit' } }),
    actions: [{ action_id: actionId, type: 'button', value }],
  });
  const method = actionId === 'settings_open' ? 'views.open' : 'views.push';
  const [call] = await h.fake.waitFor(method, (c) => c.team === teamId && c.args.trigger_id === trigger);
  return call?.args.view as Record<string, unknown>;
}

function deal(id: string) {
  return {
    deal_id: id,
    deal_name: `Deal ${id}`,
    amount_cents: 100_000,
    currency: 'USD',
    closed_at: new Date(Date.now() - 3_600_000).toISOString(),
    owner: { slack_user_id: REP },
    account: { id: `acct-${id}`, name: `Account ${id}` },
  };
}

describe('Settings per installed workspace', () => {
  it('a webhook with ?team= and that workspace’s own secret lands in that workspace', async () => {
    const shown = JSON.stringify(
      await pressInSettings(BRAVO, 'settings_credential_webhook_secret', 'webhook_secret'),
    );
    const bravoSecret = /whs_[A-Za-z0-9_-]{43}/.exec(shown)?.[0] as string;
    expect(bravoSecret).toBeDefined();

    const bravo = await h.postSigned(`/webhooks/deal-closed?team=${BRAVO}`, deal('MW-B1'), {
      secret: bravoSecret,
    });
    expect(bravo.status).toBe(202);
    // Bravo's own secret replaced the environment's for Bravo; Alpha has none, so it keeps that one.
    expect((await h.postSigned(`/webhooks/deal-closed?team=${BRAVO}`, deal('MW-B2'))).status).toBe(401);
    expect(
      (await h.postSigned(`/webhooks/deal-closed?team=${ALPHA}`, deal('MW-A1'), { secret: bravoSecret }))
        .status,
    ).toBe(401);
    expect(
      (await h.postSigned(`/webhooks/deal-closed?team=${ALPHA}`, deal('MW-A2'), { secret: WEBHOOK_SECRET }))
        .status,
    ).toBe(202);
    const deals = await h.database.db
      .selectFrom('deals')
      .select(['crm_id', 'team_id'])
      .where('crm_id', 'like', 'MW-%')
      .orderBy('crm_id')
      .execute();
    expect(deals).toEqual([
      { crm_id: 'MW-A2', team_id: ALPHA },
      { crm_id: 'MW-B1', team_id: BRAVO },
    ]);
  });

  it('one workspace’s Settings change is posted in its own finance channel, with its own token, only', async () => {
    const view = (await pressInSettings(BRAVO, 'settings_open', 'open')) as unknown as ModalView;
    expect(view.callback_id).toBe('settings_submit');
    const saved = await sendViewSubmission(h.slack, {
      teamId: BRAVO,
      userId: ADMIN,
      view: {
        callback_id: 'settings_submit',
        blocks: view.blocks,
        state: {
          values: fillModal(
            view,
            { finance_channel: BRAVO_FINANCE, CREDIT_HOLD_DAYS: '90' },
            { keepInitial: true },
          ),
        },
      },
    });
    expect(saved.text).toBe('');
    await h.drain();
    const changes = h.fake
      .callsTo('chat.postMessage')
      .filter((c) => JSON.stringify(c.args.blocks ?? '').includes('changed AR Bridge'));
    // Bravo's earlier webhook secret went to the channel it had then (the environment's); Alpha heard nothing.
    expect(changes.every((c) => c.team === BRAVO)).toBe(true);
    const policy = changes.filter((c) => JSON.stringify(c.args.blocks).includes('Credit hold'));
    expect(policy.map((c) => c.args.channel)).toEqual([BRAVO_FINANCE]);
    expect(JSON.stringify(policy[0]?.args.blocks)).toContain('`90`');
    const alpha = await h.database.db
      .selectFrom('workspace_settings')
      .select('overrides')
      .where('team_id', '=', ALPHA)
      .executeTakeFirst();
    expect(alpha?.overrides ?? {}).toEqual({});
  });
});

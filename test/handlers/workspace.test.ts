import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamIdOf } from '../../src/handlers/middleware/workspace.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { sendBlockActions, sendSlashCommand } from '../support/slack-request.ts';

describe('teamIdOf: where Slack puts the workspace in each payload', () => {
  it('reads slash commands and the Events API envelope by team_id', () => {
    expect(teamIdOf({ command: '/ar-status', team_id: 'T1', user_id: 'U1' })).toBe('T1');
    expect(teamIdOf({ type: 'event_callback', team_id: 'T1', event: { type: 'message', team: 'T2' } })).toBe(
      'T1',
    );
  });

  it('reads interactions and options by team.id, then user.team_id, then view.team_id', () => {
    expect(teamIdOf({ type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1', team_id: 'T2' } })).toBe(
      'T1',
    );
    expect(teamIdOf({ type: 'block_actions', team: null, user: { id: 'U1', team_id: 'T2' } })).toBe('T2');
    expect(
      teamIdOf({ type: 'view_submission', team: null, user: { id: 'U1' }, view: { team_id: 'T3' } }),
    ).toBe('T3');
    expect(teamIdOf({ type: 'block_suggestion', team: { id: 'T1' }, value: 'INV' })).toBe('T1');
  });

  it('reads an event without an envelope team by event.team, and gives up on anything else', () => {
    expect(teamIdOf({ type: 'event_callback', event: { type: 'message', team: 'T2' } })).toBe('T2');
    expect(teamIdOf({ type: 'event_callback', event: { type: 'app_home_opened' } })).toBeUndefined();
    expect(teamIdOf({ team_id: '', team: { id: 42 } })).toBeUndefined();
    expect(teamIdOf(undefined)).toBeUndefined();
  });
});

describe('listeners read the workspace from context', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('answers a request from another workspace with that workspace’s data only', async () => {
    const deal = await h.postSigned('/webhooks/deal-closed', {
      deal_id: 'WS-1',
      deal_name: 'Workspace deal',
      amount_cents: 100,
      currency: 'USD',
      closed_at: new Date().toISOString(),
      owner: { slack_user_id: 'U0WSREP' },
      account: { id: 'WS-A', name: 'Isolated Widgets' },
    });
    expect(deal.status).toBe(202);
    const dealId = (
      await h.database.db
        .selectFrom('deals')
        .select('id')
        .where('crm_id', '=', 'WS-1')
        .executeTakeFirstOrThrow()
    ).id;

    const here = await sendSlashCommand(h.slack, {
      command: '/ar-status',
      text: 'isolated widgets',
      userId: 'U0WSREP',
    });
    expect(JSON.stringify(here.json)).toContain('Isolated Widgets');
    const there = await sendSlashCommand(h.slack, {
      command: '/ar-status',
      text: 'isolated widgets',
      userId: 'U0WSREP',
      teamId: 'T0ELSEWHERE',
    });
    expect(JSON.stringify(there.json)).not.toContain('Isolated Widgets');

    await sendBlockActions(h.slack, {
      userId: 'U0WSREP',
      teamId: 'T0ELSEWHERE',
      triggerId: 'tr-elsewhere',
      actions: [{ action_id: 'handoff_open', type: 'button', value: String(dealId) }],
    });
    const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === 'tr-elsewhere');
    expect(JSON.stringify(open?.args.view)).toContain('That deal no longer exists');
  });
});

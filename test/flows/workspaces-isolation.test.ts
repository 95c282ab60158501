import { randomBytes } from 'node:crypto';
import type { ModalView } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstallation } from '../../src/db/installations.ts';
import { dayIn } from '../../src/domain/dates.ts';
import { enqueue } from '../../src/outbox/outbox.ts';
import { BOT_SCOPES } from '../../src/slack/scopes.ts';
import type { SlackCall } from '../support/fake-slack.ts';
import { COMPLETE_HANDOFF } from '../support/handoff-flow.ts';
import { AR_USER, eventually, type Harness, startHarness } from '../support/harness.ts';
import { installThroughSlack } from '../support/install.ts';
import { fillModal } from '../support/modal-state.ts';
import {
  sendBlockActions,
  sendEvent,
  sendSlashCommand,
  sendViewSubmission,
} from '../support/slack-request.ts';

/**
 * Two workspaces installed through /slack/install, holding the same account name, deal id and
 * invoice number (and the same user ids): every Slack call for one goes with its own token and
 * carries only its own data. Amounts and deal names differ, so that a cross-workspace read shows.
 */
const DAY = 86_400_000;
const REP = 'U0ISOREP';
/** Each workspace's own finance channel, webhook secret and API token come from its App Home Settings. */
interface Side {
  teamId: string;
  amount: number;
  shown: string;
  dealName: string;
  finance: string;
  webhookSecret?: string;
  apiToken?: string;
}
const ALPHA: Side = {
  teamId: 'T0ALPHA',
  amount: 111_100,
  shown: '1,111.00',
  dealName: 'Alpha platform',
  finance: 'C0ALPHAFIN',
};
const BRAVO: Side = {
  teamId: 'T0BRAVO',
  amount: 222_200,
  shown: '2,222.00',
  dealName: 'Bravo platform',
  finance: 'C0BRAVOFIN',
};
const SIDES = [ALPHA, BRAVO] as const;
const other = (s: Side): Side => (s === ALPHA ? BRAVO : ALPHA);
const daysAgo = (n: number, now = Date.now()) => dayIn('UTC', new Date(now - n * DAY));

let h: Harness;
/** The tokens each workspace's installs were issued, from what the fake answered. */
const tokensOf = (teamId: string): Set<string> =>
  new Set(
    h.fake
      .callsTo('oauth.v2.access')
      .filter((c) => (c.response?.team as { id?: string } | undefined)?.id === teamId)
      .map((c) => c.response?.access_token as string),
  );
const callsOf = (s: Side, method?: string): SlackCall[] =>
  h.fake.callsOf(s.teamId).filter((c) => c.method !== 'oauth.v2.access' && (!method || c.method === method));

beforeAll(async () => {
  h = await startHarness({
    SLACK_CLIENT_ID: '1111.2222',
    SLACK_CLIENT_SECRET: 'test-client-secret',
    SLACK_STATE_SECRET: 'test-state-secret-0123456789',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  for (const s of SIDES) {
    const ws = h.fake.addWorkspace({
      teamId: s.teamId,
      teamName: `Team ${s.teamId}`,
      domain: s.teamId.toLowerCase(),
      botUserId: `U0BOT${s.teamId.slice(2)}`,
    });
    ws.addUser({ id: REP, realName: 'Riley Rep', tz: 'UTC', email: 'riley@example.com' });
    ws.addUser({ id: AR_USER, realName: 'Avery AR', tz: 'UTC', isAdmin: true });
  }
});
afterAll(async () => h?.close());

function dealBody(s: Side) {
  return {
    deal_id: 'D-SAME-1',
    deal_name: s.dealName,
    amount_cents: s.amount,
    currency: 'USD',
    closed_at: new Date(Date.now() - 3_600_000).toISOString(),
    owner: { slack_user_id: REP },
    account: { id: 'A-SAME-1', name: 'Initech', domain: 'initech.example' },
  };
}

/** The installer (a workspace admin) opens Settings in App Home and submits `answers`. */
async function settings(s: Side, answers: Record<string, string>): Promise<void> {
  await sendBlockActions(h.slack, {
    teamId: s.teamId,
    userId: AR_USER,
    triggerId: `trigger-settings-${s.teamId}`,
    container: { type: 'view', view_id: `V0HOME${s.teamId}` },
    actions: [{ action_id: 'settings_open', type: 'button', value: 'open' }],
  });
  const [opened] = await h.fake.waitFor(
    'views.open',
    (c) => c.team === s.teamId && c.args.trigger_id === `trigger-settings-${s.teamId}`,
  );
  const view = opened?.args.view as ModalView;
  const saved = await sendViewSubmission(h.slack, {
    teamId: s.teamId,
    userId: AR_USER,
    view: {
      callback_id: 'settings_submit',
      blocks: view.blocks,
      state: { values: fillModal(view, answers, { keepInitial: true }) },
    },
  });
  expect(saved.status).toBe(200);
  expect(saved.json).toBeUndefined();
}

/** Settings → create a credential: the value Slack was asked to show once. */
async function credential(s: Side, which: 'api_token' | 'webhook_secret'): Promise<string> {
  const before = h.fake.callsOf(s.teamId).filter((c) => c.method === 'views.push').length;
  await sendBlockActions(h.slack, {
    teamId: s.teamId,
    userId: AR_USER,
    view: { id: `V0SETTINGS${s.teamId}`, type: 'modal', callback_id: 'settings_submit' },
    actions: [{ action_id: `settings_credential_${which}`, type: 'button', value: which }],
  });
  const pushed = await h.fake.waitFor('views.push', (c) => c.team === s.teamId, { count: before + 1 });
  const shown = JSON.stringify(pushed.at(-1)?.args.view);
  const value = (which === 'api_token' ? /arb_[A-Za-z0-9_-]{43}/ : /whs_[A-Za-z0-9_-]{43}/).exec(shown)?.[0];
  expect(value).toBeDefined();
  return value as string;
}

async function postInvoices(s: Side, dueDaysAgo: number) {
  // The workspace's own API token names the workspace: no ?team= needed.
  return fetch(`${h.baseUrl}/api/invoices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      invoices: [
        {
          number: 'INV-SAME-1',
          account: { id: 'A-SAME-1' },
          amount_cents: s.amount,
          balance_cents: s.amount,
          currency: 'USD',
          issued_on: daysAgo(dueDaysAgo + 30),
          due_on: daysAgo(dueDaysAgo),
        },
      ],
    }),
  });
}

/** The rep opens the handoff from the DM and submits it complete, in that workspace. */
async function submitHandoff(s: Side): Promise<void> {
  const [dm] = await h.fake.waitFor(
    'chat.postMessage',
    (c) =>
      c.team === s.teamId && c.args.channel === REP && JSON.stringify(c.args.blocks).includes(s.dealName),
  );
  const id =
    /"action_id":"handoff_open"[^}]*"value":"(\d+)"|"value":"(\d+)"[^}]*"action_id":"handoff_open"/.exec(
      JSON.stringify(dm?.args.blocks),
    );
  const dealId = id?.[1] ?? id?.[2];
  const trigger = `trigger-${s.teamId}`;
  await sendBlockActions(h.slack, {
    teamId: s.teamId,
    userId: REP,
    triggerId: trigger,
    actions: [{ action_id: 'handoff_open', type: 'button', value: String(dealId) }],
  });
  const [open] = await h.fake.waitFor(
    'views.open',
    (c) => c.team === s.teamId && c.args.trigger_id === trigger,
  );
  const view = open?.args.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
  const submitted = await sendViewSubmission(h.slack, {
    teamId: s.teamId,
    userId: REP,
    view: {
      id: `V-${s.teamId}`,
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      state: { values: fillModal(view, COMPLETE_HANDOFF) },
    },
  });
  expect(submitted.text).toBe('');
}

/** Every call a workspace's fake saw used one of its own tokens and carried none of the other's data. */
function expectIsolated(): void {
  for (const s of SIDES) {
    const mine = tokensOf(s.teamId);
    const theirs = tokensOf(other(s).teamId);
    const calls = callsOf(s);
    expect(calls.length).toBeGreaterThan(0);
    const foreign = calls.filter((c) => c.token === null || !mine.has(c.token) || theirs.has(c.token));
    expect(foreign).toEqual([]);
    const leaks = calls.filter((c) => {
      const text = JSON.stringify(c.args);
      const theirs = other(s);
      return text.includes(theirs.shown) || text.includes(theirs.dealName) || text.includes(theirs.finance);
    });
    expect(leaks).toEqual([]);
  }
  // The first workspace of the fake, which never installed the app, got no call at all.
  expect(h.fake.callsOf(h.fake.teamId).filter((c) => c.method !== 'oauth.v2.access')).toEqual([]);
}

describe('two workspaces, one app', () => {
  it('installs each through /slack/install → Slack → /slack/oauth_redirect, tokens sealed at rest', async () => {
    for (const s of SIDES) {
      const installed = await installThroughSlack(h, s.teamId);
      expect(installed.page).toContain('Install AR Bridge');
      expect(installed.status).toBe(200);
      expect(installed.html).toContain(`installed in Team ${s.teamId}`);
      expect(installed.authorizeUrl.searchParams.get('scope')).toBe(BOT_SCOPES.join(','));
      expect(installed.authorizeUrl.searchParams.get('client_id')).toBe('1111.2222');
      const row = await findInstallation(h.database.db, s.teamId);
      expect(row).toMatchObject({ bot_user_id: `U0BOT${s.teamId.slice(2)}`, team_url: expect.any(String) });
      expect(row?.bot_token).toMatch(/^v1\./);
      expect(row?.bot_token).not.toContain('xoxb-');
      expect(row?.installer_user_id).toBe(AR_USER);
    }
    const exchanges = h.fake.callsTo('oauth.v2.access');
    expect(exchanges.map((c) => c.args.client_id)).toEqual(['1111.2222', '1111.2222']);
  });

  it('answers a bad or missing state with a page that says so, installs nothing, and keeps /slack/events guarded', async () => {
    const bad = await fetch(`${h.baseUrl}/slack/oauth_redirect?code=code-T0ALPHA-1&state=forged`, {
      headers: { cookie: 'slack-app-oauth-state=other' },
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('This install link is not valid here');
    const missing = await fetch(`${h.baseUrl}/slack/oauth_redirect?code=abc`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('not valid here');
    expect(h.fake.callsTo('oauth.v2.access')).toHaveLength(2);
    // The installer's routes sit beside /slack/events, which keeps its guard: unsigned is refused.
    const unsigned = await fetch(`${h.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'event_callback',
        team_id: ALPHA.teamId,
        event: { type: 'app_uninstalled' },
      }),
    });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: 'invalid signature' });
    expect((await findInstallation(h.database.db, ALPHA.teamId))?.bot_token).toMatch(/^v1\./);
  });

  it('configures each in its App Home Settings: its own finance channel, webhook secret and API token', async () => {
    for (const s of SIDES) {
      await settings(s, { finance_channel: s.finance });
      s.webhookSecret = await credential(s, 'webhook_secret');
      s.apiToken = await credential(s, 'api_token');
    }
    await h.drain();
    for (const s of SIDES)
      expect(
        callsOf(s, 'chat.postMessage').filter((c) => c.args.channel === s.finance).length,
      ).toBeGreaterThan(0);
    expect(ALPHA.webhookSecret).not.toBe(BRAVO.webhookSecret);
    expect(ALPHA.apiToken).not.toBe(BRAVO.apiToken);
  });

  it('keeps deals, handoffs, invoices, pings, App Home and /ar-status inside their workspace', async () => {
    const unnamed = await h.postSigned('/webhooks/deal-closed', dealBody(ALPHA), {
      secret: ALPHA.webhookSecret,
    });
    expect(unnamed.status).toBe(400);
    expect(JSON.stringify(unnamed.json)).toContain('?team=');
    // One workspace's secret does not sign for the other.
    const crossed = await h.postSigned(`/webhooks/deal-closed?team=${BRAVO.teamId}`, dealBody(BRAVO), {
      secret: ALPHA.webhookSecret,
    });
    expect(crossed.status).toBe(401);
    for (const s of SIDES) {
      const res = await h.postSigned(`/webhooks/deal-closed?team=${s.teamId}`, dealBody(s), {
        secret: s.webhookSecret,
      });
      expect(res.status).toBe(202);
    }
    for (const s of SIDES) await submitHandoff(s);
    await h.drain();
    for (const s of SIDES) {
      const summary = callsOf(s, 'chat.postMessage').find(
        (c) => c.args.channel === s.finance && JSON.stringify(c.args).includes('Initech'),
      );
      expect(JSON.stringify(summary?.args)).toContain(s.dealName);
    }

    for (const s of SIDES) expect((await postInvoices(s, 20)).status).toBe(200);
    await h.sweep(new Date());
    await h.drain();
    for (const s of SIDES) {
      const ping = callsOf(s, 'chat.postMessage').find(
        (c) => c.args.thread_ts && JSON.stringify(c.args).includes('INV-SAME-1'),
      );
      expect(JSON.stringify(ping?.args)).toContain(s.shown);
    }

    for (const s of SIDES) {
      await sendEvent(h.slack, {
        teamId: s.teamId,
        eventId: `Ev-home-${s.teamId}`,
        event: { type: 'app_home_opened', user: REP, channel: 'D0ISOREP', tab: 'home' },
      });
      const [home] = await h.fake.waitFor(
        'views.publish',
        (c) => c.team === s.teamId && c.args.user_id === REP,
      );
      expect(JSON.stringify(home?.args.view)).toContain('INV-SAME-1');

      const status = await sendSlashCommand(h.slack, {
        teamId: s.teamId,
        command: '/ar-status',
        text: 'Initech',
        userId: REP,
        responseUrl: h.fake.responseUrl(),
      });
      expect(status.status).toBe(200);
      const answer = JSON.stringify(status.json);
      expect(answer).toContain(s.shown);
      expect(answer).not.toContain(other(s).shown);
      // The thread link points into this workspace.
      expect(answer).toContain(`https://${s.teamId.toLowerCase()}.slack.com/archives/${s.finance}/`);
    }
    expectIsolated();
  });

  it('stops one workspace on app_uninstalled, without touching the other; a reinstall resumes it', async () => {
    const [before] = [callsOf(ALPHA).length];
    h.fake.revokeTokens(ALPHA.teamId);
    const uninstalled = await sendEvent(h.slack, {
      teamId: ALPHA.teamId,
      eventId: 'Ev-uninstall-alpha',
      event: { type: 'app_uninstalled' },
    });
    expect(uninstalled.status).toBe(200);
    await eventually(async () =>
      expect((await findInstallation(h.database.db, ALPHA.teamId))?.bot_token).toBeNull(),
    );
    expect(await findInstallation(h.database.db, ALPHA.teamId)).toMatchObject({
      uninstall_reason: 'app_uninstalled',
    });

    // Nothing new can reach it: its webhook is refused, and what was already queued waits.
    const refused = await h.postSigned(`/webhooks/deal-closed?team=${ALPHA.teamId}`, dealBody(ALPHA), {
      secret: ALPHA.webhookSecret,
    });
    expect(refused.status).toBe(404);
    const invoicesRefused = await postInvoices(ALPHA, 25);
    expect(invoicesRefused.status).toBe(404);
    await enqueue(h.database.db, {
      teamId: ALPHA.teamId,
      dedupeKey: 'iso:waiting',
      target: { kind: 'channel', channel: ALPHA.finance },
      message: { text: 'queued before the uninstall was known' },
    });
    // Ten days later both invoices cross the 30-day threshold; only Bravo is swept and pinged.
    const later = new Date(Date.now() + 10 * DAY);
    const swept = (await h.sweep(later)) as { invoices: { pinged: number } };
    expect(swept.invoices.pinged).toBe(1);
    h.running.outbox.kick();
    await h.fake.waitFor(
      'chat.postMessage',
      (c) => c.team === BRAVO.teamId && JSON.stringify(c.args).includes('30 days'),
    );
    const waiting = await h.database.db
      .selectFrom('notifications')
      .select(['status', 'attempts'])
      .where('dedupe_key', '=', 'iso:waiting')
      .executeTakeFirstOrThrow();
    expect(waiting).toEqual({ status: 'pending', attempts: 0 });
    expect(callsOf(ALPHA)).toHaveLength(before);

    // A reinstall resumes: the waiting message goes out with the new token, and the next sweep pings.
    const again = await installThroughSlack(h, ALPHA.teamId);
    expect(again.status).toBe(200);
    const [delivered] = await h.fake.waitFor(
      'chat.postMessage',
      (c) => c.team === ALPHA.teamId && c.args.text === 'queued before the uninstall was known',
    );
    const newest = [...tokensOf(ALPHA.teamId)].at(-1);
    expect(delivered?.token).toBe(newest);
    await h.sweep(later);
    await h.drain();
    const ping = callsOf(ALPHA, 'chat.postMessage').find((c) => JSON.stringify(c.args).includes('30 days'));
    expect(JSON.stringify(ping?.args)).toContain(ALPHA.shown);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.fault !== undefined)).toEqual([]);
    expectIsolated();
  });
});

import type { ModalView } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, eventually, type Harness, startHarness } from '../support/harness.ts';
import { fillModal } from '../support/modal-state.ts';
import { sendBlockActions, sendViewSubmission } from '../support/slack-request.ts';

/**
 * A workspace with no finance channel yet: what is meant for the channel waits, the admin is told
 * once by DM how to choose one, and once it is chosen in Settings everything waiting goes there.
 */
const ADMIN = 'U0NOCHADM';
const CHOSEN = 'C0CHOSEN';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ FINANCE_CHANNEL_ID: '', ADMIN_USER_IDS: ADMIN });
  h.fake.addUser({ id: ADMIN });
});
afterAll(async () => h?.close());

describe('no finance channel yet', () => {
  it('keeps the channel’s posts, tells the admin once, and posts them once a channel is chosen', async () => {
    const res = await fetch(`${h.baseUrl}/api/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        invoices: [
          {
            number: 'NOCH-1',
            account: { id: 'acct-noch', name: 'Waiting Co' },
            amount_cents: 20_000,
            balance_cents: 20_000,
            currency: 'USD',
            issued_on: '2026-10-01',
            due_on: '2026-11-20',
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await h.sweep(new Date('2026-11-30T15:00:00Z'));
    h.running.outbox.kick();
    const [notice] = await h.fake.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === ADMIN && String(c.args.text).includes('no finance channel yet'),
    );
    expect(notice).toBeDefined();
    const waiting = await h.database.db
      .selectFrom('notifications')
      .select(['dedupe_key', 'status'])
      .where('dedupe_key', 'like', 'pastdue:NOCH-1:%')
      .execute();
    expect(waiting).toEqual([{ dedupe_key: 'pastdue:NOCH-1:1', status: 'pending' }]);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel !== ADMIN)).toEqual([]);

    await sendBlockActions(h.slack, {
      userId: ADMIN,
      container: { type: 'view', view_id: 'V0HOME' },
      actions: [{ action_id: 'settings_open', type: 'button', value: 'open' }],
    });
    const [opened] = await h.fake.waitFor('views.open');
    const view = opened?.args.view as ModalView;
    const saved = await sendViewSubmission(h.slack, {
      userId: ADMIN,
      view: {
        callback_id: 'settings_submit',
        blocks: view.blocks,
        state: { values: fillModal(view, { finance_channel: CHOSEN }, { keepInitial: true }) },
      },
    });
    expect(saved.status).toBe(200);
    expect(saved.json).toBeUndefined();
    await h.drain();
    await eventually(() => {
      const inChosen = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === CHOSEN);
      // The account's thread root, the ping in it, and the Settings change.
      expect(inChosen.map((c) => String(c.args.text))).toEqual(
        expect.arrayContaining([expect.stringContaining('NOCH-1'), expect.stringContaining('changed')]),
      );
    });
    const notices = h.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === ADMIN && String(c.args.text).includes('no finance channel yet'));
    expect(notices).toHaveLength(1);
  });
});

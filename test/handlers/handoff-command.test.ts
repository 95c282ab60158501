import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.ts';
import { fillModal } from '../support/modal-state.ts';
import { sendSlashCommand, sendViewSubmission } from '../support/slack-request.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function closeDeal(rep: string, n: number) {
  const res = await h.postSigned('/webhooks/deal-closed', {
    deal_id: `CMD-${rep}-${n}`,
    deal_name: `Deal ${n} of ${rep}`,
    amount_cents: 100_000 * n,
    currency: 'USD',
    closed_at: '2026-11-20T12:00:00Z',
    owner: { slack_user_id: rep },
    account: { id: `CMD-A-${rep}-${n}`, name: `Customer ${n} of ${rep}` },
  });
  expect(res.status).toBe(202);
}

describe('/handoff', () => {
  it('opens the intake at once for the only deal waiting', async () => {
    await closeDeal('U0ONE', 1);
    const res = await sendSlashCommand(h.slack, {
      command: '/handoff',
      userId: 'U0ONE',
      triggerId: 'tr-one',
    });
    expect(res.status).toBe(200);
    const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === 'tr-one');
    expect(open?.args.view).toMatchObject({ callback_id: 'handoff_intake' });
    expect(JSON.stringify(open?.args.view)).toContain('Deal 1 of U0ONE');
  });

  it('offers a pick list when several deals wait, narrowed by words', async () => {
    await closeDeal('U0MANY', 1);
    await closeDeal('U0MANY', 2);
    const responseUrl = h.fake.responseUrl();
    await sendSlashCommand(h.slack, {
      command: '/handoff',
      userId: 'U0MANY',
      responseUrl,
      triggerId: 'tr-many',
    });
    const [list] = await h.fake.waitForResponse((r) => r.path === new URL(responseUrl).pathname);
    const body = JSON.stringify(list?.body);
    expect(list?.body).toMatchObject({ response_type: 'ephemeral' });
    expect(body).toContain('Deal 1 of U0MANY');
    expect(body).toContain('Deal 2 of U0MANY');
    expect(body.match(/"action_id":"handoff_open"/g)).toHaveLength(2);

    await sendSlashCommand(h.slack, {
      command: '/handoff',
      text: 'customer 2',
      userId: 'U0MANY',
      triggerId: 'tr-narrow',
    });
    const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === 'tr-narrow');
    expect(JSON.stringify(open?.args.view)).toContain('Deal 2 of U0MANY');
  });

  it('lets a rep with no deal waiting enter one, then continues to the intake', async () => {
    await sendSlashCommand(h.slack, { command: '/handoff', userId: 'U0NONE', triggerId: 'tr-none' });
    const [open] = await h.fake.waitFor('views.open', (c) => c.args.trigger_id === 'tr-none');
    const view = open?.args.view as { callback_id: string; blocks: unknown[] };
    expect(view.callback_id).toBe('handoff_new_deal');

    const bad = await sendViewSubmission(h.slack, {
      userId: 'U0NONE',
      view: {
        id: 'V-new-bad',
        callback_id: view.callback_id,
        state: { values: fillModal(view, { deal_name: 'X', account_name: '', amount: '12.345' }) },
      },
    });
    expect(bad.json).toMatchObject({
      response_action: 'errors',
      errors: { account_name: expect.any(String), amount: expect.any(String) },
    });

    const answers = {
      deal_name: 'Umbrella renewal',
      account_name: 'Umbrella Corp',
      amount: '12500.50',
      currency: 'EUR',
      closed_on: '2026-11-19',
    };
    const ok = await sendViewSubmission(h.slack, {
      userId: 'U0NONE',
      view: { id: 'V-new-ok', callback_id: view.callback_id, state: { values: fillModal(view, answers) } },
    });
    expect(ok.json).toMatchObject({ response_action: 'update', view: { callback_id: 'handoff_intake' } });
    const deal = await h.database.db
      .selectFrom('deals')
      .selectAll()
      .where('name', '=', 'Umbrella renewal')
      .executeTakeFirstOrThrow();
    expect(deal).toMatchObject({
      amount_cents: 1_250_050,
      currency: 'EUR',
      owner_user_id: 'U0NONE',
      source: 'slack',
    });

    // Submitting the same modal again (a double click) creates no second deal.
    await sendViewSubmission(h.slack, {
      userId: 'U0NONE',
      view: { id: 'V-new-ok', callback_id: view.callback_id, state: { values: fillModal(view, answers) } },
    });
    const deals = await h.database.db
      .selectFrom('deals')
      .select('id')
      .where('name', '=', 'Umbrella renewal')
      .execute();
    expect(deals).toHaveLength(1);
  });
});

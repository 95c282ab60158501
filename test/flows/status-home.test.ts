import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayIn } from '../../src/domain/dates.ts';
import { API_TOKEN, AR_USER, eventually, type Harness, startHarness } from '../support/harness.ts';
import { sendBlockActions, sendEvent, sendSlashCommand } from '../support/slack-request.ts';

const DAY = 86_400_000;
const REP = 'U0STATREP';
const daysAgo = (n: number) => dayIn('UTC', new Date(Date.now() - n * DAY));
let h: Harness;

async function account(id: string, name: string, domain: string, owner = REP) {
  const res = await h.postSigned('/webhooks/deal-closed', {
    deal_id: `ST-${id}`,
    deal_name: `${name} platform`,
    amount_cents: 1_000_000,
    currency: 'USD',
    closed_at: new Date(Date.now() - 3 * DAY).toISOString(),
    owner: { slack_user_id: owner },
    account: { id, name, domain },
  });
  expect(res.status).toBe(202);
}

async function invoices(list: unknown[]) {
  const res = await fetch(`${h.baseUrl}/api/invoices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ invoices: list }),
  });
  expect(res.status).toBe(200);
}

const inv = (number: string, accountId: string, o: Record<string, unknown> = {}) => ({
  number,
  account: { id: accountId },
  amount_cents: 120_000,
  balance_cents: 120_000,
  currency: 'USD',
  issued_on: daysAgo(75),
  due_on: daysAgo(45),
  ...o,
});

beforeAll(async () => {
  h = await startHarness();
  await account('ST-ACME', 'Acme Corporation', 'acme.example');
  await account('ST-ACMELABS', 'Acme Labs', 'acmelabs.example');
  await account('ST-GLOBEX', 'Globex Corporation', 'globex.example');
  await account('ST-INITECH', 'Initech', 'initech.example', 'U0OTHERREP');
  await invoices([
    inv('ST-INV-1', 'ST-ACME'),
    inv('ST-INV-2', 'ST-ACME', {
      currency: 'EUR',
      amount_cents: 50_000,
      balance_cents: 50_000,
      issued_on: daysAgo(10),
      due_on: dayIn('UTC', new Date(Date.now() + 20 * DAY)),
    }),
    inv('ST-INV-3', 'ST-GLOBEX', {
      due_on: daysAgo(95),
      issued_on: daysAgo(125),
      balance_cents: 99_900,
      amount_cents: 99_900,
    }),
    inv('ST-INV-4', 'ST-INITECH', { due_on: daysAgo(5), issued_on: daysAgo(35) }),
  ]);
  // A dispute on Globex, opened by AR through the app's own data path.
  const globex = await h.database.db
    .selectFrom('invoices')
    .select(['id', 'account_id'])
    .where('number', '=', 'ST-INV-3')
    .executeTakeFirstOrThrow();
  await h.database.db
    .updateTable('invoices')
    .set({ dispute_state: 'open' })
    .where('id', '=', globex.id)
    .execute();
  await h.database.db
    .insertInto('collection_updates')
    .values({
      team_id: h.fake.teamId,
      account_id: globex.account_id,
      invoice_id: globex.id,
      author_user_id: AR_USER,
      kind: 'dispute_opened',
      dispute_reason: 'pricing_error',
    })
    .execute();
  await h.drain();
});
afterAll(async () => h?.close());

async function status(text: string, userId = REP) {
  const started = Date.now();
  const res = await sendSlashCommand(h.slack, {
    command: '/ar-status',
    text,
    userId,
    responseUrl: h.fake.responseUrl(),
  });
  const elapsed = Date.now() - started;
  expect(res.status).toBe(200);
  expect(elapsed).toBeLessThan(3_000);
  return res.json as { response_type: string; text: string; blocks: unknown[] };
}

describe('/ar-status', () => {
  it('finds an account by name despite a typo, and shows where it stands', async () => {
    const answer = await status('globx corporation');
    expect(answer.response_type).toBe('ephemeral');
    const text = JSON.stringify(answer.blocks);
    expect(text).toContain('Globex Corporation');
    expect(text).toContain('ST-INV-3');
    expect(text).toMatch(/95 days/);
    expect(text).toMatch(/Pricing error/i);
    expect(text).toContain(`<@${REP}>`);
    expect(text).toContain('ar_status_share');
  });

  it('finds by domain and by invoice number, never summing currencies', async () => {
    const byDomain = JSON.stringify((await status('acme.example')).blocks);
    expect(byDomain).toContain('Acme Corporation');
    expect(byDomain).toContain('$1,200.00');
    expect(byDomain).toContain('€500.00');
    expect(byDomain).not.toContain('1,700');
    const byInvoice = JSON.stringify((await status('st-inv-1')).blocks);
    expect(byInvoice).toContain('Acme Corporation');
    expect(byInvoice).toMatch(/45 days/);
  });

  it('offers a pick list for several close matches; a pick shows the account', async () => {
    const answer = await status('acme');
    const text = JSON.stringify(answer.blocks);
    expect(text).toContain('Acme Corporation');
    expect(text).toContain('Acme Labs');
    const ids = [
      ...text.matchAll(
        /"action_id":"ar_status_pick"[^}]*?"value":"(\d+)"|"value":"(\d+)"[^}]*?"action_id":"ar_status_pick"/g,
      ),
    ].map((m) => m[1] ?? m[2]);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const responseUrl = h.fake.responseUrl();
    await sendBlockActions(h.slack, {
      userId: REP,
      responseUrl,
      actions: [{ action_id: 'ar_status_pick', type: 'button', value: ids[0] }],
    });
    const [picked] = await h.fake.waitForResponse((r) => r.path === new URL(responseUrl).pathname);
    expect(picked?.body).toMatchObject({ replace_original: true });
    expect(JSON.stringify(picked?.body)).toMatch(/Acme (Corporation|Labs)/);
  });

  it('says so helpfully when nothing matches, with the closest names', async () => {
    const answer = await status('Umbrella Pharmaceuticals');
    expect(answer.text).toMatch(/No account.*matches/);
    expect(JSON.stringify(answer.blocks)).toMatch(/Did you mean/);
  });

  it('alone: a rep sees their book, AR the whole ledger', async () => {
    const book = JSON.stringify((await status('')).blocks);
    expect(book).toContain('Acme Corporation');
    expect(book).toContain('Globex Corporation');
    expect(book).not.toContain('Initech');
    expect(book.indexOf('Globex Corporation')).toBeLessThan(book.indexOf('Acme Corporation'));
    const ledger = JSON.stringify((await status('', AR_USER)).blocks);
    expect(ledger).toContain('€500.00');
    expect(ledger).toMatch(/dispute/i);
  });

  it('shares in the channel with the word share or the button', async () => {
    const shared = await status('acme.example share');
    expect(shared.response_type).toBe('in_channel');
    expect(JSON.stringify(shared.blocks)).not.toContain('ar_status_share');
    const account = await h.database.db
      .selectFrom('accounts')
      .select('id')
      .where('crm_id', '=', 'ST-ACME')
      .executeTakeFirstOrThrow();
    const responseUrl = h.fake.responseUrl();
    await sendBlockActions(h.slack, {
      userId: REP,
      responseUrl,
      actions: [{ action_id: 'ar_status_share', type: 'button', value: String(account.id) }],
    });
    const [post] = await h.fake.waitForResponse((r) => r.path === new URL(responseUrl).pathname);
    expect(post?.body).toMatchObject({ response_type: 'in_channel' });
  });
});

describe('App Home', () => {
  it('shows a rep their handoffs and their customers’ overdue and disputed invoices', async () => {
    await sendEvent(h.slack, {
      eventId: 'Ev-home-rep',
      event: {
        type: 'app_home_opened',
        user: REP,
        channel: 'D0REP',
        tab: 'home',
        event_ts: `${Date.now() / 1000}`,
      },
    });
    const [publish] = await h.fake.waitFor('views.publish', (c) => c.args.user_id === REP);
    const view = publish?.args.view as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('handoff_open');
    expect(text).toContain('ST-INV-1');
    expect(text).toContain('ST-INV-3');
    expect(text).not.toContain('ST-INV-4');
  });

  it('shows AR the dispute queue, the oldest overdue and handoffs waiting', async () => {
    await sendEvent(h.slack, {
      eventId: 'Ev-home-ar',
      event: {
        type: 'app_home_opened',
        user: AR_USER,
        channel: 'D0AR',
        tab: 'home',
        event_ts: `${Date.now() / 1000}`,
      },
    });
    const [publish] = await h.fake.waitFor('views.publish', (c) => c.args.user_id === AR_USER);
    const text = JSON.stringify((publish?.args.view as { blocks?: unknown[] } | undefined)?.blocks);
    expect(text).toContain('ST-INV-3');
    expect(text).toMatch(/Pricing error/i);
    expect(text).toContain('Initech');
  });

  it('refreshes once after a burst of changes', async () => {
    h.fake.reset();
    for (let i = 0; i < 5; i++) {
      await invoices([inv(`ST-BURST-${i}`, 'ST-ACME', { due_on: daysAgo(3), issued_on: daysAgo(33) })]);
    }
    const [refresh] = await h.fake.waitFor(
      'views.publish',
      (c) => c.args.user_id === REP && JSON.stringify(c.args.view).includes('ST-BURST-4'),
      { timeoutMs: 10_000 },
    );
    expect(refresh).toBeDefined();
    await h.drain();
    // Five changes, one publish (two when the burst straddles a debounce window).
    const withBurst = h.fake
      .callsTo('views.publish')
      .filter((c) => c.args.user_id === REP && JSON.stringify(c.args.view).includes('ST-BURST'));
    expect(withBurst.length).toBeGreaterThanOrEqual(1);
    expect(withBurst.length).toBeLessThanOrEqual(2);
    await eventually(async () =>
      expect(h.fake.callsTo('views.publish').some((c) => c.args.user_id === AR_USER)).toBe(true),
    );
  });
});

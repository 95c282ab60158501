import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, AR_USER, FINANCE_CHANNEL, type Harness, startHarness } from '../support/harness.ts';
import { sendSlashCommand } from '../support/slack-request.ts';

/** Business time two years from now, at noon: nothing below depends on when the test runs. */
const NOW = new Date(`${new Date().getUTCFullYear() + 2}-03-20T12:00:00Z`);
const day = (offset: number) => new Date(NOW.getTime() + offset * 86_400_000).toISOString().slice(0, 10);

let h: Harness;

beforeAll(async () => {
  // The scheduler runs every second, on the business clock.
  h = await startHarness({ SWEEP_CRON: '* * * * * *' }, undefined, {
    clock: { now: () => NOW },
    schedule: true,
  });
});
afterAll(async () => h?.close());

async function postInvoices(invoices: unknown[]) {
  const res = await fetch(`${h.baseUrl}/api/invoices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ invoices }),
  });
  expect(res.status).toBe(200);
}

describe('the business clock', () => {
  it('is "today" for /ar-status and for the scheduled past-due sweep', async () => {
    await postInvoices([
      {
        number: 'CLK-1',
        account: { id: 'CLK-A', name: 'Clockwork Ltd' },
        amount_cents: 10_000,
        balance_cents: 10_000,
        currency: 'USD',
        issued_on: day(-40),
        due_on: day(-16),
      },
    ]);
    const res = await sendSlashCommand(h.slack, { command: '/ar-status', text: 'CLK-1', userId: AR_USER });
    expect(JSON.stringify(res.json)).toMatch(/16 days/);

    const [ping] = await h.fake.waitFor(
      'chat.postMessage',
      (c) =>
        c.args.channel === FINANCE_CHANNEL &&
        /CLK-1/.test(JSON.stringify(c.args)) &&
        /16 days/.test(JSON.stringify(c.args)),
      { timeoutMs: 10_000 },
    );
    expect(ping).toBeDefined();
    const invoice = await h.database.db
      .selectFrom('invoices')
      .select('pinged_threshold')
      .where('number', '=', 'CLK-1')
      .executeTakeFirstOrThrow();
    expect(invoice.pinged_threshold).toBe(15);
  });
});

import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putCredential } from '../../src/db/settings.ts';
import { dayIn } from '../../src/domain/dates.ts';
import { hashToken } from '../../src/secrets.ts';
import { AR_USER, FINANCE_CHANNEL, type Harness, startHarness } from '../support/harness.ts';
import { installThroughSlack } from '../support/install.ts';

/** Two installed workspaces with the same account and invoice number, different amounts. */
const DAY = 86_400_000;
const ALPHA = { teamId: 'T0DGALPHA', amount: 333_300, shown: '$3,333.00' };
const BRAVO = { teamId: 'T0DGBRAVO', amount: 444_400, shown: '$4,444.00' };
const SIDES = [ALPHA, BRAVO] as const;
let h: Harness;
const tokenOf = (s: { teamId: string }) => `test-api-token-${s.teamId.toLowerCase()}-0123456789`;

beforeAll(async () => {
  h = await startHarness({
    SLACK_CLIENT_ID: '1111.2222',
    SLACK_CLIENT_SECRET: 'test-client-secret',
    SLACK_STATE_SECRET: 'test-state-secret-0123456789',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DIGEST_CRON: '0 8 * * 1',
  });
  for (const s of SIDES) {
    const ws = h.fake.addWorkspace({
      teamId: s.teamId,
      teamName: `Team ${s.teamId}`,
      domain: s.teamId.toLowerCase(),
    });
    ws.addUser({ id: AR_USER, realName: 'Avery AR', tz: 'UTC', isAdmin: true });
    expect((await installThroughSlack(h, s.teamId)).status).toBe(200);
    // The workspace's own invoices-API token, as App Home → Settings creates it.
    await putCredential(h.database.db, s.teamId, 'api_token', { tokenHash: hashToken(tokenOf(s)) }, AR_USER);
  }
});
afterAll(async () => h?.close());

describe('the weekly digest with several workspaces', () => {
  it('goes to each installed workspace with its own figures, its charts uploaded with its own token', async () => {
    for (const s of SIDES) {
      const res = await fetch(`${h.baseUrl}/api/invoices?team=${s.teamId}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokenOf(s)}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          invoices: [
            {
              number: 'INV-DG-1',
              account: { id: 'A-DG-1', name: 'Initech' },
              amount_cents: s.amount,
              balance_cents: s.amount,
              currency: 'USD',
              issued_on: dayIn('UTC', new Date(Date.now() - 40 * DAY)),
              due_on: dayIn('UTC', new Date(Date.now() - 10 * DAY)),
            },
          ],
        }),
      });
      expect(res.status).toBe(200);
    }
    await h.drain();
    let monday = DateTime.now().setZone('UTC').startOf('day').set({ hour: 8 });
    while (monday.weekday !== 1 || monday <= DateTime.now()) monday = monday.plus({ days: 1 });
    await h.sweep(new Date(monday.toMillis() + 2 * 60_000));
    await h.drain();
    for (const s of SIDES) {
      const other = s === ALPHA ? BRAVO : ALPHA;
      const calls = h.fake.callsOf(s.teamId);
      const digests = calls.filter(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.args.channel === FINANCE_CHANNEL &&
          String(c.args.text).startsWith('Weekly AR digest'),
      );
      expect(digests).toHaveLength(1);
      const text = JSON.stringify(digests[0]?.args.blocks);
      expect(text).toContain(s.shown);
      expect(text).not.toContain(other.shown);
      const ids = [...text.matchAll(/"slack_file":\{"id":"([^"]+)"/g)].map((m) => m[1] as string);
      expect(ids.length).toBeGreaterThan(0);
      const uploaded = calls
        .filter((c) => c.method === 'files.getUploadURLExternal')
        .map((c) => c.response?.file_id as string);
      for (const id of ids) expect(uploaded).toContain(id);
    }
    expect(h.fake.callsOf(h.fake.teamId).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
  });
});

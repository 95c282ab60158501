import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertAsk } from '../../src/db/asks.ts';
import { insertCollectionUpdate } from '../../src/db/collection-updates.ts';
import { setManager, upsertPerson } from '../../src/db/people.ts';
import { dayIn } from '../../src/domain/dates.ts';
import type { SlackCall } from '../support/fake-slack.ts';
import { closeDealWithHandoff } from '../support/handoff-flow.ts';
import { API_TOKEN, AR_USER, FINANCE_CHANNEL, type Harness, startHarness } from '../support/harness.ts';
import { pngSize } from '../support/png.ts';
import { sendEvent } from '../support/slack-request.ts';

const TEAM = 'T0TEAM';
const REP_A = 'U0DIGREPA';
const REP_B = 'U0DIGREPB';
const MANAGER = 'U0DIGBOSS';
const DAY = 86_400_000;
/** Where the uploaded charts are written, for people to look at (git-ignored; copies in docs/digest/). */
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/digest');
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ DIGEST_CRON: '0 8 * * 1' });
  h.fake.addUser({ id: REP_A, tz: 'UTC' });
  h.fake.addUser({ id: REP_B, tz: 'UTC' });
  h.fake.addUser({ id: MANAGER, tz: 'Australia/Sydney' });
  h.fake.addUser({ id: AR_USER, tz: 'UTC' });
});
afterAll(async () => h?.close());
beforeEach(() => h.fake.reset());

/** The first Monday 08:00 in `zone` after now: the week before it holds what the test just did. */
function nextMonday8(zone: string): Date {
  const soon = DateTime.now();
  for (let d = 0; d <= 8; d += 1) {
    const at = soon.setZone(zone).startOf('day').plus({ days: d }).set({ hour: 8 });
    if (at.weekday === 1 && at > soon) return at.toJSDate();
  }
  throw new Error('no Monday within 8 days');
}

async function sendInvoices(invoices: unknown[]) {
  const res = await fetch(`${h.baseUrl}/api/invoices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ invoices }),
  });
  expect(res.status).toBe(200);
}

const day = (offsetDays: number) => dayIn('UTC', new Date(Date.now() + offsetDays * DAY));
const digestPosts = (channel: string) =>
  h.fake
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === channel && String(c.args.text).startsWith('Weekly AR digest'));
const imagesOf = (call: SlackCall | undefined) =>
  ((call?.args.blocks ?? []) as Array<Record<string, unknown>>).filter((b) => b.type === 'image') as Array<{
    slack_file: { id: string };
    alt_text: string;
  }>;

/** Every image of the digest is a completed upload of a PNG, uploaded before the message; written to the artefacts. */
function checkImages(call: SlackCall | undefined, reader: string) {
  const images = imagesOf(call);
  expect(images.length).toBeGreaterThanOrEqual(2);
  const completes = h.fake.calls.filter((c) => c.method === 'files.completeUploadExternal');
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const image of images) {
    const file = h.fake.files.get(image.slack_file.id);
    expect(file?.completed).toBe(true);
    const bytes = file?.bytes as Buffer;
    expect(pngSize(bytes)).toEqual({ width: 1600, height: 800 });
    const completed = completes.find((c) => JSON.stringify(c.args.files).includes(image.slack_file.id));
    expect(completed?.at).toBeLessThanOrEqual(call?.at ?? 0);
    writeFileSync(join(ARTIFACTS, `${reader}-${file?.filename}`), bytes);
  }
  return images;
}

describe('the weekly digest', () => {
  it('reaches each manager (their team only) and the finance channel (everyone) at 08:00 on their own clock, with charts, once', async () => {
    const a = await closeDealWithHandoff(h, { rep: REP_A, key: 'DIGA' });
    const b = await closeDealWithHandoff(h, { rep: REP_B, key: 'DIGB' });
    // REP_B has a second deal whose handoff nobody started.
    const res = await h.postSigned('/webhooks/deal-closed', {
      deal_id: 'D-DIGB2',
      deal_name: 'Deal DIGB2',
      amount_cents: 500_000,
      currency: 'EUR',
      closed_at: new Date(Date.now() - 2 * 3_600_000).toISOString(),
      owner: { slack_user_id: REP_B },
      account: { id: b.accountCrmId, name: b.accountName },
    });
    expect(res.status).toBe(202);
    for (const rep of [REP_A, REP_B]) await upsertPerson(h.database.db, TEAM, { userId: rep, tz: 'UTC' });
    await upsertPerson(h.database.db, TEAM, { userId: MANAGER, tz: 'Australia/Sydney', role: 'manager' });
    await setManager(h.database.db, TEAM, REP_A, MANAGER);
    await sendInvoices([
      {
        number: 'INV-DIGA1',
        account: { id: a.accountCrmId },
        amount_cents: 900_00,
        balance_cents: 900_00,
        currency: 'USD',
        issued_on: day(-40),
        due_on: day(-25),
      },
      {
        number: 'INV-DIGA2',
        account: { id: a.accountCrmId },
        amount_cents: 300_00,
        balance_cents: 300_00,
        currency: 'USD',
        issued_on: day(-3),
        due_on: day(27),
      },
      {
        number: 'INV-DIGB1',
        account: { id: b.accountCrmId },
        amount_cents: 700_00,
        balance_cents: 700_00,
        currency: 'EUR',
        issued_on: day(-70),
        due_on: day(-50),
      },
    ]);
    // A payment on REP_B's invoice (a lower balance), and a dispute on REP_A's.
    await sendInvoices([
      {
        number: 'INV-DIGB1',
        account: { id: b.accountCrmId },
        amount_cents: 700_00,
        balance_cents: 500_00,
        currency: 'EUR',
        issued_on: day(-70),
        due_on: day(-50),
      },
    ]);
    const account = await h.database.db
      .selectFrom('accounts')
      .select('id')
      .where('crm_id', '=', a.accountCrmId)
      .executeTakeFirstOrThrow();
    await insertCollectionUpdate(h.database.db, {
      team_id: TEAM,
      account_id: account.id,
      kind: 'dispute_opened',
      dispute_reason: 'discount_missing_or_wrong',
      author_user_id: AR_USER,
      source_key: 'digest-test-dispute',
    });
    await h.drain();
    h.fake.reset();

    // Monday 08:00 comes in Sydney (the manager) some hours before it comes in UTC (the business
    // time zone, the finance channel's); swept after both, by two replicas at once.
    const sydney = nextMonday8('Australia/Sydney');
    const utc = nextMonday8('UTC');
    const later = new Date(Math.max(sydney.getTime(), utc.getTime()) + 2 * 60_000);
    await Promise.all([h.sweep(later), h.sweep(later)]);
    await h.drain();
    const claims = await h.database.db
      .selectFrom('digests')
      .select(['reader', 'occurrence', 'week_end'])
      .orderBy('reader')
      .execute();
    expect(claims.map((c) => [c.reader, c.occurrence.slice(10), c.week_end.toISOString()])).toEqual([
      [`channel:${FINANCE_CHANNEL}`, 'T08:00', utc.toISOString()],
      [`user:${MANAGER}`, 'T08:00', sydney.toISOString()],
    ]);

    const [toManager, ...moreToManager] = digestPosts(MANAGER);
    expect(moreToManager).toEqual([]);
    const managerText = JSON.stringify(toManager?.args.blocks);
    expect(managerText).toContain('Your team (1 person)');
    expect(managerText).toContain(`<@${REP_A}>`);
    expect(managerText).not.toContain(REP_B);
    expect(managerText).toContain('$900.00');
    expect(managerText).not.toContain('€');
    expect(managerText).toContain('discount missing or wrong');
    const managerImages = checkImages(toManager, 'manager');
    expect(managerImages.map((i) => i.alt_text).join(' ')).toContain('Open receivables by age (USD)');

    const finance = digestPosts(FINANCE_CHANNEL);
    expect(finance).toHaveLength(1);
    const financeText = JSON.stringify(finance[0]?.args.blocks);
    expect(financeText).toContain('Everyone');
    expect(financeText).toContain(`<@${REP_A}>`);
    expect(financeText).toContain(`<@${REP_B}>`);
    expect(financeText).toContain('€500.00');
    expect(financeText).toContain('Collected this week:* €200.00');
    checkImages(finance[0], 'finance');

    // Not sent twice: later sweeps (and restarts, which keep the database) find them claimed.
    const uploads = h.fake.callsTo('files.getUploadURLExternal').length;
    await h.sweep(new Date(later.getTime() + 10 * 60_000));
    await h.drain();
    expect(digestPosts(FINANCE_CHANNEL)).toHaveLength(1);
    expect(digestPosts(MANAGER)).toHaveLength(1);
    expect(h.fake.callsTo('files.getUploadURLExternal')).toHaveLength(uploads);
    const after = await h.database.db.selectFrom('digests').select('reader').execute();
    expect(after).toHaveLength(2);
  });

  it('shows AR the aging chart on App Home, uploaded once until the figures change, and the questions reps sent to AR', async () => {
    const account = await h.database.db
      .selectFrom('accounts')
      .select('id')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await insertAsk(h.database.db, {
      team_id: TEAM,
      account_id: account.id,
      direction: 'to_ar',
      asked_by: REP_A,
      asked_of: null,
      question: 'Customer asks why VAT was charged',
      source_key: 'digest-test-ask',
    });
    const open = () =>
      sendEvent(h.slack, {
        event: {
          type: 'app_home_opened',
          user: AR_USER,
          channel: 'D0AR',
          tab: 'home',
          event_ts: `${Date.now() / 1000}`,
        },
      });
    await open();
    // The first view comes at once; the refresh that follows shows the chart once it is uploaded.
    const withChart = await h.fake.waitFor(
      'views.publish',
      (c) => c.args.user_id === AR_USER && JSON.stringify(c.args.view).includes('slack_file'),
      { timeoutMs: 10_000 },
    );
    const view = JSON.stringify(withChart[0]?.args.view);
    expect(view).toContain('Reps are asking AR');
    expect(view).toContain('Customer asks why VAT was charged');
    expect(view).toContain('Open receivables by age (USD)');
    expect(h.fake.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    const fileId = /"slack_file":\{"id":"([^"]+)"/.exec(view)?.[1] as string;
    const bytes = h.fake.files.get(fileId)?.bytes as Buffer;
    expect(pngSize(bytes)).toEqual({ width: 1600, height: 800 });
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'app-home-aging-usd.png'), bytes);

    // Opened again with the same figures: the same file, no new upload.
    h.fake.reset();
    await open();
    const [again] = await h.fake.waitFor('views.publish', (c) => c.args.user_id === AR_USER);
    expect(JSON.stringify(again?.args.view)).toContain(fileId);
    await h.drain();
    expect(h.fake.callsTo('files.getUploadURLExternal')).toEqual([]);
  });
});

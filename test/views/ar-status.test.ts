import type { KnownBlock } from '@slack/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  AccountStatus,
  BookLine,
  Candidate,
  LedgerHeadline,
  StatusInvoice,
  StatusUpdate,
} from '../../src/db/status.ts';
import { UPDATE_KINDS } from '../../src/domain/collections.ts';
import { disputeContextOf } from '../../src/domain/dispute-context.ts';
import { emptyHandoff, type FieldKey } from '../../src/domain/handoff.ts';
import {
  AR_STATUS_PICK_ACTION_ID,
  AR_STATUS_SHARE_ACTION_ID,
  accountStatusMessage,
  ledgerHeadlineMessage,
  noMatchMessage,
  pickListMessage,
  repBookMessage,
  statusUsage,
} from '../../src/views/ar-status.ts';
import type { SlackMessage } from '../../src/views/handoff-messages.ts';
import { SLACK_LIMITS, slackLimitProblems } from '../../src/views/text.ts';
import {
  DATE_TOKEN,
  expectMessageWithinLimits,
  expectOnlyAllowedTokens,
  MENTION_TOKEN,
  manyWithCopies,
  maybe,
  mrkdwnTexts,
  sectionTexts,
  statusArbitraries,
} from '../support/views.ts';

const zero = { current: 0, '1_30': 0, '31_60': 0, '61_90': 0, '90_plus': 0 };

const invoice: StatusInvoice = {
  id: 1,
  number: 'INV-1042',
  balanceCents: 480_000,
  amountCents: 480_000,
  currency: 'USD',
  dueOn: '2026-01-20',
  daysLate: 45,
  disputed: true,
  disputeReasonLabel: 'Discount missing or wrong',
  promiseDate: '2026-12-03',
};

const update: StatusUpdate = {
  kind: 'promise_to_pay',
  note: 'AP says the run is on Thursday\n<!channel> & cc finance',
  authorUserId: 'U0AR',
  at: new Date('2026-03-05T10:00:00Z'),
  invoiceNumber: 'INV-1042',
};

function status(overrides: Partial<AccountStatus> = {}): AccountStatus {
  return {
    accountId: 7,
    name: 'Acme Ltd',
    domain: 'acme.com',
    ownerUserId: 'U0REP',
    handoff: { dealName: 'Acme renewal 2026', complete: true, missing: [], terms: 'Net 30' },
    openBalance: [{ currency: 'USD', cents: 600_000 }],
    aging: [{ currency: 'USD', buckets: { ...zero, current: 120_000, '31_60': 480_000 } }],
    problemInvoices: [
      invoice,
      {
        ...invoice,
        id: 2,
        number: 'INV-1077',
        balanceCents: 45_000,
        daysLate: 3,
        disputed: false,
        disputeReasonLabel: null,
        promiseDate: null,
      },
    ],
    moreProblemInvoices: 0,
    creditHold: { on: false, reasons: [] },
    recentUpdates: [update],
    threadUrl: 'https://acme-corp.slack.com/archives/C0FIN/p1772704800000100',
    ...overrides,
  };
}

const render = (overrides: Partial<AccountStatus> = {}, shareable = false) =>
  accountStatusMessage(status(overrides), { shareable });

describe('accountStatusMessage', () => {
  it('shows where an account stands', () => {
    expect(
      render(
        { creditHold: { on: true, reasons: ['INV-1042 is 61 days past due'] }, moreProblemInvoices: 3 },
        true,
      ),
    ).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "emoji": true,
              "text": "📒 Acme Ltd",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "elements": [
              {
                "text": "👤 Owner: <@U0REP> · 🌐 acme.com · 🛑 *Credit hold*",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
          {
            "text": {
              "text": "✅ *Billing handoff complete* for Acme renewal 2026 · terms Net 30",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "💵 *Open balance:* $6,000.00",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "fields": [
              {
                "text": "*Current*
      $1,200.00",
                "type": "mrkdwn",
              },
              {
                "text": "*1–30*
      $0.00",
                "type": "mrkdwn",
              },
              {
                "text": "*31–60*
      $4,800.00",
                "type": "mrkdwn",
              },
              {
                "text": "*61–90*
      $0.00",
                "type": "mrkdwn",
              },
              {
                "text": "*90+*
      $0.00",
                "type": "mrkdwn",
              },
            ],
            "text": {
              "text": "*Aging (USD)*",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "⏰ *Overdue and disputed invoices*, worst first
      • *INV-1042* · $4,800.00 · 45 days late · ⚖️ disputed: Discount missing or wrong · promised Dec 3
      • *INV-1077* · $450.00 · 3 days late
      …and 3 more overdue or disputed invoices",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "🛑 *On credit hold* because:
      • INV-1042 is 61 days past due",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "🗒️ *Latest collection updates*
      • *Promise to pay* on INV-1042 by <@U0AR>, <!date^1772704800^{date_short_pretty} at {time}|2026-03-05>
      >AP says the run is on Thursday &lt;!channel&gt; &amp; cc finance",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "🧵 <https://acme-corp.slack.com/archives/C0FIN/p1772704800000100|Open the account thread>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "action_id": "ar_status_share",
                "text": {
                  "emoji": true,
                  "text": "Share in channel",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "7",
              },
            ],
            "type": "actions",
          },
        ],
        "text": "📒 Acme Ltd: $6,000.00 open, 5 overdue or disputed invoices, on credit hold",
      }
    `);
  });

  it('offers the share button only when the answer can be shared', () => {
    const share = (m: SlackMessage) => m.blocks.filter((b) => b.type === 'actions');
    expect(share(render({}, false))).toEqual([]);
    expect(share(render({}, true))).toEqual([
      {
        type: 'actions',
        elements: [
          expect.objectContaining({ action_id: AR_STATUS_SHARE_ACTION_ID, value: '7', type: 'button' }),
        ],
      },
    ]);
    expect(JSON.stringify(render({}, true))).toContain('Share in channel');
  });

  it('says when no rep owns the account and leaves out an unknown domain', () => {
    const context = contextTexts(render({ ownerUserId: null, domain: null }));
    expect(context).toEqual(['👤 No rep owns this account']);
    expect(contextTexts(render())).toEqual(['👤 Owner: <@U0REP> · 🌐 acme.com']);
  });

  it('describes the handoff: none, complete with terms, or incomplete with what is missing', () => {
    expect(sectionTexts(render({ handoff: null }))).toContain(
      '🧾 *Billing handoff:* No deal in AR Bridge yet.',
    );
    expect(sectionTexts(render())).toContain(
      '✅ *Billing handoff complete* for Acme renewal 2026 · terms Net 30',
    );
    const missing: FieldKey[] = ['legalEntity', 'apContactEmail', 'poNumber'];
    expect(
      sectionTexts(render({ handoff: { dealName: 'Acme renewal', complete: false, missing, terms: null } })),
    ).toContain(
      '⚠️ *Billing handoff incomplete* for Acme renewal: missing Legal entity to invoice, AP contact email and ' +
        'PO number · terms not given yet',
    );
  });

  it('never adds up currencies: open balance and aging are shown per currency', () => {
    const message = render({
      openBalance: [
        { currency: 'USD', cents: 600_000 },
        { currency: 'EUR', cents: 120_000 },
        { currency: 'GBP', cents: 0 },
      ],
      aging: [
        { currency: 'USD', buckets: { ...zero, '31_60': 600_000 } },
        { currency: 'EUR', buckets: { ...zero, '90_plus': 120_000 } },
        { currency: 'GBP', buckets: zero },
      ],
    });
    expect(sectionTexts(message)).toContain('💵 *Open balance:* $6,000.00 and €1,200.00');
    const aging = message.blocks.filter((b) => b.type === 'section' && b.fields);
    expect(aging.map((b) => (b.type === 'section' ? b.text?.text : null))).toEqual([
      '*Aging (USD)*',
      '*Aging (EUR)*',
    ]);
    expect(aging[1]).toMatchObject({
      fields: [
        { text: '*Current*\n€0.00' },
        { text: '*1–30*\n€0.00' },
        { text: '*31–60*\n€0.00' },
        { text: '*61–90*\n€0.00' },
        { text: '*90+*\n€1,200.00' },
      ],
    });
    expect(JSON.stringify(message)).not.toMatch(/7,200|£/);
    expect(message.text).toBe('📒 Acme Ltd: $6,000.00 and €1,200.00 open, 2 overdue or disputed invoices');
  });

  it('says when there is nothing open, overdue or logged, and no thread', () => {
    const message = render({
      openBalance: [],
      aging: [],
      problemInvoices: [],
      recentUpdates: [],
      threadUrl: null,
    });
    const texts = sectionTexts(message);
    expect(texts).toContain('💵 No open balance.');
    expect(texts).toContain('✅ No overdue or disputed invoices.');
    expect(texts).toContain('🗒️ No collection updates yet.');
    expect(JSON.stringify(message)).not.toMatch(/Aging|thread|🛑/);
    expect(message.text).toBe('📒 Acme Ltd: no open balance');
  });

  it('lists credit hold reasons only when the account is on hold', () => {
    const on = render({ creditHold: { on: true, reasons: ['INV-1 is 61 days past due', 'over the limit'] } });
    expect(sectionTexts(on)).toContain(
      '🛑 *On credit hold* because:\n• INV-1 is 61 days past due\n• over the limit',
    );
    expect(contextTexts(on)[0]).toContain('🛑 *Credit hold*');
    expect(JSON.stringify(render({ creditHold: { on: false, reasons: ['stale'] } }))).not.toContain('stale');
  });

  it('shows the latest updates with Slack date tokens and quotes the note briefly', () => {
    const long = render({ recentUpdates: [{ ...update, note: `${'word '.repeat(400)}end` }] });
    const text = sectionTexts(long).find((t) => t.startsWith('🗒️')) ?? '';
    expect(text).toContain('• *Promise to pay* on INV-1042 by <@U0AR>, <!date^1772704800^');
    expect(text.split('\n')[2]?.length).toBeLessThanOrEqual(300);
    expect(text).toContain('…');
  });

  it('cuts 5,000 problem invoices to ten lines and counts the rest', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...invoice, id: i, number: `INV-${i}` }));
    const message = render({ problemInvoices: many, moreProblemInvoices: 120 });
    expect(slackLimitProblems(message, SLACK_LIMITS.messageBlocks)).toEqual([]);
    expect(invoiceLines(message)).toHaveLength(10);
    expect(moreCount(message, /…and (\d+) more overdue or disputed invoices?/)).toBe(5110);
  });

  it('links the account thread only with a safe http(s) address', () => {
    expect(sectionTexts(render())).toContain(
      '🧵 <https://acme-corp.slack.com/archives/C0FIN/p1772704800000100|Open the account thread>',
    );
    expect(sectionTexts(render({ threadUrl: 'https://x.example/a?b=1&c=<2>|x' }))).toContain(
      '🧵 <https://x.example/a?b=1&amp;c=%3C2%3E%7Cx|Open the account thread>',
    );
    for (const threadUrl of ['javascript:alert(1)', '<!channel>', 'https://x.example/a b']) {
      expect(JSON.stringify(render({ threadUrl }))).not.toContain('Open the account thread');
    }
  });
});

describe('repBookMessage', () => {
  const line: BookLine = {
    accountId: 7,
    name: 'Acme Ltd',
    ownerUserId: 'U0REP',
    openBalance: [
      { currency: 'USD', cents: 600_000 },
      { currency: 'EUR', cents: 90_000 },
    ],
    overdue: [{ currency: 'USD', cents: 480_000 }],
    worstDaysLate: 45,
    disputes: 1,
    creditHold: true,
  };
  const calm: BookLine = {
    ...line,
    accountId: 8,
    name: 'Globex',
    openBalance: [{ currency: 'EUR', cents: 250_000 }],
    overdue: [],
    worstDaysLate: 0,
    disputes: 0,
    creditHold: false,
  };

  it('lists each account, overdue first as given', () => {
    expect(repBookMessage({ userId: 'U0REP', lines: [line, calm], moreLines: 2 })).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "emoji": true,
              "text": "📒 Your book",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "• *Acme Ltd* · $6,000.00 and €900.00 open · $4,800.00 overdue · up to 45 days late · ⚖️ 1 dispute · 🛑 credit hold
      • *Globex* · €2,500.00 open
      …and 2 more accounts",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "\`/ar-status &lt;account&gt;\` shows one account in detail.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "📒 Your book: 4 accounts with an open balance.",
      }
    `);
  });

  it('says so kindly when the book is empty', () => {
    const message = repBookMessage({ userId: 'U0REP', lines: [], moreLines: 0 });
    expect(message.text).toBe('No open balances on your accounts. 🎉');
    expect(sectionTexts(message)).toEqual(['No open balances on your accounts. 🎉']);
  });
});

describe('ledgerHeadlineMessage', () => {
  const ledger: LedgerHeadline = {
    totalOpen: [
      { currency: 'USD', cents: 12_500_000 },
      { currency: 'EUR', cents: 3_400_000 },
    ],
    aging: [
      {
        currency: 'USD',
        buckets: {
          current: 8_000_000,
          '1_30': 2_500_000,
          '31_60': 1_000_000,
          '61_90': 0,
          '90_plus': 1_000_000,
        },
      },
      { currency: 'EUR', buckets: { ...zero, current: 3_400_000 } },
    ],
    openDisputes: 3,
    handoffsWaiting: 4,
    accountsOnHold: 2,
    overdueInvoices: 17,
  };

  it('gives AR the headline per currency', () => {
    expect(ledgerHeadlineMessage(ledger)).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "emoji": true,
              "text": "📊 AR ledger",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "💵 *Total open:* $125,000.00 and €34,000.00",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "fields": [
              {
                "text": "*Current*
      $80,000.00",
                "type": "mrkdwn",
              },
              {
                "text": "*1–30*
      $25,000.00",
                "type": "mrkdwn",
              },
              {
                "text": "*31–60*
      $10,000.00",
                "type": "mrkdwn",
              },
              {
                "text": "*61–90*
      $0.00",
                "type": "mrkdwn",
              },
              {
                "text": "*90+*
      $10,000.00",
                "type": "mrkdwn",
              },
            ],
            "text": {
              "text": "*Aging (USD)*",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "fields": [
              {
                "text": "*Current*
      €34,000.00",
                "type": "mrkdwn",
              },
              {
                "text": "*1–30*
      €0.00",
                "type": "mrkdwn",
              },
              {
                "text": "*31–60*
      €0.00",
                "type": "mrkdwn",
              },
              {
                "text": "*61–90*
      €0.00",
                "type": "mrkdwn",
              },
              {
                "text": "*90+*
      €0.00",
                "type": "mrkdwn",
              },
            ],
            "text": {
              "text": "*Aging (EUR)*",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "fields": [
              {
                "text": "*Overdue invoices*
      17",
                "type": "mrkdwn",
              },
              {
                "text": "*Open disputes*
      3",
                "type": "mrkdwn",
              },
              {
                "text": "*Handoffs waiting on reps*
      4",
                "type": "mrkdwn",
              },
              {
                "text": "*Accounts on credit hold*
      2",
                "type": "mrkdwn",
              },
            ],
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "\`/ar-status &lt;account&gt;\` shows one account in detail; the App Home lists the dispute queue.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "📊 AR ledger: $125,000.00 and €34,000.00 open.",
      }
    `);
  });

  it('says when nothing is open and never sums currencies', () => {
    const empty = ledgerHeadlineMessage({ ...ledger, totalOpen: [], aging: [] });
    expect(sectionTexts(empty)).toContain('💵 No open balances. 🎉');
    expect(JSON.stringify(ledgerHeadlineMessage(ledger))).not.toContain('159,000');
  });
});

describe('pickListMessage', () => {
  const candidate = (i: number): Candidate => ({
    accountId: 100 + i,
    name: `Acme ${i}`,
    domain: i % 2 === 0 ? `acme${i}.com` : null,
    ownerUserId: i % 3 === 0 ? null : 'U0REP',
  });

  it('offers a Show button per candidate', () => {
    expect(pickListMessage('acme', [candidate(1), candidate(2)])).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "Several accounts match “acme”:",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "accessory": {
              "action_id": "ar_status_pick",
              "text": {
                "emoji": true,
                "text": "Show",
                "type": "plain_text",
              },
              "type": "button",
              "value": "101",
            },
            "text": {
              "text": "*Acme 1*
      owner <@U0REP>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "accessory": {
              "action_id": "ar_status_pick",
              "text": {
                "emoji": true,
                "text": "Show",
                "type": "plain_text",
              },
              "type": "button",
              "value": "102",
            },
            "text": {
              "text": "*Acme 2*
      acme2.com · owner <@U0REP>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
        ],
        "text": "Several accounts match “acme”:",
      }
    `);
  });

  it('shows at most ten and says how many more match', () => {
    const message = pickListMessage(
      '<!channel>',
      Array.from({ length: 25 }, (_, i) => candidate(i)),
    );
    const buttons = message.blocks.flatMap((b) =>
      b.type === 'section' && b.accessory?.type === 'button' ? [b.accessory] : [],
    );
    expect(buttons).toHaveLength(10);
    expect(buttons.every((b) => b.action_id === AR_STATUS_PICK_ACTION_ID)).toBe(true);
    expect(buttons.map((b) => b.value)).toEqual(Array.from({ length: 10 }, (_, i) => String(100 + i)));
    expect(contextTexts(message)).toEqual(['…and 15 more. Try more of the name, or the domain.']);
    expect(message.text).toBe('Several accounts match “&lt;!channel&gt;”:');
  });
});

describe('noMatchMessage', () => {
  it('suggests up to three close names and explains what the command takes', () => {
    const message = noMatchMessage('acme inc', ['Acme Ltd', 'Acne Labs', 'Acme <GmbH>', 'Acorn']);
    expect(sectionTexts(message)).toEqual([
      '🔍 No account, domain or invoice number matches “acme inc”.',
      'Did you mean *Acme Ltd*, *Acne Labs* or *Acme &lt;GmbH&gt;*?',
    ]);
    expect(contextTexts(message)[0]).toContain('a domain like `acme.com`, or an invoice number');
    expect(contextTexts(message)[0]).toContain('`/ar-status` alone shows your book');
  });

  it('leaves out the suggestion when nothing is close', () => {
    expect(JSON.stringify(noMatchMessage('zzz', []))).not.toContain('Did you mean');
    expect(sectionTexts(noMatchMessage('zzz', ['Acme']))).toContain('Did you mean *Acme*?');
  });
});

describe('statusUsage', () => {
  it('explains every way to call the command', () => {
    const json = JSON.stringify(statusUsage());
    for (const usage of ['/ar-status Acme', '/ar-status acme.com', '/ar-status INV-1042', 'your own book']) {
      expect(json).toContain(usage);
    }
    expect(slackLimitProblems(statusUsage(), SLACK_LIMITS.messageBlocks)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('Slack limits, escaping and counts for any input', () => {
  const { hostileText, owner, currency, cents, day, at, missing } = statusArbitraries;
  const money = fc.array(fc.record({ currency, cents }), { maxLength: 30 });
  const aging = fc.array(
    fc.record({
      currency,
      buckets: fc.record({ current: cents, '1_30': cents, '31_60': cents, '61_90': cents, '90_plus': cents }),
    }),
    { maxLength: 20 },
  );
  /** A few distinct items, then (sometimes) thousands of copies of the first. */
  const many = <T>(arb: fc.Arbitrary<T>, copy: (item: T, i: number) => T) =>
    manyWithCopies(arb, { maxLength: 15, maxCopies: 5000, copy });

  const statusInvoice = fc.record({
    id: fc.nat(),
    number: fc.nat().map((n) => `INV-${n}`),
    balanceCents: cents,
    amountCents: cents,
    currency,
    dueOn: day,
    daysLate: fc.integer({ min: 0, max: 5000 }),
    disputed: fc.boolean(),
    disputeReasonLabel: maybe(hostileText),
    promiseDate: maybe(day),
  });
  const accountStatus: fc.Arbitrary<AccountStatus> = fc.record({
    accountId: fc.nat(),
    name: hostileText,
    domain: maybe(hostileText),
    ownerUserId: owner,
    handoff: maybe(
      fc.record({
        dealName: hostileText,
        complete: fc.boolean(),
        missing,
        terms: maybe(hostileText),
      }),
    ),
    openBalance: money,
    aging,
    problemInvoices: many(statusInvoice, (inv, i) => ({ ...inv, id: i, number: `INV-${i}` })),
    moreProblemInvoices: fc.nat({ max: 100_000 }),
    creditHold: fc.record({ on: fc.boolean(), reasons: many(hostileText, (r) => r) }),
    recentUpdates: fc.array(
      fc.record({
        kind: fc.constantFrom(...UPDATE_KINDS),
        note: maybe(hostileText),
        authorUserId: owner,
        at,
        invoiceNumber: maybe(hostileText),
      }),
      { maxLength: 5 },
    ),
    threadUrl: maybe(
      fc.oneof(
        fc.webUrl(),
        hostileText,
        hostileText.map((s) => `https://x.example/${s}`),
      ),
    ),
  });
  const bookLine: fc.Arbitrary<BookLine> = fc.record({
    accountId: fc.nat(),
    name: hostileText,
    ownerUserId: owner,
    openBalance: money,
    overdue: money,
    worstDaysLate: fc.nat({ max: 5000 }),
    disputes: fc.nat({ max: 5000 }),
    creditHold: fc.boolean(),
  });
  const candidate: fc.Arbitrary<Candidate> = fc.record({
    accountId: fc.nat(),
    name: hostileText,
    domain: maybe(hostileText),
    ownerUserId: owner,
  });

  it('an account status stays within limits, escapes user text and counts the invoices it leaves out', () => {
    fc.assert(
      fc.property(accountStatus, fc.boolean(), (s, shareable) => {
        const message = accountStatusMessage(s, { shareable });
        expectWithinLimits(message);
        const shown = invoiceLines(message).length;
        expect(shown).toBeLessThanOrEqual(10);
        const more = moreCount(message, /…and (\d+) more overdue or disputed invoices?/);
        expect(shown + more).toBe(s.problemInvoices.length + s.moreProblemInvoices);
        expect(message.blocks.some((b) => b.type === 'actions')).toBe(shareable);
      }),
      { numRuns: 60 },
    );
  });

  it('quotes the handoff of at most three disputed invoices, within limits, escaped', () => {
    const dispute = fc.record({
      number: hostileText,
      context: fc.record({ name: hostileText, text: hostileText, flag: fc.boolean() }).map((x) =>
        disputeContextOf({
          dealName: x.name,
          fromLatestDeal: x.flag,
          fields: { ...emptyHandoff(), legalEntity: x.text, apContactName: x.text, hasSpecialTerms: !x.flag },
          submitted: x.flag
            ? null
            : { byUserId: x.name, at: new Date('2026-03-01T00:00:00Z'), complete: true },
          reason: 'discount_missing_or_wrong',
        }),
      ),
    });
    fc.assert(
      fc.property(accountStatus, fc.array(dispute, { maxLength: 6 }), (s, disputes) => {
        const message = accountStatusMessage(s, { shareable: true, disputes });
        expectWithinLimits(message);
        const quoted = message.blocks.filter((b) => JSON.stringify(b).includes('What the handoff recorded'));
        expect(quoted).toHaveLength(Math.min(3, disputes.length));
        expect(JSON.stringify(quoted)).not.toContain('<!channel>');
      }),
      { numRuns: 40 },
    );
  });

  it('a book stays within limits and counts the accounts it leaves out', () => {
    fc.assert(
      fc.property(
        many(bookLine, (l) => l),
        fc.nat({ max: 100_000 }),
        (lines, moreLines) => {
          const message = repBookMessage({ userId: 'U0REP', lines, moreLines });
          expectWithinLimits(message);
          const shown = sectionTexts(message)
            .flatMap((t) => t.split('\n'))
            .filter((l) => l.startsWith('• ')).length;
          expect(shown + moreCount(message, /…and (\d+) more accounts?/)).toBe(lines.length + moreLines);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the ledger, pick list and no-match messages stay within limits and escape user text', () => {
    fc.assert(
      fc.property(
        fc.record({ totalOpen: money, aging }),
        hostileText,
        many(candidate, (c, i) => ({ ...c, accountId: i })),
        fc.array(hostileText, { maxLength: 10 }),
        (ledger, query, candidates, closest) => {
          const counts = { openDisputes: 1, handoffsWaiting: 2, accountsOnHold: 3, overdueInvoices: 4 };
          expectWithinLimits(ledgerHeadlineMessage({ ...ledger, ...counts }));
          const pick = pickListMessage(query, candidates);
          expectWithinLimits(pick);
          const buttons = JSON.stringify(pick).match(/"action_id":"ar_status_pick"/g) ?? [];
          expect(buttons.length).toBe(Math.min(10, candidates.length));
          expect(buttons.length + moreCount(pick, /…and (\d+) more\./)).toBe(candidates.length);
          expectWithinLimits(noMatchMessage(query, closest));
        },
      ),
      { numRuns: 40 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Slack tokens our views may emit; anything else in angle brackets would be user text Slack parses. */
const ALLOWED_TOKENS = [
  MENTION_TOKEN,
  DATE_TOKEN,
  /<https?:\/\/[^\s<>|]+\|Open the account thread>/g,
  /^>/gm, // a block quote
];

function expectWithinLimits(message: SlackMessage): void {
  expectMessageWithinLimits(message);
  expectOnlyAllowedTokens([message.text, ...mrkdwnTexts(message.blocks)], ALLOWED_TOKENS);
}

function contextTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((b: KnownBlock) =>
    b.type === 'context'
      ? b.elements.flatMap((e) => ('text' in e && typeof e.text === 'string' ? [e.text] : []))
      : [],
  );
}

function invoiceLines(message: SlackMessage): string[] {
  return sectionTexts(message)
    .flatMap((t) => t.split('\n'))
    .filter((l) => l.startsWith('• *INV-'));
}

/** The N of a "…and N more" line, or 0 when there is none. */
function moreCount(message: SlackMessage, pattern: RegExp): number {
  const found = mrkdwnTexts(message.blocks)
    .map((t) => pattern.exec(t))
    .find((m) => m !== null);
  return found ? Number(found[1]) : 0;
}

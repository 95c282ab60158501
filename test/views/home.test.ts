import type { HomeView, KnownBlock } from '@slack/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ArHome, HomeHandoff, HomeInvoice, HomePayment, RepHome } from '../../src/db/home.ts';
import { HANDOFF_OPEN_ACTION_ID } from '../../src/views/handoff-messages.ts';
import { homeView } from '../../src/views/home.ts';
import { SLACK_LIMITS, slackLimitProblems } from '../../src/views/text.ts';
import {
  DATE_TOKEN,
  expectOnlyAllowedTokens,
  MENTION_TOKEN,
  manyWithCopies,
  maybe,
  mrkdwnTexts,
  statusArbitraries,
} from '../support/views.ts';

const now = new Date('2026-03-10T09:00:00Z');

const handoff: HomeHandoff = {
  dealId: 42,
  dealName: 'Acme renewal 2026',
  accountName: 'Acme Ltd',
  amountCents: 4_800_000,
  currency: 'USD',
  closedAt: new Date('2026-02-27T18:30:00Z'),
  missing: ['legalEntity', 'poNumber'],
  ownerUserId: 'U0REP',
};

const invoice: HomeInvoice = {
  id: 1,
  number: 'INV-1042',
  balanceCents: 480_000,
  amountCents: 480_000,
  currency: 'USD',
  dueOn: '2026-01-24',
  daysLate: 45,
  disputed: true,
  disputeReasonLabel: 'Discount missing or wrong',
  promiseDate: null,
  accountId: 7,
  accountName: 'Acme Ltd',
  ownerUserId: 'U0REP',
};

const overdue: HomeInvoice = {
  ...invoice,
  id: 2,
  number: 'RE-2026-0099',
  balanceCents: 1_250_000,
  currency: 'EUR',
  daysLate: 12,
  disputed: false,
  disputeReasonLabel: null,
  promiseDate: '2026-03-20',
  accountId: 8,
  accountName: 'Globex GmbH',
};

const payment: HomePayment = {
  invoiceNumber: 'INV-1001',
  accountName: 'Initech',
  amountCents: 250_000,
  currency: 'USD',
  at: new Date('2026-03-09T15:00:00Z'),
  paidInFull: true,
};

const repHome = (overrides: Partial<RepHome> = {}): RepHome => ({
  kind: 'rep',
  userId: 'U0REP',
  asks: [],
  moreAsks: 0,
  handoffs: [handoff],
  moreHandoffs: 0,
  problemInvoices: [invoice, overdue],
  moreProblemInvoices: 0,
  recentPayments: [
    payment,
    { ...payment, invoiceNumber: 'INV-1003', amountCents: 50_000, paidInFull: false },
  ],
  ...overrides,
});

const arHome = (overrides: Partial<ArHome> = {}): ArHome => ({
  kind: 'ar',
  userId: 'U0AR',
  asks: [],
  moreAsks: 0,
  chart: null,
  disputes: [invoice],
  moreDisputes: 0,
  oldestOverdue: [{ ...invoice, disputed: false, daysLate: 95, ownerUserId: null }, overdue],
  moreOverdue: 4,
  handoffsWaiting: [handoff],
  moreHandoffsWaiting: 0,
  onHold: [
    { accountId: 7, name: 'Acme Ltd', ownerUserId: 'U0REP', since: new Date('2026-03-01T00:00:00Z') },
    { accountId: 9, name: 'Umbrella', ownerUserId: null, since: null },
  ],
  moreOnHold: 0,
  ...overrides,
});

describe('homeView for a rep', () => {
  it('shows handoffs to finish, problem invoices and payments', () => {
    expect(homeView(repHome(), now)).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "emoji": true,
              "text": "Your AR Bridge",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "emoji": true,
              "text": "📝 Billing handoffs to finish (1)",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "accessory": {
              "action_id": "handoff_open",
              "text": {
                "emoji": true,
                "text": "Finish handoff",
                "type": "plain_text",
              },
              "type": "button",
              "value": "42",
            },
            "text": {
              "text": "*Acme renewal 2026* · Acme Ltd · $48,000.00 · closed 10 days ago
      Missing: Legal entity to invoice and PO number",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "type": "divider",
          },
          {
            "text": {
              "emoji": true,
              "text": "⏰ Your customers’ overdue and disputed invoices (2)",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "• *INV-1042* · Acme Ltd · $4,800.00 · 45 days late · ⚖️ disputed: Discount missing or wrong
      • *RE-2026-0099* · Globex GmbH · €12,500.00 · 12 days late · promised Mar 20",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "type": "divider",
          },
          {
            "text": {
              "emoji": true,
              "text": "💰 Recent payments",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "💰 *Initech* paid *INV-1001* in full ($2,500.00) · <!date^1773068400^{date_short_pretty}|2026-03-09>
      💰 *Initech* paid $500.00 on *INV-1003* · <!date^1773068400^{date_short_pretty}|2026-03-09>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "Updated <!date^1773133200^{date_short_pretty} at {time}|2026-03-10>",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "type": "home",
      }
    `);
  });

  it('offers a Finish handoff button per handoff', () => {
    const view = homeView(repHome({ handoffs: [handoff, { ...handoff, dealId: 43, missing: [] }] }), now);
    const buttons = accessories(view);
    expect(buttons).toEqual([
      expect.objectContaining({ action_id: HANDOFF_OPEN_ACTION_ID, value: '42' }),
      expect.objectContaining({ action_id: HANDOFF_OPEN_ACTION_ID, value: '43' }),
    ]);
    expect(JSON.stringify(buttons)).toContain('Finish handoff');
    expect(sectionOf(view, 'Billing handoffs to finish').join('\n')).toContain(
      'Everything is filled in: open it and save.',
    );
  });

  it('says so when each section is empty', () => {
    const view = homeView(repHome({ handoffs: [], problemInvoices: [], recentPayments: [] }), now);
    expect(sectionOf(view, 'Billing handoffs to finish')).toEqual(['Nothing waiting on you. 🎉']);
    expect(sectionOf(view, 'overdue and disputed invoices')).toEqual([
      'None of your customers has an overdue or disputed invoice. 🎉',
    ]);
    expect(sectionOf(view, 'Recent payments')).toEqual(['No payments from your customers lately.']);
    expect(accessories(view)).toEqual([]);
  });

  it('keeps each currency to itself', () => {
    const text = sectionOf(homeView(repHome(), now), 'overdue and disputed invoices').join('\n');
    expect(text).toContain('$4,800.00');
    expect(text).toContain('€12,500.00');
    expect(text).not.toContain('17,300');
  });

  it('tells a payment in full from a partial one', () => {
    expect(sectionOf(homeView(repHome(), now), 'Recent payments').join('\n').split('\n')).toEqual([
      '💰 *Initech* paid *INV-1001* in full ($2,500.00) · <!date^1773068400^{date_short_pretty}|2026-03-09>',
      '💰 *Initech* paid $500.00 on *INV-1003* · <!date^1773068400^{date_short_pretty}|2026-03-09>',
    ]);
  });

  it('ends with when it was updated', () => {
    expect(homeView(repHome(), now).blocks.at(-1)).toEqual({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'Updated <!date^1773133200^{date_short_pretty} at {time}|2026-03-10>' },
      ],
    });
  });
});

describe('homeView for AR', () => {
  it('shows the dispute queue, oldest overdue, handoffs waiting and credit holds', () => {
    expect(homeView(arHome(), now)).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "emoji": true,
              "text": "AR Bridge for finance",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "emoji": true,
              "text": "⚖️ Dispute queue (1)",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "• *INV-1042* · Acme Ltd · $4,800.00 · 45 days late · ⚖️ disputed: Discount missing or wrong · <@U0REP>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "type": "divider",
          },
          {
            "text": {
              "emoji": true,
              "text": "⏰ Oldest overdue (6)",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "• *INV-1042* · Acme Ltd · $4,800.00 · 95 days late · no owner
      • *RE-2026-0099* · Globex GmbH · €12,500.00 · 12 days late · promised Mar 20 · <@U0REP>
      …and 4 more",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "type": "divider",
          },
          {
            "text": {
              "emoji": true,
              "text": "📝 Handoffs waiting on reps (1)",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "• *Acme renewal 2026* · Acme Ltd · <@U0REP> · closed 10 days ago · Missing: Legal entity to invoice and PO number",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "type": "divider",
          },
          {
            "text": {
              "emoji": true,
              "text": "🛑 On credit hold (2)",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "• *Acme Ltd* · <@U0REP> · since <!date^1772323200^{date_short_pretty}|2026-03-01>
      • *Umbrella* · no owner",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "Updated <!date^1773133200^{date_short_pretty} at {time}|2026-03-10>",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "type": "home",
      }
    `);
  });

  it('says so when each section is empty', () => {
    const view = homeView(
      arHome({ disputes: [], oldestOverdue: [], moreOverdue: 0, handoffsWaiting: [], onHold: [] }),
      now,
    );
    expect(sectionOf(view, 'Dispute queue')).toEqual(['No open disputes. 🎉']);
    expect(sectionOf(view, 'Oldest overdue')).toEqual(['Nothing is overdue. 🎉']);
    expect(sectionOf(view, 'Handoffs waiting on reps')).toEqual(['No handoffs waiting on reps. 🎉']);
    expect(sectionOf(view, 'On credit hold')).toEqual(['No accounts on credit hold.']);
  });

  it('counts what it leaves out', () => {
    const view = homeView(arHome(), now);
    expect(headers(view)).toContain('⏰ Oldest overdue (6)');
    expect(sectionOf(view, 'Oldest overdue').at(-1)).toMatch(/…and 4 more$/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('Slack limits, escaping and counts for any input', () => {
  const { hostileText, owner, currency, cents, day, at, missing } = statusArbitraries;
  const more = fc.oneof(fc.constant(0), fc.nat({ max: 100_000 }));
  /** A few distinct items, then (sometimes) thousands of copies of the first. */
  const many = <T>(arb: fc.Arbitrary<T>) => manyWithCopies(arb, { maxLength: 12, maxCopies: 3000 });

  const homeInvoice: fc.Arbitrary<HomeInvoice> = fc.record({
    id: fc.nat(),
    number: hostileText,
    balanceCents: cents,
    amountCents: cents,
    currency,
    dueOn: day,
    daysLate: fc.integer({ min: 0, max: 5000 }),
    disputed: fc.boolean(),
    disputeReasonLabel: maybe(hostileText),
    promiseDate: maybe(day),
    accountId: fc.nat(),
    accountName: hostileText,
    ownerUserId: owner,
  });
  const homeHandoff: fc.Arbitrary<HomeHandoff> = fc.record({
    dealId: fc.nat(),
    dealName: hostileText,
    accountName: hostileText,
    amountCents: cents,
    currency,
    closedAt: at,
    missing,
    ownerUserId: owner,
  });
  const homePayment: fc.Arbitrary<HomePayment> = fc.record({
    invoiceNumber: hostileText,
    accountName: hostileText,
    amountCents: cents,
    currency,
    at,
    paidInFull: fc.boolean(),
  });
  const rep: fc.Arbitrary<RepHome> = fc.record({
    kind: fc.constant('rep' as const),
    userId: fc.constant('U0REP'),
    asks: fc.array(
      fc.record({
        askId: fc.nat(),
        accountName: fc.string(),
        question: fc.string({ maxLength: 3000 }),
        askedBy: fc.constantFrom('U0AR', '<!channel>'),
        dueOn: fc.constantFrom(null, '2026-03-10'),
      }),
      { maxLength: 8 },
    ),
    moreAsks: more,
    handoffs: many(homeHandoff),
    moreHandoffs: more,
    problemInvoices: many(homeInvoice),
    moreProblemInvoices: more,
    recentPayments: many(homePayment),
  });
  const ar: fc.Arbitrary<ArHome> = fc.record({
    kind: fc.constant('ar' as const),
    userId: fc.constant('U0AR'),
    asks: fc.array(
      fc.record({
        askId: fc.nat(),
        accountName: fc.string(),
        question: fc.string({ maxLength: 3000 }),
        askedBy: fc.constantFrom('U0REP', '<!channel>'),
        dueOn: fc.constant(null),
      }),
      { maxLength: 8 },
    ),
    moreAsks: more,
    chart: fc.option(
      fc.record({
        fileId: fc.constant('F0CHART'),
        title: fc.string({ maxLength: 300 }),
        altText: fc.string({ maxLength: 3000 }),
      }),
      { nil: null },
    ),
    disputes: many(homeInvoice),
    moreDisputes: more,
    oldestOverdue: many(homeInvoice),
    moreOverdue: more,
    handoffsWaiting: many(homeHandoff),
    moreHandoffsWaiting: more,
    onHold: many(fc.record({ accountId: fc.nat(), name: hostileText, ownerUserId: owner, since: maybe(at) })),
    moreOnHold: more,
  });

  it('a rep home stays within 100 blocks, escapes user text, shows every section and counts what it cuts', () => {
    fc.assert(
      fc.property(rep, at, (h, when) => {
        const view = homeView(h, when);
        expectWithinLimits(view);
        const handoffs = h.handoffs.length + h.moreHandoffs;
        const buttons = accessories(view).filter((b) => b.action_id === 'handoff_open').length;
        expect(buttons).toBe(Math.min(10, h.handoffs.length));
        const askButtons = accessories(view).filter((b) => b.action_id === 'ask_answer').length;
        expect(askButtons).toBe(Math.min(5, h.asks.length));
        if (h.asks.length + h.moreAsks > 0)
          expect(askButtons + moreIn(sectionOf(view, 'AR is asking you'))).toBe(h.asks.length + h.moreAsks);
        expect(buttons + moreIn(sectionOf(view, 'Billing handoffs to finish'))).toBe(handoffs);
        expectCounted(
          sectionOf(view, 'overdue and disputed invoices'),
          h.problemInvoices.length,
          h.moreProblemInvoices,
        );
        expectCounted(sectionOf(view, 'Recent payments'), h.recentPayments.length);
      }),
      { numRuns: 40 },
    );
  });

  it('an AR home stays within 100 blocks, escapes user text, shows every section and counts what it cuts', () => {
    fc.assert(
      fc.property(ar, at, (h, when) => {
        const view = homeView(h, when);
        expectWithinLimits(view);
        // The only buttons are Answer, one per question reps sent to AR that is shown.
        expect(accessories(view).map((b) => b.action_id)).toEqual(h.asks.slice(0, 5).map(() => 'ask_answer'));
        const images = view.blocks.filter((b) => b.type === 'image');
        expect(images).toHaveLength(h.chart ? 1 : 0);
        if (h.chart) expect(images[0]).toMatchObject({ slack_file: { id: h.chart.fileId } });
        if (h.asks.length + h.moreAsks > 0)
          expect(JSON.stringify(view.blocks)).toContain(`Reps are asking AR (${h.asks.length + h.moreAsks})`);
        expectCounted(sectionOf(view, 'Dispute queue'), h.disputes.length, h.moreDisputes);
        expectCounted(sectionOf(view, 'Oldest overdue'), h.oldestOverdue.length, h.moreOverdue);
        expectCounted(
          sectionOf(view, 'Handoffs waiting on reps'),
          h.handoffsWaiting.length,
          h.moreHandoffsWaiting,
        );
        expectCounted(sectionOf(view, 'On credit hold'), h.onHold.length, h.moreOnHold);
      }),
      { numRuns: 40 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Slack tokens the home view may emit; anything else in angle brackets would be user text Slack parses. */
const ALLOWED_TOKENS = [MENTION_TOKEN, DATE_TOKEN];

function expectWithinLimits(view: HomeView): void {
  expect(slackLimitProblems(view, SLACK_LIMITS.modalBlocks)).toEqual([]);
  expect(view.type).toBe('home');
  expectOnlyAllowedTokens(mrkdwnTexts(view.blocks), ALLOWED_TOKENS);
}

/** Every item in a section is shown (one line each) or counted in its "…and N more". */
function expectCounted(lines: string[], given: number, more = 0): void {
  const shown = lines.filter((line) => line.startsWith('• ') || line.startsWith('💰 ')).length;
  if (given > 0) expect(shown).toBeGreaterThan(0);
  expect(shown + moreIn(lines)).toBe(given + more);
  if (given + more === 0) expect(lines).toHaveLength(1);
}

function moreIn(lines: string[]): number {
  const found = lines.map((line) => /^…and (\d+) more/.exec(line)).find((m) => m !== null);
  return found ? Number(found[1]) : 0;
}

function headers(view: HomeView): string[] {
  return (view.blocks as KnownBlock[]).flatMap((b) => (b.type === 'header' ? [b.text.text] : []));
}

/** The lines of mrkdwn under the header that contains `title`, up to the next header or divider. */
function sectionOf(view: HomeView, title: string): string[] {
  const blocks = view.blocks as KnownBlock[];
  const start = blocks.findIndex((b) => b.type === 'header' && b.text.text.includes(title));
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = blocks.slice(start + 1);
  const end = rest.findIndex((b) => b.type === 'header' || b.type === 'divider');
  return mrkdwnTexts(end === -1 ? rest.slice(0, -1) : rest.slice(0, end)).flatMap((t) => t.split('\n'));
}

function accessories(view: HomeView) {
  return (view.blocks as KnownBlock[]).flatMap((b) =>
    b.type === 'section' && b.accessory?.type === 'button' ? [b.accessory] : [],
  );
}

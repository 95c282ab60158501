import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LastCollectionUpdate } from '../../src/db/collection-updates.ts';
import { UPDATE_KINDS, type UpdateKind } from '../../src/domain/collections.ts';
import { disputeContextOf } from '../../src/domain/dispute-context.ts';
import { emptyHandoff } from '../../src/domain/handoff.ts';
import {
  accountThreadRoot,
  askArPost,
  brokenPromisePing,
  COLLECTIONS_ASK_AR_ACTION_ID,
  COLLECTIONS_CONTACTED_ACTION_ID,
  type CollectionInvoice,
  collectionUpdatePost,
  contactedPost,
  creditHoldPost,
  disputeOpenedPing,
  disputeResolvedPost,
  invoicePaidDm,
  invoicePaidPost,
  pastDuePing,
  paymentRecordedPost,
} from '../../src/views/collections-messages.ts';
import type { SlackMessage } from '../../src/views/handoff-messages.ts';
import {
  expectMentionsEscaped,
  expectMessageWithinLimits,
  hostileTexts,
  MENTION_AND_BOLD,
  maybe,
  sectionTexts,
} from '../support/views.ts';

const invoice: CollectionInvoice = {
  number: 'INV-1042',
  amountCents: 480_000,
  balanceCents: 120_000,
  currency: 'USD',
  dueOn: '2026-02-18',
  issuedOn: '2026-01-19',
};
const lastUpdate: LastCollectionUpdate = {
  kind: 'reminder_sent',
  note: 'Emailed AP again\n<!channel> they said next week',
  authorUserId: 'U0AR',
  at: new Date('2026-03-05T10:00:00Z'),
};
const NO_REP = 'No rep owns this account yet, so nobody was pinged. AR can assign one.';

function pastDue(overrides: Partial<Parameters<typeof pastDuePing>[0]> = {}): SlackMessage {
  return pastDuePing({
    invoiceId: 7,
    invoice,
    accountName: 'Acme Ltd',
    repUserId: 'U0REP',
    daysLate: 20,
    threshold: 15,
    escalationNear: false,
    lastUpdate,
    ...overrides,
  });
}

function json(message: SlackMessage): string {
  return JSON.stringify(message.blocks);
}

function buttons(message: SlackMessage): { action_id: string; value: string; text: string }[] {
  return message.blocks.flatMap((block) =>
    block.type === 'actions'
      ? block.elements.flatMap((e) =>
          e.type === 'button'
            ? [{ action_id: e.action_id ?? '', value: e.value ?? '', text: e.text.text }]
            : [],
        )
      : [],
  );
}

const REACH_OUT_BUTTONS = [
  { action_id: COLLECTIONS_CONTACTED_ACTION_ID, value: '7', text: "I'll reach out" },
  { action_id: COLLECTIONS_ASK_AR_ACTION_ID, value: '7', text: 'Ask AR' },
  { action_id: 'ask_open', value: 'invoice:7', text: 'Ask the rep' },
];

describe('pastDuePing', () => {
  it('mentions the rep with the invoice, balance, days late, due date and last update', () => {
    expect(pastDue()).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "⏰ <@U0REP>, *INV-1042* for *Acme Ltd* is *20 days past due*.
      *Open:* $1,200.00 of $4,800.00 · *Due* Feb 18, 2026 · issued Jan 19, 2026",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "🗒️ *Last collection update:* Reminder sent by <@U0AR>, <!date^1772704800^{date_short_pretty}|2026-03-05>
      >Emailed AP again
      >&lt;!channel&gt; they said next week",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "action_id": "collections_contacted",
                "style": "primary",
                "text": {
                  "emoji": true,
                  "text": "I'll reach out",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "7",
              },
              {
                "action_id": "collections_ask_ar",
                "text": {
                  "emoji": true,
                  "text": "Ask AR",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "7",
              },
              {
                "action_id": "ask_open",
                "text": {
                  "emoji": true,
                  "text": "Ask the rep",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "invoice:7",
              },
            ],
            "type": "actions",
          },
          {
            "elements": [
              {
                "text": "Past-due alert for the 15-day mark",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "⏰ <@U0REP>, INV-1042 (Acme Ltd) is 20 days past due: $1,200.00 open.",
      }
    `);
  });

  it('offers "I\'ll reach out" and "Ask AR" for the invoice', () => {
    expect(buttons(pastDue())).toEqual(REACH_OUT_BUTTONS);
  });

  it('says when there is no collection update yet', () => {
    expect(json(pastDue({ lastUpdate: null }))).toContain('No collection update yet.');
    const bare = pastDue({ lastUpdate: { ...lastUpdate, note: null, authorUserId: null } });
    expect(sectionTexts(bare)[1]).toBe(
      '🗒️ *Last collection update:* Reminder sent, <!date^1772704800^{date_short_pretty}|2026-03-05>',
    );
  });

  it('warns that escalation is near only when it is', () => {
    expect(json(pastDue())).not.toContain('⚠️');
    const near = pastDue({ daysLate: 46, threshold: 45, escalationNear: true });
    expect(sectionTexts(near)).toContain(
      '⚠️ *Escalation to collections is near.* INV-1042 is 46 days late; a word from you now can keep it out of ' +
        'collections.',
    );
  });

  it('says plainly that nobody owns the account when there is no rep', () => {
    const message = pastDue({ repUserId: null });
    expect(json(message)).toContain(NO_REP);
    expect(json(message)).not.toContain('<@U0REP>');
    expect(message.text).toBe('⏰ INV-1042 (Acme Ltd) is 20 days past due: $1,200.00 open.');
    expect(json(pastDue())).not.toContain('No rep owns');
  });

  it('uses the invoice currency and says 1 day', () => {
    const yen = pastDue({ invoice: { ...invoice, currency: 'JPY', balanceCents: 5000 }, daysLate: 1 });
    expect(yen.text).toContain('is 1 day past due: ¥5,000 open.');
  });
});

describe('brokenPromisePing', () => {
  it('tells the rep the promised day passed unpaid, with the same buttons', () => {
    const message = brokenPromisePing({
      invoiceId: 7,
      invoice,
      accountName: 'Acme Ltd',
      repUserId: 'U0REP',
      promiseDate: '2026-03-09',
      daysLate: 21,
    });
    expect(sectionTexts(message)[0]).toBe(
      '💔 <@U0REP>, *Acme Ltd* promised to pay *INV-1042* by Mar 9, 2026, and it is still unpaid ' +
        '($1,200.00 open, 21 days past due).\n*Open:* $1,200.00 of $4,800.00 · *Due* Feb 18, 2026 · issued Jan 19, 2026',
    );
    expect(buttons(message)).toEqual(REACH_OUT_BUTTONS);
    const noRep = brokenPromisePing({
      invoiceId: 7,
      invoice,
      accountName: 'Acme',
      repUserId: null,
      promiseDate: '2026-03-09',
      daysLate: 0,
    });
    expect(json(noRep)).toContain(NO_REP);
    expect(json(noRep)).not.toContain('days past due');
  });
});

describe('disputes', () => {
  it('pings the rep with the reason and the note, and says alerts are paused', () => {
    expect(
      disputeOpenedPing({
        invoice,
        accountName: 'Acme Ltd',
        repUserId: 'U0REP',
        reasonLabel: 'Discount missing or wrong',
        note: 'They expected the 10% year-one discount',
        byUserId: 'U0AR',
        handoff: null,
      }),
    ).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "⚖️ <@U0REP>, *Acme Ltd* disputes *INV-1042*.
      *Reason:* Discount missing or wrong · logged by <@U0AR>
      *Open:* $1,200.00 of $4,800.00 · *Due* Feb 18, 2026 · issued Jan 19, 2026",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": ">They expected the 10% year-one discount",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "No billing handoff is on record for this account.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
          {
            "elements": [
              {
                "text": "Past-due alerts for this invoice are paused until the dispute is resolved.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "⚖️ <@U0REP>, Acme Ltd disputes INV-1042: Discount missing or wrong.",
      }
    `);
  });

  it('says when a dispute is resolved', () => {
    const message = disputeResolvedPost({
      invoice,
      accountName: 'Acme Ltd',
      repUserId: 'U0REP',
      note: null,
      byUserId: 'U0AR',
    });
    expect(message.text).toBe('✅ The dispute on INV-1042 (Acme Ltd) is resolved.');
    expect(sectionTexts(message)).toHaveLength(1);
    expect(sectionTexts(message)[0]).toContain('logged by <@U0AR>. cc <@U0REP>');
    const noRep = disputeResolvedPost({
      invoice,
      accountName: 'A',
      repUserId: null,
      note: 'ok',
      byUserId: 'U0AR',
    });
    expect(json(noRep)).toContain(NO_REP);
    expect(json(noRep)).toContain('>ok');
  });
});

describe('payments', () => {
  const paid = { ...invoice, balanceCents: 0 };

  it('tells the thread and the rep that the invoice is paid', () => {
    const post = invoicePaidPost({
      invoice: paid,
      accountName: 'Acme Ltd',
      repUserId: 'U0REP',
      commissionEligible: true,
    });
    expect(post.text).toBe('💰 Acme Ltd paid INV-1042 in full ($4,800.00).');
    expect(sectionTexts(post)).toEqual(['💰 *Acme Ltd* paid *INV-1042* in full ($4,800.00). cc <@U0REP>']);
    expect(json(post)).toContain('Paid: commission eligible.');

    const dm = invoicePaidDm({ invoice: paid, accountName: 'Acme Ltd', commissionEligible: true });
    expect(dm.text).toBe('💰 Acme Ltd paid INV-1042 ($4,800.00): paid: commission eligible.');
    expect(sectionTexts(dm)).toEqual([
      '💰 *Acme Ltd* paid *INV-1042* in full: $4,800.00.',
      '✅ INV-1042 is paid: commission eligible.',
    ]);
  });

  it('mentions commission only when the invoice makes it eligible', () => {
    const dm = invoicePaidDm({ invoice: paid, accountName: 'Acme Ltd', commissionEligible: false });
    expect(JSON.stringify(dm)).not.toContain('commission');
    const post = invoicePaidPost({
      invoice: paid,
      accountName: 'Acme Ltd',
      repUserId: null,
      commissionEligible: false,
    });
    expect(JSON.stringify(post)).not.toContain('commission');
    expect(json(post)).toContain(NO_REP);
  });

  it('records a partial payment with what is still open', () => {
    const message = paymentRecordedPost({
      invoice,
      accountName: 'Acme Ltd',
      amountCents: 50_000,
      byUserId: 'U0AR',
    });
    expect(message.text).toBe('💵 Acme Ltd paid $500.00 on INV-1042; $1,200.00 still open.');
    expect(sectionTexts(message)).toEqual([
      '💵 *Acme Ltd* paid *$500.00* on *INV-1042*, logged by <@U0AR>.\n$1,200.00 of $4,800.00 is still open, due Feb 18, 2026.',
    ]);
    const fromBilling = paymentRecordedPost({
      invoice,
      accountName: 'Acme Ltd',
      amountCents: 1,
      byUserId: null,
    });
    expect(sectionTexts(fromBilling)[0]).toContain('on *INV-1042*.\n');
  });
});

describe('creditHoldPost', () => {
  it('lists the reasons when the account goes on hold', () => {
    const message = creditHoldPost({
      accountName: 'Acme Ltd',
      repUserId: 'U0REP',
      on: true,
      reasons: [
        'INV-1 is 61 days past due',
        'open balance $12,000.00 exceeds the credit limit of $10,000.00',
      ],
    });
    expect(message.text).toBe('🛑 Acme Ltd is on credit hold.');
    expect(sectionTexts(message)).toEqual([
      '🛑 *Acme Ltd is on credit hold.* cc <@U0REP>\nWhy:\n• INV-1 is 61 days past due\n' +
        '• open balance $12,000.00 exceeds the credit limit of $10,000.00',
    ]);
  });

  it('says when it comes off hold', () => {
    const message = creditHoldPost({ accountName: 'Acme Ltd', repUserId: 'U0REP', on: false, reasons: [] });
    expect(message.text).toBe('✅ Acme Ltd is off credit hold.');
    expect(sectionTexts(message)).toEqual(['✅ *Acme Ltd is off credit hold.* cc <@U0REP>']);
    const noRep = creditHoldPost({ accountName: 'Acme Ltd', repUserId: null, on: false, reasons: [] });
    expect(json(noRep)).toContain(NO_REP);
  });

  it('shortens a long list of reasons', () => {
    const reasons = Array.from({ length: 45 }, (_, i) => `INV-${i} is 90 days past due`);
    const message = creditHoldPost({ accountName: 'Acme', repUserId: 'U0REP', on: true, reasons });
    expect(json(message)).toContain('• INV-19 is 90 days past due');
    expect(json(message)).not.toContain('INV-20 ');
    expect(json(message)).toContain('…and 25 more');
    const counted = creditHoldPost({
      accountName: 'Acme',
      repUserId: 'U0REP',
      on: true,
      reasons: reasons.slice(0, 20),
      moreReasons: 25,
    });
    expect(json(counted)).toEqual(json(message));
  });
});

describe('collectionUpdatePost', () => {
  const update = (kind: UpdateKind, overrides: Partial<Parameters<typeof collectionUpdatePost>[0]> = {}) =>
    collectionUpdatePost({
      kind,
      accountName: 'Acme Ltd',
      invoice: { number: 'INV-1042', currency: 'USD' },
      authorUserId: 'U0AR',
      note: null,
      promiseDate: '2026-03-20',
      disputeReasonLabel: 'Pricing error',
      amountCents: 50_000,
      currency: null,
      ...overrides,
    });

  it('shows each kind of update as one readable line', () => {
    expect(Object.fromEntries(UPDATE_KINDS.map((kind) => [kind, update(kind).text]))).toEqual({
      note: '🗒️ <@U0AR> added a note on *INV-1042* (Acme Ltd)',
      reminder_sent: '📧 <@U0AR> sent a payment reminder for *INV-1042* (Acme Ltd)',
      contacted: '📞 <@U0AR> contacted the customer about *INV-1042* (Acme Ltd)',
      promise_to_pay: '🤝 <@U0AR> logged a promise to pay *INV-1042* (Acme Ltd) by Mar 20, 2026',
      dispute_opened: '⚖️ <@U0AR> opened a dispute on *INV-1042* (Acme Ltd): Pricing error',
      dispute_resolved: '✅ <@U0AR> resolved the dispute on *INV-1042* (Acme Ltd)',
      payment_received: '💵 <@U0AR> recorded a payment of $500.00 on *INV-1042* (Acme Ltd)',
      escalated: '🚨 <@U0AR> escalated *INV-1042* (Acme Ltd) to collections',
      written_off: '🪦 <@U0AR> wrote off $500.00 of *INV-1042* (Acme Ltd)',
    });
  });

  it('can be about the whole account, and quotes the note', () => {
    const message = update('contacted', {
      invoice: null,
      authorUserId: null,
      note: 'Spoke to <@U1> in AP\nthey will pay Friday',
    });
    expect(sectionTexts(message)).toEqual([
      '📞 AR contacted the customer about *Acme Ltd*',
      '>Spoke to &lt;@U1&gt; in AP\n>they will pay Friday',
    ]);
    const euros = update('payment_received', { invoice: null, currency: 'EUR' });
    expect(euros.text).toContain('a payment of €500.00 on *Acme Ltd*');
    expect(update('payment_received', { amountCents: null }).text).toContain('recorded a payment on');
  });
});

describe('replies to the buttons', () => {
  it('says who will reach out', () => {
    expect(contactedPost({ repUserId: 'U0REP', invoiceNumber: 'INV-1' }).text).toBe(
      '📞 <@U0REP> will reach out about INV-1.',
    );
  });

  it('mentions every AR person, or says AR_USER_IDS is not set', () => {
    const message = askArPost({
      arUserIds: ['U0AR1', 'U0AR2', 'U0AR3'],
      repUserId: 'U0REP',
      invoiceNumber: 'INV-1',
    });
    expect(message.text).toBe(
      '🙋 <@U0AR1>, <@U0AR2> and <@U0AR3>: <@U0REP> has a question about INV-1. Please reply in this thread.',
    );
    const none = askArPost({ arUserIds: [], repUserId: null, invoiceNumber: 'INV-1' });
    expect(none.text).toContain('Someone has a question for AR about INV-1');
    expect(json(none)).toContain('AR_USER_IDS is not set');
  });
});

describe('accountThreadRoot', () => {
  it('starts an account thread naming the owner', () => {
    expect(accountThreadRoot({ accountName: 'Acme Ltd', repUserId: 'U0REP' })).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "📒 *Acme Ltd*: AR thread. Owner: <@U0REP>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "Invoices, disputes, payments and collection updates for this account are posted in this thread.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "📒 Acme Ltd: AR thread",
      }
    `);
    expect(sectionTexts(accountThreadRoot({ accountName: 'Acme Ltd', repUserId: null }))).toEqual([
      '📒 *Acme Ltd*: AR thread. Owner: none yet (AR can assign one)',
    ]);
  });
});

describe('Slack limits and escaping', () => {
  const hostileText = hostileTexts({ more: [MENTION_AND_BOLD] });
  const person = maybe(fc.oneof(fc.constant('U0REP'), hostileText));
  const hostileInvoice: fc.Arbitrary<CollectionInvoice> = fc.record({
    number: hostileText,
    amountCents: fc.maxSafeInteger(),
    balanceCents: fc.maxSafeInteger(),
    currency: fc.constantFrom('USD', 'JPY', 'BHD', 'EUR'),
    dueOn: fc.oneof(fc.constant('2026-02-18'), hostileText),
    issuedOn: fc.oneof(fc.constant('2026-01-19'), hostileText),
  });

  const messages = fc
    .record({
      invoice: hostileInvoice,
      accountName: hostileText,
      rep: person,
      author: person,
      note: maybe(hostileText),
      label: hostileText,
      reasons: fc.array(hostileText, { maxLength: 60 }),
      arUserIds: fc.array(fc.oneof(fc.constant('U0AR'), hostileText), { maxLength: 60 }),
      kind: fc.constantFrom(...UPDATE_KINDS),
      days: fc.nat(100_000),
      flag: fc.boolean(),
      amountCents: maybe(fc.maxSafeInteger()),
    })
    .map((x): SlackMessage[] => {
      const about = { invoice: x.invoice, accountName: x.accountName };
      const last = {
        kind: x.kind,
        note: x.note,
        authorUserId: x.author,
        at: new Date('2026-03-05T10:00:00Z'),
      };
      return [
        pastDuePing({
          ...about,
          invoiceId: 7,
          repUserId: x.rep,
          daysLate: x.days,
          threshold: 15,
          escalationNear: x.flag,
          lastUpdate: x.flag ? last : null,
        }),
        brokenPromisePing({
          ...about,
          invoiceId: 7,
          repUserId: x.rep,
          promiseDate: x.label,
          daysLate: x.days,
        }),
        disputeOpenedPing({
          ...about,
          repUserId: x.rep,
          reasonLabel: x.label,
          note: x.note,
          byUserId: x.label,
          handoff: x.flag
            ? disputeContextOf({
                dealName: x.accountName,
                fromLatestDeal: x.flag,
                fields: {
                  ...emptyHandoff(),
                  legalEntity: x.accountName,
                  hasSpecialTerms: true,
                  specialTerms: x.label,
                },
                submitted: {
                  byUserId: x.author ?? 'U0AR',
                  at: new Date('2026-03-05T10:00:00Z'),
                  complete: false,
                },
                reason: 'discount_missing_or_wrong',
              })
            : null,
        }),
        disputeResolvedPost({ ...about, repUserId: x.rep, note: x.note, byUserId: x.label }),
        invoicePaidPost({ ...about, repUserId: x.rep, commissionEligible: x.flag }),
        invoicePaidDm({ ...about, commissionEligible: x.flag }),
        paymentRecordedPost({ ...about, amountCents: x.amountCents ?? 1, byUserId: x.author }),
        creditHoldPost({ accountName: x.accountName, repUserId: x.rep, on: x.flag, reasons: x.reasons }),
        collectionUpdatePost({
          kind: x.kind,
          accountName: x.accountName,
          invoice: x.flag ? x.invoice : null,
          authorUserId: x.author,
          note: x.note,
          promiseDate: x.label,
          disputeReasonLabel: x.label,
          amountCents: x.amountCents,
          currency: 'USD',
        }),
        contactedPost({ repUserId: x.label, invoiceNumber: x.invoice.number }),
        askArPost({ arUserIds: x.arUserIds, repUserId: x.rep, invoiceNumber: x.invoice.number }),
        accountThreadRoot({ accountName: x.accountName, repUserId: x.rep }),
      ];
    });

  it('every message stays within Slack limits and shows user text rather than parsing it', () => {
    fc.assert(
      fc.property(messages, (all) => {
        for (const message of all) {
          expectMessageWithinLimits(message);
          expectMentionsEscaped(message);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('offers AR "Ask the rep" on a disputed invoice whose account has a rep, and not without one', () => {
    const ping = (repUserId: string | null) =>
      disputeOpenedPing({
        invoice,
        accountName: 'Acme Ltd',
        repUserId,
        reasonLabel: 'Wrong PO number',
        note: null,
        byUserId: 'U0AR',
        handoff: null,
        invoiceId: 42,
      });
    const asks = (m: ReturnType<typeof ping>) =>
      m.blocks
        .flatMap((b) => (b.type === 'actions' ? b.elements : []))
        .map((e) => (e as { value?: string }).value);
    expect(asks(ping('U0REP'))).toEqual(['invoice:42']);
    expect(asks(ping(null))).toEqual([]);
  });

  it('escapes names, numbers, reasons and notes', () => {
    const hostile = '<!channel> & <@U1>';
    const escaped = '&lt;!channel&gt; &amp; &lt;@U1&gt;';
    const about = { invoice: { ...invoice, number: hostile }, accountName: hostile };
    const message = disputeOpenedPing({
      ...about,
      repUserId: hostile,
      reasonLabel: hostile,
      note: hostile,
      byUserId: hostile,
      handoff: null,
    });
    expect(sectionTexts(message)[0]).toContain(`${escaped}, *${escaped}* disputes *${escaped}*`);
    expect(sectionTexts(message)[1]).toBe(`>${escaped}`);
    const hold = creditHoldPost({ accountName: hostile, repUserId: null, on: true, reasons: [hostile] });
    expect(sectionTexts(hold)[0]).toContain(`• ${escaped}`);
  });
});

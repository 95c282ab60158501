import type { KnownBlock } from '@slack/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffHandoff, emptyHandoff, type FieldKey, type HandoffFields } from '../../src/domain/handoff.ts';
import {
  dealClosedDm,
  dealReassignedDm,
  handoffChanges,
  handoffEscalation,
  handoffReminderDm,
  handoffSnoozedDm,
  handoffStatusDm,
  handoffSummary,
  ownerNotFound,
  type SlackMessage,
} from '../../src/views/handoff-messages.ts';
import { SLACK_LIMITS, slackLimitProblems } from '../../src/views/text.ts';
import {
  expectMentionsEscaped,
  expectMessageWithinLimits,
  hostileTexts,
  MENTION_AND_BOLD,
  maybe,
} from '../support/views.ts';

const closedAt = new Date('2026-02-27T18:30:00Z');
const updatedAt = new Date('2026-03-02T09:15:00Z');
const deal = {
  dealId: 42,
  dealName: 'Acme renewal 2026',
  accountName: 'Acme',
  amountCents: 4_800_000,
  currency: 'USD',
};

const fields: HandoffFields = {
  legalEntity: 'Acme Holdings, Inc.',
  billingAddress: '1 Market St\nSan Francisco, CA 94105',
  apContactName: 'Pat Payer',
  apContactEmail: 'ap@acme.example',
  apContactPhone: null,
  signerIsPayer: false,
  paymentTerms: 'net_60',
  customTermsDays: null,
  poRequired: true,
  poNumber: 'PO-4500012345',
  deliveryMethod: 'portal',
  portalName: 'SAP Ariba',
  portalUrl: 'https://acme.ariba.example',
  portalSupplierId: 'AN01234567890',
  senderAllowlisted: false,
  hasSpecialTerms: true,
  specialTerms: '10% off year one\n<!channel> & 2 free months',
  firstInvoiceDate: '2026-03-01',
  billingFrequency: 'annual',
  taxExempt: true,
  taxCertificateOnFile: false,
  currency: 'USD',
  financeNotes: null,
};

function summary(overrides: Partial<Parameters<typeof handoffSummary>[0]> = {}): SlackMessage {
  return handoffSummary({
    ...deal,
    closedAt,
    repUserId: 'U0REP',
    fields,
    complete: true,
    missing: [],
    termsApproval: true,
    standardTermsDays: 30,
    ...overrides,
  });
}

describe('dealClosedDm', () => {
  it('congratulates the rep, says what finance needs and offers the handoff', () => {
    const dm = dealClosedDm({ ...deal, closedAt, missing: ['legalEntity', 'apContactEmail', 'poRequired'] });
    expect(dm).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "🎉 *Congrats, Acme renewal 2026 just closed!*
      Acme · $48,000.00 · closed <!date^1772217000^{date_short_pretty}|2026-02-27>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "Before finance can invoice, they need a few details from you: Legal entity to invoice, AP contact email and PO required.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "It takes a couple of minutes. You can save what you have and finish later.",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
          {
            "elements": [
              {
                "action_id": "handoff_open",
                "style": "primary",
                "text": {
                  "emoji": true,
                  "text": "Start billing handoff",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "42",
              },
            ],
            "type": "actions",
          },
        ],
        "text": "🎉 Acme renewal 2026 (Acme) closed for $48,000.00. Please start the billing handoff.",
      }
    `);
  });

  it('summarises a long list of missing fields compactly', () => {
    const missing: FieldKey[] = [
      'legalEntity',
      'billingAddress',
      'apContactName',
      'apContactEmail',
      'paymentTerms',
      'poRequired',
      'deliveryMethod',
      'hasSpecialTerms',
    ];
    expect(JSON.stringify(dealClosedDm({ ...deal, closedAt, missing }))).toContain(
      'Legal entity to invoice, Billing address, AP contact name, AP contact email, Payment terms and 3 more.',
    );
  });
});

describe('handoffStatusDm', () => {
  const status = (complete: boolean, missing: FieldKey[] = []) =>
    handoffStatusDm({ ...deal, complete, missing, termsApproval: false, updatedAt });

  it('confirms a complete handoff and offers an edit', () => {
    const dm = status(true);
    expect(dm.text).toBe('✅ Billing handoff for Acme renewal 2026 is complete.');
    expect(dm.blocks.at(-1)).toMatchObject({
      type: 'actions',
      elements: [{ action_id: 'handoff_open', value: '42', text: { text: 'Edit handoff' } }],
    });
  });

  it('lists what is still missing and asks to finish', () => {
    const dm = status(false, ['poNumber', 'currency']);
    expect(dm.text).toBe(
      '📝 Billing handoff for Acme renewal 2026 saved; still missing PO number and Currency.',
    );
    expect(dm.blocks.at(-1)).toMatchObject({
      elements: [{ action_id: 'handoff_open', style: 'primary', text: { text: 'Finish billing handoff' } }],
    });
  });

  it('mentions when the terms need finance approval', () => {
    const dm = handoffStatusDm({ ...deal, complete: true, missing: [], termsApproval: true, updatedAt });
    expect(JSON.stringify(dm.blocks)).toContain('finance will review them');
  });
});

describe('handoffSummary', () => {
  it('shows who closed what, the approval warning, the special terms and the key fields', () => {
    expect(summary()).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "emoji": true,
              "text": "🧾 Billing handoff: Acme",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "<@U0REP> closed *Acme renewal 2026* · $48,000.00 · <!date^1772217000^{date_short_pretty}|2026-02-27>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "✅ *Complete*: ready to invoice.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "⚠️ *Terms need finance approval:* Net 60 is longer than the standard 30 days.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "text": {
              "text": "💸 *Discounts, credits & special terms* (make sure they reach the invoice)
      >10% off year one
      >&lt;!channel&gt; &amp; 2 free months",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "fields": [
              {
                "text": "*Legal entity to invoice*
      Acme Holdings, Inc.",
                "type": "mrkdwn",
              },
              {
                "text": "*Billing address*
      1 Market St
      San Francisco, CA 94105",
                "type": "mrkdwn",
              },
              {
                "text": "*AP contact*
      Pat Payer
      ap@acme.example",
                "type": "mrkdwn",
              },
              {
                "text": "*Payment terms*
      Net 60",
                "type": "mrkdwn",
              },
              {
                "text": "*PO*
      Required: PO-4500012345",
                "type": "mrkdwn",
              },
              {
                "text": "*Invoice delivery*
      Customer AP portal
      SAP Ariba
      https://acme.ariba.example
      Supplier ID: AN01234567890",
                "type": "mrkdwn",
              },
              {
                "text": "*Billing sender allow-listed*
      No",
                "type": "mrkdwn",
              },
              {
                "text": "*Signer is also the payer*
      No",
                "type": "mrkdwn",
              },
              {
                "text": "*First invoice*
      Mar 1, 2026 · Annual",
                "type": "mrkdwn",
              },
              {
                "text": "*Currency*
      USD",
                "type": "mrkdwn",
              },
            ],
            "type": "section",
          },
          {
            "fields": [
              {
                "text": "*Tax*
      Exempt, certificate *not* on file",
                "type": "mrkdwn",
              },
              {
                "text": "*Special terms or discounts*
      Yes (see above)",
                "type": "mrkdwn",
              },
            ],
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "Deal #42",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "🧾 Billing handoff for Acme: Acme renewal 2026 ($48,000.00), complete",
      }
    `);
  });

  it('lists missing fields and leaves out what is unknown', () => {
    const message = summary({
      fields: emptyHandoff(),
      complete: false,
      missing: ['legalEntity', 'currency'],
      termsApproval: false,
      repUserId: null,
    });
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('📝 *Incomplete*: missing Legal entity to invoice and Currency.');
    expect(json).toContain('_no rep in Slack_ closed');
    expect(json).not.toContain('⚠️');
    expect(json).not.toContain('special terms* (make sure');
  });

  it('quotes the notes for finance', () => {
    const message = summary({ fields: { ...fields, financeNotes: 'Invoice the parent\ncompany' } });
    expect(JSON.stringify(message.blocks)).toContain(
      '🗒️ *Notes for finance*\\n>Invoice the parent\\n>company',
    );
  });
});

describe('handoffChanges', () => {
  const before = { ...fields, paymentTerms: 'net_30' as const, senderAllowlisted: null };

  it('lists each change and says when the handoff became complete', () => {
    const message = handoffChanges({
      dealName: 'Acme renewal 2026',
      repUserId: 'U0REP',
      changes: diffHandoff(before, fields),
      complete: true,
      missing: [],
      termsApproval: true,
      becameComplete: true,
    });
    expect(message.blocks.map((block) => (block.type === 'section' ? block.text?.text : block.type))).toEqual(
      [
        '✏️ <@U0REP> updated the billing handoff for *Acme renewal 2026*:\n' +
          '• *Payment terms:* Net 30 → Net 60\n' +
          '• *Billing sender allow-listed:* — → No',
        '⚠️ The new payment terms are longer than standard and need finance approval.',
        '✅ Handoff is now complete',
      ],
    );
    expect(message.text).toBe('✏️ Billing handoff for Acme renewal 2026 updated (2 changes).');
  });

  it('says what is still missing', () => {
    const message = handoffChanges({
      dealName: 'Acme',
      repUserId: 'U0REP',
      changes: diffHandoff({ ...fields, poNumber: null }, { ...fields, poNumber: 'PO-1' }),
      complete: false,
      missing: ['currency'],
      termsApproval: true,
      becameComplete: false,
    });
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('Still missing: Currency');
    expect(json).not.toContain('✅');
    expect(json).not.toContain('⚠️');
  });
});

describe('ownerNotFound', () => {
  it('explains the problem and what to do', () => {
    const message = ownerNotFound({ ...deal, ownerEmail: 'pat@acme.example', ownerSlackId: null });
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('matches its CRM owner (email pat@acme.example)');
    expect(json).toContain('"action_id":"deal_claim","value":"42"');
    expect(message.text).toContain('no Slack user matches its owner');
    expect(JSON.stringify(ownerNotFound({ ...deal, ownerEmail: null, ownerSlackId: null }))).toContain(
      'no owner given',
    );
  });
});

describe('Slack limits and escaping', () => {
  const hostileText = hostileTexts({ more: [MENTION_AND_BOLD] });
  const anyFields: fc.Arbitrary<HandoffFields> = fc.record({
    ...Object.fromEntries(Object.keys(emptyHandoff()).map((key) => [key, maybe(hostileText)])),
    signerIsPayer: maybe(fc.boolean()),
    paymentTerms: maybe(fc.constantFrom('net_30' as const, 'custom' as const)),
    customTermsDays: maybe(fc.integer({ min: 1, max: 180 })),
    poRequired: maybe(fc.boolean()),
    deliveryMethod: maybe(fc.constantFrom('email' as const, 'portal' as const)),
    senderAllowlisted: maybe(fc.boolean()),
    hasSpecialTerms: maybe(fc.boolean()),
    billingFrequency: maybe(fc.constant('monthly' as const)),
    taxExempt: maybe(fc.boolean()),
    taxCertificateOnFile: maybe(fc.boolean()),
  }) as fc.Arbitrary<HandoffFields>;
  const allMissing = fc.subarray(Object.keys(emptyHandoff()) as FieldKey[]);

  const messages = fc
    .record({
      fields: anyFields,
      before: anyFields,
      missing: allMissing,
      dealName: hostileText,
      accountName: hostileText,
      owner: maybe(hostileText),
      complete: fc.boolean(),
      termsApproval: fc.boolean(),
      amountCents: fc.maxSafeInteger(),
    })
    .map((x): SlackMessage[] => {
      const d = { ...deal, dealName: x.dealName, accountName: x.accountName, amountCents: x.amountCents };
      const status = { complete: x.complete, missing: x.missing, termsApproval: x.termsApproval };
      return [
        dealClosedDm({ ...d, closedAt, missing: x.missing }),
        handoffStatusDm({ ...d, ...status, updatedAt }),
        handoffSummary({
          ...d,
          ...status,
          closedAt,
          repUserId: 'U0REP',
          fields: x.fields,
          standardTermsDays: 30,
        }),
        handoffChanges({
          ...status,
          dealName: x.dealName,
          repUserId: 'U0REP',
          changes: diffHandoff(x.before, x.fields),
          becameComplete: x.complete,
        }),
        ownerNotFound({ ...d, ownerEmail: x.owner, ownerSlackId: x.owner }),
        handoffReminderDm({
          ...d,
          closedAt,
          now: updatedAt,
          missing: x.missing,
          n: 2,
          max: 3,
          hasDraft: x.complete,
        }),
        handoffSnoozedDm({ ...d, until: updatedAt }),
        handoffEscalation({
          ...d,
          closedAt,
          missing: x.missing,
          repUserId: 'U0REP',
          managerUserId: 'U0BOSS',
          reminders: 3,
        }),
        dealReassignedDm({ ...d, fromUserId: 'U0REP', missing: x.missing }),
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

  it('slackLimitProblems notices broken limits', () => {
    const long = 'x'.repeat(3001);
    const blocks: KnownBlock[] = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
      { type: 'section', text: { type: 'mrkdwn', text: long } },
      { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn' as const, text: 'f' })) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: '' }] },
      ...Array.from({ length: 47 }, (): KnownBlock => ({ type: 'divider' })),
    ];
    expect(slackLimitProblems({ blocks }, SLACK_LIMITS.messageBlocks)).toEqual([
      '51 blocks > 50',
      'blocks[0].text: 151 characters > 150',
      'blocks[1].text: 3001 characters > 3000',
      'blocks[2]: 11 fields > 10',
      'blocks[3].elements[0]: empty text',
    ]);
  });
});

describe('reminders', () => {
  it('names what is missing and offers the three actions', () => {
    const message = handoffReminderDm({
      ...deal,
      closedAt,
      now: new Date(closedAt.getTime() + 30 * 3_600_000),
      missing: ['legalEntity', 'apContactEmail'],
      n: 3,
      max: 3,
      hasDraft: true,
    });
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('Legal entity to invoice');
    expect(json).toContain('AP contact email');
    expect(json).toContain('closed 30 hours ago');
    expect(json).toContain('last reminder');
    expect(json.match(/"action_id":"(handoff_open|handoff_snooze|handoff_not_mine)"/g)).toHaveLength(3);
    expect(json).toContain('Finish billing handoff');
  });

  it('escalates mentioning the rep and, when known, the manager', () => {
    const base = { ...deal, closedAt, missing: ['poNumber' as const], repUserId: 'U0REP', reminders: 3 };
    expect(JSON.stringify(handoffEscalation({ ...base, managerUserId: 'U0BOSS' }).blocks)).toMatch(
      /<@U0REP>.*cc <@U0BOSS>/,
    );
    expect(JSON.stringify(handoffEscalation({ ...base, managerUserId: null }).blocks)).not.toContain('cc');
  });
});

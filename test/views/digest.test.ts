import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestFigures, digestWeek } from '../../src/domain/digest.ts';
import { digestMessage, digestText } from '../../src/views/digest.ts';
import { SLACK_LIMITS, slackLimitProblems } from '../../src/views/text.ts';

const END = new Date('2026-12-07T08:00:00Z');
const week = digestWeek(END, 'UTC');
const DAY = 86_400_000;
const owner = fc.oneof(
  fc.stringMatching(/^U[A-Z0-9]{8}$/),
  fc.constant(null),
  fc.constant('<!channel> dana@x.com'),
);
const currency = fc.constantFrom(
  'USD',
  'EUR',
  'JPY',
  'BHD',
  'GBP',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'AUD',
  'CAD',
  'NZD',
);
const instant = fc.integer({ min: -20 * DAY, max: DAY }).map((ms) => new Date(END.getTime() + ms));
const day = fc
  .integer({ min: -400, max: 30 })
  .map((d) => new Date(END.getTime() + d * DAY).toISOString().slice(0, 10));

const figures = fc
  .record({
    handoffs: fc.array(
      fc.record({
        dealId: fc.nat(),
        ownerUserId: owner,
        closedAt: instant,
        completedAt: fc.option(instant, { nil: null }),
      }),
      { maxLength: 50 },
    ),
    incomplete: fc.array(fc.record({ ownerUserId: owner, count: fc.integer({ min: 1, max: 99 }) }), {
      maxLength: 60,
    }),
    open: fc.array(
      fc.record({
        ownerUserId: owner,
        currency,
        dueOn: day,
        balanceCents: fc.integer({ min: 1, max: 1e12 }),
        count: fc.integer({ min: 1, max: 9 }),
      }),
      { maxLength: 200 },
    ),
    payments: fc.array(fc.record({ currency, amountCents: fc.integer({ min: 1, max: 1e12 }), at: instant }), {
      maxLength: 40,
    }),
    disputes: fc.array(
      fc.record({
        reason: fc.constantFrom(
          'discount_missing_or_wrong',
          'pricing_error',
          'other',
          'duplicate_invoice',
          null,
        ),
        at: instant,
      }),
      { maxLength: 40 },
    ),
    issued: fc.array(
      fc.record({
        currency,
        issuedOn: day,
        amountCents: fc.integer({ min: 1, max: 1e12 }),
        balanceCents: fc.integer({ min: 0, max: 1e12 }),
      }),
      { maxLength: 60 },
    ),
  })
  .map((i) => digestFigures({ ...i, week, businessTimeZone: 'UTC', dsoPayments: [] }));

describe('the digest message', () => {
  it('stays within Slack’s 50 blocks and text limits, shows every chart, and lets no user text act as a mention', () => {
    fc.assert(
      fc.property(figures, fc.integer({ min: 0, max: 3 }), (f, charts) => {
        const images = Array.from({ length: charts }, (_, i) => ({
          fileKey: `digest:channel:C1:2026-12-07T08:00:chart:${i}`,
          title: `Chart ${i}`,
          altText: 'x'.repeat(5000),
        }));
        const message = digestMessage({ figures: f, scope: 'Everyone', images });
        expect(slackLimitProblems(message, SLACK_LIMITS.messageBlocks)).toEqual([]);
        expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
        const shown = message.blocks.filter((b) => b.type === 'image');
        expect(shown.map((b) => ('slack_file' in b ? b.slack_file : null))).toEqual(
          images.map((i) => ({ id: i.fileKey })),
        );
        expect(JSON.stringify(message.blocks)).not.toContain('<!channel>');
        expect(digestText({ figures: f, scope: 'Everyone' })).toContain('Overdue:');
      }),
      { numRuns: 60 },
    );
  });

  it('says what the week held in words, discount disputes called out', () => {
    const f = digestFigures({
      week,
      businessTimeZone: 'UTC',
      handoffs: [
        {
          dealId: 1,
          ownerUserId: 'U0REP',
          closedAt: new Date(END.getTime() - 2 * DAY),
          completedAt: new Date(END.getTime() - DAY),
        },
      ],
      incomplete: [{ ownerUserId: 'U0REP', count: 2 }],
      open: [{ ownerUserId: 'U0REP', currency: 'USD', dueOn: '2026-11-01', balanceCents: 120_000, count: 1 }],
      payments: [{ currency: 'EUR', amountCents: 50_00, at: new Date(END.getTime() - DAY) }],
      disputes: [{ reason: 'discount_missing_or_wrong', at: new Date(END.getTime() - DAY) }],
      issued: [],
      dsoPayments: [],
    });
    const text = JSON.stringify(
      digestMessage({ figures: f, scope: 'Your team (1 person)', images: [] }).blocks,
    );
    expect(text).toContain('Weekly AR digest · Your team (1 person)');
    expect(text).toContain('*Completion rate*\\n100% (1 of 1 closed this week)');
    expect(text).toContain('*Median time to complete*\\n24 h');
    expect(text).toContain('<@U0REP>: $1,200.00 · 1 invoice · oldest 36 days late');
    expect(text).toContain('Collected this week:* €50.00');
    expect(text).toContain('1 dispute* for a discount missing or wrong');
  });
});

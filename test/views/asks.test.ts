import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answerModal,
  askAnsweredPost,
  askEscalationPost,
  askModal,
  askPost,
  askReminderDm,
  readAskState,
  sendToArModal,
  toArPost,
} from '../../src/views/asks.ts';
import { slackLimitProblems } from '../../src/views/text.ts';

const hostile = fc.oneof(fc.string({ maxLength: 3000 }), fc.constant('<!channel> & <@U1> *bold*'));

describe('ask views', () => {
  it('every ask message and modal stays within Slack limits and escapes user text', () => {
    fc.assert(
      fc.property(
        hostile,
        hostile,
        hostile,
        fc.constantFrom(null, '2026-12-02'),
        (question, name, answer, dueOn) => {
          const ask = {
            id: 7,
            question,
            asked_by: 'U0AR',
            asked_of: 'U0REP',
            due_on: dueOn,
            source_link: 'https://acme.slack.com/archives/C1/p1',
          };
          const about = { ask, accountName: name, invoiceNumber: name };
          const messages = [
            askPost(about),
            toArPost({ ...about, arUserIds: Array.from({ length: 30 }, (_, i) => `U0AR${i}`) }),
            askAnsweredPost({ ...about, answer, answeredBy: 'U0REP' }),
            askReminderDm(about),
            askEscalationPost({ ...about, managerUserId: 'U0BOSS' }),
          ];
          for (const m of messages) {
            expect(slackLimitProblems(m, 50)).toEqual([]);
            expect(JSON.stringify(m.blocks)).not.toContain('<!channel>');
          }
          for (const v of [
            askModal({
              target: { value: 'invoice:7', label: name.slice(0, 75) || 'x' },
              initialDueOn: '2026-12-04',
            }),
            sendToArModal({ question, channel: 'C1', ts: '1.2' }),
            answerModal(ask),
          ])
            expect(slackLimitProblems(v, 100)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads the target, question and due date of an ask modal', () => {
    expect(
      readAskState({
        target: { ar_target: { selected_option: { value: 'account:12' } } },
        question: { value: { value: '  PO number? ' } },
        due_on: { value: { selected_date: '2026-12-04' } },
      }),
    ).toEqual({ target: { type: 'account', id: 12 }, question: 'PO number?', dueOn: '2026-12-04' });
    expect(readAskState({})).toEqual({ target: null, question: null, dueOn: null });
  });
});

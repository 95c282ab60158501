import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAskDraft, dueAskStep, QUESTION_MAX } from '../../src/domain/asks.ts';
import { dayIn } from '../../src/domain/dates.ts';
import type { WorkingTime } from '../../src/domain/working-time.ts';
import { isWorkingTime } from '../../src/domain/working-time.ts';

const W: WorkingTime = { workHours: { startMinute: 9 * 60, endMinute: 18 * 60 }, workDays: [1, 2, 3, 4, 5] };
// Wednesday 2026-12-02, 10:00 in New York.
const NOW = new Date('2026-12-02T15:00:00Z');
const NY = 'America/New_York';
const state = { dueOn: '2026-12-02', lastReminderOn: null, escalated: false, hasManager: true };

describe('checkAskDraft', () => {
  it('needs a question and a due date from today on', () => {
    expect(checkAskDraft({ question: ' ', dueOn: null }, '2026-12-02', true)).toEqual({
      question: 'Say what you need.',
      due_on: 'Pick the day you need it by.',
    });
    expect(checkAskDraft({ question: 'PO?', dueOn: '2026-12-01' }, '2026-12-02', true)).toEqual({
      due_on: 'Pick today or a later day.',
    });
    expect(checkAskDraft({ question: 'PO?', dueOn: '2026-12-02' }, '2026-12-02', true)).toEqual({});
    expect(checkAskDraft({ question: 'PO?', dueOn: null }, '2026-12-02', false)).toEqual({});
    expect(
      checkAskDraft({ question: 'x'.repeat(QUESTION_MAX + 1), dueOn: null }, '2026-12-02', false),
    ).toHaveProperty('question');
  });
});

describe('dueAskStep', () => {
  it('reminds on the due day in working hours, once a day; escalates the day after', () => {
    expect(dueAskStep(state, NY, W, NOW)).toBe('remind');
    expect(dueAskStep({ ...state, lastReminderOn: '2026-12-02' }, NY, W, NOW)).toBeNull();
    expect(dueAskStep({ ...state, dueOn: '2026-12-03' }, NY, W, NOW)).toBeNull();
    // 04:00 in New York: not working time.
    expect(dueAskStep(state, NY, W, new Date('2026-12-02T09:00:00Z'))).toBeNull();
    expect(dueAskStep({ ...state, dueOn: '2026-12-01' }, NY, W, NOW)).toBe('escalate');
    expect(dueAskStep({ ...state, dueOn: '2026-12-01', escalated: true }, NY, W, NOW)).toBe('remind');
    expect(dueAskStep({ ...state, dueOn: '2026-12-01', hasManager: false }, NY, W, NOW)).toBe('remind');
    expect(dueAskStep({ ...state, dueOn: null }, NY, W, NOW)).toBeNull();
  });

  it('for any time and state: only in working hours, never before the due day, never twice a day', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2026-01-01T00:00:00Z'),
          max: new Date('2027-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -5, max: 5 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('UTC', NY, 'Asia/Tokyo', 'Pacific/Auckland'),
        (now, offset, remindedToday, escalated, hasManager, tz) => {
          const today = dayIn(tz, now);
          const d = new Date(`${today}T00:00:00Z`);
          d.setUTCDate(d.getUTCDate() + offset);
          const dueOn = d.toISOString().slice(0, 10);
          const step = dueAskStep(
            { dueOn, lastReminderOn: remindedToday ? today : null, escalated, hasManager },
            tz,
            W,
            now,
          );
          if (step !== null) expect(isWorkingTime(now, tz, W)).toBe(true);
          if (offset > 0) expect(step).toBeNull();
          if (step === 'escalate') expect(offset < 0 && hasManager && !escalated).toBe(true);
          if (step === 'remind') expect(remindedToday).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

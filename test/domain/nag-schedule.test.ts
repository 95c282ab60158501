import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueNag, type NagPolicy, type NagState, nextNag } from '../../src/domain/nag-schedule.ts';
import { isWorkingTime, nextWorkingDayStart, nextWorkingInstant } from '../../src/domain/working-time.ts';

const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Asia/Kolkata',
  'UTC',
  'America/Los_Angeles',
];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Local weekday and minute-of-day, computed with Intl (independently of the code under test). */
function localTime(t: Date, timeZone: string): { day: number; minute: number; text: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAYS.indexOf(get('weekday'));
  const minute = Number(get('hour')) * 60 + Number(get('minute'));
  return { day, minute, text: `${get('weekday')} ${get('hour')}:${get('minute')}` };
}

function inWindow(t: Date, tz: string, p: NagPolicy): boolean {
  const { day, minute } = localTime(t, tz);
  return p.workDays.includes(day) && minute >= p.workHours.startMinute && minute < p.workHours.endMinute;
}

const policyArb: fc.Arbitrary<NagPolicy> = fc
  .record({
    firstAfterHours: fc.double({ min: 0, max: 96, noNaN: true }),
    everyHours: fc.double({ min: 0.25, max: 72, noNaN: true }),
    max: fc.integer({ min: 0, max: 6 }),
    start: fc.integer({ min: 0, max: 20 * 60 }),
    length: fc.integer({ min: 30, max: 10 * 60 }),
    workDays: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
  })
  .map((r) => ({
    firstAfterHours: r.firstAfterHours,
    everyHours: r.everyHours,
    max: r.max,
    workHours: { startMinute: r.start, endMinute: Math.min(24 * 60, r.start + r.length) },
    workDays: r.workDays.sort(),
  }));

const instantArb = fc.date({
  min: new Date('2026-01-01T00:00:00Z'),
  max: new Date('2027-12-31T00:00:00Z'),
  noInvalidDate: true,
});

interface Sim {
  reminders: Date[];
  escalations: Date[];
}

/** Runs sweeps every `stepMinutes` from the close, applying what is due, with optional completion/snooze. */
function simulate(
  closedAt: Date,
  tz: string,
  policy: NagPolicy,
  opts: { stepMinutes: number; days: number; completeAt?: Date; snoozeAfterReminder?: number },
): Sim & { snoozedUntil: Date | null } {
  const state: NagState = {
    closedAt,
    complete: false,
    remindersSent: 0,
    lastReminderAt: null,
    snoozedUntil: null,
    escalated: false,
  };
  const sim: Sim & { snoozedUntil: Date | null } = { reminders: [], escalations: [], snoozedUntil: null };
  const end = closedAt.getTime() + opts.days * 86_400_000;
  for (let t = closedAt.getTime(); t <= end; t += opts.stepMinutes * 60_000) {
    const now = new Date(t);
    if (opts.completeAt && now >= opts.completeAt) state.complete = true;
    const step = dueNag(state, tz, policy, now);
    if (step?.kind === 'remind') {
      state.remindersSent = step.n;
      state.lastReminderAt = now;
      sim.reminders.push(now);
      if (opts.snoozeAfterReminder === step.n) {
        state.snoozedUntil = nextWorkingDayStart(now, tz, policy);
        sim.snoozedUntil = state.snoozedUntil;
      }
    } else if (step?.kind === 'escalate') {
      state.escalated = true;
      sim.escalations.push(now);
    }
  }
  return sim;
}

const standard: NagPolicy = {
  firstAfterHours: 24,
  everyHours: 24,
  max: 3,
  workHours: { startMinute: 9 * 60, endMinute: 18 * 60 },
  workDays: [1, 2, 3, 4, 5],
};

describe('working time', () => {
  it('nextWorkingInstant is working time, not before t, and t itself when t is working time', () => {
    fc.assert(
      fc.property(instantArb, fc.constantFrom(...ZONES), policyArb, (t, tz, p) => {
        const next = nextWorkingInstant(t, tz, p);
        expect(next.getTime()).toBeGreaterThanOrEqual(t.getTime());
        expect(inWindow(next, tz, p)).toBe(true);
        if (inWindow(t, tz, p)) expect(next).toEqual(t);
      }),
      { numRuns: 500 },
    );
  });
});

describe('working time on the day the clocks go forward (New York, Sunday 8 March 2026, 02:00 → 03:00)', () => {
  const NY = 'America/New_York';
  const sunday = (workHours: { startMinute: number; endMinute: number }) => ({ workHours, workDays: [0] });

  it('a window whose end the clocks skip (00:00–02:01) ends when they jump', () => {
    const w = sunday({ startMinute: 0, endMinute: 121 });
    expect(isWorkingTime(new Date('2026-03-08T06:59:00Z'), NY, w)).toBe(true); // 01:59 EST
    expect(isWorkingTime(new Date('2026-03-08T07:00:00Z'), NY, w)).toBe(false); // 03:00 EDT
    expect(isWorkingTime(new Date('2026-03-08T07:00:30Z'), NY, w)).toBe(false);
    expect(nextWorkingInstant(new Date('2026-03-08T07:00:00Z'), NY, w)).toEqual(
      new Date('2026-03-15T04:00:00Z'),
    );
  });

  it('a window whose start the clocks skip (02:30–04:00) starts when they jump', () => {
    const w = sunday({ startMinute: 150, endMinute: 240 });
    expect(nextWorkingInstant(new Date('2026-03-08T06:00:00Z'), NY, w)).toEqual(
      new Date('2026-03-08T07:00:00Z'),
    );
    expect(isWorkingTime(new Date('2026-03-08T07:10:00Z'), NY, w)).toBe(true); // 03:10 EDT
    expect(nextWorkingInstant(new Date('2026-03-08T07:10:00Z'), NY, w)).toEqual(
      new Date('2026-03-08T07:10:00Z'),
    );
    expect(isWorkingTime(new Date('2026-03-08T08:00:00Z'), NY, w)).toBe(false); // 04:00 EDT
  });

  it('keeps the same wall-clock window on the days before and after', () => {
    const w = sunday({ startMinute: 0, endMinute: 121 });
    expect(isWorkingTime(new Date('2026-03-01T07:00:00Z'), NY, w)).toBe(true); // 02:00 EST, a week before
    expect(isWorkingTime(new Date('2026-03-15T06:00:00Z'), NY, w)).toBe(true); // 02:00 EDT, a week after
    expect(isWorkingTime(new Date('2026-03-15T06:01:00Z'), NY, w)).toBe(false); // 02:01 EDT
  });
});

describe('working time on the day the clocks go back (New York, Sunday 7 November 2027, 02:00 → 01:00)', () => {
  it('a window from 01:01 is left while 01:00 comes round again, and found again at 01:01', () => {
    const w = { workHours: { startMinute: 61, endMinute: 120 }, workDays: [0] };
    const NY = 'America/New_York';
    expect(isWorkingTime(new Date('2027-11-07T05:01:00Z'), NY, w)).toBe(true); // 01:01 EDT
    expect(isWorkingTime(new Date('2027-11-07T06:00:30Z'), NY, w)).toBe(false); // 01:00 EST
    expect(nextWorkingInstant(new Date('2027-11-07T06:00:30Z'), NY, w)).toEqual(
      new Date('2027-11-07T06:01:00Z'),
    );
    expect(isWorkingTime(new Date('2027-11-07T06:01:00Z'), NY, w)).toBe(true); // 01:01 EST
  });
});

describe('reminder schedule', () => {
  it('reminds only inside the rep’s working window, never more than NAG_MAX, escalating once after', () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.constantFrom(...ZONES),
        policyArb,
        fc.integer({ min: 15, max: 120 }),
        (closedAt, tz, p, step) => {
          const sim = simulate(closedAt, tz, p, { stepMinutes: step, days: 21 });
          expect(sim.reminders.length).toBeLessThanOrEqual(p.max);
          expect(sim.escalations.length).toBeLessThanOrEqual(1);
          for (const r of sim.reminders)
            expect(inWindow(r, tz, p), `${localTime(r, tz).text} in ${tz}`).toBe(true);
          for (let i = 1; i < sim.reminders.length; i++) {
            const gap = (sim.reminders[i]?.getTime() ?? 0) - (sim.reminders[i - 1]?.getTime() ?? 0);
            expect(gap).toBeGreaterThanOrEqual(p.everyHours * 3_600_000 - 1);
          }
          if (sim.reminders[0])
            expect(sim.reminders[0].getTime()).toBeGreaterThanOrEqual(
              closedAt.getTime() + p.firstAfterHours * 3_600_000 - 1,
            );
          if (sim.escalations[0] && sim.reminders.length > 0) {
            expect(sim.reminders.length).toBe(p.max);
            expect(sim.escalations[0].getTime()).toBeGreaterThan(sim.reminders.at(-1)?.getTime() ?? 0);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('sends nothing once the handoff is complete', () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.constantFrom(...ZONES),
        policyArb,
        fc.double({ min: 0, max: 10, noNaN: true }),
        (closedAt, tz, p, days) => {
          const completeAt = new Date(closedAt.getTime() + days * 86_400_000);
          const sim = simulate(closedAt, tz, p, { stepMinutes: 30, days: 21, completeAt });
          for (const t of [...sim.reminders, ...sim.escalations])
            expect(t.getTime()).toBeLessThan(completeAt.getTime());
        },
      ),
      { numRuns: 100 },
    );
  });

  it('sends nothing during a snooze, which lasts to the next working day', () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.constantFrom(...ZONES),
        policyArb.filter((p) => p.max >= 2),
        (closedAt, tz, p) => {
          const sim = simulate(closedAt, tz, p, { stepMinutes: 30, days: 30, snoozeAfterReminder: 1 });
          if (!sim.snoozedUntil || !sim.reminders[0]) return;
          const snoozeStart = sim.reminders[0];
          const localDay = (t: Date) => t.toLocaleDateString('en-CA', { timeZone: tz });
          expect(localDay(sim.snoozedUntil) > localDay(snoozeStart)).toBe(true);
          for (const t of [...sim.reminders.slice(1), ...sim.escalations]) {
            expect(t.getTime()).toBeGreaterThanOrEqual(sim.snoozedUntil.getTime());
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it.each([
    ['America/New_York', '2026-03-06T15:00:00Z', 'spring forward'],
    ['America/New_York', '2026-10-30T14:00:00Z', 'fall back'],
    ['Europe/Berlin', '2026-03-27T09:00:00Z', 'spring forward'],
    ['Europe/Berlin', '2026-10-23T08:00:00Z', 'fall back'],
  ])('keeps the same wall-clock time across DST in %s (%s, %s)', (tz, closed) => {
    const policy = { ...standard, max: 5 };
    const sim = simulate(new Date(closed), tz, policy, { stepMinutes: 5, days: 14 });
    const times = sim.reminders.map((r) => localTime(r, tz));
    // Closed on a Friday: Saturday's reminder waits for Monday 09:00, then one each working day.
    expect(times.map((t) => t.text)).toEqual([
      'Mon 09:00',
      'Tue 09:00',
      'Wed 09:00',
      'Thu 09:00',
      'Fri 09:00',
    ]);
    expect(sim.escalations.map((e) => localTime(e, tz).text)).toEqual(['Mon 09:00']);
  });

  it('waits for 09:00 in Tokyo when the sweep runs at 03:00 there', () => {
    const closedAt = new Date('2026-11-23T09:00:00+09:00'); // Monday
    const state: NagState = {
      closedAt,
      complete: false,
      remindersSent: 0,
      lastReminderAt: null,
      snoozedUntil: null,
      escalated: false,
    };
    const threeAm = new Date('2026-11-25T03:00:00+09:00');
    expect(dueNag(state, 'Asia/Tokyo', standard, threeAm)).toBeNull();
    expect(nextNag(state, 'Asia/Tokyo', standard)?.at).toEqual(new Date('2026-11-24T09:00:00+09:00'));
    const nine = new Date('2026-11-25T09:00:00+09:00');
    expect(dueNag(state, 'Asia/Tokyo', standard, nine)).toEqual({
      kind: 'remind',
      n: 1,
      at: new Date('2026-11-24T09:00:00+09:00'),
    });
  });

  it('is a pure function of its inputs', () => {
    const state: NagState = {
      closedAt: new Date('2026-11-20T12:00:00Z'),
      complete: false,
      remindersSent: 1,
      lastReminderAt: new Date('2026-11-23T14:00:00Z'),
      snoozedUntil: null,
      escalated: false,
    };
    expect(nextNag(state, 'UTC', standard)).toEqual(nextNag({ ...state }, 'UTC', standard));
    expect(nextNag(state, 'UTC', standard)).toEqual({
      kind: 'remind',
      n: 2,
      at: new Date('2026-11-24T14:00:00Z'),
    });
    expect(nextNag({ ...state, remindersSent: 3 }, 'UTC', standard)?.kind).toBe('escalate');
    expect(nextNag({ ...state, complete: true }, 'UTC', standard)).toBeNull();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cronMatches, lastOccurrence, localMinute, parseCron } from '../../src/domain/cron.ts';

const ZONES = [
  'UTC',
  'Australia/Sydney',
  'America/New_York',
  'Europe/London',
  'Asia/Kolkata',
  'Pacific/Chatham',
];
const MONDAY_8 = parseCron('0 8 * * 1');
const NOW = new Date('2026-12-01T14:00:00Z');
const WEEK = 7 * 86_400_000;

/** Local weekday, hour and minute with Intl, independently of the code under test. */
function local(at: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { weekday: get('weekday'), hour: Number(get('hour')), minute: Number(get('minute')) };
}

describe('cron expressions', () => {
  it('reads the fields node-cron reads: lists, ranges, steps, names, a seconds field, 7 as Sunday', () => {
    const s = parseCron('30 0 8-10/2 * jan,Mar sun-tue');
    expect([...s.minutes]).toEqual([0]);
    expect([...s.hours]).toEqual([8, 10]);
    expect([...s.months]).toEqual([1, 3]);
    expect([...s.weekdays].sort()).toEqual([0, 1, 2]);
    expect([...parseCron('0 9 * * 7').weekdays]).toEqual([0]);
    expect([...parseCron('*/20 * * * *').minutes]).toEqual([0, 20, 40]);
    for (const bad of ['', '* * * *', '61 * * * *', '0 8 * * mon-', '0 25 * * *', 'a b c d e'])
      expect(() => parseCron(bad), bad).toThrow();
  });

  it('Monday 08:00 is Monday 08:00 on each reader’s own wall clock', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 60 * WEEK }), (zone, offset) => {
        const now = new Date(NOW.getTime() + offset);
        const at = lastOccurrence(MONDAY_8, zone, now, WEEK) as Date;
        expect(at).not.toBeNull();
        expect(at.getTime()).toBeLessThanOrEqual(now.getTime());
        expect(now.getTime() - at.getTime()).toBeLessThan(WEEK + 3_600_000);
        expect(local(at, zone)).toEqual({ weekday: 'Mon', hour: 8, minute: 0 });
        expect(localMinute(at, zone).slice(10)).toBe('T08:00');
        expect(cronMatches(MONDAY_8, at, zone)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('looks back no further than it is told, and a day and a weekday both restricted match either', () => {
    const sunday = new Date('2026-12-06T12:00:00Z');
    expect(lastOccurrence(MONDAY_8, 'UTC', sunday, 86_400_000)).toBeNull();
    expect(lastOccurrence(MONDAY_8, 'Australia/Sydney', sunday, 86_400_000)).toBeNull();
    const monday = new Date('2026-12-07T08:03:00Z');
    expect(lastOccurrence(MONDAY_8, 'UTC', monday, 86_400_000)?.toISOString()).toBe(
      '2026-12-07T08:00:00.000Z',
    );
    expect(lastOccurrence(MONDAY_8, 'Australia/Sydney', monday, 86_400_000)?.toISOString()).toBe(
      '2026-12-06T21:00:00.000Z',
    );
    const firstOrMonday = parseCron('0 8 1 * 1');
    expect(cronMatches(firstOrMonday, new Date('2026-12-01T08:00:00Z'), 'UTC')).toBe(true);
    expect(cronMatches(firstOrMonday, new Date('2026-12-07T08:00:00Z'), 'UTC')).toBe(true);
    expect(cronMatches(firstOrMonday, new Date('2026-12-08T08:00:00Z'), 'UTC')).toBe(false);
  });

  it('a wall-clock minute repeated when clocks go back is one occurrence; one skipped never fires', () => {
    // New York falls back on 1 November 2026 at 02:00: 01:30 happens twice.
    const twice = parseCron('30 1 * * *');
    const after = new Date('2026-11-01T06:45:00Z');
    expect(lastOccurrence(twice, 'America/New_York', after, 3 * 3_600_000)?.toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
    // It springs forward on 8 March 2026 at 02:00: 02:30 does not happen that day.
    const skipped = parseCron('30 2 8 3 *');
    expect(
      lastOccurrence(skipped, 'America/New_York', new Date('2026-03-08T12:00:00Z'), 86_400_000),
    ).toBeNull();
  });
});
